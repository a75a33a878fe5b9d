"""A clinician's day in a real browser: the report, a patient's record, progression, CSV."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.models import Prescription
from tests.e2e.pages import WIDTHS, log_in
from tests.factories import make_hold, make_pain, make_prescription

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic(clinic, carol, bob_patient):
    """The shared clinic, with Alice keeping up her program for two weeks, and Dave with a
    patient of his own."""
    alice_rx = clinic["prescription"]
    make_prescription(bob_patient, alice_rx.level, start_date=alice_rx.start_date)
    for days_ago in range(14):
        for side in ("left", "right", "left", "right"):
            make_hold(alice_rx, at=timezone.now() - timedelta(days=days_ago), side=side)
    make_pain(clinic["patient"], at=timezone.now() - timedelta(hours=1), score=2)
    return {"carol": carol, "alice": clinic["patient"]}


def test_carol_reviews_and_progresses_alice_then_downloads_the_report(page, live_server, clinic):
    log_in(page, live_server, "carol@example.com")
    expect(page.get_by_role("heading", name="Adherence report")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Alice")).to_be_visible()
    expect(table.get_by_text("Bob")).to_have_count(0)
    expect(table).to_contain_text("Ready to progress")

    table.get_by_role("link", name="Patient").click()
    expect(page).to_have_url(f"{live_server.url}/clinic/?sort=name")
    page.get_by_label("Show", exact=True).select_option("ready")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("table").get_by_role("link", name="Alice")).to_be_visible()
    page.get_by_label("Show", exact=True).select_option("severe_pain")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("table")).to_contain_text("No patients match.")
    page.get_by_label("Show", exact=True).select_option("")
    page.get_by_role("button", name="Show", exact=True).click()

    page.get_by_role("table").get_by_role("link", name="Alice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice")
    expect(page.get_by_text("Level 2 is next")).to_be_visible()
    page.get_by_role("link", name="Move to Level 2").click()
    expect(page.get_by_role("heading", name="Move Alice to Level 2?")).to_be_visible()
    page.get_by_role("button", name="Move to Level 2").click()
    expect(page.get_by_text("Alice now does Level 2: Edge-of-bed psoas stretch.")).to_be_visible()
    current = Prescription.objects.get(patient=clinic["alice"], end_date__isnull=True)
    assert (current.level.number, current.prescribed_by) == (2, clinic["carol"])

    page.get_by_role("link", name="Adherence report").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Alice" in content
    assert "Edge-of-bed psoas stretch" in content
    assert "Bob" not in content


def test_dave_sees_only_bob(page, live_server, clinic):
    log_in(page, live_server, "dave@example.com")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Bob")).to_be_visible()
    expect(table.get_by_text("Alice")).to_have_count(0)
    page.goto(f"{live_server.url}/clinic/patients/{clinic['alice'].pk}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_the_report_fits_a_phone(page, live_server, clinic):
    page.set_viewport_size(WIDTHS["phone"])
    log_in(page, live_server, "carol@example.com")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Alice")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Flags")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Last activity")).to_be_hidden()
    region = page.get_by_role("region", name="Adherence report table")
    overflow = region.evaluate("element => element.scrollWidth - element.clientWidth")
    assert overflow <= 0
    page.set_viewport_size(WIDTHS["desktop"])
    expect(table.get_by_role("columnheader", name="Last activity")).to_be_visible()
