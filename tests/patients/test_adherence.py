"""Hand-computed cases for the adherence rules of DESIGN.md.

Every case uses fixed dates in the clinic's zone (Toronto), so nothing depends on the
day the suite runs.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from patients import adherence
from patients.adherence import Adherence
from tests.factories import (
    make_exercise,
    make_hold,
    make_level,
    make_patient,
    make_prescription,
    make_user,
)

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
MONDAY = date(2026, 3, 2)


def at(day, hour=9, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=TORONTO)


def day(offset):
    return MONDAY + timedelta(days=offset)


def full_day(prescription, on, seconds=None):
    """Every hold of the day's program: two rounds on each side."""
    for round_ in range(prescription.holds_per_side):
        for side in ("left", "right"):
            make_hold(prescription, at=at(on, 8, round_ * 5), side=side, seconds=seconds)


def window(patient, start, end):
    return adherence.daily_adherence(patient_ids=[patient.pk], start=start, end=end, tz=TORONTO)[
        patient.pk
    ]


@pytest.fixture
def rx(alice_patient, level_1):
    """Level 1, 2 holds each side of 30 s, once a day: 4 holds a day, from a week before."""
    return make_prescription(alice_patient, level_1, start_date=MONDAY - timedelta(days=7))


def test_missed_days_count_against_adherence(rx):
    for offset in (0, 1, 2, 4, 5):
        full_day(rx, day(offset))
    result = adherence.total(window(rx.patient, day(0), day(7)))
    assert result == Adherence(done=20, expected=28)
    assert result.percent == 71


def test_extra_holds_on_one_day_do_not_hide_a_missed_day(rx):
    full_day(rx, day(0))
    full_day(rx, day(0))
    days = window(rx.patient, day(0), day(2))
    assert days[day(0)] == Adherence(done=4, expected=4)
    assert days[day(1)] == Adherence(done=0, expected=4)
    assert adherence.total(days).percent == 50


def test_extra_holds_on_one_side_do_not_make_up_for_the_other(rx):
    for _ in range(4):
        make_hold(rx, at=at(day(0)), side="left")
    make_hold(rx, at=at(day(0)), side="right")
    assert window(rx.patient, day(0), day(1))[day(0)] == Adherence(done=3, expected=4)


def test_holds_shorter_than_the_target_do_not_count(rx):
    make_hold(rx, at=at(day(0)), side="left", seconds=29)
    make_hold(rx, at=at(day(0)), side="left", seconds=30)
    make_hold(rx, at=at(day(0)), side="right", seconds=45)
    assert window(rx.patient, day(0), day(1))[day(0)] == Adherence(done=2, expected=4)


def test_a_prescription_that_starts_inside_the_window_expects_nothing_before(
    alice_patient, level_1
):
    rx = make_prescription(alice_patient, level_1, start_date=day(4))
    full_day(rx, day(4))
    days = window(alice_patient, day(0), day(7))
    assert [days[day(offset)].expected for offset in range(7)] == [0, 0, 0, 0, 4, 4, 4]
    assert adherence.total(days) == Adherence(done=4, expected=12)


def test_a_prescription_that_ends_inside_the_window_expects_nothing_after(alice_patient, level_1):
    rx = make_prescription(alice_patient, level_1, start_date=day(-10), end_date=day(3))
    full_day(rx, day(2))
    # A hold logged against it after it ended is not part of any program day.
    full_day(rx, day(3))
    days = window(alice_patient, day(0), day(7))
    assert [days[day(offset)].expected for offset in range(7)] == [4, 4, 4, 0, 0, 0, 0]
    assert adherence.total(days) == Adherence(done=4, expected=12)


def test_progression_on_a_day_counts_only_the_new_level(alice_patient, level_1, level_2):
    old = make_prescription(alice_patient, level_1, start_date=day(-10), end_date=day(1))
    new = make_prescription(alice_patient, level_2, start_date=day(1))
    full_day(old, day(0))
    full_day(new, day(1))
    days = window(alice_patient, day(0), day(2))
    assert days[day(0)] == Adherence(done=4, expected=4)
    assert days[day(1)] == Adherence(done=4, expected=4)


def test_two_exercises_at_once_add_up(rx):
    calf = make_level(make_exercise(name="Calf stretch"), 1, each_side=False)
    second = make_prescription(rx.patient, calf, start_date=day(-1), holds_per_side=3)
    full_day(rx, day(0))
    make_hold(second, at=at(day(0)), side="none")
    assert window(rx.patient, day(0), day(1))[day(0)] == Adherence(done=5, expected=7)


def test_sessions_per_day_multiply_what_is_expected(alice_patient, level_1):
    rx = make_prescription(alice_patient, level_1, start_date=day(-1), sessions_per_day=2)
    full_day(rx, day(0))
    assert window(alice_patient, day(0), day(1))[day(0)] == Adherence(done=4, expected=8)


def test_days_begin_at_midnight_in_the_clinic_time_zone(rx):
    # 23:30 in Toronto is already the next day in UTC; it still belongs to Monday.
    make_hold(rx, at=at(day(0), 23, 30), side="left")
    make_hold(rx, at=at(day(1), 0, 10), side="right")
    days = window(rx.patient, day(0), day(2))
    assert days[day(0)].done == 1
    assert days[day(1)].done == 1


def test_the_day_clocks_fall_back_is_one_day(rx):
    # Clocks fall back in Toronto on Sunday 1 November 2026: that day has 25 hours.
    sunday = date(2026, 11, 1)
    make_hold(rx, at=at(sunday, 0, 30), side="left")
    make_hold(rx, at=at(sunday, 23, 30), side="right")
    make_hold(rx, at=at(sunday + timedelta(days=1), 0, 5), side="right")
    days = window(rx.patient, sunday, sunday + timedelta(days=2))
    assert days[sunday] == Adherence(done=2, expected=4)
    assert days[sunday + timedelta(days=1)].done == 1


def test_the_day_clocks_change_is_one_day(rx):
    # Clocks spring forward in Toronto on Sunday 8 March 2026: that day has 23 hours.
    sunday = date(2026, 3, 8)
    make_hold(rx, at=at(sunday, 0, 30), side="left")
    make_hold(rx, at=at(sunday, 23, 30), side="right")
    days = window(rx.patient, sunday, sunday + timedelta(days=1))
    assert days[sunday] == Adherence(done=2, expected=4)


def test_a_window_without_a_program_has_no_percentage(alice_patient):
    result = adherence.total(window(alice_patient, day(0), day(7)))
    assert result == Adherence(done=0, expected=0)
    assert result.percent is None
    assert not result.has_program


def test_patients_do_not_share_holds(rx, bob, dave, level_1):
    bob_rx = make_prescription(make_patient(bob, dave), level_1, start_date=day(-3))
    full_day(rx, day(0))
    both = adherence.daily_adherence(
        patient_ids=[rx.patient.pk, bob_rx.patient.pk], start=day(0), end=day(1), tz=TORONTO
    )
    assert both[rx.patient.pk][day(0)] == Adherence(done=4, expected=4)
    assert both[bob_rx.patient.pk][day(0)] == Adherence(done=0, expected=4)


def test_three_queries_whatever_the_number_of_patients(
    rx, carol, level_1, django_assert_num_queries
):
    patients = [rx.patient]
    for index in range(10):
        patient = make_patient(make_user(f"p{index}@example.com"), carol)
        make_prescription(patient, level_1, start_date=day(-20))
        patients.append(patient)
    # Prescriptions, holds, pauses.
    with django_assert_num_queries(3):
        adherence.daily_adherence(
            patient_ids=[patient.pk for patient in patients],
            start=day(-28),
            end=day(0),
            tz=TORONTO,
        )


class TestStreak:
    def test_it_counts_complete_days_in_a_row(self, rx):
        for offset in (0, 1, 2):
            full_day(rx, day(offset))
        days = window(rx.patient, day(-3), day(4))
        assert adherence.streak(days, day(3)) == 3  # today unfinished, so up to yesterday
        full_day(rx, day(3))
        days = window(rx.patient, day(-3), day(4))
        assert adherence.streak(days, day(3)) == 4

    def test_a_partial_day_breaks_it(self, rx):
        full_day(rx, day(0))
        make_hold(rx, at=at(day(1)), side="left")
        full_day(rx, day(2))
        days = window(rx.patient, day(-3), day(4))
        assert adherence.streak(days, day(3)) == 1

    def test_no_program_means_no_streak(self, alice_patient):
        days = window(alice_patient, day(0), day(3))
        assert adherence.streak(days, day(2)) == 0


def test_holds_by_side_counts_one_prescriptions_qualifying_holds_of_the_day(rx):
    make_hold(rx, at=at(day(0)), side="left")
    make_hold(rx, at=at(day(0)), side="left", seconds=10)
    make_hold(rx, at=at(day(0)), side="right")
    make_hold(rx, at=at(day(-1)), side="right")
    make_hold(rx, at=at(day(1), 0, 30), side="right")
    other = make_prescription(rx.patient, make_level(make_exercise()), start_date=day(-5))
    make_hold(other, at=at(day(0)), side="left")
    result = adherence.holds_by_side(prescription=rx, day=day(0), tz=TORONTO)
    assert result == {"left": 1, "right": 1}


def test_hold_counts_list_every_day_and_side_held_with_its_full_holds(rx, bob_patient):
    make_hold(rx, at=at(day(0)), side="left")
    make_hold(rx, at=at(day(0), 18), side="left", seconds=10)
    make_hold(rx, at=at(day(0)), side="right")
    make_hold(rx, at=at(day(2), 23, 30), side="left")  # late in the evening, still day 2
    make_hold(rx, at=at(day(2), 23, 40), side="right", seconds=10)  # short: data, not adherence
    make_hold(rx, at=at(day(3), 0, 30), side="left")  # outside the window
    rows = adherence.hold_counts(
        patient_ids=[rx.patient.pk, bob_patient.pk], start=day(0), end=day(3), tz=TORONTO
    )
    patient, prescription = rx.patient.pk, rx.pk
    assert sorted(rows) == [
        (patient, prescription, day(0), "left", 1),
        (patient, prescription, day(0), "right", 1),
        (patient, prescription, day(2), "left", 1),
        (patient, prescription, day(2), "right", 0),
    ]
    assert adherence.full_holds(rows) == {
        (prescription, day(0), "left"): 1,
        (prescription, day(0), "right"): 1,
        (prescription, day(2), "left"): 1,
    }


def test_hold_counts_of_nobody_are_empty():
    assert adherence.hold_counts(patient_ids=[], start=day(0), end=day(3), tz=TORONTO) == []


def test_on_the_day_of_a_change_the_holds_before_it_count_for_the_new_dose(rx, level_1):
    rx.end_date = day(2)
    rx.save()
    replacement = make_prescription(
        rx.patient, level_1, start_date=day(2), holds_per_side=3, progressed_from=rx
    )
    full_day(rx, day(1))
    make_hold(rx, at=at(day(2), 8), side="left")
    make_hold(rx, at=at(day(2), 8, 5), side="right")
    make_hold(replacement, at=at(day(2), 17), side="left")
    daily = window(rx.patient, day(1), day(4))
    assert daily[day(1)] == Adherence(done=4, expected=4)
    assert daily[day(2)] == Adherence(done=3, expected=6)
    # The replaced prescription's holds count on the day of the change only.
    make_hold(rx, at=at(day(3), 8), side="left")
    assert window(rx.patient, day(3), day(4))[day(3)] == Adherence(done=0, expected=6)
