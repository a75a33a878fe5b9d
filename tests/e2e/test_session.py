"""Today's session in a browser: "Start today's program" runs each stretch due today in
a row, then a summary, then the pain check-in."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.models import HoldLog
from tests.e2e.pages import GET_READY, REST, SWITCH, TARGET, open_timer
from tests.factories import make_exercise, make_level, make_prescription

pytestmark = pytest.mark.django_db(transaction=True)

WHOLE_SET_MS = (GET_READY + 4 * TARGET + 2 * SWITCH + REST + 1) * 1000


def test_two_stretches_run_in_a_row_then_the_summary_and_the_pain_check_in(
    page, live_server, prescription
):
    calf = make_level(make_exercise(name="Calf stretch", slug="calf"), 1, title="Wall calf")
    # Started before the other: second on Today, which lists the newest first.
    second = make_prescription(
        prescription.patient,
        calf,
        start_date=timezone.localdate() - timedelta(days=10),
        holds_per_side=2,
        target_seconds=TARGET,
    )
    open_timer(page, live_server, prescription)
    page.goto(f"{live_server.url}/today/")
    page.get_by_role("link", name="Start today's program").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Lying hip flexor stretch")
    page.get_by_role("button", name="Start").click()
    page.clock.run_for(WHOLE_SET_MS)
    page.get_by_role("link", name="Go on to Calf stretch, Level 1").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Wall calf")
    page.get_by_role("button", name="Start").click()
    page.clock.run_for(WHOLE_SET_MS)
    expect(page.locator("#timer-after")).to_contain_text("Done for today")
    expect(page.locator("#timer-log li")).to_have_count(4)
    page.get_by_role("link", name="See today's summary").click()

    summary = page.get_by_role("region", name="Today's session")
    expect(summary).to_contain_text("Hip flexor stretch, Level 1: left 2 of 2, right 2 of 2 ✓")
    expect(summary).to_contain_text("Calf stretch, Level 1: left 2 of 2, right 2 of 2 ✓")
    expect(summary).to_contain_text("That is the whole program for today.")
    expect(page.get_by_role("heading", name="Today's pain check-in")).to_be_visible()
    expect(page.get_by_role("link", name="Start today's program")).to_have_count(0)
    assert HoldLog.objects.filter(prescription=prescription).count() == 4
    assert HoldLog.objects.filter(prescription=second).count() == 4
