"""Screenshots of the main pages at a phone's width, for the README.

`make screenshots` writes them to docs/screenshots/; in an ordinary test run they go to a
temporary folder, so the pages are still exercised and nothing in the tree changes.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import WIDTHS, log_in, look_away

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def folder(tmp_path):
    chosen = os.environ.get("HOLDFAST_SCREENSHOTS_DIR")
    path = Path(chosen) if chosen else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def shoot(page, folder, name):
    page.screenshot(path=folder / f"{name}.png", full_page=True)
    assert (folder / f"{name}.png").stat().st_size > 0


def test_the_main_pages_at_phone_width(page, live_server, clinic, folder):
    page.set_viewport_size(WIDTHS["phone"])
    page.clock.install()
    page.goto(f"{live_server.url}/accounts/login/")
    shoot(page, folder, "01-login")

    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/today/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    shoot(page, folder, "02-today")
    page.goto(f"{live_server.url}/program/{clinic['prescription'].pk}/")
    page.get_by_role("button", name="Start").click()
    page.clock.run_for(12_000)
    expect(page.locator("#timer-side")).to_contain_text("Left leg")
    page.screenshot(path=folder / "03-timer.png")
    page.goto(f"{live_server.url}/history/")
    shoot(page, folder, "04-history")
    page.goto(f"{live_server.url}/exercises/psoas-stretch/level-1/")
    shoot(page, folder, "05-level")

    page.get_by_role("button", name="Show the menu").click()
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "carol@example.com")
    page.goto(f"{live_server.url}/clinic/")
    expect(page.get_by_role("heading", name="Adherence report")).to_be_visible()
    shoot(page, folder, "06-report")
    page.goto(f"{live_server.url}/clinic/patients/{clinic['patient'].pk}/")
    shoot(page, folder, "07-patient-detail")
    page.goto(f"{live_server.url}/clinic/patients/new/")
    page.get_by_label("Stretch and level").first.select_option(index=1)
    shoot(page, folder, "08-enrol")
    prescription = clinic["prescription"]
    page.goto(
        f"{live_server.url}/clinic/patients/{clinic['patient'].pk}"
        f"/prescriptions/{prescription.pk}/change/"
    )
    shoot(page, folder, "09-change")
    level_2 = prescription.level.exercise.levels.get(number=2)
    page.locator("select[name=level]").select_option(str(level_2.pk))
    acknowledge = page.get_by_label("I have read the flags above")
    if acknowledge.count():
        acknowledge.check()
    page.get_by_role("button", name="Preview as the patient sees it").click()
    expect(page.get_by_role("heading", name="What Alice will see")).to_be_visible()
    page.screenshot(path=folder / "10-preview.png")


def test_the_timer_in_each_phase_at_phone_width(page, live_server, clinic, folder):
    prescription = clinic["prescription"]
    ready, target = prescription.get_ready_seconds, prescription.target_seconds
    page.set_viewport_size(WIDTHS["phone"])
    page.clock.install()
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/program/{prescription.pk}/")
    page.get_by_role("button", name="Start").click()
    card = page.locator("#timer")
    for name, phase, seconds in [
        ("get-ready", "ready", 1),
        ("hold", "hold", ready),
        ("switch", "switch", target),
        ("hold-right", "hold", ready),
        ("rest", "rest", target),
    ]:
        page.clock.run_for(seconds * 1000)
        expect(card).to_have_attribute("data-phase", phase)
        card.screenshot(path=folder / f"timer-{name}.png")
    page.clock.run_for(prescription.rest_seconds * 1000 + 1000)
    look_away(page)
    page.clock.run_for(target * 1000)
    expect(page.get_by_role("alertdialog")).to_be_visible()
    card.screenshot(path=folder / "timer-question.png")
    page.get_by_role("button", name="Yes, save it").click()
    page.clock.run_for((ready + target + 1) * 1000)
    expect(card).to_have_attribute("data-phase", "done")
    card.screenshot(path=folder / "timer-done.png")
