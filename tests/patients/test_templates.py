"""The clinic's program templates: made from scratch or from a patient's program, used to
enrol, edited without touching programs already given."""

import pytest
from django.urls import reverse

from patients import services
from patients.models import Patient, Prescription, ProgramTemplate
from tests.factories import make_exercise, make_level

pytestmark = pytest.mark.django_db


@pytest.fixture
def calf(db):
    return make_level(
        make_exercise(name="Calf stretch"), 1, hold_min_seconds=20, hold_max_seconds=40
    )


@pytest.fixture
def low_back(carol, level_1, calf):
    return services.program_template_save(
        name="Low back, first weeks",
        program=[
            services.Dose(level=level_1, holds_per_side=3, target_seconds=40, notes="Slowly."),
            services.Dose(level=calf, target_seconds=25),
        ],
        by=carol,
    )


def rows(*doses):
    data = {"program-TOTAL_FORMS": "3", "program-INITIAL_FORMS": "0"}
    for index, (level, holds, seconds) in enumerate(doses):
        data |= {
            f"program-{index}-level": str(level.pk),
            f"program-{index}-holds_per_side": str(holds),
            f"program-{index}-target_seconds": str(seconds),
            f"program-{index}-sessions_per_day": "1",
        }
    return data


def test_a_template_is_made_with_its_stretches(carol_client, level_1, calf):
    data = {"name": "  Low   back  "} | rows((level_1, 2, 30), (calf, 3, 20))
    response = carol_client.post(reverse("patients:template-new"), data)
    assert response.url == reverse("patients:templates")
    template = ProgramTemplate.objects.get()
    assert template.name == "Low back"
    assert [(item.level, item.holds_per_side) for item in template.items.all()] == [
        (level_1, 2),
        (calf, 3),
    ]
    page = carol_client.get(reverse("patients:templates")).content.decode()
    assert "Low back" in page
    assert "Calf stretch" in page


def test_a_name_is_the_clinics_once(carol_client, low_back, level_1):
    data = {"name": "low back, FIRST weeks"} | rows((level_1, 2, 30))
    response = carol_client.post(reverse("patients:template-new"), data)
    assert response.status_code == 400
    assert "template of this name already" in response.content.decode()


def test_enrolling_from_a_template_copies_its_stretches(carol_client, carol, low_back, today):
    data = {
        "first_name": "Nina",
        "last_name": "Novak",
        "email": "nina@example.com",
        "clinician": str(carol.pk),
        "template": str(low_back.pk),
        "program-TOTAL_FORMS": "3",
        "program-INITIAL_FORMS": "0",
    }
    assert carol_client.post(reverse("patients:enrol"), data).status_code == 302
    patient = Patient.objects.get()
    given = {
        (rx.level.exercise.name, rx.holds_per_side, rx.target_seconds, rx.notes)
        for rx in patient.prescriptions.all()
    }
    assert given == {("Psoas stretch", 3, 40, "Slowly."), ("Calf stretch", 2, 25, "")}


def test_editing_a_template_never_changes_a_program_already_given(
    carol_client, carol, low_back, level_1, alice_patient, today
):
    services.program_extend(
        patient=alice_patient, program=services.program_of(low_back), by=carol, today=today
    )
    data = {"name": "Low back, first weeks"} | rows((level_1, 5, 60))
    data["program-INITIAL_FORMS"] = "0"
    url = reverse("patients:template-edit", args=[low_back.pk])
    assert carol_client.post(url, data).status_code == 302
    assert [item.holds_per_side for item in low_back.items.all()] == [5]
    assert Prescription.objects.filter(patient=alice_patient).count() == 2
    assert Prescription.objects.get(patient=alice_patient, level=level_1).holds_per_side == 3


def test_a_patients_program_is_saved_as_a_template(carol_client, alice_rx):
    url = reverse("patients:template-from-program", args=[alice_rx.patient_id])
    page = carol_client.get(url).content.decode()
    assert f'value="{alice_rx.level_id}" selected' in page
    data = {"name": "Alice's program", "program-TOTAL_FORMS": "4", "program-INITIAL_FORMS": "1"}
    data |= {
        "program-0-level": str(alice_rx.level_id),
        "program-0-holds_per_side": "2",
        "program-0-target_seconds": "30",
        "program-0-sessions_per_day": "1",
    }
    assert carol_client.post(url, data).status_code == 302
    (item,) = ProgramTemplate.objects.get(name="Alice's program").items.all()
    assert item.level == alice_rx.level


def test_a_template_naming_an_unpublished_level_is_refused_with_a_message(
    carol_client, carol, low_back, calf
):
    calf.published = False
    calf.save()
    data = {
        "first_name": "Nina",
        "last_name": "Novak",
        "email": "nina@example.com",
        "clinician": str(carol.pk),
        "template": str(low_back.pk),
        "program-TOTAL_FORMS": "3",
        "program-INITIAL_FORMS": "0",
    }
    response = carol_client.post(reverse("patients:enrol"), data)
    assert response.status_code == 400
    assert "is not published any more" in response.content.decode()
    assert not Patient.objects.exists()


def test_deleting_a_template_keeps_the_programs(
    carol_client, carol, low_back, alice_patient, today
):
    services.program_extend(
        patient=alice_patient, program=services.program_of(low_back), by=carol, today=today
    )
    url = reverse("patients:template-delete", args=[low_back.pk])
    assert carol_client.post(url).status_code == 302
    assert not ProgramTemplate.objects.exists()
    assert Prescription.objects.filter(patient=alice_patient).count() == 2


@pytest.mark.parametrize("person", ["alice", "erin"])
def test_only_clinical_staff_see_templates(client, everyone, low_back, person):
    client.force_login(everyone[person])
    assert client.get(reverse("patients:templates")).status_code == 403
    assert client.post(reverse("patients:template-delete", args=[low_back.pk])).status_code == 403
    assert ProgramTemplate.objects.exists()
