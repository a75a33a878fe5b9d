"""What the clinician's report, the patient record and the weekly digest say about each
patient, as of one day: read in a fixed number of queries, whatever the number of
patients or the length of their history, then judged by patients/flags.py."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import DenseRank, TruncDate

from exercises.models import Level
from patients import adherence, flags, monitoring
from patients.adherence import ADHERENCE_WINDOWS, MONTH_DAYS, Adherence
from patients.flags import BASELINE_DAYS, PAIN_TREND_DAYS, PAIN_WINDOW_DAYS, Mean, PainChange
from patients.models import HoldLog, PainScore, Patient, Prescription
from portal.clock import day_start, local_date

# A patient's first days with pain scores are looked for in this many days from their
# program's start, and in all their history only when fewer are found there.
BASELINE_SCAN_DAYS = 14


@dataclass(frozen=True)
class ReportWindows:
    """The windows of a report's day: every page names the dates they cover."""

    # The adherence windows by length in days.
    by_days: dict
    month: adherence.Window
    data: adherence.Window
    pain: adherence.Window
    trend: adherence.Window


def report_windows(*, as_of, today):
    by_days = {
        days: adherence.adherence_window(days, report_day=as_of, today=today)
        for days in ADHERENCE_WINDOWS
    }
    return ReportWindows(
        by_days=by_days,
        month=adherence.adherence_window(MONTH_DAYS, report_day=as_of, today=today),
        data=adherence.reading_window(MONTH_DAYS, report_day=as_of),
        pain=adherence.reading_window(PAIN_WINDOW_DAYS, report_day=as_of),
        trend=adherence.reading_window(PAIN_TREND_DAYS, report_day=as_of),
    )


@dataclass
class PatientSummary:
    """Everything the clinician's report says about one patient, as of one day."""

    patient: object
    as_of: object
    # The prescriptions current on the summary's day.
    prescriptions: list
    # The report's windows, the same for every summary of one reading.
    report_windows: ReportWindows
    # The Adherence of each adherence window, by length in days.
    adherence: dict
    # The month of complete days that the record's chart shows, and the Adherence of
    # each of its days: read only when asked for (with_month), else None.
    month: adherence.Window | None
    daily: dict | None
    # The report's day's own holds while it is today ("today so far"), else None.
    today: Adherence | None
    days_with_data: int
    last_activity: object
    last_qualifying_day: object
    program_start: object
    pain_baseline: Mean | None
    pain_current: Mean | None
    pain_trend: list
    severe: tuple | None
    next_levels: dict
    readiness: flags.Readiness | None
    monitoring: monitoring.Period | None
    # The pause the program is in on the report's day, and the day the latest earlier
    # pause ended (idle days count from then).
    pause: object = None
    resumed: object = None
    pain_change: PainChange | None = None
    flags: list = field(default_factory=list)

    @property
    def windows(self):
        """The adherence windows by length in days."""
        return self.report_windows.by_days

    @property
    def data_window(self):
        return self.report_windows.data

    @property
    def pain_window(self):
        return self.report_windows.pain

    def __post_init__(self):
        self.pain_change = PainChange.between(self.pain_baseline, self.pain_current)

    @property
    def attention(self):
        """Sort key: the most urgent flag first, patients without flags last."""
        return min((flags.ATTENTION[flag.code] for flag in self.flags), default=len(flags.FLAGS))

    def has_flag(self, code):
        return any(flag.code == code for flag in self.flags)

    @property
    def windowed(self):
        """[(Window, Adherence)] of the adherence windows, shortest first."""
        return [(self.windows[days], self.adherence[days]) for days in ADHERENCE_WINDOWS]

    @property
    def month_total(self):
        return adherence.total(self.daily, self.month)


def patient_summaries(*, patients, as_of, today, tz, with_month=False):
    """A PatientSummary per patient, as of ``as_of`` (the clinic's day ``today`` or an
    earlier one), with the month of days the patient record draws when ``with_month``
    (a day more to read: the report goes without). The number of queries is fixed: it
    does not grow with the number of patients nor with the length of their history."""
    patients = list(patients)
    ids = [patient.pk for patient in patients]
    end = as_of + timedelta(days=1)
    every = report_windows(as_of=as_of, today=today)
    windows, month, data_window = every.by_days, every.month, every.data
    pain_window, trend_window = every.pain, every.trend
    # One reading of the holds and one of the pain scores serve every window (a test
    # keeps the reading covering them all).
    read_start = min(windows[max(windows)].start, data_window.start)
    if with_month:
        read_start = min(read_start, month.start)
    prescriptions = list(
        Prescription.objects.filter(patient_id__in=ids, start_date__lte=as_of)
        .select_related("level__exercise")
        .order_by("start_date", "pk")
    )
    holds = adherence.hold_counts(patient_ids=ids, start=read_start, end=end, tz=tz)
    in_reading = [rx for rx in prescriptions if rx.overlaps(read_start, end)]
    pauses = adherence.pauses_by_patient(patient_ids=ids, start=read_start, end=end)
    daily = adherence.adherence_by_day(
        in_reading, adherence.full_holds(holds), read_start, end, pauses
    )
    hold_days = defaultdict(set)
    data_start, pain_start, trend_start = data_window.start, pain_window.start, trend_window.start
    for patient_id, _, day, _, _ in holds:
        if day >= data_start:
            hold_days[patient_id].add(day)

    current = defaultdict(list)
    starts = {}
    for prescription in prescriptions:
        starts.setdefault(prescription.patient_id, prescription.start_date)
        if prescription.is_active_on(as_of):
            current[prescription.patient_id].append(prescription)

    activity = _latest(ids, end, tz)
    intake = {pid: latest["intake"] for pid, latest in activity.items() if "intake" in latest}
    baselines = _pain_baselines(ids, starts, intake, end, tz)
    recent_pain = _daily_pain(ids, read_start, end, tz)
    next_levels = Level.objects.published().next_levels(
        [prescription.level for found in current.values() for prescription in found]
    )
    monitoring_starts = {
        patient.pk: patient.monitoring_start or starts.get(patient.pk) for patient in patients
    }
    summaries = []
    for patient in patients:
        days = daily[patient.pk]
        pain_days = recent_pain.get(patient.pk, {})
        data_days = hold_days[patient.pk].union(day for day in pain_days if day >= data_start)
        own = current.get(patient.pk, [])
        own_next = {rx.pk: next_levels.get(rx.level_id) for rx in own}
        summary = PatientSummary(
            patient=patient,
            as_of=as_of,
            prescriptions=own,
            report_windows=every,
            adherence={length: adherence.total(days, w) for length, w in windows.items()},
            month=month if with_month else None,
            daily={day: result for day, result in days.items() if month.covers(day)}
            if with_month
            else None,
            today=days.get(as_of) if adherence.is_today(as_of, today) else None,
            days_with_data=len(data_days),
            last_activity=activity.get(patient.pk, {}).get("any"),
            last_qualifying_day=activity.get(patient.pk, {}).get("qualifying"),
            program_start=starts.get(patient.pk),
            pain_baseline=baselines.get(patient.pk),
            pain_current=Mean.of(
                score for day, scores in pain_days.items() if day >= pain_start for score in scores
            ),
            # The trend line is a drawing: float means are exact enough for it.
            pain_trend=sorted(
                (day, sum(scores) / len(scores))
                for day, scores in pain_days.items()
                if day >= trend_start
            ),
            severe=flags.severe_pain(pain_days, pain_window),
            next_levels=own_next,
            readiness=flags.readiness(own, own_next, windows[flags.JUDGED_WINDOW]),
            # A period is within the data window: it ends no earlier than the report's day.
            monitoring=monitoring.current_period(
                start=monitoring_starts[patient.pk], as_of=as_of, data_days=data_days
            ),
        )
        own_pauses = pauses.get(patient.pk, [])
        summary.pause = next((pause for pause in own_pauses if pause.covers(as_of)), None)
        summary.resumed = max(
            (pause.end_date for pause in own_pauses if pause.end_date and pause.end_date <= as_of),
            default=None,
        )
        summary.flags = flags.flags_for(summary, as_of)
        summaries.append(summary)
    return summaries


def _latest(patient_ids, end, tz):
    """Of each patient up to ``end``: the last hold or pain score ("any"), the day of
    the last full hold ("qualifying") and the latest intake score ("intake").

    One query; each patient's latest rows are read from the end of their index, so the
    cost does not grow with the length of their history (except for a patient none of
    whose holds lasted the full time: finding that out reads all of theirs).
    """
    cutoff = day_start(end, tz)
    holds = HoldLog.objects.filter(patient=OuterRef("pk"), performed_at__lt=cutoff).order_by(
        "-performed_at"
    )
    pains = PainScore.objects.filter(patient=OuterRef("pk"), recorded_at__lt=cutoff).order_by(
        "-recorded_at", "-pk"
    )
    rows = (
        Patient.objects.filter(pk__in=patient_ids)
        .annotate(
            last_hold=Subquery(holds.values("performed_at")[:1]),
            last_full=Subquery(holds.qualifying().values("performed_at")[:1]),
            last_pain=Subquery(pains.from_patient().values("recorded_at")[:1]),
            intake=Subquery(pains.intake().values("score")[:1]),
        )
        .values_list("pk", "last_hold", "last_full", "last_pain", "intake")
        .order_by()
    )
    result = defaultdict(dict)
    for patient_id, last_hold, last_full, last_pain, intake in rows:
        moments = [moment for moment in (last_hold, last_pain) if moment is not None]
        if moments:
            result[patient_id]["any"] = max(moments)
        if last_full is not None:
            result[patient_id]["qualifying"] = local_date(last_full, tz)
        if intake is not None:
            result[patient_id]["intake"] = intake
    return result


def _pain_baselines(patient_ids, program_starts, intake, end, tz):
    """Each patient's baseline Mean up to ``end``: their latest intake score (``intake``:
    {patient id: score}), else the mean of the first BASELINE_DAYS days with scores since
    their program began (``program_starts``: {patient id: first day}).

    One query, and a second only when some patient's first BASELINE_SCAN_DAYS days had
    fewer than BASELINE_DAYS days with scores: the first days are looked for there, so a
    long history is not read, and then, for those patients alone, in all of theirs.
    """
    cutoff = day_start(end, tz)
    patient_ids = [patient_id for patient_id in patient_ids if patient_id not in intake]
    first = _first_score_days(patient_ids, program_starts, cutoff, tz, within=BASELINE_SCAN_DAYS)
    later = [
        patient_id
        for patient_id in patient_ids
        if first.get(patient_id, (0, 0, 0))[2] < BASELINE_DAYS
        and patient_id in program_starts
        and program_starts[patient_id] + timedelta(days=BASELINE_SCAN_DAYS) < end
    ]
    if later:
        first.update(_first_score_days(later, program_starts, cutoff, tz))
    baselines = {
        patient_id: Mean(value=Fraction(total, count), count=count)
        for patient_id, (total, count, _) in first.items()
    }
    baselines.update(
        {patient_id: Mean.of([score], source="intake") for patient_id, score in intake.items()}
    )
    return baselines


def _first_score_days(patient_ids, program_starts, cutoff, tz, *, within=None):
    """{patient id: (sum, number of scores, number of days)} of the scores on each
    patient's first BASELINE_DAYS days with scores, from their program's start (and
    within its first ``within`` days, if given) up to ``cutoff``. One query, or none for
    patients without a program.

    Each start day bounds the scan of its patients on the index of patient and time, so
    the query reads no score from before a program and, with ``within``, none after its
    first weeks; the sums are made in the database.
    """
    by_start = defaultdict(list)
    for patient_id in patient_ids:
        if patient_id in program_starts:
            by_start[program_starts[patient_id]].append(patient_id)
    if not by_start:
        return {}
    scanned = Q()
    for start, ids in by_start.items():
        bounds = {"recorded_at__gte": day_start(start, tz)}
        if within is not None:
            bounds["recorded_at__lt"] = day_start(start + timedelta(days=within), tz)
        scanned |= Q(patient_id__in=ids, **bounds)
    day = TruncDate("recorded_at", tzinfo=tz)
    first_days = (
        PainScore.objects.filter(scanned, recorded_at__lt=cutoff)
        .from_patient()
        .annotate(rank=Window(DenseRank(), partition_by=[F("patient_id")], order_by=day.asc()))
        .filter(rank__lte=BASELINE_DAYS)
        .order_by()
    )
    rows = (
        PainScore.objects.filter(pk__in=first_days.values("pk"))
        .values("patient_id")
        .annotate(total=Sum("score"), count=Count("pk"), days=Count(day, distinct=True))
        .order_by()
        .values_list("patient_id", "total", "count", "days")
    )
    return {patient_id: (total, count, days) for patient_id, total, count, days in rows}


def _daily_pain(patient_ids, start, end, tz):
    """For each patient, every score they gave on each day in [start, end)."""
    rows = (
        PainScore.objects.filter(patient_id__in=patient_ids)
        .from_patient()
        .between(day_start(start, tz), day_start(end, tz))
        .annotate(day=TruncDate("recorded_at", tzinfo=tz))
        .values_list("patient_id", "day", "score")
        .order_by()
    )
    result = defaultdict(lambda: defaultdict(list))
    for patient_id, day, score in rows:
        result[patient_id][day].append(score)
    return result
