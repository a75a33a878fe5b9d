"""The intake pain score a clinician records on the patient record."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from patients.models import PainScore
from portal.models import AuditEvent
from tests.factories import make_intake, make_pain

pytestmark = pytest.mark.django_db


def intake_url(patient):
    return reverse("patients:intake-pain", args=[patient.pk])


def test_carol_records_alices_intake_pain(client, carol, alice_rx, today):
    client.force_login(carol)
    response = client.post(intake_url(alice_rx.patient), {"score": "6", "day": today.isoformat()})
    assert response.status_code == 302
    intake = PainScore.objects.get()
    assert (intake.score, intake.context, intake.recorded_by) == (6, "intake", carol)
    assert AuditEvent.objects.filter(object_type="PainScore", action="create", actor=carol).exists()
    page = client.get(reverse("patients:patient-detail", args=[alice_rx.patient.pk]))
    assert page.context["summary"].pain_baseline.source == "intake"
    assert "6.0 (intake score)" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"score": "11", "day": "2026-01-01"}, "Choose a whole number from 0 to 10."),
        ({"day": "2026-01-01"}, "Choose the patient&#x27;s pain from 0 to 10."),
        ({"score": "4", "day": "2999-01-01"}, "cannot be from a day still to come"),
    ],
)
def test_a_bad_intake_is_refused_with_a_message(client, carol, alice_rx, data, message):
    client.force_login(carol)
    response = client.post(intake_url(alice_rx.patient), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PainScore.objects.exists()


def test_dave_cannot_record_for_carols_patient(client, dave, alice_rx, today):
    client.force_login(dave)
    response = client.post(intake_url(alice_rx.patient), {"score": "6", "day": today.isoformat()})
    assert response.status_code == 404
    assert not PainScore.objects.exists()


def test_the_patient_cannot_correct_or_delete_an_intake_score(client, carol, alice_rx):
    intake = make_intake(alice_rx.patient, carol, at=timezone.now(), score=6)
    client.force_login(alice_rx.patient.user)
    assert client.get(reverse("patients:edit-pain", args=[intake.pk])).status_code == 403
    assert client.post(reverse("patients:delete-pain", args=[intake.pk])).status_code == 403
    assert PainScore.objects.filter(pk=intake.pk).exists()


def test_a_patient_cannot_send_an_intake_score(client, alice_rx):
    client.force_login(alice_rx.patient.user)
    response = client.post(
        reverse("patients:log-pain"),
        {"score": "3", "context": "intake", "client_token": "7d3c1a9e-1111-4222-8333-944455556666"},
    )
    assert response.status_code == 400
    assert not PainScore.objects.exists()


def test_the_database_keeps_intake_scores_to_staff(alice_rx):
    with pytest.raises(IntegrityError):
        PainScore.objects.create(
            patient=alice_rx.patient, score=5, context="intake", recorded_at=timezone.now()
        )


def test_the_severe_pain_message_is_the_patients_own_scores(client, carol, alice_rx):
    make_intake(alice_rx.patient, carol, at=timezone.now() - timedelta(hours=1), score=9)
    make_pain(alice_rx.patient, at=timezone.now(), score=3)
    client.force_login(alice_rx.patient.user)
    assert client.get(reverse("patients:today")).context["severe_pain"] is None


def test_the_history_shows_an_intake_score_without_edit_buttons(client, carol, alice_rx):
    intake = make_intake(alice_rx.patient, carol, at=timezone.now(), score=6)
    client.force_login(alice_rx.patient.user)
    page = client.get(reverse("patients:history")).content.decode()
    assert "intake (recorded by the clinician)" in page
    assert reverse("patients:edit-pain", args=[intake.pk]) not in page
