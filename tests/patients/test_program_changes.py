"""Changing a program from the patient record: adding stretches, a new dose or level in
one step, stopping a stretch; the day's holds survive every change."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patients import adherence
from patients.models import HoldLog, Prescription
from tests.factories import make_exercise, make_hold, make_level

pytestmark = pytest.mark.django_db


def change_url(prescription):
    return reverse("patients:prescription-change", args=[prescription.patient_id, prescription.pk])


def change(client, prescription, **fields):
    data = {
        "level": str(prescription.level_id),
        "holds_per_side": prescription.holds_per_side,
        "target_seconds": prescription.target_seconds,
        "sessions_per_day": prescription.sessions_per_day,
        "notes": prescription.notes,
    } | fields
    return client.post(change_url(prescription), data)


def today_page(client, patient):
    client.force_login(patient.user)
    return client.get(reverse("patients:today")).content.decode()


def hold_this_morning(prescription, side):
    """A hold done at 00:30 today, clinic time (it is today whatever the hour now)."""
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(
        timezone.datetime.combine(timezone.localdate(timezone=tz), timezone.datetime.min.time()),
        tz,
    )
    return make_hold(prescription, at=start + timedelta(minutes=30), side=side)


class TestChangingTheDose:
    def test_one_step_ends_the_old_prescription_today_and_starts_the_new_one(
        self, carol_client, carol, alice_rx, today
    ):
        response = change(carol_client, alice_rx, holds_per_side=3, target_seconds=45)
        assert response.url == reverse("patients:patient-detail", args=[alice_rx.patient_id])
        alice_rx.refresh_from_db()
        assert alice_rx.end_date == today
        new = Prescription.objects.get(end_date__isnull=True)
        assert (new.holds_per_side, new.target_seconds, new.start_date) == (3, 45, today)
        assert (new.progressed_from, new.prescribed_by, new.level) == (
            alice_rx,
            carol,
            alice_rx.level,
        )

    def test_holds_done_today_still_count_after_the_change(
        self, client, carol_client, alice_rx, today
    ):
        for side in (HoldLog.Side.LEFT, HoldLog.Side.RIGHT):
            hold_this_morning(alice_rx, side)
        assert "1 of 2" in today_page(client, alice_rx.patient)
        change(carol_client, alice_rx, holds_per_side=3)
        page = today_page(client, alice_rx.patient)
        assert "1 of 3" in page
        assert "changed how much you do" in page
        new = Prescription.objects.get(end_date__isnull=True)
        daily = adherence.daily_adherence(
            patient_ids=[alice_rx.patient_id],
            start=today,
            end=today + timedelta(days=1),
            tz=timezone.get_default_timezone(),
        )[alice_rx.patient_id]
        assert daily[today] == adherence.Adherence(done=2, expected=new.holds_per_day)

    def test_a_hold_sent_late_from_an_offline_phone_is_kept_and_counts(
        self, client, carol_client, alice_rx
    ):
        change(carol_client, alice_rx, holds_per_side=3)
        client.force_login(alice_rx.patient.user)
        # Earlier today whatever the hour, midnight included.
        this_morning = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        response = client.post(
            reverse("patients:log-hold", args=[alice_rx.pk]),
            {
                "side": "left",
                "seconds": "30",
                "performed_at": this_morning.isoformat(),
                "client_token": str(uuid.uuid4()),
                "source": "timer",
            },
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 201
        assert "1 of 3" in today_page(client, alice_rx.patient)

    def test_a_prescription_given_today_is_corrected_in_place(self, carol_client, alice_rx, today):
        alice_rx.start_date = today
        alice_rx.save()
        change(carol_client, alice_rx, sessions_per_day=2, notes="Morning and evening.")
        (only,) = Prescription.objects.all()
        assert (only.pk, only.sessions_per_day, only.notes) == (
            alice_rx.pk,
            2,
            "Morning and evening.",
        )

    def test_nothing_changed_is_said_so(self, carol_client, alice_rx):
        response = change(carol_client, alice_rx)
        assert response.status_code == 400
        assert "Nothing changed" in response.content.decode()
        assert Prescription.objects.count() == 1

    def test_a_hold_outside_the_levels_range_is_refused(self, carol_client, alice_rx):
        response = change(carol_client, alice_rx, target_seconds=5)
        assert response.status_code == 400
        assert "Choose a hold of" in response.content.decode()
        assert Prescription.objects.count() == 1

    def test_another_clinician_gets_a_404(self, client, dave, alice_rx):
        client.force_login(dave)
        assert change(client, alice_rx, holds_per_side=3).status_code == 404
        assert Prescription.objects.count() == 1


class TestChangingTheLevel:
    def test_a_flagged_patient_moves_only_once_the_flags_are_acknowledged(
        self, carol_client, alice_rx, level_2
    ):
        page = carol_client.get(change_url(alice_rx)).content.decode()
        assert "Read before changing the level" in page
        refused = change(carol_client, alice_rx, level=str(level_2.pk))
        assert refused.status_code == 400
        assert Prescription.objects.count() == 1
        change(carol_client, alice_rx, level=str(level_2.pk), acknowledged="on")
        assert Prescription.objects.get(end_date__isnull=True).level == level_2

    def test_a_step_back_is_told_to_the_patient_as_such(
        self, client, carol_client, alice_patient, level_1, level_2, today
    ):
        rx = Prescription.objects.create(
            patient=alice_patient,
            level=level_2,
            exercise=level_2.exercise,
            start_date=today - timedelta(days=10),
            prescribed_by=alice_patient.clinician,
        )
        change(carol_client, rx, level=str(level_1.pk), acknowledged="on")
        assert "moved you to Level 1" in today_page(client, alice_patient)

    def test_another_exercises_level_is_not_offered(self, carol_client, alice_rx):
        other = make_level(make_exercise(name="Calf stretch"), 1)
        response = change(carol_client, alice_rx, level=str(other.pk), acknowledged="on")
        assert response.status_code == 400
        assert Prescription.objects.count() == 1


class TestAddingAndStopping:
    def test_several_stretches_are_added_in_one_save(self, carol_client, alice_rx, today):
        calf = make_level(make_exercise(name="Calf stretch"), 1, hold_min_seconds=20)
        hamstring = make_level(make_exercise(name="Hamstring stretch", slug="ham"), 1)
        data = {"program-TOTAL_FORMS": "3", "program-INITIAL_FORMS": "0"}
        for index, level in enumerate([calf, hamstring]):
            data |= {
                f"program-{index}-level": str(level.pk),
                f"program-{index}-holds_per_side": "2",
                f"program-{index}-sessions_per_day": "1",
            }
        url = reverse("patients:program-add", args=[alice_rx.patient_id])
        assert carol_client.post(url, data).status_code == 302
        added = Prescription.objects.filter(start_date=today)
        assert {rx.level for rx in added} == {calf, hamstring}

    def test_adding_a_stretch_the_patient_does_already_is_refused(
        self, carol_client, alice_rx, level_2
    ):
        data = {
            "program-TOTAL_FORMS": "1",
            "program-INITIAL_FORMS": "0",
            "program-0-level": str(level_2.pk),
            "program-0-holds_per_side": "2",
            "program-0-sessions_per_day": "1",
        }
        url = reverse("patients:program-add", args=[alice_rx.patient_id])
        response = carol_client.post(url, data)
        assert response.status_code == 400
        assert "already has a prescription of this exercise" in response.content.decode()
        assert Prescription.objects.count() == 1

    def test_stopping_a_stretch_ends_it_after_today(self, client, carol_client, alice_rx, today):
        url = reverse("patients:prescription-end", args=[alice_rx.patient_id, alice_rx.pk])
        assert "ends after today" in carol_client.get(url).content.decode()
        assert carol_client.post(url).status_code == 302
        alice_rx.refresh_from_db()
        assert alice_rx.end_date == today + timedelta(days=1)
        again = carol_client.post(url)
        assert again.status_code == 302
        alice_rx.refresh_from_db()
        assert alice_rx.end_date == today + timedelta(days=1)
