"""A stretch done on chosen days of the week: nothing is expected on the others, the
patient's Today page says so, and the calendar shows only those days."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from patients import adherence, calendar
from patients.models import EVERY_DAY, Prescription, weekdays_label
from tests.factories import make_prescription

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
MONDAY = date(2026, 3, 2)
MONDAY_WEDNESDAY_FRIDAY = 0b10101


def test_the_mask_reads_in_the_weeks_order():
    assert weekdays_label(MONDAY_WEDNESDAY_FRIDAY) == "Mon, Wed, Fri"
    assert weekdays_label(EVERY_DAY) == "every day"


def test_nothing_is_expected_on_the_other_days(alice_patient, level_1):
    make_prescription(
        alice_patient,
        level_1,
        start_date=MONDAY - timedelta(days=7),
        weekdays=MONDAY_WEDNESDAY_FRIDAY,
    )
    daily = adherence.daily_adherence(
        patient_ids=[alice_patient.pk], start=MONDAY, end=MONDAY + timedelta(days=7), tz=TORONTO
    )[alice_patient.pk]
    expected = [daily[MONDAY + timedelta(days=offset)].expected for offset in range(7)]
    assert expected == [4, 0, 4, 0, 4, 0, 0]


def test_the_calendar_repeats_on_those_days_only(alice_patient, level_1):
    make_prescription(alice_patient, level_1, start_date=MONDAY, weekdays=MONDAY_WEDNESDAY_FRIDAY)
    noon = datetime(2026, 3, 2, 12, tzinfo=TORONTO)
    feed = calendar.program_calendar(alice_patient, now=noon, today=MONDAY, tz=TORONTO)
    (event,) = Calendar.from_ical(feed).walk("VEVENT")
    assert event["rrule"]["FREQ"] == ["WEEKLY"]
    assert event["rrule"]["BYDAY"] == ["MO", "WE", "FR"]
    # Read again, from the raw text, by dateutil's RFC 5545 recurrence parser.
    (rule,) = [line for line in feed.decode().splitlines() if line.startswith("RRULE:")]
    days = rrulestr(rule, dtstart=datetime(2026, 3, 2, 18, tzinfo=TORONTO))
    assert [day.strftime("%a %d") for day in days[:5]] == [
        "Mon 02",
        "Wed 04",
        "Fri 06",
        "Mon 09",
        "Wed 11",
    ]


def test_the_clinician_chooses_the_days_and_the_patient_sees_them(client, carol, alice_rx, today):
    clinician = Client()
    clinician.force_login(carol)
    others = [bit for bit in range(7) if bit != today.weekday()]
    data = {
        "level": str(alice_rx.level_id),
        "holds_per_side": "2",
        "target_seconds": "30",
        "sessions_per_day": "1",
        "weekdays": [str(bit) for bit in others],
    }
    url = reverse("patients:prescription-change", args=[alice_rx.patient_id, alice_rx.pk])
    assert clinician.post(url, data).status_code == 302
    new = Prescription.objects.get(end_date__isnull=True)
    assert new.weekdays == EVERY_DAY & ~(1 << today.weekday())
    client.force_login(alice_rx.patient.user)
    page = client.get(reverse("patients:today")).content.decode()
    assert "Today is not one of this stretch's days" in page
    assert ", on " in page
