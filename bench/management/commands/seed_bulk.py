"""A synthetic clinic for benchmarks and load tests, inserted in bulk.

    manage.py seed_bulk --patients 2000 --days 90 --clinicians 10

Patients get varied programs and habits: some keep to them, some drift, some stop; some
pains ease, some worsen. Everyone it creates has an address at @bulk.example, and it
refuses to run on a database with DEBUG off unless told that this is not a clinic's.
"""

import io
import random
import time
import uuid
from datetime import datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from exercises.models import Level
from patients.models import HoldLog, PainScore, Patient, Prescription
from portal import roles
from portal.clock import clinic_now
from portal.models import User

DOMAIN = "bulk.example"
PASSWORD = "holdfast-bulk"  # noqa: S105  # nosec B105
PATIENTS_PER_CHUNK = 100

# name, chance of doing a day, pain at start, pain change over the period
HABITS = [
    ("steady", 0.95, 5.0, -2.5),
    ("mostly", 0.8, 5.5, -1.5),
    ("patchy", 0.5, 5.0, 0.0),
    ("worsening", 0.7, 3.5, 3.0),
    ("stopped", 0.9, 6.0, -1.0),  # does well, then stops for the last week
]


class Command(BaseCommand):
    help = "Insert a synthetic clinic in bulk (for benchmarks and load tests)."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=2000)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--clinicians", type=int, default=10)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--not-a-clinic",
            action="store_true",
            help="Allow running with DEBUG off: this database holds no real patients.",
        )

    def handle(self, *args, patients, days, clinicians, seed, not_a_clinic, **options):
        if not settings.DEBUG and not not_a_clinic:
            raise CommandError(
                "seed_bulk adds thousands of synthetic patients. With DEBUG off, confirm that "
                "this database is not a clinic's with --not-a-clinic."
            )
        if patients < 1 or days < 1 or clinicians < 1:
            raise CommandError("--patients, --days and --clinicians must be at least 1.")
        if User.objects.filter(email__endswith=f"@{DOMAIN}").exists():
            raise CommandError(
                f"This database already has a synthetic clinic (@{DOMAIN}); start from an "
                "empty database."
            )
        started = time.monotonic()
        rng = random.Random(seed)  # noqa: S311  # nosec B311
        _, tz, today = clinic_now()
        levels = list(Level.objects.published().filter(exercise__slug="psoas-stretch"))
        if not levels:
            raise CommandError("The psoas program is missing; run migrate first.")

        staff = self.make_clinicians(clinicians)
        counts = {"patients": 0, "holds": 0, "pains": 0}
        for first in range(0, patients, PATIENTS_PER_CHUNK):
            size = min(PATIENTS_PER_CHUNK, patients - first)
            with transaction.atomic():
                chunk = self.make_patients(first, size, staff, levels, today, days, rng)
                holds, pains = self.history(chunk, today, days, tz, rng)
                insert(HoldLog, holds)
                insert(PainScore, pains)
            counts["patients"] += size
            counts["holds"] += len(holds)
            counts["pains"] += len(pains)
        if connection.vendor == "postgresql":
            # Fresh statistics, so the planner knows the tables are no longer empty.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Seeded {counts['patients']} patients of {clinicians} clinicians over {days} days: "
            f"{counts['holds']} holds, {counts['pains']} pain scores in {elapsed:.1f} s."
        )

    def make_clinicians(self, count):
        password = make_password(PASSWORD)
        group = Group.objects.get(name=roles.CLINICIANS)
        made = User.objects.bulk_create(
            User(
                email=f"clinician{index}@{DOMAIN}",
                first_name="Clinician",
                last_name=str(index),
                password=password,
                is_staff=True,
            )
            for index in range(count)
        )
        group.user_set.add(*made)
        return made

    def make_patients(self, first, size, staff, levels, today, days, rng):
        password = make_password(PASSWORD)
        users = User.objects.bulk_create(
            User(
                email=f"patient{index}@{DOMAIN}",
                first_name="Patient",
                last_name=str(index),
                password=password,
            )
            for index in range(first, first + size)
        )
        Group.objects.get(name=roles.PATIENTS).user_set.add(*users)
        patients = Patient.objects.bulk_create(
            Patient(user=user, clinician=staff[index % len(staff)])
            for index, user in enumerate(users, start=first)
        )
        prescriptions = Prescription.objects.bulk_create(
            Prescription(
                patient=patient,
                level=(level := rng.choice(levels)),
                exercise_id=level.exercise_id,
                holds_per_side=rng.choice([2, 3, 3, 4]),
                target_seconds=30,
                sessions_per_day=rng.choice([1, 1, 2]),
                start_date=today - timedelta(days=days),
                prescribed_by=patient.clinician,
            )
            for patient in patients
        )
        return [(prescription, rng.choice(HABITS)) for prescription in prescriptions]

    def history(self, chunk, today, days, tz, rng):
        holds, pains = [], []
        for prescription, (habit, keeps, pain_start, pain_change) in chunk:
            sides = prescription.sides
            for offset in range(days):
                day = today - timedelta(days=days - offset)
                if habit == "stopped" and days - offset <= 7:
                    continue
                at = datetime.combine(day, clock(hour=rng.choice([7, 8, 12, 18, 21])), tzinfo=tz)
                pain = pain_start + pain_change * offset / days + rng.uniform(-1, 1)
                if rng.random() < 0.7:
                    pains.append(
                        PainScore(
                            patient_id=prescription.patient_id,
                            score=max(0, min(10, round(pain))),
                            context=PainScore.Context.CHECK_IN,
                            recorded_at=at,
                            client_token=uuid.uuid4(),
                        )
                    )
                if rng.random() > keeps:
                    continue
                for index in range(prescription.holds_per_day):
                    short = rng.random() < 0.05
                    seconds = prescription.target_seconds - (12 if short else 0)
                    holds.append(
                        HoldLog(
                            patient_id=prescription.patient_id,
                            prescription_id=prescription.pk,
                            side=sides[index % len(sides)],
                            seconds=seconds,
                            qualifying=prescription.target_met_by(seconds),
                            performed_at=at + timedelta(minutes=index),
                            client_token=uuid.uuid4(),
                            source=HoldLog.Source.TIMER,
                        )
                    )
        return holds, pains


def insert(model, rows):
    """Insert ``rows``: COPY on PostgreSQL (several times faster than INSERT for a million
    rows), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=5000)
        return
    now, _, _ = clinic_now()
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    buffer = io.StringIO()
    for row in rows:
        values = []
        for field in fields:
            value = now if field.name == "created" else getattr(row, field.attname)
            values.append("\\N" if value is None else copy_text(value))
        buffer.write("\t".join(values) + "\n")
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(buffer.getvalue())


def copy_text(value):
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
