"""After a load test: every hold the server acknowledged is stored exactly once, and
nothing was stored that it did not acknowledge."""

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from patients.models import HoldLog


class Command(BaseCommand):
    help = "Check the holds stored during a load test against those it acknowledged."

    def add_arguments(self, parser):
        parser.add_argument("--tokens", required=True, help="File of acknowledged tokens.")
        parser.add_argument("--after-id", type=int, required=True, help="Last hold id before.")
        parser.add_argument(
            "--sent",
            help="File of every token sent: a hold stored once whose answer was lost (the "
            "fault trial's) is then correct, when its token was sent.",
        )

    def handle(self, *args, tokens, after_id, sent, **options):
        try:
            acknowledged = set(Path(tokens).read_text().split())
            sent = set(Path(sent).read_text().split()) if sent else set()
        except OSError as error:
            raise CommandError(f"Cannot read {error.filename}: {error}") from None
        stored = Counter(
            str(token)
            for token in HoldLog.objects.filter(pk__gt=after_id).values_list(
                "client_token", flat=True
            )
        )
        twice = [token for token, count in stored.items() if count > 1]
        missing = acknowledged - set(stored)
        unexpected = set(stored) - acknowledged - sent
        self.stdout.write(
            f"{len(acknowledged)} holds acknowledged, {sum(stored.values())} stored; "
            f"{len(missing)} missing, {len(twice)} stored twice, {len(unexpected)} unacknowledged."
        )
        if twice or missing or unexpected or not acknowledged:
            raise CommandError("The load test lost, doubled or invented holds.")
        self.stdout.write(self.style.SUCCESS("Every acknowledged hold is stored exactly once."))
