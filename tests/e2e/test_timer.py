"""The guided timer in a real browser, on a controlled clock."""

import pytest
from playwright.sync_api import expect

from patients.models import HoldLog, PainScore
from tests.e2e.pages import GET_READY, REST, SWITCH, TARGET, WIDTHS, log_in, open_timer

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_full_set_is_saved_hold_by_hold_then_the_pain_score(page, live_server, prescription):
    open_timer(page, live_server, prescription)
    phase = page.locator("#timer-phase")
    side = page.locator("#timer-side")
    announcer = page.locator("#timer-announce")

    page.get_by_role("button", name="Start").click()
    expect(phase).to_have_text("Get ready")
    page.clock.run_for((GET_READY + 1) * 1000)
    expect(phase).to_have_text("Hold")
    expect(side).to_have_text("Left side")
    expect(announcer).to_contain_text("Left side: hold for 30 seconds. Hold 1 of 4.")

    page.clock.run_for((TARGET - 1) * 1000)
    expect(phase).to_have_text("Switch")
    expect(side).to_have_text("Next: right side")
    expect(page.locator("#timer-log li")).to_have_text(["Left side, 30 s: saved"])

    total = SWITCH + TARGET + REST + TARGET + SWITCH + TARGET
    page.clock.run_for(total * 1000 + 1000)
    expect(phase).to_have_text("Done")
    expect(side).to_have_text("All holds done.")
    # No clock after the set: what comes next (nothing else is due today).
    expect(page.locator("#timer-dial")).to_be_hidden()
    expect(page.locator("#timer-after")).to_have_text("Done for today. Well done!")
    expect(page.locator("#timer-log li")).to_have_text(
        [
            "Left side, 30 s: saved",
            "Right side, 30 s: saved",
            "Left side, 30 s: saved",
            "Right side, 30 s: saved",
        ]
    )
    expect(page.locator("#today-progress")).to_contain_text("Left 2 of 2")
    expect(page.locator("#today-progress")).to_contain_text("Right 2 of 2")

    pain = page.locator("#pain-section")
    pain.get_by_label("3", exact=True).check()
    pain.get_by_role("button", name="Save pain score").click()
    expect(pain.get_by_role("status")).to_have_text("Saved: pain 3 out of 10.")

    holds = HoldLog.objects.filter(prescription=prescription)
    assert sorted(holds.values_list("side", "seconds", "source")) == [
        ("left", 30, "timer"),
        ("left", 30, "timer"),
        ("right", 30, "timer"),
        ("right", 30, "timer"),
    ]
    assert holds.values("client_token").distinct().count() == 4
    saved_pain = PainScore.objects.get(patient=prescription.patient)
    assert (saved_pain.score, saved_pain.context) == (3, "after")

    page.goto(f"{live_server.url}/history/")
    today = page.locator("section", has=page.get_by_role("heading", name="Logged today"))
    expect(today).to_contain_text("Pain 3 out of 10")
    expect(today.locator("li")).to_have_count(5)


def test_stopping_early_saves_the_seconds_actually_held(page, live_server, prescription):
    open_timer(page, live_server, prescription)
    page.get_by_role("button", name="Start").click()
    page.clock.run_for((GET_READY + 12) * 1000 + 100)
    page.get_by_role("button", name="Stop").click()

    expect(page.locator("#timer-phase")).to_have_text("Stopped")
    expect(page.locator("#timer-side")).to_have_text("Every hold you finished is saved.")
    expect(page.locator("#timer-log li")).to_have_text(["Left side, 12 s: saved"])
    hold = HoldLog.objects.get(prescription=prescription)
    assert (hold.side, hold.seconds) == ("left", 12)


def test_the_timer_works_from_the_keyboard(page, live_server, prescription):
    open_timer(page, live_server, prescription)
    page.get_by_role("button", name="Start").focus()
    page.keyboard.press("Enter")
    pause = page.get_by_role("button", name="Pause")
    expect(pause).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    expect(page.locator("#timer-announce")).to_have_text("Paused.")


def test_without_javascript_the_plain_form_logs_a_hold(browser, live_server, prescription):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, prescription.patient.user.email)
    page.goto(f"{live_server.url}/program/{prescription.pk}/")
    expect(page.locator("#timer")).to_be_hidden()

    form = page.locator("#manual-hold")
    form.get_by_label("Side").select_option("right")
    form.get_by_label("Seconds held").fill("40")
    form.get_by_role("button", name="Save this hold").click()

    expect(page.get_by_text("Saved: right side, 40 seconds.")).to_be_visible()
    hold = HoldLog.objects.get(prescription=prescription)
    assert (hold.side, hold.seconds, hold.source) == ("right", 40, "manual")
    context.close()


def test_a_hold_whose_answer_is_lost_is_sent_again_and_stored_once(page, live_server, prescription):
    answers = []

    def lose_the_first_answer(route):
        # The server receives and saves the hold, but its answer never reaches the phone.
        response = route.fetch()
        answers.append(response.status)
        if len(answers) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route("**/holds/", lose_the_first_answer)
    open_timer(page, live_server, prescription)
    page.get_by_role("button", name="Start").click()
    page.clock.run_for((GET_READY + TARGET) * 1000 + 500)
    expect(page.locator("#timer-log li")).to_have_text(
        ["Left side, 30 s: kept on this device, will send when online"]
    )
    page.clock.run_for(1500)  # the outbox tries again a second later
    expect(page.locator("#timer-log li")).to_have_text(["Left side, 30 s: saved"])
    assert answers == [201, 200]
    assert HoldLog.objects.filter(prescription=prescription).count() == 1


@pytest.mark.parametrize("status", [503, 429])
def test_a_server_that_says_come_back_later_is_asked_again_no_sooner(
    page, live_server, prescription, status
):
    """A 503 from the portal (a dependency is down) or a 429 from the proxy's rate limit:
    the hold stays on the phone and is sent after the Retry-After the answer gave."""
    answers = []

    def busy_at_first(route):
        if not answers:
            answers.append(status)
            route.fulfill(status=status, headers={"Retry-After": "4"}, body="")
        else:
            response = route.fetch()
            answers.append(response.status)
            route.fulfill(response=response)

    page.route("**/holds/", busy_at_first)
    open_timer(page, live_server, prescription)
    page.get_by_role("button", name="Start").click()
    page.clock.run_for((GET_READY + TARGET) * 1000 + 500)
    kept = ["Left side, 30 s: kept on this device, will send when online"]
    expect(page.locator("#timer-log li")).to_have_text(kept)
    page.clock.run_for(2000)  # sooner than the server asked: not tried yet
    expect(page.locator("#timer-log li")).to_have_text(kept)
    assert answers == [status]
    page.clock.run_for(2500)
    expect(page.locator("#timer-log li")).to_have_text(["Left side, 30 s: saved"])
    assert answers == [status, 201]
    assert HoldLog.objects.filter(prescription=prescription).count() == 1


def test_a_refused_pain_score_keeps_what_the_patient_wrote(page, live_server, prescription):
    open_timer(page, live_server, prescription)
    pain = page.locator("#pain-section")
    note = pain.get_by_label("Anything your clinician should know? (optional)")
    note.fill("Stiff after the drive")
    pain.get_by_role("button", name="Save pain score").click()  # no score chosen
    expect(pain.get_by_role("status")).to_have_text("Not saved. Choose a number from 0 to 10.")
    expect(note).to_have_value("Stiff after the drive")
    assert not PainScore.objects.exists()


def test_the_picture_clock_and_buttons_share_one_phone_screen(page, live_server, clinic):
    page.set_viewport_size(WIDTHS["phone"])
    page.clock.install()
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/program/{clinic['prescription'].pk}/")
    page.get_by_role("button", name="Start").click()
    picture = page.get_by_role("img", name="Lying on the back on a bed, one knee drawn")
    clock, stop = page.locator("#timer-clock"), page.get_by_role("button", name="Stop")
    for shown in (picture, clock, stop):
        expect(shown).to_be_in_viewport(ratio=1)
    # During the hold, the step that is held joins them, still on the one screen.
    page.clock.run_for((clinic["prescription"].get_ready_seconds + 1) * 1000)
    step = page.locator("#timer-step")
    expect(step).to_contain_text("Breathe slowly and deeply")
    for shown in (
        picture,
        step,
        page.locator("#timer-clock"),
        page.get_by_role("button", name="Stop"),
    ):
        expect(shown).to_be_in_viewport(ratio=1)
    assert page.evaluate("window.innerHeight") == 844
