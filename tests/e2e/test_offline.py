"""The timer without a connection: entries wait on the phone and are stored once later."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.models import HoldLog, PainScore
from portal import roles
from tests.e2e.pages import (
    GET_READY,
    REST,
    SWITCH,
    TARGET,
    leave_one_hold_waiting,
    log_in,
    open_timer,
)
from tests.factories import make_patient, make_user

pytestmark = pytest.mark.django_db(transaction=True)


WHOLE_SET_MS = (GET_READY + 4 * TARGET + 2 * SWITCH + REST + 1) * 1000


def test_a_set_done_offline_is_sent_once_when_the_connection_returns(
    page, context, live_server, prescription
):
    open_timer(page, live_server, prescription)
    context.set_offline(True)
    page.get_by_role("button", name="Start").click()
    page.clock.run_for(WHOLE_SET_MS)
    status = page.locator("#main [data-outbox-status]")
    expect(status).to_contain_text("4 entries are waiting to be sent")

    pain = page.locator("#pain-section")
    pain.get_by_label("2", exact=True).check()
    pain.get_by_role("button", name="Save pain score").click()
    expect(status).to_contain_text("5 entries are waiting to be sent")
    assert not HoldLog.objects.exists()
    assert not PainScore.objects.exists()

    context.set_offline(False)
    expect(status).to_be_hidden()
    expect(page.locator("#timer-log li")).to_have_text(
        ["Left side, 30 s: saved", "Right side, 30 s: saved"] * 2
    )
    assert HoldLog.objects.filter(prescription=prescription).count() == 4
    assert HoldLog.objects.values("client_token").distinct().count() == 4
    assert PainScore.objects.get().score == 2


def test_entries_survive_closing_the_page(page, context, live_server, prescription):
    leave_one_hold_waiting(page, context, live_server, prescription)
    context.set_offline(False)

    again = context.new_page()
    again.goto(f"{live_server.url}/today/")
    again.wait_for_load_state("networkidle")  # the outbox sends as the page opens
    expect(again.locator("#main [data-outbox-status]")).to_be_hidden()
    # The first page is gone; the next one found its entry in the outbox and sent it.
    assert HoldLog.objects.filter(prescription=prescription).count() == 1


def test_pages_open_offline_once_seen_and_are_forgotten_at_logout(
    page, context, live_server, prescription
):
    log_in(page, live_server, prescription.patient.user.email)
    page.goto(f"{live_server.url}/today/")
    # Wait (ten seconds at most) until the service worker is active; a plain evaluate,
    # since the portal's CSP forbids the eval that wait_for_function would need.
    active = page.evaluate(
        """Promise.race([
            navigator.serviceWorker.ready.then(() => true),
            new Promise(resolve => setTimeout(() => resolve(false), 10000)),
        ])"""
    )
    assert active
    page.goto(f"{live_server.url}/today/")  # now through the service worker, which keeps it

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    context.set_offline(False)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    kept = page.evaluate(
        "caches.open('holdfast-pages-v2').then(cache => cache.keys()).then(keys => keys.length)"
    )
    assert kept == 0


def wait_for_the_service_worker(page):
    # Ten seconds at most; a plain evaluate, since the portal's CSP forbids the eval that
    # wait_for_function would need.
    return page.evaluate(
        """Promise.race([
            navigator.serviceWorker.ready.then(() => true),
            new Promise(resolve => setTimeout(() => resolve(false), 10000)),
        ])"""
    )


def test_kept_pages_are_unreadable_offline_once_the_session_would_have_ended(
    page, context, live_server, prescription, settings
):
    settings.PORTAL_IDLE_MINUTES = 0.05  # three seconds
    PainScore.objects.create(
        patient=prescription.patient,
        score=6,
        context=PainScore.Context.CHECK_IN,
        recorded_at=timezone.now(),
        note="Stiff after the drive home",
    )
    log_in(page, live_server, prescription.patient.user.email)
    page.goto(f"{live_server.url}/history/")
    assert wait_for_the_service_worker(page)
    page.goto(f"{live_server.url}/history/")  # through the worker, which keeps it
    context.set_offline(True)
    page.reload()
    expect(page.get_by_text("Stiff after the drive home")).to_be_visible()

    page.wait_for_timeout(4000)  # the idle limit passes; the server would log out now
    page.reload()
    expect(page.get_by_text("signed out after a while without activity")).to_be_visible()
    assert "Stiff after the drive home" not in page.content()
    kept = page.evaluate(
        "caches.open('holdfast-pages-v2').then(cache => cache.keys()).then(keys => keys.length)"
    )
    assert kept == 0


def test_one_patients_waiting_entries_are_never_sent_as_anothers(
    page, context, live_server, prescription
):
    other = make_user("zed@example.com", role=roles.PATIENTS)
    make_patient(other, prescription.patient.clinician)
    open_timer(page, live_server, prescription)
    context.set_offline(True)
    # A pain score: sent with Zed's login, it would be stored as Zed's.
    pain = page.locator("#pain-section")
    pain.get_by_label("7", exact=True).check()
    pain.get_by_role("button", name="Save pain score").click()
    expect(page.locator("#main [data-outbox-status]")).to_contain_text("1 entry is waiting")
    page.close()
    context.clear_cookies()  # the session ends (an idle timeout, say) before it is sent
    context.set_offline(False)

    again = context.new_page()
    log_in(again, live_server, "zed@example.com")
    expect(again.get_by_role("heading", level=1)).to_contain_text("Hello")
    again.wait_for_load_state("networkidle")
    expect(again.locator("#main [data-outbox-status]")).to_be_hidden()
    assert not HoldLog.objects.exists()
    assert not PainScore.objects.exists()


def test_each_pain_score_from_the_timer_is_a_new_entry(page, live_server, prescription):
    open_timer(page, live_server, prescription)
    pain = page.locator("#pain-section")
    for score in ("3", "6"):
        pain.get_by_label(score, exact=True).check()
        pain.get_by_role("button", name="Save pain score").click()
        expect(pain.get_by_role("status")).to_have_text(f"Saved: pain {score} out of 10.")
    assert sorted(PainScore.objects.values_list("score", flat=True)) == [3, 6]


def test_an_entry_refused_after_its_page_closed_is_reported_not_dropped(
    page, context, live_server, prescription
):
    leave_one_hold_waiting(page, context, live_server, prescription)
    # While the phone was away, the clinician ended the program that day.
    prescription.end_date = prescription.start_date + timedelta(days=1)
    prescription.save()
    context.set_offline(False)

    again = context.new_page()
    again.goto(f"{live_server.url}/today/")
    refused = again.locator("#main [data-outbox-refused]")
    expect(refused).to_contain_text("A hold you logged on")
    expect(refused).to_contain_text(
        "was not saved: This stretch was not part of your program on that day"
    )
    expect(again.locator("#main [data-outbox-status]")).to_be_hidden()
    assert not HoldLog.objects.exists()


def test_the_pictures_of_ones_own_levels_are_kept_for_offline(page, live_server, clinic):
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/today/")
    assert wait_for_the_service_worker(page)
    page.goto(f"{live_server.url}/today/")  # now the worker is there to be handed them
    listed = page.evaluate("JSON.parse(document.getElementById('offline-pictures').textContent)")
    # A step's drawing, which Today itself does not show: kept because it was handed over.
    (step_picture,) = [url for url in listed if "psoas-level-1-knee" in url]
    assert not [url for url in listed if "psoas-level-2" in url]  # not Alice's level
    kept = page.evaluate(
        """url => new Promise(resolve => {
            const until = Date.now() + 10000;
            (function look() {
                caches.match(url).then(hit => {
                    if (hit) resolve(true);
                    else if (Date.now() > until) resolve(false);
                    else setTimeout(look, 100);
                });
            })();
        })""",
        step_picture,
    )
    assert kept
