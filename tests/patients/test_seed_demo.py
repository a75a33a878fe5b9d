import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from patients import adherence, summaries
from patients.models import HoldLog, PainScore, Patient, Prescription
from portal import roles
from portal.models import User
from tests.factories import misjudged_holds

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
    counts = [model.objects.count() for model in (User, Patient, Prescription, HoldLog, PainScore)]
    call_command("seed_demo", stdout=io.StringIO())
    assert [
        model.objects.count() for model in (User, Patient, Prescription, HoldLog, PainScore)
    ] == counts
    assert counts[:3] == [9, 5, 5]


def test_alice_and_bob_get_programs_and_plausible_history(debug_on, today, clinic_tz):
    call_command("seed_demo", stdout=io.StringIO())
    alice = Patient.objects.get(user__email="alice@example.com")
    bob = Patient.objects.get(user__email="bob@example.com")
    assert alice.clinician.email == "carol@example.com"
    assert bob.clinician.email == "dave@example.com"
    assert alice.prescriptions.get().level.number == 1
    assert bob.prescriptions.get().level.number == 2

    start = today - timedelta(days=27)
    daily = adherence.daily_adherence(patient_ids=[alice.pk], start=start, end=today, tz=clinic_tz)[
        alice.pk
    ]
    missed = [day for day, result in daily.items() if result.done == 0]
    assert 0 < len(missed) < len(daily) / 2
    assert not misjudged_holds().exists()
    scores = list(alice.pain_scores.order_by("recorded_at").values_list("score", flat=True))
    first_week, last_week = scores[:7], scores[-7:]
    assert sum(last_week) / len(last_week) < sum(first_week) / len(first_week) - 1


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


def test_carols_demo_report_shows_every_kind_of_flag(debug_on, today, clinic_tz):
    call_command("seed_demo", stdout=io.StringIO())
    carol = User.objects.get(email="carol@example.com")
    found = summaries.patient_summaries(
        patients=Patient.objects.filter(clinician=carol).with_people(),
        as_of=today,
        today=today,
        tz=clinic_tz,
    )
    flags = {summary.patient.user.email: {flag.code for flag in summary.flags} for summary in found}
    assert {"severe_pain", "pain_worse"} <= flags["chris@example.com"]
    assert "inactive" in flags["dana@example.com"]
    assert "ready" in flags["eli@example.com"]
    assert "bob@example.com" not in flags
