"""Remote therapeutic monitoring (RTM): what the portal's data supports, as CMS pays for
it from 2026. A clinic setting (PORTAL_REMOTE_MONITORING) turns it on; off by default.

- Device supply: 30-day periods from the patient's monitoring start (by default their
  first prescription's start). A day with data is a day with a hold or a pain score the
  patient gave. A period with under 2 days supports nothing, 2-15 days CPT 98985, and
  16-30 days CPT 98977.
- Treatment management: the minutes clinicians log per calendar month. With at least one
  live, interactive contact in the month, 10 minutes support CPT 98979, 20 minutes CPT
  98980, and each further full 20 minutes one CPT 98981.

Payers' rules vary; the pages say so, and the clinic confirms what it bills. The rules
here are pure; month_rows() reads what the monthly CSV needs in a fixed number of
queries, the holds through the one grouped hold count (adherence.hold_counts).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDate

from patients.adherence import hold_counts
from patients.models import MonitoringTime, PainScore, Prescription
from portal.clock import day_start

PERIOD_DAYS = 30
FEW_DAYS_CODE, MANY_DAYS_CODE = "98985", "98977"
FEW_DAYS_FROM, MANY_DAYS_FROM = 2, 16
SHORT_TIME_CODE, FIRST_20_CODE, FURTHER_20_CODE = "98979", "98980", "98981"
SHORT_TIME_FROM, BLOCK_MINUTES = 10, 20
PAYERS_VARY = (
    "These figures show what the portal's records support. Payers' rules vary: the clinic "
    "confirms what it bills."
)


def device_supply_code(days_with_data):
    """The device-supply code a period with this many days with data reaches, or None."""
    if days_with_data >= MANY_DAYS_FROM:
        return MANY_DAYS_CODE
    if days_with_data >= FEW_DAYS_FROM:
        return FEW_DAYS_CODE
    return None


def management_codes(minutes, live_contact):
    """The treatment-management codes a month's minutes support: [(code, units)]."""
    if not live_contact or minutes < SHORT_TIME_FROM:
        return []
    if minutes < BLOCK_MINUTES:
        return [(SHORT_TIME_CODE, 1)]
    further = (minutes - BLOCK_MINUTES) // BLOCK_MINUTES
    return [(FIRST_20_CODE, 1)] + ([(FURTHER_20_CODE, further)] if further else [])


def codes_label(codes):
    return ", ".join(code if units == 1 else f"{code} x {units}" for code, units in codes)


@dataclass(frozen=True)
class Period:
    """One 30-day device-supply period: [start, end), the ``number``-th from the
    monitoring start, with its days with data up to ``as_of``."""

    number: int
    start: date
    end: date
    as_of: date
    days_with_data: int

    @property
    def last(self):
        return self.end - timedelta(days=1)

    @property
    def complete(self):
        return self.as_of >= self.last

    @property
    def days_left(self):
        """The period's days after ``as_of``."""
        return max((self.last - self.as_of).days, 0)

    @property
    def code(self):
        return device_supply_code(self.days_with_data)

    @property
    def days_to_next_tier(self):
        """How many more days with data reach the next tier, or None at the top."""
        for threshold in (FEW_DAYS_FROM, MANY_DAYS_FROM):
            if self.days_with_data < threshold:
                return threshold - self.days_with_data
        return None


def period_bounds(start, day):
    """(number, first day, end) of the period from ``start`` that contains ``day``."""
    index = (day - start).days // PERIOD_DAYS
    first = start + timedelta(days=index * PERIOD_DAYS)
    return index + 1, first, first + timedelta(days=PERIOD_DAYS)


def current_period(*, start, as_of, data_days):
    """The Period that contains ``as_of``, counting the days of ``data_days`` (a set of
    dates) within it up to ``as_of``; None before monitoring starts."""
    if start is None or as_of < start:
        return None
    number, first, end = period_bounds(start, as_of)
    days = sum(1 for day in data_days if first <= day <= as_of)
    return Period(number=number, start=first, end=end, as_of=as_of, days_with_data=days)


@dataclass(frozen=True)
class MonthOfTime:
    """The management time logged for one patient in one calendar month."""

    month: date
    minutes: int
    live_contact: bool

    @property
    def codes(self):
        return management_codes(self.minutes, self.live_contact)

    @property
    def codes_label(self):
        return codes_label(self.codes) or "none yet"

    @classmethod
    def of(cls, entries, month):
        """The MonthOfTime of one patient's MonitoringTime entries of ``month``."""
        return cls(
            month=month.replace(day=1),
            minutes=sum(entry.minutes for entry in entries),
            live_contact=any(entry.live_contact for entry in entries),
        )


def month_bounds(month):
    """[first day, first day of the next month) of the month that ``month`` is in."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


@dataclass(frozen=True)
class MonthRow:
    """A row of the monthly CSV: one patient's period that ends in the month (or the one
    under way at its end), with the month's management time on the patient's last row
    of the month."""

    patient: object
    # None for time logged before the patient's monitoring began.
    period: Period | None
    time: MonthOfTime | None


def month_rows(*, patients, month, today, tz):
    """The monthly CSV's MonthRows, patient by patient. Four queries, whatever the number
    of patients."""
    patients = list(patients)
    ids = [patient.pk for patient in patients]
    first, following = month_bounds(month)
    last_day = min(following - timedelta(days=1), today)
    first_prescription = dict(
        Prescription.objects.filter(patient_id__in=ids)
        .values_list("patient_id")
        .annotate(first=Min("start_date"))
        .order_by()
    )
    starts = {p.pk: p.monitoring_start or first_prescription.get(p.pk) for p in patients}
    # A period that ends in the month began up to 29 days before it.
    read_start = first - timedelta(days=PERIOD_DAYS - 1)
    read_end = last_day + timedelta(days=1)
    data_days = defaultdict(set)
    for patient_id, _, day, _, _ in hold_counts(
        patient_ids=ids, start=read_start, end=read_end, tz=tz
    ):
        data_days[patient_id].add(day)
    for patient_id, day in (
        PainScore.objects.filter(patient_id__in=ids)
        .from_patient()
        .between(day_start(read_start, tz), day_start(read_end, tz))
        .annotate(day=TruncDate("recorded_at", tzinfo=tz))
        .values_list("patient_id", "day")
        .distinct()
        .order_by()
    ):
        data_days[patient_id].add(day)
    time = {
        patient_id: (minutes, live)
        for patient_id, minutes, live in MonitoringTime.objects.filter(patient_id__in=ids)
        .between(first, following)
        .values_list("patient_id")
        .annotate(minutes=Sum("minutes"), live=Count("pk", filter=Q(live_contact=True)))
        .values_list("patient_id", "minutes", "live")
        .order_by()
    }
    rows = []
    for patient in patients:
        start = starts[patient.pk]
        periods = _periods_of_month(start, first, following, last_day, data_days[patient.pk])
        minutes, live = time.get(patient.pk, (0, 0))
        month_time = MonthOfTime(month=first, minutes=minutes, live_contact=bool(live))
        for index, period in enumerate(periods):
            last_of_month = index == len(periods) - 1
            rows.append(MonthRow(patient, period, month_time if last_of_month else None))
        if not periods and minutes:
            # Time logged before monitoring began still belongs to the month.
            rows.append(MonthRow(patient, None, month_time))
    return rows


def _periods_of_month(start, first, following, last_day, data_days):
    """The periods from ``start`` whose last day falls in [first, following), and the
    period under way on ``last_day`` when the month is not over or no period ended in
    it (so that every monitored patient has a row for the month's time); each counted
    up to ``last_day``."""
    if start is None or last_day < start:
        return []
    month_over = last_day >= following - timedelta(days=1)
    periods = []
    number, period_start, end = period_bounds(start, max(start, first))
    while period_start <= last_day:
        period_last = end - timedelta(days=1)
        ends_in_month = period_last < following
        if ends_in_month or not month_over or not periods:
            as_of = min(period_last, last_day)
            days = sum(1 for day in data_days if period_start <= day <= as_of)
            periods.append(Period(number, period_start, end, as_of, days))
        number, period_start, end = number + 1, end, end + timedelta(days=PERIOD_DAYS)
    return periods
