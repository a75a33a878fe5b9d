"""Create the demo accounts, programs and history that `make run` shows.

Safe to run any number of times: accounts are updated in place, a program is created only
when missing, and history is added only for the days that do not have it yet.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from exercises.models import Level
from patients import demo, services
from patients.models import Patient, Prescription
from portal import roles
from portal.clock import clinic_now
from portal.models import ClinicContact, User

# Published on purpose in the README: the demo accounts exist only with DEBUG on.
DEMO_PASSWORD = "holdfast-demo"  # noqa: S105  # nosec B105

DEMO_ACCOUNTS = [
    # e-mail, first name, last name, role (None for the administrator), description
    ("alice@example.com", "Alice", "Archer", roles.PATIENTS, "patient of Carol, on Level 1"),
    ("bob@example.com", "Bob", "Baker", roles.PATIENTS, "patient of Dave, on Level 2"),
    ("carol@example.com", "Carol", "Chen", roles.CLINICIANS, "clinician of Alice"),
    ("dave@example.com", "Dave", "Dubois", roles.CLINICIANS, "clinician of Bob"),
    ("erin@example.com", "Erin", "Evans", roles.CONTENT_EDITORS, "content editor"),
    ("admin@example.com", "Ada", "Admin", None, "administrator"),
    ("chris@example.com", "Chris", "Cole", roles.PATIENTS, "patient of Carol, pain rising"),
    ("dana@example.com", "Dana", "Diaz", roles.PATIENTS, "patient of Carol, gone quiet"),
    ("eli@example.com", "Eli", "Eaton", roles.PATIENTS, "patient of Carol, ready for Level 2"),
]

# patient, clinician, psoas level, days on the program, pain at start and now, chance of
# skipping a day, days of silence before today
DEMO_PROGRAMS = [
    ("alice@example.com", "carol@example.com", 1, 27, 6.5, 2.5, 0.15, 0),
    ("bob@example.com", "dave@example.com", 2, 20, 4.0, 5.0, 0.4, 0),
    ("chris@example.com", "carol@example.com", 1, 24, 3.5, 8.0, 0.2, 0),
    ("dana@example.com", "carol@example.com", 1, 30, 5.0, 4.0, 0.3, 6),
    ("eli@example.com", "carol@example.com", 1, 35, 3.5, 1.0, 0.0, 0),
]


class Command(BaseCommand):
    help = "Create the demo accounts and history (development only; refuses with DEBUG off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo seed only runs with DEBUG on: its accounts share a published "
                "password and must never exist on a clinic's server."
            )
        _, tz, today = clinic_now()
        with transaction.atomic():
            if not ClinicContact.objects.exists():
                ClinicContact.objects.create(
                    phone="416 555 0100",
                    email="front-desk@example.com",
                    address="12 Example Street, Suite 3\nToronto, ON",
                    hours="Monday to Friday, 8 am to 6 pm",
                )
            users = {
                email: user_seed(email=email, first_name=first, last_name=last, role=role)
                for email, first, last, role, _ in DEMO_ACCOUNTS
            }
            added = 0
            for email, clinician, number, days, pain_from, pain_to, skip, quiet in DEMO_PROGRAMS:
                patient, _ = Patient.objects.get_or_create(
                    user=users[email], defaults={"clinician": users[clinician]}
                )
                prescription = program_seed(
                    patient=patient,
                    level=Level.objects.get(exercise__slug="psoas-stretch", number=number),
                    clinician=users[clinician],
                    start_date=today - timedelta(days=days),
                )
                added += demo.history_seed(
                    patient=patient,
                    prescription=prescription,
                    today=today,
                    tz=tz,
                    pain_from=pain_from,
                    pain_to=pain_to,
                    skip_chance=skip,
                    quiet_days=quiet,
                )
        self.stdout.write(f"Demo history: {added} new entries.")
        self.stdout.write(self.style.SUCCESS("Demo accounts (password: holdfast-demo):"))
        for email, _, _, _, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<20} {description}")


def user_seed(*, email, first_name, last_name, role):
    user, _ = User.objects.update_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "is_active": True,
            "is_staff": role in (roles.CLINICIANS, roles.CONTENT_EDITORS) or role is None,
            "is_superuser": role is None,
        },
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    if role is not None:
        user.groups.set([Group.objects.get(name=role)])
    return user


def program_seed(*, patient, level, clinician, start_date):
    current = (
        Prescription.objects.filter(patient=patient, exercise=level.exercise, end_date__isnull=True)
        .select_related("level")
        .first()
    )
    if current is not None:
        return current
    return services.prescription_create(
        patient=patient,
        dose=services.Dose(
            level=level,
            holds_per_side=2,
            target_seconds=30,
            notes="Breathe out slowly as you ease into each hold.",
        ),
        prescribed_by=clinician,
        start_date=start_date,
    )
