import io

import pytest
from django.core.management import CommandError, call_command

from portal import roles
from portal.models import User

pytestmark = pytest.mark.django_db

DEMO_EMAILS = {
    "alice@example.com": roles.PATIENTS,
    "bob@example.com": roles.PATIENTS,
    "carol@example.com": roles.CLINICIANS,
    "dave@example.com": roles.CLINICIANS,
    "erin@example.com": roles.CONTENT_EDITORS,
}


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_it_creates_the_demo_accounts_with_their_roles(debug_on):
    call_command("seed_demo", stdout=io.StringIO())
    for email, role in DEMO_EMAILS.items():
        user = User.objects.get(email=email)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.check_password("holdfast-demo")
    admin = User.objects.get(email="admin@example.com")
    assert admin.is_superuser
    assert User.objects.get(email="erin@example.com").is_staff
    assert not User.objects.get(email="alice@example.com").is_staff


def test_running_it_twice_duplicates_nothing(debug_on):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert User.objects.count() == 6


def test_it_prints_the_demo_logins(debug_on, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "holdfast-demo" in out
    for email in [*DEMO_EMAILS, "admin@example.com"]:
        assert email in out


def test_it_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")
    assert not User.objects.exists()
