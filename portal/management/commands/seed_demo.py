"""Create the demo accounts that `make run` prints. Safe to run any number of times."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal import roles
from portal.models import User

DEMO_PASSWORD = "holdfast-demo"  # noqa: S105 -- published on purpose; DEBUG-only accounts

DEMO_ACCOUNTS = [
    # e-mail, first name, last name, role (None for the administrator), description
    ("alice@example.com", "Alice", "Archer", roles.PATIENTS, "patient"),
    ("bob@example.com", "Bob", "Baker", roles.PATIENTS, "patient"),
    ("carol@example.com", "Carol", "Chen", roles.CLINICIANS, "clinician"),
    ("dave@example.com", "Dave", "Dubois", roles.CLINICIANS, "clinician"),
    ("erin@example.com", "Erin", "Evans", roles.CONTENT_EDITORS, "content editor"),
    ("admin@example.com", "Ada", "Admin", None, "administrator"),
]


class Command(BaseCommand):
    help = "Create the demo accounts (development only; refuses to run with DEBUG off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo seed only runs with DEBUG on: its accounts share a published "
                "password and must never exist on a clinic's server."
            )
        with transaction.atomic():
            for email, first_name, last_name, role, _ in DEMO_ACCOUNTS:
                user_seed(email=email, first_name=first_name, last_name=last_name, role=role)
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
