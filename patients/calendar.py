"""The iCalendar feed: one event on each of the program's days (every day, or the
weekdays its stretches are set for), at the patient's reminder time, while they have a
program that is not paused. It says "Home stretches" and links to the portal, nothing clinical."""

from datetime import datetime, timedelta

from django.conf import settings
from icalendar import Calendar, Event

from patients.models import EVERY_DAY, Prescription, ProgramPause

# RFC 5545's names of the weekdays, Monday first like the prescriptions' bits.
CALENDAR_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def program_calendar(patient, *, now, today, tz):
    """The feed as it stands at ``now`` (on the clinic's day ``today``), with the event
    at the reminder time in ``tz``, the clinic's zone."""
    feed = Calendar()
    feed.add("prodid", f"-//{settings.PORTAL_CLINIC_NAME}//Holdfast//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", f"{settings.PORTAL_CLINIC_NAME}: home stretches")
    current = Prescription.objects.filter(patient=patient).active_on(today)
    weekdays = 0
    for days in current.values_list("weekdays", flat=True):
        weekdays |= days
    # A paused program has no event: the feed shows it again from the day it resumes.
    paused = ProgramPause.objects.filter(patient=patient).overlapping(
        today, today + timedelta(days=1)
    )
    if weekdays and not paused.exists():
        start = datetime.combine(today, patient.reminder_time, tzinfo=tz)
        event = Event()
        event.add("uid", f"program-{patient.pk}@holdfast")
        event.add("summary", "Home stretches")
        event.add("description", f"Open the portal to start: {settings.PORTAL_SITE_URL}")
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=15))
        event.add("dtstamp", now)
        if weekdays == EVERY_DAY:
            event.add("rrule", {"freq": "daily"})
        else:
            days = [CALENDAR_DAYS[bit] for bit in range(len(CALENDAR_DAYS)) if weekdays >> bit & 1]
            event.add("rrule", {"freq": "weekly", "byday": days})
        feed.add_component(event)
    # Calendar programs need the zone's rules (RFC 5545) to keep the time across DST.
    feed.add_missing_timezones()
    return feed.to_ical()
