"""The iCalendar feed: one event a day, at the patient's reminder time, while they have a
program. It says "Home stretches" and links to the portal, nothing clinical."""

from datetime import datetime, timedelta

from django.conf import settings
from icalendar import Calendar, Event

from patients.models import Prescription


def program_calendar(patient, *, now, today, tz):
    """The feed as it stands at ``now`` (on the clinic's day ``today``), with the event
    at the reminder time in ``tz``, the clinic's zone."""
    feed = Calendar()
    feed.add("prodid", f"-//{settings.PORTAL_CLINIC_NAME}//Holdfast//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", f"{settings.PORTAL_CLINIC_NAME}: home stretches")
    if Prescription.objects.filter(patient=patient).active_on(today).exists():
        start = datetime.combine(today, patient.reminder_time, tzinfo=tz)
        event = Event()
        event.add("uid", f"program-{patient.pk}@holdfast")
        event.add("summary", "Home stretches")
        event.add("description", f"Open the portal to start: {settings.PORTAL_SITE_URL}")
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=15))
        event.add("dtstamp", now)
        event.add("rrule", {"freq": "daily"})
        feed.add_component(event)
    # Calendar programs need the zone's rules (RFC 5545) to keep the time across DST.
    feed.add_missing_timezones()
    return feed.to_ical()
