"""Adherence: the one place it is computed.

Every function takes its dates (and the clinic's time zone) as arguments and never asks
for the current time, so the pages, the exports and the tests share the same arithmetic.

Definitions (also in the README and on the clinician's report):
- Expected holds on a day: for each prescription active that day, holds per side x
  (2 if the level is done on each side, else 1) x sessions per day.
- Done holds on a day: per prescription and side, the holds that lasted at least its
  target, capped at what was expected, so extra holds on one day (or on one side) do not
  hide a missed day.
- Adherence over a window: the sum of done over the sum of expected, as a percentage;
  a window with nothing expected has no percentage ("no program").
- Days with data: days in the last 30 with any hold or pain score (remote therapeutic
  monitoring bills on 16 or more of 30).
- Pain baseline: the mean of the scores in the first 7 days of the patient's program
  (from their first prescription's start); current: the mean of the last 7 days. A
  change of 2 points on the 0-10 scale is clinically meaningful.
- Flags: pain worse (current - baseline >= 2), severe pain (any score >= 7 in the last
  7 days), inactive (no qualifying hold for 3 days or more), low adherence (under 50 %
  over 14 days), ready to progress (at least 80 % over 14 days, pain not worse, current
  pain at most 3, and a next level exists).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import TruncDate

from exercises.models import Level
from patients.models import HoldLog, PainScore, Patient, Prescription

ADHERENCE_WINDOWS = (7, 14, 28)
DATA_WINDOW_DAYS = 30
BILLABLE_DAYS = 16
PAIN_WINDOW_DAYS = 7
PAIN_TREND_DAYS = 28
MEANINGFUL_PAIN_CHANGE = 2
SEVERE_PAIN = 7
INACTIVE_DAYS = 3
LOW_ADHERENCE_PERCENT = 50
READY_ADHERENCE_PERCENT = 80
READY_PAIN_AT_MOST = 3
READY_AFTER_DAYS = 14
NO_PROGRAM_DAY = date(2000, 1, 3)
# What the hold counts count: a column of the index on patient and time (see HoldLog),
# so that PostgreSQL answers them from the index alone; counting ids would send it to
# the table for every hold.
INDEXED = "performed_at"


def day_start(day, tz):
    """The first instant of ``day`` in the clinic's time zone."""
    return datetime.combine(day, time.min, tzinfo=tz)


def days_between(start, end):
    """Each date in [start, end)."""
    return [start + timedelta(days=offset) for offset in range((end - start).days)]


@dataclass(frozen=True)
class Adherence:
    done: int
    expected: int

    @property
    def has_program(self):
        return self.expected > 0

    @property
    def percent(self):
        if not self.expected:
            return None
        return round(100 * self.done / self.expected)


NOTHING = Adherence(done=0, expected=0)


def daily_adherence(*, patient_ids, start, end, tz):
    """For each patient, an Adherence per day in [start, end).

    ``patient_ids`` may be a list or a queryset of ids. Two queries, whatever the number
    of patients or the length of their history.
    """
    prescriptions = list(
        Prescription.objects.filter(patient_id__in=patient_ids)
        .overlapping(start, end)
        .select_related("level")
    )
    counts = qualifying_counts(patient_ids=patient_ids, start=start, end=end, tz=tz)
    return adherence_by_day(prescriptions, counts, start, end)


def qualifying_counts(*, patient_ids, start, end, tz):
    """The qualifying holds in [start, end): {(prescription id, day, side): holds}. One
    query, on the holds alone."""
    rows = (
        HoldLog.objects.filter(patient_id__in=patient_ids)
        .between(day_start(start, tz), day_start(end, tz))
        .qualifying()
        .annotate(day=TruncDate("performed_at", tzinfo=tz))
        .values_list("prescription_id", "day", "side")
        .annotate(holds=Count(INDEXED))
        .order_by()
    )
    return {(prescription_id, day, side): holds for prescription_id, day, side, holds in rows}


def adherence_by_day(prescriptions, counts, start, end):
    """For each patient, an Adherence per day in [start, end), from their prescriptions
    over those days and qualifying_counts() over the same days. No query."""
    days = days_between(start, end)
    # Sums of holds done and expected per patient and day, made into Adherences at the
    # end: a large clinic has tens of thousands of patient-days.
    done, expected = defaultdict(Counter), defaultdict(Counter)
    for prescription in prescriptions:
        per_side, asked = prescription.holds_per_side_per_day, prescription.holds_per_day
        keys = [(prescription.pk, side.value) for side in prescription.sides]
        patient_done, patient_expected = (
            done[prescription.patient_id],
            expected[prescription.patient_id],
        )
        for day in days:
            if prescription.is_active_on(day):
                held = 0
                for pk, side in keys:
                    # Capped side by side: four holds on the left are not a day's program.
                    held += min(counts.get((pk, day, side), 0), per_side)
                patient_done[day] += held
                patient_expected[day] += asked
    by_patient = defaultdict(lambda: dict.fromkeys(days, NOTHING))
    for patient_id, patient_expected in expected.items():
        patient_done = done[patient_id]
        by_patient[patient_id] = {
            day: Adherence(patient_done[day], patient_expected[day])
            if day in patient_expected
            else NOTHING
            for day in days
        }
    return by_patient


def holds_on(counts, day):
    """One day's qualifying holds, uncapped, from qualifying_counts():
    {prescription id: {side: holds}}."""
    result = defaultdict(dict)
    for (prescription_id, counted_day, side), holds in counts.items():
        if counted_day == day:
            result[prescription_id][side] = holds
    return result


def total(days, start=None, end=None):
    """The Adherence of the days in [start, end) (all of them by default)."""
    done = expected = 0
    for day, adherence in days.items():
        if (start is None or day >= start) and (end is None or day < end):
            done += adherence.done
            expected += adherence.expected
    return Adherence(done, expected)


def streak(days, today):
    """Days in a row on which the whole program was done, ending today or yesterday.

    Today counts once it is complete; until then an unfinished today does not break a
    streak that ran to yesterday.
    """
    count = 0
    day = today
    if not is_complete(days.get(today, NOTHING)):
        day = today - timedelta(days=1)
    while is_complete(days.get(day, NOTHING)):
        count += 1
        day -= timedelta(days=1)
    return count


def is_complete(adherence):
    return adherence.has_program and adherence.done >= adherence.expected


def holds_by_side(*, prescription, day, tz):
    """One prescription's qualifying holds on ``day``: {side: holds}. One query."""
    counts = qualifying_counts(
        patient_ids=[prescription.patient_id], start=day, end=day + timedelta(days=1), tz=tz
    )
    return holds_on(counts, day).get(prescription.pk, {})


def local_date(moment, tz):
    """The clinic-time calendar day of an aware datetime."""
    return moment.astimezone(tz).date()


def hold_counts(*, patient_ids, start, end, tz):
    """The days, sides and prescriptions of every hold in [start, end) of these
    patients, with the qualifying holds of each: rows of (patient id, prescription id,
    day, side, qualifying holds), the last of which may be 0.

    One query, which serves both the adherence (the qualifying holds) and the days with
    data (any hold), so a report reads a clinic's holds once.
    """
    return list(
        HoldLog.objects.filter(patient_id__in=patient_ids)
        .between(day_start(start, tz), day_start(end, tz))
        .annotate(day=TruncDate("performed_at", tzinfo=tz))
        .values_list("patient_id", "prescription_id", "day", "side")
        .annotate(full=Count(INDEXED, filter=Q(qualifying=True)))
        .order_by()
    )


def pain_by_day(scores, tz):
    """One patient's (score, recorded_at) pairs as {clinic day: [scores]}."""
    by_day = defaultdict(list)
    for score, recorded_at in scores:
        by_day[local_date(recorded_at, tz)].append(score)
    return by_day


def severe_pain(scores_by_day, as_of):
    """Of one patient's {day: [scores]}, the severe days among the 7 up to ``as_of``: the
    worst score and the (last) day it was given, or None. No query."""
    start = as_of - timedelta(days=PAIN_WINDOW_DAYS - 1)
    severe = {
        day: max(scores)
        for day, scores in scores_by_day.items()
        if start <= day <= as_of and max(scores) >= SEVERE_PAIN
    }
    return worst_day(severe) if severe else None


def worst_day(scores_by_day):
    """(worst score, the last day it was given) of {day: score}."""
    worst = max(scores_by_day.values())
    return worst, max(day for day, score in scores_by_day.items() if score == worst)


def settled(days, today):
    """The days to count: every day up to today, and today itself only once its program
    is complete, so that a morning does not read as a missed day."""
    return {day: result for day, result in days.items() if day != today or is_complete(result)}


def at_least(result, percent):
    """Whether ``result`` reaches ``percent``, compared exactly (no rounding)."""
    return result.has_program and result.done * 100 >= percent * result.expected


@dataclass(frozen=True)
class Flag:
    code: str
    label: str
    reason: str


# Most urgent first: the order of the report's default sort and of each row's flags.
FLAGS = {
    "severe_pain": "Severe pain",
    "pain_worse": "Pain worse",
    "inactive": "Inactive",
    "low_adherence": "Low adherence",
    "ready": "Ready to progress",
}
ATTENTION = {code: rank for rank, code in enumerate(FLAGS)}


@dataclass
class PatientSummary:
    """Everything the clinician's report says about one patient, as of one day."""

    patient: object
    prescriptions: list
    # The Adherence of each day of the data window, up to the summary's day.
    daily: dict
    adherence: dict
    days_with_data: int
    last_activity: object
    last_qualifying_day: object
    program_start: object
    pain_baseline: float | None
    pain_current: float | None
    pain_trend: list
    severe: tuple | None
    next_levels: dict
    flags: list

    @property
    def pain_change(self):
        if self.pain_baseline is None or self.pain_current is None:
            return None
        return self.pain_current - self.pain_baseline

    @property
    def attention(self):
        """Sort key: the most urgent flag first, patients without flags last."""
        return min((ATTENTION[flag.code] for flag in self.flags), default=len(FLAGS))

    def has_flag(self, code):
        return any(flag.code == code for flag in self.flags)


def patient_summaries(*, patients, as_of, today, tz):
    """A PatientSummary per patient, as of the end of ``as_of`` in the clinic's zone.

    ``today`` is the clinic's current day: when the report is as of today, today counts
    only once its program is complete. The number of queries is fixed: it does not grow
    with the number of patients nor with the length of their history.
    """
    patients = list(patients)
    ids = [patient.pk for patient in patients]
    end = as_of + timedelta(days=1)
    prescriptions = list(
        Prescription.objects.filter(patient_id__in=ids, start_date__lte=as_of)
        .select_related("level__exercise")
        .order_by("start_date", "pk")
    )
    # The data window (30 days) covers the adherence windows and the pain trend (a test
    # keeps it so): the holds and the pain scores are read once for all of them.
    data_start = end - timedelta(days=DATA_WINDOW_DAYS)
    holds = hold_counts(patient_ids=ids, start=data_start, end=end, tz=tz)
    counts = {
        (prescription_id, day, side): full for _, prescription_id, day, side, full in holds if full
    }
    in_window = [
        prescription for prescription in prescriptions if prescription.overlaps(data_start, end)
    ]
    daily = adherence_by_day(in_window, counts, data_start, end)
    hold_days = defaultdict(set)
    for patient_id, _, day, *_ in holds:
        hold_days[patient_id].add(day)

    current = defaultdict(list)
    starts = {}
    for prescription in prescriptions:
        starts.setdefault(prescription.patient_id, prescription.start_date)
        if prescription.is_active_on(as_of):
            current[prescription.patient_id].append(prescription)

    activity = _last_activity(ids, end, tz)
    baselines = _pain_baselines(ids, set(starts.values()), tz)
    trend_start = end - timedelta(days=PAIN_TREND_DAYS)
    recent_pain = _daily_pain(ids, data_start, end, tz)
    next_levels = _next_levels(
        [prescription.level for found in current.values() for prescription in found]
    )

    summaries = []
    week_start = as_of - timedelta(days=PAIN_WINDOW_DAYS - 1)
    for patient in patients:
        days = settled(daily[patient.pk], today)
        pain_days = recent_pain.get(patient.pk, {})
        last_week = [
            score for day, scores in pain_days.items() if day >= week_start for score in scores
        ]
        summary = PatientSummary(
            patient=patient,
            prescriptions=current.get(patient.pk, []),
            daily=daily[patient.pk],
            adherence={
                window: total(days, start=end - timedelta(days=window))
                for window in ADHERENCE_WINDOWS
            },
            days_with_data=len(hold_days[patient.pk] | pain_days.keys()),
            last_activity=activity.get(patient.pk, {}).get("any"),
            last_qualifying_day=activity.get(patient.pk, {}).get("qualifying"),
            program_start=starts.get(patient.pk),
            pain_baseline=baselines.get(patient.pk),
            pain_current=sum(last_week) / len(last_week) if last_week else None,
            pain_trend=[
                (day, sum(scores) / len(scores))
                for day, scores in sorted(pain_days.items())
                if day >= trend_start
            ],
            severe=severe_pain(pain_days, as_of),
            next_levels={
                prescription.pk: next_levels.get(prescription.level_id)
                for prescription in current.get(patient.pk, [])
            },
            flags=[],
        )
        summary.flags = flags_for(summary, as_of)
        summaries.append(summary)
    return summaries


def flags_for(summary, as_of):
    """The flags of one summary, most urgent first, each with its reason in words."""
    flags = []
    if summary.severe:
        worst, day = summary.severe
        flags.append(
            Flag("severe_pain", FLAGS["severe_pain"], f"Pain {worst} on {day:%b} {day.day}")
        )
    change = summary.pain_change
    pain_worse = change is not None and change >= MEANINGFUL_PAIN_CHANGE
    if pain_worse:
        flags.append(
            Flag(
                "pain_worse",
                FLAGS["pain_worse"],
                f"Pain {summary.pain_current:.1f} this week "
                f"vs {summary.pain_baseline:.1f} at start",
            )
        )
    if summary.prescriptions:
        # Days without a full hold count from the last one, but never from before the
        # current program began: a patient back after a break starts afresh.
        started = min(prescription.start_date for prescription in summary.prescriptions)
        last = summary.last_qualifying_day
        idle_since = max(filter(None, [last, started - timedelta(days=1)]))
        idle_days = (as_of - idle_since).days
        if idle_days >= INACTIVE_DAYS:
            if last == idle_since:
                reason = f"No full hold for {idle_days} days (last {last:%b} {last.day})"
            else:
                reason = f"No full hold in the {idle_days} days since the program started"
            flags.append(Flag("inactive", FLAGS["inactive"], reason))
    fortnight = summary.adherence[14]
    if fortnight.has_program and not at_least(fortnight, LOW_ADHERENCE_PERCENT):
        flags.append(
            Flag(
                "low_adherence",
                FLAGS["low_adherence"],
                f"{fortnight.percent}% over 14 days ({fortnight.done} of {fortnight.expected})",
            )
        )
    # Only a prescription that has run the whole fortnight is judged on it.
    settled_in = [
        prescription.pk
        for prescription in summary.prescriptions
        if (as_of - prescription.start_date).days >= READY_AFTER_DAYS - 1
    ]
    ready_for = [
        level for pk, level in summary.next_levels.items() if level is not None and pk in settled_in
    ]
    if (
        ready_for
        and at_least(fortnight, READY_ADHERENCE_PERCENT)
        and not pain_worse
        and summary.pain_current is not None
        and summary.pain_current <= READY_PAIN_AT_MOST
    ):
        flags.append(
            Flag(
                "ready",
                FLAGS["ready"],
                f"{fortnight.percent}% over 14 days, pain {summary.pain_current:.1f}; "
                f"Level {ready_for[0].number} is next",
            )
        )
    return flags


def _last_activity(patient_ids, end, tz):
    """The last hold or pain score of each patient, and the day of the last full hold.

    One query; each patient's latest rows are read from the end of their index, so the
    cost does not grow with the length of their history (except for a patient none of
    whose holds lasted the full time: finding that out reads all of theirs).
    """
    cutoff = day_start(end, tz)
    holds = HoldLog.objects.filter(patient=OuterRef("pk"), performed_at__lt=cutoff).order_by(
        "-performed_at"
    )
    pains = PainScore.objects.filter(patient=OuterRef("pk"), recorded_at__lt=cutoff).order_by(
        "-recorded_at"
    )
    rows = (
        Patient.objects.filter(pk__in=patient_ids)
        .annotate(
            last_hold=Subquery(holds.values("performed_at")[:1]),
            last_full=Subquery(holds.qualifying().values("performed_at")[:1]),
            last_pain=Subquery(pains.values("recorded_at")[:1]),
        )
        .values_list("pk", "last_hold", "last_full", "last_pain")
        .order_by()
    )
    result = defaultdict(dict)
    for patient_id, last_hold, last_full, last_pain in rows:
        moments = [moment for moment in (last_hold, last_pain) if moment is not None]
        if moments:
            result[patient_id]["any"] = max(moments)
        if last_full is not None:
            result[patient_id]["qualifying"] = local_date(last_full, tz)
    return result


def _pain_baselines(patient_ids, program_starts, tz):
    """The mean pain of each patient's first week on the program.

    ``program_starts`` (the patients' first days) bound the scan, so old history between
    the first week and now is not read.
    """
    # Without any program the window is an empty week; the query still runs, so the
    # number of queries never depends on the data.
    first = min(program_starts, default=NO_PROGRAM_DAY)
    last = max(program_starts, default=NO_PROGRAM_DAY)
    program_start = (
        Prescription.objects.filter(patient=OuterRef("patient"))
        .order_by()
        .values("patient")
        .annotate(first=Min("start_date"))
        .values("first")
    )
    rows = (
        PainScore.objects.filter(patient_id__in=patient_ids)
        .between(day_start(first, tz), day_start(last + timedelta(days=PAIN_WINDOW_DAYS), tz))
        .annotate(
            day=TruncDate("recorded_at", tzinfo=tz),
            program_start=Subquery(program_start),
        )
        .annotate(
            into_program=ExpressionWrapper(
                F("day") - F("program_start"), output_field=DurationField()
            )
        )
        .filter(into_program__gte=timedelta(0), into_program__lt=timedelta(days=PAIN_WINDOW_DAYS))
        .values("patient_id")
        .annotate(mean=Avg("score"))
        .order_by()
    )
    return {row["patient_id"]: row["mean"] for row in rows}


def _daily_pain(patient_ids, start, end, tz):
    """For each patient, every score of each day in [start, end)."""
    rows = (
        PainScore.objects.filter(patient_id__in=patient_ids)
        .between(day_start(start, tz), day_start(end, tz))
        .annotate(day=TruncDate("recorded_at", tzinfo=tz))
        .values_list("patient_id", "day", "score")
        .order_by()
    )
    result = defaultdict(lambda: defaultdict(list))
    for patient_id, day, score in rows:
        result[patient_id][day].append(score)
    return result


def _next_levels(levels):
    """For each level, the next published level of the same exercise, or None."""
    exercise_ids = {level.exercise_id for level in levels}
    if not exercise_ids:
        return {}
    published = list(
        Level.objects.published().filter(exercise_id__in=exercise_ids).order_by("number")
    )
    result = {}
    for level in levels:
        following = [
            other
            for other in published
            if other.exercise_id == level.exercise_id and other.number > level.number
        ]
        result[level.pk] = following[0] if following else None
    return result
