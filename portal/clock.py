"""The clinic's clock: the one place the portal reads the current time.

Days begin at midnight in the clinic's time zone (``TIME_ZONE``). Everything below the
views takes the moment, the zone and the day as arguments, so the same code serves the
pages, the exports, the benchmark and the tests without clock tricks.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone


def clinic_now():
    """The current instant, the clinic's time zone and the clinic's calendar day."""
    now = timezone.now()
    tz = timezone.get_default_timezone()
    return now, tz, local_date(now, tz)


def clinic_today():
    """The clinic's calendar day now."""
    return clinic_now()[2]


def local_date(moment, tz):
    """The clinic-time calendar day of an aware datetime."""
    return moment.astimezone(tz).date()


def day_start(day, tz):
    """The first instant of ``day`` in the clinic's time zone."""
    return datetime.combine(day, time.min, tzinfo=tz)


def days_between(start, end):
    """Each date in [start, end)."""
    return [start + timedelta(days=offset) for offset in range((end - start).days)]
