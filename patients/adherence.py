"""Adherence: the one place it is computed.

Every function takes its dates (and the clinic's time zone) as arguments and never asks
for the current time, so the pages, the exports and the tests share the same arithmetic.

Definitions (also in the README and on the clinician's report):
- Expected holds on a day: for each prescription active that day, holds per side x
  (2 if the level is done on each side, else 1) x sessions per day.
- Done holds on a day: per prescription, the holds that lasted at least its target,
  capped at what was expected, so extra holds on one day do not hide a missed day.
- Adherence over a window: the sum of done over the sum of expected, as a percentage;
  a window with nothing expected has no percentage ("no program").
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, F
from django.db.models.functions import TruncDate

from patients.models import HoldLog, Prescription


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

    def __add__(self, other):
        return Adherence(self.done + other.done, self.expected + other.expected)


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
    qualifying = (
        HoldLog.objects.filter(patient_id__in=patient_ids)
        .between(day_start(start, tz), day_start(end, tz))
        .filter(seconds__gte=F("prescription__target_seconds"))
        .annotate(day=TruncDate("performed_at", tzinfo=tz))
        .values("prescription_id", "day")
        .annotate(holds=Count("id"))
        .order_by()
    )
    done = {(row["prescription_id"], row["day"]): row["holds"] for row in qualifying}

    days = days_between(start, end)
    by_patient = defaultdict(lambda: dict.fromkeys(days, NOTHING))
    for prescription in prescriptions:
        expected = prescription.holds_per_day
        patient_days = by_patient[prescription.patient_id]
        for day in days:
            if prescription.is_active_on(day):
                holds = min(done.get((prescription.pk, day), 0), expected)
                patient_days[day] = patient_days[day] + Adherence(holds, expected)
    return by_patient


def total(days, start=None, end=None):
    """The Adherence of the days in [start, end) (all of them by default)."""
    result = NOTHING
    for day, adherence in days.items():
        if (start is None or day >= start) and (end is None or day < end):
            result = result + adherence
    return result


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


def holds_by_side(*, patient, day, tz):
    """Today's qualifying holds per prescription and side: {prescription_id: {side: n}}."""
    rows = (
        HoldLog.objects.for_patient(patient)
        .between(day_start(day, tz), day_start(day + timedelta(days=1), tz))
        .qualifying()
        .values("prescription_id", "side")
        .annotate(holds=Count("id"))
        .order_by()
    )
    result = defaultdict(dict)
    for row in rows:
        result[row["prescription_id"]][row["side"]] = row["holds"]
    return result


def local_date(moment, tz):
    """The clinic-time calendar day of an aware datetime."""
    return moment.astimezone(tz).date()
