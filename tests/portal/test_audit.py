"""The audit trail: one event per change to a clinical record and per staff view or export."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from tests.factories import make_hold, make_pain

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def events():
    return list(
        AuditEvent.objects.order_by("pk").values_list(
            "actor__email", "patient__user__email", "action", "object_type"
        )
    )


def only_event():
    (event,) = AuditEvent.objects.all()
    return event


class TestPatientsWrites:
    def test_logging_a_hold_is_recorded_with_who_and_where(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        url = reverse("patients:log-hold", args=[alice_rx.pk])
        data = {"side": "left", "seconds": "30", "client_token": str(uuid.uuid4())}
        response = client.post(url, data, REMOTE_ADDR="203.0.113.20", **JSON)
        event = only_event()
        assert (event.actor, event.patient, event.action) == (
            alice_rx.patient.user,
            alice_rx.patient,
            "create",
        )
        assert (event.object_type, event.object_id) == ("HoldLog", str(response.json()["id"]))
        assert event.ip == "203.0.113.20"
        assert abs(event.at - timezone.now()) < timedelta(seconds=5)

    def test_a_retried_hold_is_recorded_once(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        url = reverse("patients:log-hold", args=[alice_rx.pk])
        data = {"side": "left", "seconds": "30", "client_token": str(uuid.uuid4())}
        client.post(url, data, **JSON)
        client.post(url, data, **JSON)
        assert AuditEvent.objects.count() == 1

    def test_corrections_are_recorded(self, client, alice_rx):
        hold = make_hold(alice_rx, at=timezone.now())
        pain = make_pain(alice_rx.patient, at=timezone.now(), score=5)
        client.force_login(alice_rx.patient.user)
        client.post(reverse("patients:edit-hold", args=[hold.pk]), {"side": "right", "seconds": 31})
        client.post(reverse("patients:delete-hold", args=[hold.pk]))
        client.post(
            reverse("patients:edit-pain", args=[pain.pk]), {"score": 2, "context": "checkin"}
        )
        client.post(reverse("patients:delete-pain", args=[pain.pk]))
        assert events() == [
            ("alice@example.com", "alice@example.com", "update", "HoldLog"),
            ("alice@example.com", "alice@example.com", "delete", "HoldLog"),
            ("alice@example.com", "alice@example.com", "update", "PainScore"),
            ("alice@example.com", "alice@example.com", "delete", "PainScore"),
        ]

    def test_events_hold_no_clinical_values(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        client.post(
            reverse("patients:log-pain"),
            {
                "score": "9",
                "context": "checkin",
                "note": "Private detail",
                "client_token": str(uuid.uuid4()),
            },
        )
        stored = " ".join(str(value) for value in AuditEvent.objects.values().get().values())
        assert "Private detail" not in stored
        assert " 9 " not in f" {stored} "


class TestStaffReadsAndWrites:
    def test_viewing_a_patient_record_is_recorded(self, client, carol, alice_rx):
        client.force_login(carol)
        client.get(reverse("patients:patient-detail", args=[alice_rx.patient_id]))
        assert events() == [("carol@example.com", "alice@example.com", "view", "Patient")]

    def test_the_report_records_a_view_per_patient_shown(self, client, ada, alice_rx, bob_rx):
        client.force_login(ada)
        client.get(reverse("patients:report"))
        assert sorted(events()) == [
            ("ada@example.com", "alice@example.com", "view", "Patient"),
            ("ada@example.com", "bob@example.com", "view", "Patient"),
        ]

    def test_the_csv_records_an_export_per_patient(self, client, carol, alice_rx, bob_rx):
        client.force_login(carol)
        client.get(reverse("patients:report-csv"))
        assert events() == [("carol@example.com", "alice@example.com", "export", "Patient")]

    def test_progression_records_the_end_and_the_start(self, client, carol, alice_rx):
        client.force_login(carol)
        client.post(
            reverse("patients:progress", args=[alice_rx.patient_id, alice_rx.pk]),
            {"acknowledged": "yes"},
        )
        assert events() == [
            ("carol@example.com", "alice@example.com", "update", "Prescription"),
            ("carol@example.com", "alice@example.com", "create", "Prescription"),
        ]

    def test_admin_views_and_exports_are_recorded(self, client, ada, alice_rx):
        pain = make_pain(alice_rx.patient, at=timezone.now())
        client.force_login(ada)
        client.get(reverse("admin:patients_patient_change", args=[alice_rx.patient_id]))
        client.post(
            reverse("admin:patients_painscore_changelist"),
            {"action": "export_csv", helpers.ACTION_CHECKBOX_NAME: [pain.pk]},
        )
        actions = [action for _, _, action, _ in events()]
        assert actions == ["view", "view", "export"]


def test_a_look_the_admin_refuses_is_not_recorded(client, carol, alice_rx):
    hold = make_hold(alice_rx, at=timezone.now())
    client.force_login(carol)
    for name, pk in [("holdlog", hold.pk), ("patient", alice_rx.patient_id)]:
        assert client.get(reverse(f"admin:patients_{name}_change", args=[pk])).status_code == 403
        assert client.get(reverse(f"admin:patients_{name}_history", args=[pk])).status_code == 403
    assert events() == []


def test_opening_one_entry_in_the_admin_is_recorded(client, ada, alice_rx):
    hold = make_hold(alice_rx, at=timezone.now())
    client.force_login(ada)
    client.get(reverse("admin:patients_holdlog_change", args=[hold.pk]))
    assert events() == [("ada@example.com", "alice@example.com", "view", "HoldLog")]


class TestAppendOnly:
    def test_an_event_cannot_be_changed_or_deleted(self, alice_rx):
        event = AuditEvent.objects.create(action="view", object_type="Patient", object_id="1")
        event.action = "delete"
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.update(action="delete")
        with pytest.raises(PermissionError):
            AuditEvent.objects.all().delete()
        assert AuditEvent.objects.get().action == "view"

    def test_administrators_read_it_in_the_admin_but_cannot_edit(self, client, ada):
        event = AuditEvent.objects.create(action="view", object_type="Patient", object_id="1")
        client.force_login(ada)
        listing = reverse("admin:portal_auditevent_changelist")
        assert client.get(listing, {"action__exact": "view"}).status_code == 200
        change = reverse("admin:portal_auditevent_change", args=[event.pk])
        assert client.post(change, {"action": "delete"}).status_code == 403
        delete = reverse("admin:portal_auditevent_delete", args=[event.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert AuditEvent.objects.get().action == "view"

    @pytest.mark.parametrize("person", ["carol", "erin"])
    def test_staff_other_than_administrators_cannot_see_it(self, client, everyone, person):
        client.force_login(everyone[person])
        assert client.get(reverse("admin:portal_auditevent_changelist")).status_code == 403


class TestReadsThatWereMissed:
    """Every look at a patient's record is an event, wherever it happens."""

    def test_the_progression_confirmation_page(self, client, carol, alice_rx):
        client.force_login(carol)
        client.get(reverse("patients:progress", args=[alice_rx.patient.pk, alice_rx.pk]))
        assert events() == [("carol@example.com", "alice@example.com", "view", "Prescription")]

    def test_the_admin_history_of_a_patient(self, client, ada, alice_rx):
        client.force_login(ada)
        response = client.get(reverse("admin:patients_patient_history", args=[alice_rx.patient.pk]))
        assert response.status_code == 200
        assert ("ada@example.com", "alice@example.com", "view", "Patient") in events()

    def test_the_admin_history_of_an_entry(self, client, ada, alice_rx):
        hold = make_hold(alice_rx, at=timezone.now())
        client.force_login(ada)
        client.get(reverse("admin:patients_holdlog_history", args=[hold.pk]))
        assert events() == [("ada@example.com", "alice@example.com", "view", "HoldLog")]

    def test_an_administrator_opening_a_patients_account(self, client, ada, alice_rx):
        client.force_login(ada)
        response = client.get(reverse("admin:portal_user_change", args=[alice_rx.patient.user.pk]))
        assert response.status_code == 200
        assert events() == [("ada@example.com", "alice@example.com", "view", "Patient")]

    def test_a_staff_account_is_not_a_patients_record(self, client, ada, carol):
        client.force_login(ada)
        client.get(reverse("admin:portal_user_change", args=[carol.pk]))
        assert events() == []

    def test_the_admin_autocomplete(self, client, ada, alice_rx):
        client.force_login(ada)
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "patients",
                "model_name": "prescription",
                "field_name": "patient",
                "term": "Ali",
            },
        )
        assert response.status_code == 200, response.status_code
        assert "Alice" in response.content.decode()
        assert ("ada@example.com", "alice@example.com", "view", "Patient") in events()

    def test_a_calendar_feed_read(self, client, alice_rx):
        client.get(reverse("patients:calendar", args=[alice_rx.patient.calendar_token]))
        assert events() == [(None, "alice@example.com", "view", "CalendarFeed")]
