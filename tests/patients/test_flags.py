"""The report's figures and flags for hand-made patients, as of a fixed day that is over
(the clinic's today is the day after), unless a test says otherwise."""

from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from patients import adherence, flags, summaries
from patients.flags import Mean
from tests.factories import (
    make_exercise,
    make_hold,
    make_intake,
    make_level,
    make_pain,
    make_prescription,
)

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


def summary_of(patient, *, today=AS_OF + timedelta(days=1)):
    (summary,) = summaries.patient_summaries(
        patients=[patient], as_of=AS_OF, today=today, tz=TORONTO
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
    assert summary.pain_baseline == Mean(value=3, count=7)
    assert summary.pain_current == Mean(value=Fraction(11, 2), count=2)
    assert summary.pain_change.points == Fraction(5, 2)
    assert codes(summary) == ["pain_worse"]
    assert summary.flags[0].reason == "Pain 5.5 this week vs 3.0 at start (+2.5, +83 %)"


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
    found = summaries.patient_summaries(
        patients=[bob_patient, rx.patient], as_of=AS_OF, today=AS_OF, tz=TORONTO
    )
    ordered = sorted(found, key=lambda summary: summary.attention)
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


@pytest.mark.parametrize("today", [AS_OF, AS_OF + timedelta(days=1)])
def test_one_reading_covers_every_window(today):
    windows = summaries.report_windows(as_of=AS_OF, today=today)
    # The report's reading starts with the longest adherence window or the data window.
    start = min(windows.by_days[28].start, windows.data.start)
    for window in [*windows.by_days.values(), windows.data, windows.pain, windows.trend]:
        assert window.start >= start
        assert window.end <= AS_OF + timedelta(days=1)


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


class TestWindows:
    """A window of N days is N complete days: ending with the report's day once it is
    over, with yesterday while it is today."""

    def test_a_report_of_today_counts_seven_whole_days_and_today_on_its_own(self, rx):
        do_program(rx, range(1, 7))  # six of the seven days before today
        make_hold(rx, at=at(AS_OF), side="left")
        summary = summary_of(rx.patient, today=AS_OF)
        assert summary.windows[7].start == ago(7)
        assert summary.windows[7].last == ago(1)
        assert summary.adherence[7] == adherence.Adherence(24, 28)
        assert summary.today == adherence.Adherence(1, 4)

    def test_a_finished_today_still_leaves_the_window_at_yesterday(self, rx):
        do_program(rx, range(0, 7))
        summary = summary_of(rx.patient, today=AS_OF)
        assert summary.adherence[7] == adherence.Adherence(24, 28)
        assert summary.today == adherence.Adherence(4, 4)

    def test_a_past_day_ends_its_windows_with_itself(self, rx):
        do_program(rx, range(0, 7))
        summary = summary_of(rx.patient)
        assert (summary.windows[7].start, summary.windows[7].last) == (ago(6), AS_OF)
        assert summary.adherence[7] == adherence.Adherence(28, 28)
        assert summary.today is None

    @pytest.mark.parametrize("days", adherence.ADHERENCE_WINDOWS)
    def test_every_window_has_its_full_number_of_days(self, rx, days):
        for today in (AS_OF, AS_OF + timedelta(days=1)):
            summary = summary_of(rx.patient, today=today)
            assert summary.adherence[days].expected == 4 * days
            assert (summary.windows[days].end - summary.windows[days].start).days == days

    def test_the_window_names_its_dates(self):
        window = adherence.adherence_window(
            14, report_day=date(2026, 12, 1), today=date(2026, 12, 1)
        )
        assert window.label == "Nov 17 – Nov 30"
        across = adherence.adherence_window(7, report_day=date(2027, 1, 3), today=date(2027, 1, 3))
        assert across.label == "Dec 27, 2026 – Jan 2, 2027"

    def test_the_month_is_thirty_whole_days(self, rx):
        do_program(rx, range(0, 31))
        (summary,) = summaries.patient_summaries(
            patients=[rx.patient], as_of=AS_OF, today=AS_OF, tz=TORONTO, with_month=True
        )
        assert len(summary.daily) == 30
        assert summary.month_total == adherence.Adherence(120, 120)


def _pain_days(patient, first_day_ago, scores):
    for offset, score in enumerate(scores):
        make_pain(patient, at=at(ago(first_day_ago - offset)), score=score)


def baseline_week(patient, scores):
    """``scores`` on each of the program's first seven days (it started 40 days ago)."""
    for days_ago in range(34, 41):
        for hour, score in enumerate(scores, start=8):
            make_pain(patient, at=at(ago(days_ago), hour), score=score)


class TestPainThresholds:
    """Each threshold at, just below and just above its boundary, compared exactly."""

    @pytest.mark.parametrize(
        ("current", "worse"),
        [((5, 5, 6), True), ((5, 5, 5), False), ((5, 6, 6), True)],
        ids=["exactly 2.0", "1.7", "2.3"],
    )
    def test_pain_worse_at_two_points(self, rx, current, worse):
        baseline_week(rx.patient, [3, 3, 4])  # baseline 10/3
        _pain_days(rx.patient, 2, current)
        summary = summary_of(rx.patient)
        assert summary.pain_baseline.value == Fraction(10, 3)
        assert ("pain_worse" in codes(summary)) is worse

    def test_exactly_two_points_is_exact_where_floats_are_not(self, rx):
        baseline_week(rx.patient, [3, 3, 4])
        _pain_days(rx.patient, 2, [5, 5, 6])
        change = summary_of(rx.patient).pain_change
        assert 16 / 3 - 10 / 3 < 2  # what a float comparison would have said
        assert change.points == 2
        assert change.worse
        assert change.meaningful

    @pytest.mark.parametrize(("score", "severe"), [(6, False), (7, True), (8, True)])
    def test_severe_pain_at_seven(self, rx, score, severe):
        make_pain(rx.patient, at=at(ago(1)), score=score)
        assert ("severe_pain" in codes(summary_of(rx.patient))) is severe

    def test_a_severe_score_given_today_flags_at_once(self, rx):
        make_pain(rx.patient, at=at(AS_OF, 8), score=8)
        summary = summary_of(rx.patient, today=AS_OF)
        assert codes(summary)[0] == "severe_pain"

    @pytest.mark.parametrize(
        ("baseline", "current", "meaningful"),
        [((5,), (4,), False), ((5,), (3,), True), ((10,), (7,), True), ((4,), (3,), False)],
        ids=["-1 point -20 %", "-2 points", "-30 %", "-25 %"],
    )
    def test_a_change_of_two_points_or_thirty_percent_is_meaningful(
        self, rx, baseline, current, meaningful
    ):
        baseline_week(rx.patient, baseline)
        _pain_days(rx.patient, 1, current)
        assert summary_of(rx.patient).pain_change.meaningful is meaningful

    def test_the_change_is_shown_as_points_and_percent(self, rx):
        baseline_week(rx.patient, [4])
        _pain_days(rx.patient, 1, [3])
        change = summary_of(rx.patient).pain_change
        assert (change.points_shown, change.percent_shown) == ("-1.0", "-25 %")

    def test_no_percentage_of_a_baseline_of_zero(self, rx):
        baseline_week(rx.patient, [0])
        _pain_days(rx.patient, 1, [2])
        change = summary_of(rx.patient).pain_change
        assert change.percent is None
        assert change.worse


class TestActivityThresholds:
    @pytest.mark.parametrize(("last_full", "inactive"), [(2, False), (3, True), (4, True)])
    def test_inactive_from_three_days(self, rx, last_full, inactive):
        do_program(rx, [last_full])
        assert ("inactive" in codes(summary_of(rx.patient))) is inactive

    @pytest.fixture
    def five_a_day(self, alice_patient):
        """Five holds a day, on no particular side: 70 over 14 days, so 50 % and 80 %
        are whole numbers of holds."""
        level = make_level(make_exercise(name="Cat camel"), 1, each_side=False)
        make_level(level.exercise, 2)
        return make_prescription(alice_patient, level, start_date=ago(40), holds_per_side=5)

    def hold_times(self, rx, count):
        for index in range(count):
            make_hold(rx, at=at(ago(index // 5)), side="none")

    @pytest.mark.parametrize(("holds", "low"), [(34, True), (35, False), (36, False)])
    def test_low_adherence_under_fifty_percent(self, five_a_day, holds, low):
        self.hold_times(five_a_day, holds)
        summary = summary_of(five_a_day.patient)
        assert summary.adherence[14].expected == 70
        assert ("low_adherence" in codes(summary)) is low

    @pytest.mark.parametrize(("holds", "ready"), [(55, False), (56, True), (57, True)])
    def test_ready_from_eighty_percent(self, five_a_day, holds, ready):
        self.hold_times(five_a_day, holds)
        make_pain(five_a_day.patient, at=at(ago(1)), score=2)
        assert ("ready" in codes(summary_of(five_a_day.patient))) is ready

    @pytest.mark.parametrize(("score", "ready"), [(3, True), (4, False)])
    def test_ready_needs_current_pain_of_three_or_less(self, rx, score, ready):
        do_program(rx, range(14))
        make_pain(rx.patient, at=at(ago(40)), score=score)
        make_pain(rx.patient, at=at(ago(1)), score=score)
        assert ("ready" in codes(summary_of(rx.patient))) is ready


class TestReadiness:
    def _on_level_for(self, alice_patient, level_1, days):
        rx = make_prescription(alice_patient, level_1, start_date=ago(days - 1))
        do_program(rx, range(days))
        make_pain(alice_patient, at=at(ago(0)), score=1)
        return summary_of(alice_patient)

    def test_it_is_not_judged_before_the_fourteenth_day(self, alice_patient, level_1):
        summary = self._on_level_for(alice_patient, level_1, 9)
        assert "ready" not in codes(summary)
        assert summary.readiness.note == "not judged yet (day 9 of 14)"

    def test_it_is_judged_on_the_fourteenth_day(self, alice_patient, level_1):
        summary = self._on_level_for(alice_patient, level_1, 14)
        assert summary.readiness.judged
        assert "ready" in codes(summary)

    def test_on_the_last_level_there_is_nothing_to_judge(self, alice_patient, level_2):
        make_prescription(alice_patient, level_2, start_date=ago(3))
        assert summary_of(alice_patient).readiness is None

    def test_a_report_of_today_counts_the_days_before_today(self, alice_patient, level_1):
        make_prescription(alice_patient, level_1, start_date=ago(8))
        summary = summary_of(alice_patient, today=AS_OF)
        assert summary.readiness.note == "not judged yet (day 8 of 14)"


class TestBaseline:
    def test_it_is_the_first_seven_days_with_scores_since_the_start(self, rx):
        # No score in the program's first week: the baseline waits for seven days of them.
        for days_ago in (30, 28, 27, 25, 24, 22, 21):
            make_pain(rx.patient, at=at(ago(days_ago)), score=4)
        make_pain(rx.patient, at=at(ago(21), 20), score=6)  # a second score on day seven
        make_pain(rx.patient, at=at(ago(20)), score=9)  # the eighth day with a score
        baseline = summary_of(rx.patient).pain_baseline
        assert baseline == Mean(value=Fraction(34, 8), count=8)

    def test_sparse_scores_are_looked_for_in_the_whole_program(self, rx, bob_patient, level_1):
        # One score every five days: the seventh comes on day 31 of the program.
        for into_program in range(0, 40, 5):
            make_pain(rx.patient, at=at(ago(40 - into_program)), score=into_program // 5)
        bob_rx = make_prescription(bob_patient, level_1, start_date=ago(40))
        _pain_days(bob_rx.patient, 40, [1, 1, 1, 1, 1, 1, 1, 9])
        found = summaries.patient_summaries(
            patients=[rx.patient, bob_patient], as_of=AS_OF, today=AS_OF, tz=TORONTO
        )
        baselines = {summary.patient.pk: summary.pain_baseline for summary in found}
        assert baselines[rx.patient.pk] == Mean(value=Fraction(21, 7), count=7)
        assert baselines[bob_patient.pk] == Mean(value=1, count=7)

    def test_scores_from_before_the_program_do_not_count(self, rx):
        make_pain(rx.patient, at=at(ago(45)), score=9)
        make_pain(rx.patient, at=at(ago(39)), score=2)
        assert summary_of(rx.patient).pain_baseline == Mean(value=2, count=1)

    def test_an_intake_score_is_the_baseline(self, rx, carol):
        _pain_days(rx.patient, 40, [2, 2, 2])
        make_intake(rx.patient, carol, at=at(ago(41)), score=6)
        summary = summary_of(rx.patient)
        assert summary.pain_baseline == Mean(value=6, count=1, source="intake")

    def test_an_intake_score_is_not_the_patients_own(self, rx, carol):
        make_intake(rx.patient, carol, at=at(ago(1)), score=8)
        summary = summary_of(rx.patient)
        assert summary.pain_current is None
        assert "severe_pain" not in codes(summary)
        assert summary.days_with_data == 0

    def test_the_latest_intake_score_stands(self, rx, carol):
        make_intake(rx.patient, carol, at=at(ago(41)), score=6)
        make_intake(rx.patient, carol, at=at(ago(39)), score=5)
        make_intake(rx.patient, carol, at=at(AS_OF + timedelta(days=1)), score=1)  # after
        assert summary_of(rx.patient).pain_baseline.value == 5


def test_the_flag_rules_name_the_window_they_judge():
    assert flags.JUDGED_WINDOW in adherence.ADHERENCE_WINDOWS
