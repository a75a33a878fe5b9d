"""Send the reminders that are due. Run it from cron every 15 minutes; it never sends the
same reminder twice."""

from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from patients import reminders
from portal.clock import clinic_now


class Command(BaseCommand):
    help = "E-mail due patient reminders and the clinicians' Monday digest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", help="Act as if it were this time (ISO 8601), e.g. for a catch-up run."
        )

    def handle(self, *args, now=None, **options):
        tz = timezone.get_default_timezone()
        if now is None:
            moment, _, _ = clinic_now()
        else:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now must be an ISO 8601 time, not {now!r}.") from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, tz)
        site_url = settings.PORTAL_SITE_URL
        patients = reminders.send_patient_reminders(now=moment, tz=tz, site_url=site_url)
        digests = reminders.send_clinician_digests(now=moment, tz=tz, site_url=site_url)
        self.stdout.write(f"Sent {patients} patient reminders and {digests} clinician digests.")
