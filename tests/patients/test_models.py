import importlib
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from patients import services
from patients.models import HoldLog, PainScore, Prescription
from tests.factories import (
    log_hold,
    make_exercise,
    make_hold,
    make_pain,
    make_prescription,
    misjudged_holds,
)

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


class TestQualifyingHolds:
    """Whether a hold lasted its target is kept with it, so counts need no join."""

    @pytest.mark.parametrize(("short_by", "counts"), [(0, True), (1, False)])
    def test_a_logged_hold_counts_once_it_lasts_the_target(self, alice_rx, short_by, counts):
        hold, _ = log_hold(alice_rx, seconds=alice_rx.target_seconds - short_by)
        hold.refresh_from_db()
        assert hold.qualifying is counts

    def test_a_hold_written_without_its_judgement_is_refused(self, alice_rx):
        refused(
            lambda: HoldLog.objects.create(
                patient=alice_rx.patient,
                prescription=alice_rx,
                side="left",
                seconds=30,
                performed_at=timezone.now(),
            )
        )

    def test_a_corrected_hold_is_judged_again(self, alice_rx):
        hold = make_hold(alice_rx, at=timezone.now())
        for seconds, counts in ((10, False), (45, True)):
            services.hold_log_update(hold_log=hold, side=hold.side, seconds=seconds)
            hold.refresh_from_db()
            assert hold.qualifying is counts

    def test_the_database_refuses_a_hold_judged_wrongly(self, alice_rx):
        hold = make_hold(alice_rx, at=timezone.now(), seconds=alice_rx.target_seconds)
        refused(lambda: HoldLog.objects.filter(pk=hold.pk).update(qualifying=False))
        refused(lambda: HoldLog.objects.filter(pk=hold.pk).update(seconds=5))
        hold.refresh_from_db()
        assert (hold.seconds, hold.qualifying) == (alice_rx.target_seconds, True)

    def test_a_new_target_judges_the_prescriptions_holds_again(self, alice_rx, bob_rx):
        for prescription in (alice_rx, bob_rx):
            make_hold(prescription, at=timezone.now(), seconds=40)
        Prescription.objects.filter(pk=alice_rx.pk).update(target_seconds=45)
        assert not misjudged_holds().exists()
        assert list(HoldLog.objects.filter(qualifying=True)) == list(bob_rx.hold_logs.all())

    def test_the_migration_judges_the_holds_already_stored(self, alice_rx, bob_rx):
        for prescription in (alice_rx, bob_rx):
            for seconds in (5, 29, 30, 31, 600):
                make_hold(prescription, at=timezone.now(), seconds=seconds)
        # Before the upgrade there were no flags, and so no triggers to keep them true.
        triggers = importlib.import_module("patients.migrations.0009_hold_log_qualifying_triggers")
        with connection.cursor() as cursor:
            for statement in triggers.DROP[connection.vendor]:
                cursor.execute(statement)
        HoldLog.objects.update(qualifying=False)
        HoldLog.objects.filter(seconds=5).update(qualifying=True)
        migration = importlib.import_module("patients.migrations.0008_hold_log_qualifying")
        migration.judge_existing_holds(apps, schema_editor=None)
        assert not misjudged_holds().exists()
        assert HoldLog.objects.filter(qualifying=True).count() == 6


class TestHoldLogConstraints:
    @pytest.mark.parametrize("seconds", [0, 601])
    def test_seconds_outside_one_to_six_hundred_are_refused(self, alice_rx, seconds):
        refused(lambda: make_hold(alice_rx, at=timezone.now(), seconds=seconds))

    @pytest.mark.parametrize("seconds", [1, 600])
    def test_the_edges_are_accepted(self, alice_rx, seconds):
        assert make_hold(alice_rx, at=timezone.now(), seconds=seconds).pk

    def test_a_side_that_does_not_exist_is_refused(self, alice_rx):
        refused(lambda: make_hold(alice_rx, at=timezone.now(), side="upper"))

    def test_a_client_token_is_stored_once_per_patient(self, alice_rx, bob_rx):
        token = uuid.uuid4()
        fields = {"side": "left", "seconds": 30, "qualifying": True, "performed_at": timezone.now()}
        HoldLog.objects.create(
            patient=alice_rx.patient, prescription=alice_rx, client_token=token, **fields
        )
        refused(
            lambda: HoldLog.objects.create(
                patient=alice_rx.patient, prescription=alice_rx, client_token=token, **fields
            )
        )
        # Another patient's phone may, however unlikely, make the same token.
        HoldLog.objects.create(
            patient=bob_rx.patient, prescription=bob_rx, client_token=token, **fields
        )


class TestPainScoreConstraints:
    @pytest.mark.parametrize("score", [-1, 11])
    def test_scores_outside_zero_to_ten_are_refused(self, alice_patient, score):
        refused(lambda: make_pain(alice_patient, at=timezone.now(), score=score))

    @pytest.mark.parametrize("score", [0, 10])
    def test_the_edges_are_accepted(self, alice_patient, score):
        assert make_pain(alice_patient, at=timezone.now(), score=score).pk

    def test_an_unknown_context_is_refused(self, alice_patient):
        refused(lambda: make_pain(alice_patient, at=timezone.now(), context="lunch"))

    def test_a_note_over_five_hundred_characters_fails_validation(self, alice_patient):
        pain = PainScore(
            patient=alice_patient,
            score=3,
            context="checkin",
            recorded_at=timezone.now(),
            note="x" * 501,
        )
        with pytest.raises(ValidationError) as caught:
            pain.full_clean()
        assert "note" in caught.value.message_dict


class TestPrescriptionRules:
    def test_a_second_current_prescription_of_an_exercise_is_refused(
        self, alice_rx, level_2, today
    ):
        refused(lambda: make_prescription(alice_rx.patient, level_2, start_date=today))

    def test_an_ended_prescription_leaves_room_for_the_next(self, alice_rx, level_2, today):
        alice_rx.end_date = today
        alice_rx.save()
        assert make_prescription(alice_rx.patient, level_2, start_date=today).pk

    def test_an_end_before_the_start_is_refused(self, alice_patient, level_1, today):
        refused(
            lambda: make_prescription(
                alice_patient, level_1, start_date=today, end_date=today - timedelta(days=1)
            )
        )

    def test_clean_explains_a_target_outside_the_level_range(self, alice_patient, level_1, today):
        prescription = Prescription(
            patient=alice_patient,
            level=level_1,
            start_date=today,
            target_seconds=90,
            prescribed_by=alice_patient.clinician,
        )
        with pytest.raises(ValidationError) as caught:
            prescription.full_clean()
        assert caught.value.message_dict["target_seconds"] == [
            "Choose a hold of 30–60 seconds for this level."
        ]

    def test_clean_explains_a_second_current_prescription(self, alice_rx, level_2, today):
        prescription = Prescription(
            patient=alice_rx.patient,
            level=level_2,
            start_date=today,
            target_seconds=30,
            prescribed_by=alice_rx.prescribed_by,
        )
        with pytest.raises(ValidationError) as caught:
            prescription.full_clean()
        assert (
            "already has a prescription of this exercise" in caught.value.message_dict["level"][0]
        )

    def test_dose_reads_per_day(self, alice_rx):
        assert alice_rx.holds_per_session == 4
        assert alice_rx.holds_per_day == 4
        alice_rx.sessions_per_day = 2
        assert alice_rx.holds_per_day == 8

    def test_it_is_active_from_its_start_up_to_its_end(self, alice_rx, today):
        alice_rx.start_date = today
        alice_rx.end_date = today + timedelta(days=2)
        alice_rx.save()
        assert not alice_rx.is_active_on(today - timedelta(days=1))
        assert alice_rx.is_active_on(today)
        assert alice_rx.is_active_on(today + timedelta(days=1))
        assert not alice_rx.is_active_on(today + timedelta(days=2))
        assert list(Prescription.objects.active_on(today + timedelta(days=2))) == []

    @pytest.mark.parametrize("end_in_days", [2, None])
    def test_it_overlaps_a_window_exactly_as_the_database_says(self, alice_rx, today, end_in_days):
        alice_rx.start_date = today
        alice_rx.end_date = end_in_days and today + timedelta(days=end_in_days)
        alice_rx.save()
        for offset in range(-3, 5):
            start = today + timedelta(days=offset)
            for length in (1, 2):
                end = start + timedelta(days=length)
                found = Prescription.objects.overlapping(start, end).exists()
                assert alice_rx.overlaps(start, end) is found, (offset, length)
            active = Prescription.objects.active_on(start).exists()
            assert alice_rx.is_active_on(start) is active, offset
        assert alice_rx.overlaps(today, None)
        assert Prescription.objects.overlapping(today, None).exists()


def test_entries_are_editable_only_on_the_day_they_were_logged(alice_rx, clinic_tz, today):
    now = timezone.now()
    hold = make_hold(alice_rx, at=now)
    old = make_hold(alice_rx, at=now - timedelta(days=1))
    assert hold.is_editable_on(today, clinic_tz)
    assert not old.is_editable_on(today, clinic_tz)


class TestOverlappingPrescriptions:
    def test_a_far_end_date_does_not_make_room_for_a_second(self, alice_rx, level_2, today):
        alice_rx.end_date = today + timedelta(days=3000)
        alice_rx.save()
        second = Prescription(
            patient=alice_rx.patient,
            level=level_2,
            start_date=today,
            target_seconds=30,
            prescribed_by=alice_rx.prescribed_by,
        )
        with pytest.raises(ValidationError) as caught:
            second.full_clean()
        assert "level" in caught.value.message_dict

    def test_a_back_dated_start_inside_an_earlier_one_is_refused(
        self, alice_patient, level_1, level_2, today
    ):
        make_prescription(
            alice_patient, level_1, start_date=today - timedelta(days=20), end_date=today
        )
        back_dated = Prescription(
            patient=alice_patient,
            level=level_2,
            start_date=today - timedelta(days=5),
            target_seconds=30,
            prescribed_by=alice_patient.clinician,
        )
        with pytest.raises(ValidationError):
            back_dated.full_clean()

    def test_one_may_start_the_day_the_other_ends(self, alice_patient, level_1, level_2, today):
        make_prescription(
            alice_patient, level_1, start_date=today - timedelta(days=20), end_date=today
        )
        follow_up = Prescription(
            patient=alice_patient,
            level=level_2,
            start_date=today,
            target_seconds=30,
            prescribed_by=alice_patient.clinician,
        )
        assert follow_up.full_clean() is None


class TestPrescriptionMatchesItsLevelInTheDatabase:
    def test_a_target_outside_the_level_range_is_refused(self, alice_patient, level_1, today):
        refused(
            lambda: make_prescription(alice_patient, level_1, start_date=today, target_seconds=90)
        )

    def test_a_level_changed_to_another_exercise_is_refused(self, alice_rx, today):
        alice_rx.exercise = make_exercise(name="Calf stretch")
        refused(alice_rx.save)
