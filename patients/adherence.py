"""Adherence: the day arithmetic, in one place.

Every function takes its dates (and the clinic's time zone) as arguments and never asks
for the current time, so the pages, the exports, the benchmark and the tests share the
same arithmetic. The rules (also in the README and on the clinician's report):

- Expected holds on a day: for each prescription active that day and set for that day
  of the week, holds per side x (2 if the level is done on each side, else 1) x sessions
  per day; nothing on a day the patient's program is paused (a holiday, an illness).
- Done holds on a day: per prescription and side, the holds that lasted at least its
  target, capped at what was expected, so extra holds on one day (or on one side) do not
  hide a missed day. On the day a prescription replaced another (a new dose, a new
  level), the holds already done that day for the one it replaced count for it too: a
  change in the afternoon does not wipe out the morning.
- A window of N days (adherence_window): the N complete days that end with the report's
  day once that day is over, or with yesterday while the report's day is today. Today's
  holds are shown on their own ("today so far"), so a morning never reads as a missed
  day and a window always has N days.
- A reading window of N days (reading_window): the N days that end with the report's day,
  today's entries so far included. Pain scores and days with data use it: a score given
  this morning is a whole reading, and a severe one must not wait until tomorrow.
- Adherence over a window: the sum of done over the sum of expected, as a percentage; a
  window with nothing expected has no percentage ("no program").
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from patients.models import EVERY_DAY, HoldLog, Prescription, ProgramPause
from portal.clock import day_start, days_between

ADHERENCE_WINDOWS = (7, 14, 28)
# The patient's pages and the clinician's record show a month of days.
MONTH_DAYS = 30
# What the hold counts count: a column of the index on patient and time (see HoldLog),
# so that PostgreSQL answers them from the index alone; counting ids would send it to
# the table for every hold.
INDEXED = "performed_at"


@dataclass(frozen=True)
class Window:
    """Whole clinic days: from ``start`` up to, not including, ``end``."""

    days: int
    start: date
    end: date

    @property
    def last(self):
        return self.end - timedelta(days=1)

    def covers(self, day):
        return self.start <= day < self.end

    @property
    def label(self):
        """The dates it covers, as every page names them: "Nov 17 – Nov 30"."""
        first, last = self.start, self.last
        if first.year != last.year:
            return f"{first:%b} {first.day}, {first.year} – {last:%b} {last.day}, {last.year}"
        return f"{first:%b} {first.day} – {last:%b} {last.day}"


def adherence_window(days, *, report_day, today):
    """The ``days`` complete days that end with ``report_day`` once it is over, or with
    the day before while ``report_day`` is ``today``."""
    last = report_day - timedelta(days=1) if report_day >= today else report_day
    end = last + timedelta(days=1)
    return Window(days=days, start=end - timedelta(days=days), end=end)


def reading_window(days, *, report_day):
    """The ``days`` days that end with ``report_day``, that day's entries so far
    included."""
    end = report_day + timedelta(days=1)
    return Window(days=days, start=end - timedelta(days=days), end=end)


def is_today(report_day, today):
    return report_day >= today


@dataclass(frozen=True)
class Adherence:
    done: int
    expected: int

    @property
    def has_program(self):
        return self.expected > 0

    @property
    def percent(self):
        """Rounded for display; thresholds compare with at_least(), exactly."""
        if not self.expected:
            return None
        return round(100 * self.done / self.expected)


NOTHING = Adherence(done=0, expected=0)


def at_least(result, percent):
    """Whether ``result`` reaches ``percent``, compared exactly (no rounding)."""
    return result.has_program and result.done * 100 >= percent * result.expected


def is_complete(result):
    return result.has_program and result.done >= result.expected


def hold_counts(*, patient_ids, start, end, tz):
    """Every day, side and prescription held in [start, end) by these patients, with the
    holds that lasted the target: tuples of (patient id, prescription id, day, side,
    full holds), the last of which may be 0 (a day held, but not long enough).

    The one grouped count of holds: the report's adherence (the full holds) and its days
    with data (any hold) read it once, and the patient's pages and the timer read it too.
    Plain tuples: a clinic's report has a hundred thousand of them.
    """
    return list(
        HoldLog.objects.filter(patient_id__in=patient_ids)
        .between(day_start(start, tz), day_start(end, tz))
        .annotate(day=TruncDate("performed_at", tzinfo=tz))
        .values_list("patient_id", "prescription_id", "day", "side")
        .annotate(full=Count(INDEXED, filter=Q(qualifying=True)))
        .order_by()
    )


def full_holds(rows):
    """The holds that lasted their target, from hold_counts() rows:
    {(prescription id, day, side): holds}."""
    return {
        (prescription_id, day, side): full for _, prescription_id, day, side, full in rows if full
    }


def pauses_by_patient(*, patient_ids, start, end):
    """The pauses of these patients' programs over [start, end): {patient id: [pauses]}.
    One query."""
    found = defaultdict(list)
    for pause in ProgramPause.objects.filter(patient_id__in=patient_ids).overlapping(start, end):
        found[pause.patient_id].append(pause)
    return found


def daily_adherence(*, patient_ids, start, end, tz):
    """For each patient, an Adherence per day in [start, end).

    ``patient_ids`` may be a list or a queryset of ids. Three queries, whatever the
    number of patients or the length of their history.
    """
    prescriptions = list(
        Prescription.objects.filter(patient_id__in=patient_ids)
        .overlapping(start, end)
        .select_related("level")
    )
    counts = full_holds(hold_counts(patient_ids=patient_ids, start=start, end=end, tz=tz))
    pauses = pauses_by_patient(patient_ids=patient_ids, start=start, end=end)
    return adherence_by_day(prescriptions, counts, start, end, pauses)


def adherence_by_day(prescriptions, counts, start, end, pauses):
    """For each patient, an Adherence per day in [start, end), from their prescriptions
    over those days, full_holds() and pauses_by_patient() over the same days. No query.

    The clinic's report runs this over a hundred thousand prescription-days: each
    prescription walks only the days it is active, and the day's weekday, pause and
    replacement are looked at only where a prescription has them.
    """
    days = days_between(start, end)
    paused = {
        patient_id: {day for day in days if any(pause.covers(day) for pause in found)}
        for patient_id, found in pauses.items()
    }
    # Sums of holds done and expected per patient and day, made into Adherences at the
    # end: a large clinic has tens of thousands of patient-days.
    done, expected = defaultdict(Counter), defaultdict(Counter)
    for prescription in prescriptions:
        per_side, asked = prescription.holds_per_side_per_day, prescription.holds_per_day
        keys = [(prescription.pk, side.value) for side in prescription.sides]
        patient_id = prescription.patient_id
        patient_done, patient_expected = done[patient_id], expected[patient_id]
        own_paused = paused.get(patient_id)
        weekdays = prescription.weekdays
        changed_on = prescription.start_date if prescription.progressed_from_id else None
        first = max(prescription.start_date, start)
        last = min(prescription.end_date or end, end)
        for day in days[(first - start).days : max((last - start).days, 0)]:
            if weekdays != EVERY_DAY and not weekdays >> day.weekday() & 1:
                continue
            if own_paused and day in own_paused:
                continue
            if day == changed_on:
                held_today = sum(
                    min(held(counts, prescription, day, side), per_side) for _, side in keys
                )
            else:
                held_today = 0
                for pk, side in keys:
                    # Capped side by side: four holds on the left are not a day's program.
                    held_today += min(counts.get((pk, day, side), 0), per_side)
            patient_done[day] += held_today
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


def held(counts, prescription, day, side):
    """The full holds that count for ``prescription`` on ``day`` and ``side``, uncapped,
    from full_holds(): its own, and on the day it replaced another, the replaced one's
    of that day."""
    holds = counts.get((prescription.pk, day, side), 0)
    if prescription.progressed_from_id is not None and day == prescription.start_date:
        holds += counts.get((prescription.progressed_from_id, day, side), 0)
    return holds


def holds_by_side(*, prescription, day, tz):
    """What counts for one prescription on ``day``: {side: full holds}. One query."""
    rows = hold_counts(
        patient_ids=[prescription.patient_id], start=day, end=day + timedelta(days=1), tz=tz
    )
    counts = full_holds(rows)
    return {side.value: held(counts, prescription, day, side.value) for side in prescription.sides}


def total(daily, window=None):
    """The Adherence of the days of ``daily`` inside ``window`` (all of them without)."""
    done = expected = 0
    start, end = (window.start, window.end) if window else (date.min, date.max)
    for day, result in daily.items():
        if start <= day < end:
            done += result.done
            expected += result.expected
    return Adherence(done, expected)


def streak(daily, today):
    """Days in a row on which the whole program was done, ending today or yesterday.

    Today counts once it is complete; until then an unfinished today does not break a
    streak that ran to yesterday.
    """
    count = 0
    day = today
    if not is_complete(daily.get(today, NOTHING)):
        day = today - timedelta(days=1)
    while is_complete(daily.get(day, NOTHING)):
        count += 1
        day -= timedelta(days=1)
    return count
