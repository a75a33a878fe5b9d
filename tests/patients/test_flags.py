"""The report's figures and flags for hand-made patients, as of a fixed day."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from patients import adherence
from tests.factories import make_exercise, make_hold, make_level, make_pain, make_prescription

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
AS_OF = date(2026, 3, 31)


def at(day, hour=9):
    return datetime.combine(day, time(hour), tzinfo=TORONTO)


def ago(days):
    return AS_OF - timedelta(days=days)


def do_program(prescription, days_ago):
    for days in days_ago:
        for side in ("left", "right", "left", "right"):
            make_hold(prescription, at=at(ago(days)), side=side)


def summary_of(patient):
    (summary,) = adherence.patient_summaries(
        patients=[patient], as_of=AS_OF, today=AS_OF, tz=TORONTO
    )
    return summary


def codes(summary):
    return [flag.code for flag in summary.flags]


@pytest.fixture
def rx(alice_patient, level_1):
    """Level 1 from 40 days before the report's day: 4 holds a day."""
    return make_prescription(alice_patient, level_1, start_date=ago(40))


def test_pain_baseline_is_the_first_week_and_current_the_last(rx):
    for days in range(34, 41):  # the program's first seven days
        make_pain(rx.patient, at=at(ago(days)), score=3)
    make_pain(rx.patient, at=at(ago(33)), score=9)  # day eight: not the baseline
    make_pain(rx.patient, at=at(ago(6)), score=5)
    make_pain(rx.patient, at=at(ago(0)), score=6)
    do_program(rx, range(14))
    summary = summary_of(rx.patient)
    assert summary.pain_baseline == 3
    assert summary.pain_current == 5.5
    assert summary.pain_change == 2.5
    assert codes(summary) == ["pain_worse"]
    assert summary.flags[0].reason == "Pain 5.5 this week vs 3.0 at start"


def test_a_change_under_two_points_is_not_worse(rx):
    make_pain(rx.patient, at=at(ago(40)), score=3)
    make_pain(rx.patient, at=at(ago(1)), score=4)
    do_program(rx, range(14))
    assert "pain_worse" not in codes(summary_of(rx.patient))


def test_one_severe_score_this_week_flags_severe_pain(rx):
    make_pain(rx.patient, at=at(ago(2)), score=8)
    make_pain(rx.patient, at=at(ago(8)), score=9)  # outside the week
    do_program(rx, range(14))
    summary = summary_of(rx.patient)
    assert codes(summary)[0] == "severe_pain"
    assert summary.flags[0].reason == "Pain 8 on Mar 29"


def test_three_days_without_a_full_hold_is_inactive(rx):
    do_program(rx, range(3, 14))
    make_hold(rx, at=at(ago(1)), seconds=10)  # too short to count
    summary = summary_of(rx.patient)
    assert "inactive" in codes(summary)
    assert "No full hold for 3 days (last Mar 28)" in [flag.reason for flag in summary.flags]


def test_two_days_without_is_not_inactive_yet(rx):
    do_program(rx, range(2, 14))
    assert "inactive" not in codes(summary_of(rx.patient))


def test_adherence_under_half_over_fourteen_days_is_low(rx):
    do_program(rx, range(0, 14, 3))  # 5 full days of 14
    summary = summary_of(rx.patient)
    assert summary.adherence[14].percent == 36
    assert "low_adherence" in codes(summary)


def test_ready_to_progress_needs_adherence_low_pain_and_a_next_level(rx):
    do_program(rx, range(12))  # 12 of 14 days: 86 %
    make_pain(rx.patient, at=at(ago(40)), score=4)
    make_pain(rx.patient, at=at(ago(1)), score=2)
    summary = summary_of(rx.patient)
    assert codes(summary) == ["ready"]
    assert summary.flags[0].reason == "86% over 14 days, pain 2.0; Level 2 is next"


def test_not_ready_without_a_recent_pain_score(rx):
    do_program(rx, range(14))
    assert "ready" not in codes(summary_of(rx.patient))


def test_not_ready_on_the_last_level(alice_patient, level_2):
    rx = make_prescription(alice_patient, level_2, start_date=ago(40))
    do_program(rx, range(14))
    make_pain(alice_patient, at=at(ago(1)), score=1)
    assert codes(summary_of(alice_patient)) == []


def test_days_with_data_count_holds_and_pain_scores_once_a_day(rx):
    do_program(rx, [0, 1])
    make_pain(rx.patient, at=at(ago(1)), score=2)
    make_pain(rx.patient, at=at(ago(5)), score=2)
    make_pain(rx.patient, at=at(ago(31)), score=2)  # outside the 30 days
    assert summary_of(rx.patient).days_with_data == 3


def test_last_activity_is_the_latest_hold_or_score_up_to_the_day(rx):
    make_hold(rx, at=at(ago(4), 8))
    make_pain(rx.patient, at=at(ago(2), 20))
    make_pain(rx.patient, at=at(AS_OF + timedelta(days=1)))  # after the report's day
    assert summary_of(rx.patient).last_activity == at(ago(2), 20)


def test_a_patient_without_a_program_has_no_percentages_and_no_flags(alice_patient):
    summary = summary_of(alice_patient)
    assert all(not result.has_program for result in summary.adherence.values())
    assert summary.flags == []


def test_the_most_urgent_flag_sorts_first(rx, bob_patient, level_1):
    bob_rx = make_prescription(bob_patient, level_1, start_date=ago(40))
    do_program(bob_rx, range(12))
    make_pain(bob_patient, at=at(ago(1)), score=1)
    make_pain(rx.patient, at=at(ago(1)), score=9)
    summaries = adherence.patient_summaries(
        patients=[bob_patient, rx.patient], as_of=AS_OF, today=AS_OF, tz=TORONTO
    )
    ordered = sorted(summaries, key=lambda summary: summary.attention)
    assert [str(summary.patient) for summary in ordered] == ["Alice", "Bob"]


def test_inactive_counts_from_the_start_of_a_new_program(alice_patient, level_1, level_2):
    old = make_prescription(alice_patient, level_1, start_date=ago(90), end_date=ago(60))
    do_program(old, [61])
    make_prescription(alice_patient, level_2, start_date=AS_OF)
    assert "inactive" not in codes(summary_of(alice_patient))


@pytest.mark.parametrize(("started_days_ago", "inactive"), [(1, False), (2, True)])
def test_a_new_patient_without_holds_goes_inactive_on_the_third_day(
    alice_patient, level_1, started_days_ago, inactive
):
    make_prescription(alice_patient, level_1, start_date=ago(started_days_ago))
    summary = summary_of(alice_patient)
    assert ("inactive" in codes(summary)) is inactive
    if inactive:
        assert "No full hold in the 3 days since the program started" in [
            flag.reason for flag in summary.flags
        ]


@pytest.mark.parametrize(("days", "severe"), [(6, True), (7, False)])
def test_severe_pain_looks_back_exactly_seven_days(rx, days, severe):
    make_pain(rx.patient, at=at(ago(days)), score=7)
    assert ("severe_pain" in codes(summary_of(rx.patient))) is severe


def test_the_severe_pain_reason_names_the_day_of_the_worst_score(rx):
    make_pain(rx.patient, at=at(ago(5)), score=10)
    make_pain(rx.patient, at=at(ago(1)), score=7)
    assert summary_of(rx.patient).flags[0].reason == "Pain 10 on Mar 26"


@pytest.mark.parametrize(("days", "counted"), [(29, 1), (30, 0)])
@pytest.mark.parametrize("entry", ["pain", "short hold"])
def test_days_with_data_look_back_exactly_thirty_days(rx, days, counted, entry):
    if entry == "pain":
        make_pain(rx.patient, at=at(ago(days)), score=2)
    else:
        make_hold(rx, at=at(ago(days)), seconds=5)  # under the target: data all the same
    assert summary_of(rx.patient).days_with_data == counted


def test_the_data_window_covers_every_window_read_within_it():
    longest = max(*adherence.ADHERENCE_WINDOWS, adherence.PAIN_TREND_DAYS)
    assert longest <= adherence.DATA_WINDOW_DAYS


def test_the_pain_trend_shows_the_last_28_days_only(rx):
    for days in (27, 28, 29):
        make_pain(rx.patient, at=at(ago(days)), score=4)
    assert [day for day, _ in summary_of(rx.patient).pain_trend] == [ago(27)]


def test_pain_worse_blocks_ready(rx):
    do_program(rx, range(14))
    for days in range(34, 41):
        make_pain(rx.patient, at=at(ago(days)), score=0)
    make_pain(rx.patient, at=at(ago(1)), score=3)
    summary = summary_of(rx.patient)
    assert "pain_worse" in codes(summary)
    assert "ready" not in codes(summary)


def test_a_level_just_started_is_not_judged_ready(alice_patient, level_1, level_2):
    calf = make_exercise(name="Calf stretch")
    first = make_level(calf, 1)
    make_level(calf, 2)
    rx = make_prescription(alice_patient, first, start_date=ago(5))
    do_program(rx, range(6))
    make_pain(alice_patient, at=at(ago(1)), score=1)
    assert "ready" not in codes(summary_of(alice_patient))


def test_thresholds_compare_exactly_without_rounding():
    assert adherence.Adherence(223, 280).percent == 80
    assert not adherence.at_least(adherence.Adherence(223, 280), 80)
    assert adherence.at_least(adherence.Adherence(224, 280), 80)
    assert not adherence.at_least(adherence.Adherence(0, 0), 0)


def test_a_report_as_of_today_waits_for_today_to_finish(rx):
    do_program(rx, range(1, 7))
    make_hold(rx, at=at(AS_OF), side="left")
    (summary,) = adherence.patient_summaries(
        patients=[rx.patient], as_of=AS_OF, today=AS_OF, tz=TORONTO
    )
    assert summary.adherence[7] == adherence.Adherence(24, 24)
    (later,) = adherence.patient_summaries(
        patients=[rx.patient], as_of=AS_OF, today=AS_OF + timedelta(days=1), tz=TORONTO
    )
    assert later.adherence[7] == adherence.Adherence(25, 28)


def test_a_summary_keeps_the_days_of_its_data_window(rx):
    # The patient page draws its month from them.
    do_program(rx, [0, 1, 2, 5, 9, 13, 20, 27, 29, 33])
    make_pain(rx.patient, at=at(ago(2)), score=4)
    end = AS_OF + timedelta(days=1)
    month = adherence.daily_adherence(
        patient_ids=[rx.patient.pk],
        start=end - timedelta(days=adherence.DATA_WINDOW_DAYS),
        end=end,
        tz=TORONTO,
    )[rx.patient.pk]
    summary = summary_of(rx.patient)
    assert summary.daily == month
    settled = adherence.settled(month, AS_OF)
    for window, result in summary.adherence.items():
        assert result == adherence.total(settled, start=end - timedelta(days=window))
