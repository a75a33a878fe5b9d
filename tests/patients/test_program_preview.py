"""The preview of a program before it is saved: the patient's Today cards, the timer's
plan and each level's steps, from the enrolment form, the builder and the change form."""

from datetime import timedelta

import pytest
from django.urls import reverse

from patients import services
from patients.models import WEEKDAY_NAMES, Patient, Prescription, ProgramTemplate
from portal.models import Invitation
from tests.factories import make_exercise, make_level

pytestmark = pytest.mark.django_db

ENROL = reverse("patients:enrol")


def program(*rows):
    """The builder's rows: (level, holds per side, hold seconds, fields...)."""
    data = {"program-TOTAL_FORMS": "3", "program-INITIAL_FORMS": "0"}
    for index, (level, holds, seconds, *extra) in enumerate(rows):
        data |= {
            f"program-{index}-level": str(level.pk),
            f"program-{index}-holds_per_side": str(holds),
            f"program-{index}-target_seconds": str(seconds),
            f"program-{index}-sessions_per_day": "1",
        }
        for fields in extra:
            data |= {f"program-{index}-{name}": str(value) for name, value in fields.items()}
    return data


def patient_details(**fields):
    return {
        "first_name": "Erik",
        "last_name": "Lund",
        "email": "erik@example.com",
        "phone": "",
        "clinician": "",
    } | fields


@pytest.fixture
def calf(db):
    return make_level(
        make_exercise(name="Calf stretch", slug="calf"),
        1,
        hold_min_seconds=20,
        hold_max_seconds=40,
        steps=("Face a wall.", "Step one foot back."),
        cautions="Keep the back heel down.",
    )


def test_the_enrolment_preview_shows_todays_cards_and_saves_nothing(
    carol_client, carol, level_1, calf, mailoutbox
):
    data = patient_details(clinician=str(carol.pk)) | program(
        (level_1, 2, 30, {"notes": "Slowly, please."}), (calf, 1, 20)
    )
    response = carol_client.post(ENROL, data | {"preview": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "What Erik will see" in page
    assert "Psoas stretch, Level 1: Lying psoas stretch" in page
    assert "2 holds each side, 30 s" in page
    assert "From your clinician:</span> Slowly, please." in page
    assert "Step one foot back." in page
    assert "Keep the back heel down." in page
    assert not Patient.objects.exists()
    assert not Prescription.objects.exists()
    assert not Invitation.objects.exists()
    assert mailoutbox == []
    # The form comes back as it was sent, ready to be saved.
    saved = carol_client.post(ENROL, data)
    assert saved.status_code == 302
    assert Prescription.objects.count() == 2


def test_the_preview_includes_a_templates_stretches(carol_client, carol, level_1, calf):
    services.program_template_save(
        name="Calves", program=[services.Dose(level=calf, target_seconds=25)], by=carol
    )
    template = ProgramTemplate.objects.get()
    data = patient_details(clinician=str(carol.pk), template=str(template.pk))
    data |= program((level_1, 2, 30))
    page = carol_client.post(ENROL, data | {"preview": "1"}).content.decode()
    assert "Calf stretch, Level 1" in page
    assert "Psoas stretch, Level 1" in page


def test_the_preview_refuses_what_the_save_would_refuse(carol_client, carol, level_1, level_2):
    data = patient_details(clinician=str(carol.pk)) | program((level_1, 2, 30), (level_2, 2, 30))
    response = carol_client.post(ENROL, data | {"preview": "1"})
    assert response.status_code == 400
    assert "Choose each exercise once, at one level." in response.content.decode()
    assert "will see" not in response.content.decode()


def test_the_builder_previews_the_timers_plan(carol_client, alice_patient, calf, today):
    url = reverse("patients:program-add", args=[alice_patient.pk])
    # 20 s ready + 3 holds × 2 sides × 40 s + 3 switches × 20 s + 2 rests × 30 s = 380 s.
    rows = program((calf, 3, 40, {"get_ready_seconds": 20, "rest_seconds": 30}))
    response = carol_client.post(url, rows | {"preview": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "What Alice will see" in page
    assert "get ready 20 s, 6 holds of 40 s with 30 s of rest between rounds" in page
    assert "about 7 minutes a session" in page
    assert not Prescription.objects.exists()


def test_a_preview_of_nothing_says_so(carol_client, carol):
    data = patient_details(clinician=str(carol.pk)) | program()
    page = carol_client.post(ENROL, data | {"preview": "1"}).content.decode()
    assert "No stretch is chosen yet" in page
    assert not Patient.objects.exists()


def test_the_change_form_previews_the_new_dose_and_keeps_the_old(
    carol_client, alice_rx, level_2, today
):
    url = reverse("patients:prescription-change", args=[alice_rx.patient_id, alice_rx.pk])
    tomorrow = (today.weekday() + 1) % 7
    data = {
        "level": str(level_2.pk),
        "holds_per_side": "3",
        "target_seconds": "45",
        "sessions_per_day": "1",
        "weekdays": [str(tomorrow)],
        "acknowledged": "on",
        "preview": "1",
    }
    response = carol_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Psoas stretch, Level 2: Edge-of-bed psoas stretch" in page
    assert f"3 holds each side, 45 s, on {WEEKDAY_NAMES[tomorrow]}" in page
    assert "Today is not one of this stretch's days" in page
    alice_rx.refresh_from_db()
    assert alice_rx.end_date is None
    assert Prescription.objects.count() == 1


def test_a_one_sided_session_has_no_switches(today):
    one_side = make_level(
        make_exercise(name="Neck stretch", slug="neck"), 1, each_side=False, steps=("Sit.",)
    )
    prescription = Prescription(
        level=one_side,
        start_date=today - timedelta(days=1),
        holds_per_side=3,
        target_seconds=30,
        get_ready_seconds=5,
        rest_seconds=10,
    )
    assert prescription.session_seconds == 5 + 3 * 30 + 2 * 10
    assert prescription.session_minutes == 2


def test_the_builders_preview_refuses_a_stretch_the_patient_does_already(
    carol_client, alice_rx, level_2
):
    url = reverse("patients:program-add", args=[alice_rx.patient_id])
    response = carol_client.post(url, program((level_2, 2, 30)) | {"preview": "1"})
    assert response.status_code == 400
    assert "already has a prescription of this exercise" in response.content.decode()
    assert "will see" not in response.content.decode()


def test_the_change_forms_preview_refuses_a_change_that_changes_nothing(carol_client, alice_rx):
    url = reverse("patients:prescription-change", args=[alice_rx.patient_id, alice_rx.pk])
    form = carol_client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = carol_client.post(url, data | {"preview": "1"})
    assert response.status_code == 400
    assert "Nothing changed" in response.content.decode()
    assert "will see" not in response.content.decode()
