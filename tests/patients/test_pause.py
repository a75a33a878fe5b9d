"""Pausing a patient's whole program (a holiday, an illness) and resuming it: nothing is
expected while paused, so neither adherence nor the inactive flag holds it against them."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from patients import adherence, calendar, reminders, services, summaries
from patients.models import ProgramPause
from portal.models import AuditEvent
from tests.factories import make_prescription

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
MONDAY = date(2026, 3, 2)


def pause(patient, start, end=None):
    return ProgramPause.objects.create(
        patient=patient, start_date=start, end_date=end, reason="holiday", by=patient.clinician
    )


def test_nothing_is_expected_on_paused_days(alice_patient, level_1):
    make_prescription(alice_patient, level_1, start_date=MONDAY - timedelta(days=7))
    pause(alice_patient, MONDAY + timedelta(days=2), MONDAY + timedelta(days=5))
    daily = adherence.daily_adherence(
        patient_ids=[alice_patient.pk], start=MONDAY, end=MONDAY + timedelta(days=7), tz=TORONTO
    )[alice_patient.pk]
    expected = [daily[MONDAY + timedelta(days=offset)].expected for offset in range(7)]
    assert expected == [4, 4, 0, 0, 0, 4, 4]


def summary_of(patient, as_of):
    (found,) = summaries.patient_summaries(patients=[patient], as_of=as_of, today=as_of, tz=TORONTO)
    return found


def test_a_paused_patient_is_not_inactive_and_after_resuming_starts_afresh(alice_patient, level_1):
    make_prescription(alice_patient, level_1, start_date=MONDAY - timedelta(days=30))
    assert summary_of(alice_patient, MONDAY).has_flag("inactive")
    pause(alice_patient, MONDAY - timedelta(days=20))
    assert not summary_of(alice_patient, MONDAY).has_flag("inactive")
    ProgramPause.objects.update(end_date=MONDAY)
    assert not summary_of(alice_patient, MONDAY + timedelta(days=1)).has_flag("inactive")
    assert summary_of(alice_patient, MONDAY + timedelta(days=10)).has_flag("inactive")


class TestTheRecord:
    def test_the_clinician_pauses_and_resumes_and_the_patient_is_told(
        self, client, carol_client, alice_rx, today
    ):
        url = reverse("patients:program-pause", args=[alice_rx.patient_id])
        assert carol_client.post(url, {"reason": "illness"}).status_code == 302
        (paused,) = ProgramPause.objects.all()
        assert (paused.start_date, paused.end_date, paused.reason) == (today, None, "illness")
        record = reverse("patients:patient-detail", args=[alice_rx.patient_id])
        assert "Resume the program" in carol_client.get(record).content.decode()
        client.force_login(alice_rx.patient.user)
        assert "Your program is paused" in client.get(reverse("patients:today")).content.decode()
        assert carol_client.post(url, {"reason": "illness"}).status_code == 302
        assert ProgramPause.objects.count() == 1

    def test_resuming_on_the_day_of_the_pause_undoes_it(self, carol_client, alice_rx, today):
        services.program_pause(
            patient=alice_rx.patient, reason="other", by=alice_rx.prescribed_by, today=today
        )
        url = reverse("patients:program-resume", args=[alice_rx.patient_id])
        assert carol_client.post(url).status_code == 302
        assert not ProgramPause.objects.exists()

    def test_resuming_later_ends_the_pause_on_that_day(self, carol, alice_rx, today):
        services.program_pause(patient=alice_rx.patient, reason="holiday", by=carol, today=today)
        later = today + timedelta(days=9)
        services.program_resume(patient=alice_rx.patient, today=later)
        assert ProgramPause.objects.get().end_date == later
        actions = AuditEvent.objects.filter(object_type="ProgramPause").values_list(
            "action", flat=True
        )
        assert sorted(actions) == ["create", "update"]

    def test_a_reason_that_is_not_one_is_refused(self, carol_client, alice_rx):
        url = reverse("patients:program-pause", args=[alice_rx.patient_id])
        assert carol_client.post(url, {"reason": "bored"}).status_code == 302
        assert not ProgramPause.objects.exists()

    def test_another_clinician_gets_a_404(self, client, dave, alice_rx):
        client.force_login(dave)
        url = reverse("patients:program-pause", args=[alice_rx.patient_id])
        assert client.post(url, {"reason": "holiday"}).status_code == 404
        assert not ProgramPause.objects.exists()


def test_a_paused_patient_gets_no_reminder(alice_rx, today):
    alice_rx.patient.reminders_on = True
    alice_rx.patient.reminder_time = time(0, 0)
    alice_rx.patient.save()
    tz = timezone.get_default_timezone()
    now = timezone.now()
    assert reminders.patients_to_remind(now=now, tz=tz) == [alice_rx.patient]
    pause(alice_rx.patient, today)
    assert reminders.patients_to_remind(now=now, tz=tz) == []


def test_a_paused_program_has_no_calendar_event_until_it_resumes(alice_rx, today):
    tz = timezone.get_default_timezone()
    now = timezone.now()

    def events():
        feed = calendar.program_calendar(alice_rx.patient, now=now, today=today, tz=tz)
        return Calendar.from_ical(feed).walk("VEVENT")

    assert len(events()) == 1
    pause(alice_rx.patient, today - timedelta(days=3))
    assert events() == []
    ProgramPause.objects.update(end_date=today)
    assert len(events()) == 1


def test_the_report_marks_a_paused_patient(carol_client, alice_rx, today):
    pause(alice_rx.patient, today)
    page = carol_client.get(reverse("patients:report")).content.decode()
    assert f"paused since {today:%b} {today.day}" in page
