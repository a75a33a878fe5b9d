"""Reminders, the patient's settings and the calendar feed."""

import io
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from patients import calendar
from patients.models import ReminderSent
from tests.factories import make_hold, make_pain

pytestmark = pytest.mark.django_db

SETTINGS = reverse("patients:settings")


def run(now):
    out = io.StringIO()
    call_command("send_reminders", now=now, stdout=out)
    return out.getvalue()


@pytest.fixture
def monday(today):
    """The latest Monday (the day the digest goes out), inside every test program."""
    return today - timedelta(days=today.weekday())


@pytest.fixture
def reminded(alice_rx):
    patient = alice_rx.patient
    patient.reminders_on = True
    patient.reminder_time = time(18, 0)
    patient.save()
    return alice_rx


class TestSettingsPage:
    def test_the_patient_turns_reminders_on_at_a_time(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        assert client.get(SETTINGS).status_code == 200
        response = client.post(SETTINGS, {"reminders_on": "on", "reminder_time": "07:45"})
        assert response.status_code == 302
        alice_rx.patient.refresh_from_db()
        assert (alice_rx.patient.reminders_on, alice_rx.patient.reminder_time) == (
            True,
            time(7, 45),
        )

    @pytest.mark.parametrize("value", ["25:00", "abc", "", "7pm tomorrow", "23:50"])
    def test_a_time_that_is_not_a_time_is_refused(self, client, alice_rx, value):
        client.force_login(alice_rx.patient.user)
        response = client.post(SETTINGS, {"reminders_on": "on", "reminder_time": value})
        assert response.status_code == 400
        alice_rx.patient.refresh_from_db()
        assert alice_rx.patient.reminders_on is False
        assert alice_rx.patient.reminder_time == time(18, 0)

    def test_reminders_are_off_until_the_patient_chooses(self, alice_patient):
        assert alice_patient.reminders_on is False


class TestCalendarFeed:
    def feed(self, patient):
        return reverse("patients:calendar", kwargs={"token": patient.calendar_token})

    def test_it_is_a_daily_event_at_the_reminder_time_with_nothing_clinical(self, client, reminded):
        response = client.get(self.feed(reminded.patient))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        (event,) = Calendar.from_ical(response.content).walk("VEVENT")
        assert str(event["summary"]) == "Home stretches"
        assert event["rrule"]["FREQ"] == ["DAILY"]
        assert event.decoded("dtstart").time() == time(18, 0)
        # The zone's rules travel with the feed, so calendars keep 18:00 across DST.
        (zone,) = Calendar.from_ical(response.content).walk("VTIMEZONE")
        assert str(zone["tzid"]) == "America/Toronto"
        text = response.content.decode().lower()
        for clinical in ("psoas", "level", "pain", "seconds", "lying"):
            assert clinical not in text

    def test_the_feed_is_made_for_the_moment_it_is_given(self, reminded, clinic_tz):
        start = reminded.start_date
        noon = datetime.combine(start, time(12), tzinfo=clinic_tz)
        (event,) = Calendar.from_ical(
            calendar.program_calendar(reminded.patient, now=noon, today=start, tz=clinic_tz)
        ).walk("VEVENT")
        assert event.decoded("dtstamp") == noon
        assert event.decoded("dtstart") == datetime.combine(start, time(18), tzinfo=clinic_tz)
        the_day_before = noon - timedelta(days=1)
        feed = calendar.program_calendar(
            reminded.patient, now=the_day_before, today=start - timedelta(days=1), tz=clinic_tz
        )
        assert Calendar.from_ical(feed).walk("VEVENT") == []

    def test_a_wrong_token_is_not_found(self, client, reminded):
        response = client.get(reverse("patients:calendar", kwargs={"token": "guess"}))
        assert response.status_code == 404

    def test_resetting_retires_the_old_address(self, client, reminded):
        old = self.feed(reminded.patient)
        client.force_login(reminded.patient.user)
        assert client.post(reverse("patients:calendar-reset")).status_code == 302
        reminded.patient.refresh_from_db()
        client.logout()
        assert client.get(old).status_code == 404
        assert client.get(self.feed(reminded.patient)).status_code == 200

    def test_no_program_no_events(self, client, alice_patient):
        response = client.get(self.feed(alice_patient))
        assert Calendar.from_ical(response.content).walk("VEVENT") == []


class TestSendReminders:
    def test_nothing_goes_out_before_the_chosen_time(self, monday, reminded, mailoutbox):
        assert "Sent 0 patient reminders" in run(f"{monday}T17:59")
        assert [mail for mail in mailoutbox if mail.to == ["alice@example.com"]] == []

    def test_after_the_time_the_patient_gets_one_e_mail_only(self, monday, reminded, mailoutbox):
        run(f"{monday}T18:05")
        run(f"{monday}T18:20")
        run(f"{monday}T21:00")
        (message,) = [mail for mail in mailoutbox if mail.to == ["alice@example.com"]]
        assert "your stretches are waiting" in message.subject.lower()
        body = message.body.lower()
        for clinical in ("psoas", "level", "pain", "seconds", "lying"):
            assert clinical not in body
        assert ReminderSent.objects.filter(kind="patient").count() == 1

    def test_the_next_day_brings_a_new_reminder(self, monday, reminded):
        run(f"{monday}T18:05")
        run(f"{monday + timedelta(days=1)}T18:05")
        assert ReminderSent.objects.filter(kind="patient").count() == 2

    def test_no_reminder_once_the_days_program_is_done(self, monday, reminded, clinic_tz):
        moment = datetime.combine(monday, time(9), tzinfo=clinic_tz)
        for side in ("left", "right", "left", "right"):
            make_hold(reminded, at=moment, side=side)
        run(f"{monday}T18:05")
        assert ReminderSent.objects.filter(kind="patient").count() == 0

    def test_no_reminder_when_they_are_off(self, monday, alice_rx):
        run(f"{monday}T23:00")
        assert not ReminderSent.objects.filter(kind="patient").exists()

    def test_a_bad_time_is_refused(self):
        with pytest.raises(CommandError, match="ISO 8601"):
            run("half past six")


class TestWeeklyDigest:
    def test_monday_morning_each_clinician_gets_names_and_flags(
        self, monday, alice_rx, bob_rx, clinic_tz, mailoutbox
    ):
        # The Sunday before: inside the week the digest reads, whatever day it is now.
        sunday_noon = datetime.combine(monday - timedelta(days=1), time(12), tzinfo=clinic_tz)
        make_pain(alice_rx.patient, at=sunday_noon, score=9)
        run(f"{monday}T08:30")
        digests = [mail for mail in mailoutbox if "to look at this week" in mail.subject]
        (carols,) = [mail for mail in digests if mail.to == ["carol@example.com"]]
        assert carols.subject == f"{settings.PORTAL_CLINIC_NAME}: 1 patient to look at this week"
        assert "Alice: Severe pain" in carols.body
        assert "Bob" not in carols.body
        assert "9" not in carols.body.split("Alice:")[1].split("\n")[0]

    def test_an_account_no_longer_staff_gets_no_digest(self, monday, alice_rx, carol, mailoutbox):
        # Still in the clinicians' group, but without a staff account it is no clinician.
        carol.is_staff = False
        carol.save()
        make_pain(alice_rx.patient, at=timezone.now() - timedelta(days=1), score=9)
        run(f"{monday}T08:30")
        assert not [mail for mail in mailoutbox if "to look at this week" in mail.subject]

    def test_it_goes_out_once_a_week(self, monday, alice_rx):
        run(f"{monday}T08:30")
        run(f"{monday}T10:00")
        run(f"{monday + timedelta(days=2)}T10:00")
        assert ReminderSent.objects.filter(kind="digest").count() == 1

    def test_not_before_monday_eight(self, monday, alice_rx):
        run(f"{monday}T07:59")
        assert not ReminderSent.objects.filter(kind="digest").exists()
