from django.utils import timezone

from patients.adherence import local_date


def clinic_now():
    """The current instant, the clinic's time zone and the clinic's calendar day.

    The one place the patients' pages read the clock; everything below them takes these
    as arguments.
    """
    now = timezone.now()
    tz = timezone.get_default_timezone()
    return now, tz, local_date(now, tz)
