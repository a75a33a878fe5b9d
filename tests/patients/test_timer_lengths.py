"""How long the timer gives to get ready and to rest: a level's defaults, which a
clinician may change per prescription, and which the timer follows."""

import json

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from patients import services
from patients.models import Prescription, ProgramTemplate
from tests.factories import make_prescription

pytestmark = pytest.mark.django_db


def add_url(patient):
    return reverse("patients:program-add", args=[patient.pk])


def row(level, **fields):
    """One row of the program builder for ``level``, with the fields given."""
    data = {
        "program-TOTAL_FORMS": "1",
        "program-INITIAL_FORMS": "0",
        "program-0-level": str(level.pk),
        "program-0-holds_per_side": "2",
        "program-0-sessions_per_day": "1",
    }
    return data | {f"program-0-{name}": str(value) for name, value in fields.items()}


@pytest.fixture
def slow_level(level_1):
    level_1.get_ready_seconds, level_1.rest_seconds = 12, 40
    level_1.save()
    return level_1


def test_empty_fields_take_the_levels_lengths(carol_client, alice_patient, slow_level):
    assert carol_client.post(add_url(alice_patient), row(slow_level)).status_code == 302
    prescription = Prescription.objects.get()
    assert (prescription.get_ready_seconds, prescription.rest_seconds) == (12, 40)


def test_a_clinician_sets_them_for_one_patient(carol_client, alice_patient, slow_level):
    data = row(slow_level, get_ready_seconds=20, rest_seconds=0)
    assert carol_client.post(add_url(alice_patient), data).status_code == 302
    prescription = Prescription.objects.get()
    assert (prescription.get_ready_seconds, prescription.rest_seconds) == (20, 0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("get_ready_seconds", 2, "greater than or equal to 3"),
        ("get_ready_seconds", 61, "less than or equal to 60"),
        ("rest_seconds", -1, "greater than or equal to 0"),
        ("rest_seconds", 301, "less than or equal to 300"),
        ("rest_seconds", "soon", "Enter a whole number"),
    ],
)
def test_lengths_out_of_range_are_refused_with_a_message(
    carol_client, alice_patient, level_1, field, value, message
):
    response = carol_client.post(add_url(alice_patient), row(level_1, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Prescription.objects.exists()


def test_the_database_refuses_a_get_ready_too_short_to_count_down(alice_patient, level_1, today):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_prescription(alice_patient, level_1, start_date=today, get_ready_seconds=2)


def test_changing_only_the_rest_is_a_change(carol_client, alice_rx, today):
    url = reverse("patients:prescription-change", args=[alice_rx.patient_id, alice_rx.pk])
    form = carol_client.get(url).context["form"]
    assert (form.initial["get_ready_seconds"], form.initial["rest_seconds"]) == (5, 15)
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = carol_client.post(url, data | {"rest_seconds": "30"})
    assert response.status_code == 302
    current = Prescription.objects.get(end_date__isnull=True)
    assert (current.get_ready_seconds, current.rest_seconds) == (5, 30)
    assert current.progressed_from == alice_rx


def test_a_template_keeps_its_lengths_for_each_patient_it_starts(carol, level_1):
    services.program_template_save(
        name="Slow start",
        program=[services.Dose(level=level_1, get_ready_seconds=15, rest_seconds=45)],
        by=carol,
    )
    (dose,) = services.program_of(ProgramTemplate.objects.get())
    assert (dose.get_ready_seconds, dose.rest_seconds) == (15, 45)


def test_the_timer_follows_the_prescription(client, alice_patient, level_1, today):
    prescription = make_prescription(
        alice_patient, level_1, start_date=today, get_ready_seconds=10, rest_seconds=0
    )
    client.force_login(alice_patient.user)
    page = client.get(reverse("patients:timer", args=[prescription.pk])).content.decode()
    assert 'data-get-ready="10"' in page
    assert 'data-switch="10"' in page
    assert 'data-rest="0"' in page


def test_the_builder_tells_its_script_each_levels_lengths(carol_client, alice_patient, slow_level):
    form = carol_client.get(add_url(alice_patient)).context["program"].forms[0]
    defaults = json.loads(form.fields["level"].widget.attrs["data-level-defaults"])
    picture = defaults[str(slow_level.pk)].pop("picture")
    assert defaults[str(slow_level.pk)] == {
        "target_seconds": 30,
        "hold_max_seconds": 60,
        "get_ready_seconds": 12,
        "rest_seconds": 40,
    }
    assert picture["src"].endswith("/illustrations/psoas-level-1.svg")
    assert picture["alt"].startswith("Lying on the back on a bed")
