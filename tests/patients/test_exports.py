import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from patients import exports
from portal.models import AuditEvent
from tests.factories import make_hold, make_pain

pytestmark = pytest.mark.django_db

EXPORT = reverse("patients:export")
FILES = {
    "holdfast-data.json",
    "profile.csv",
    "prescriptions.csv",
    "holds.csv",
    "pain_scores.csv",
}


def open_archive(response):
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == FILES
    return archive


def csv_rows(archive, name):
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


class TestMyData:
    def test_it_holds_every_row_of_the_patient_and_round_trips(self, client, alice_rx, bob_rx):
        hold = make_hold(alice_rx, at=timezone.now(), seconds=42)
        pain = make_pain(alice_rx.patient, at=timezone.now(), score=6, note="=tight, hips")
        make_hold(bob_rx, at=timezone.now())
        make_pain(bob_rx.patient, at=timezone.now(), note="Bob's note")
        client.force_login(alice_rx.patient.user)
        archive = open_archive(client.get(EXPORT))
        data = json.loads(archive.read("holdfast-data.json"))
        assert data["profile"][0]["email"] == "alice@example.com"
        assert [(row["id"], row["seconds"]) for row in data["holds"]] == [(hold.pk, 42)]
        assert [(row["id"], row["score"], row["note"]) for row in data["pain_scores"]] == [
            (pain.pk, 6, "=tight, hips")
        ]
        assert [row["id"] for row in data["prescriptions"]] == [alice_rx.pk]
        assert "Bob" not in archive.read("holdfast-data.json").decode()
        (pain_row,) = csv_rows(archive, "pain_scores.csv")
        assert pain_row["note"] == "'=tight, hips"  # a spreadsheet shows it, never runs it
        assert csv_rows(archive, "holds.csv")[0]["client_token"] == str(hold.client_token)

    def test_a_patient_with_no_data_gets_valid_empty_files(self, client, alice_patient):
        client.force_login(alice_patient.user)
        archive = open_archive(client.get(EXPORT))
        data = json.loads(archive.read("holdfast-data.json"))
        assert data["holds"] == data["pain_scores"] == data["prescriptions"] == []
        assert csv_rows(archive, "holds.csv") == []
        assert archive.read("holds.csv").decode().startswith("id,prescription_id,side")

    def test_the_export_is_audited(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        client.get(EXPORT)
        event = AuditEvent.objects.get()
        assert (event.actor, event.action) == (alice_rx.patient.user, "export")


class TestFhir:
    def url(self, patient):
        return reverse("patients:patient-fhir", args=[patient.pk])

    def test_pain_scores_become_a_valid_r4_bundle(self, client, carol, alice_rx):
        make_pain(alice_rx.patient, at=timezone.now(), score=3, note="Better")
        make_pain(alice_rx.patient, at=timezone.now(), score=0)
        client.force_login(carol)
        response = client.get(self.url(alice_rx.patient))
        assert response["Content-Type"] == "application/fhir+json"
        bundle = Bundle.model_validate(response.json())
        assert bundle.type == "collection"
        patient_entry, *observations = bundle.entry
        assert patient_entry.resource.__resource_type__ == "Patient"
        assert [entry.resource.valueInteger for entry in observations] == [3, 0]
        first = observations[0].resource
        assert first.code.coding[0].system == "http://loinc.org"
        assert first.code.coding[0].code == "72514-3"
        assert first.subject.reference == patient_entry.fullUrl
        assert first.effectiveDateTime is not None
        assert first.note[0].text == "Better"

    def test_the_bundle_is_stamped_with_the_moment_it_is_given(self, alice_patient):
        moment = timezone.now() - timedelta(days=3)
        bundle = exports.pain_bundle(alice_patient, [], now=moment)
        assert bundle["timestamp"] == moment.isoformat()

    def test_a_patient_with_no_scores_is_a_valid_bundle_too(self, client, carol, alice_patient):
        client.force_login(carol)
        bundle = Bundle.model_validate(client.get(self.url(alice_patient)).json())
        assert len(bundle.entry) == 1

    def test_the_export_is_audited(self, client, carol, alice_rx):
        client.force_login(carol)
        client.get(self.url(alice_rx.patient))
        assert AuditEvent.objects.get().action == "export"

    @pytest.mark.parametrize(("person", "status"), [("dave", 404), ("alice", 403), ("erin", 403)])
    def test_only_the_patients_clinician_and_administrators(
        self, client, everyone, alice_rx, person, status
    ):
        client.force_login(everyone[person])
        assert client.get(self.url(alice_rx.patient)).status_code == status


class TestPrintableProgram:
    def test_it_shows_each_level_with_its_dose_steps_and_boxes(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        page = client.get(reverse("patients:print")).content.decode()
        assert "Psoas stretch, Level 1: Lying psoas stretch" in page
        assert "2 holds each side, 30 s" in page
        assert "Lie on your back on a bed or bench" in page
        assert "Take care" in page
        assert page.count('class="tick-box"') == 28

    def test_a_patient_without_a_program_is_told_so(self, client, alice_patient):
        client.force_login(alice_patient.user)
        page = client.get(reverse("patients:print")).content.decode()
        assert "You have no program yet." in page
