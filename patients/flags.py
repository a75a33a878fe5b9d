"""The clinician's flags and the pain figures behind them: pure rules, no query.

Every threshold is compared exactly: pain means are fractions, adherence is compared
as whole numbers (adherence.at_least), so a change of exactly 2 points or exactly 80 %
is on the side of the line the rule says, whatever a float would make of it.

- Pain baseline: an intake score a clinician recorded, else the mean of the first 7 days
  of the program that have scores; current: the mean of the last 7 days (a reading
  window). A change of 2 points or 30 % on the NPRS is clinically meaningful.
- Severe pain: any score of 7 or more in the last 7 days.
- Pain worse: current - baseline >= 2 points.
- Inactive: no hold of the full time for 3 days or more.
- Low adherence: under 50 % over the 14-day window.
- Ready to progress: at least 80 % over the 14-day window, the whole window on the
  prescription (judged from its 14th day), pain not worse, current pain 3 or less, and
  a next level exists.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from patients.adherence import at_least
from portal.clock import local_date

PAIN_WINDOW_DAYS = 7
PAIN_TREND_DAYS = 28
BASELINE_DAYS = 7
MEANINGFUL_PAIN_POINTS = 2
MEANINGFUL_PAIN_PERCENT = 30
SEVERE_PAIN = 7
INACTIVE_DAYS = 3
LOW_ADHERENCE_PERCENT = 50
READY_ADHERENCE_PERCENT = 80
READY_PAIN_AT_MOST = 3
# The adherence window that low adherence and readiness are judged on; a prescription is
# judged ready only once it has run the whole of it.
JUDGED_WINDOW = 14
READY_AFTER_DAYS = JUDGED_WINDOW


@dataclass(frozen=True)
class Mean:
    """The mean of some pain scores, exactly, with how many scores stand behind it."""

    value: Fraction
    count: int
    # Where a baseline comes from: "intake" (recorded by a clinician) or "program".
    source: str = "program"

    @classmethod
    def of(cls, scores, source="program"):
        scores = list(scores)
        if not scores:
            return None
        return cls(value=Fraction(sum(scores), len(scores)), count=len(scores), source=source)

    def __float__(self):
        return float(self.value)

    @property
    def shown(self):
        """One decimal, as every page and the CSV show it."""
        return f"{float(self.value):.1f}"


@dataclass(frozen=True)
class PainChange:
    points: Fraction
    # None when the baseline is 0: no percentage of nothing.
    percent: Fraction | None

    @classmethod
    def between(cls, baseline, current):
        if baseline is None or current is None:
            return None
        points = current.value - baseline.value
        percent = points * 100 / baseline.value if baseline.value else None
        return cls(points=points, percent=percent)

    @property
    def meaningful(self):
        """2 points or 30 %, either way."""
        return abs(self.points) >= MEANINGFUL_PAIN_POINTS or (
            self.percent is not None and abs(self.percent) >= MEANINGFUL_PAIN_PERCENT
        )

    @property
    def worse(self):
        return self.points >= MEANINGFUL_PAIN_POINTS

    @property
    def points_shown(self):
        return f"{float(self.points):+.1f}"

    @property
    def percent_shown(self):
        return "" if self.percent is None else f"{round(self.percent):+d} %"


@dataclass(frozen=True)
class Readiness:
    """Whether "ready to progress" can be judged yet: only a prescription that has run
    the whole 14-day window is judged on it. ``days`` counts its days in that window."""

    judged: bool
    days: int
    # The next levels of the prescriptions that are judged.
    next_levels: tuple = ()

    @property
    def note(self):
        return "" if self.judged else f"not judged yet (day {self.days} of {READY_AFTER_DAYS})"


def readiness(prescriptions, next_levels, window):
    """The Readiness of the current prescriptions that have a next level, as judged on
    the 14-day ``window``; None when none has a next level."""
    candidates = [rx for rx in prescriptions if next_levels.get(rx.pk) is not None]
    if not candidates:
        return None
    on_it = {
        rx.pk: min(max((window.end - rx.start_date).days, 0), READY_AFTER_DAYS) for rx in candidates
    }
    judged = tuple(next_levels[rx.pk] for rx in candidates if on_it[rx.pk] >= READY_AFTER_DAYS)
    return Readiness(judged=bool(judged), days=max(on_it.values()), next_levels=judged)


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
# The flags a clinician confirms having read before changing a patient's level.
CAUTIONS = ("severe_pain", "pain_worse", "inactive")


def scores_by_day(scores, tz):
    """One patient's (score, recorded_at) pairs as {clinic day: [scores]}."""
    by_day = defaultdict(list)
    for score, recorded_at in scores:
        by_day[local_date(recorded_at, tz)].append(score)
    return by_day


def severe_pain(scores_by_day, window):
    """Of one patient's {day: [scores]}, the worst severe score in ``window`` and the
    (last) day it was given, or None."""
    severe = {
        day: max(scores)
        for day, scores in scores_by_day.items()
        if window.covers(day) and max(scores) >= SEVERE_PAIN
    }
    if not severe:
        return None
    worst = max(severe.values())
    return worst, max(day for day, score in severe.items() if score == worst)


def idle_days(*, prescriptions, last_full_day, as_of, paused=False, resumed=None):
    """Days without a full hold, counted from the last one but never from before the
    current program began or a pause ended (a patient back after a break starts afresh);
    None without a current program or while it is paused."""
    if not prescriptions or paused:
        return None
    started = min(rx.start_date for rx in prescriptions)
    fresh_starts = [started - timedelta(days=1)]
    if resumed is not None:
        fresh_starts.append(resumed - timedelta(days=1))
    since = max(filter(None, [last_full_day, *fresh_starts]))
    return (as_of - since).days, since == last_full_day


def flags_for(summary, as_of):
    """The flags of one PatientSummary, most urgent first, each with its reason."""
    flags = []
    if summary.severe:
        worst, day = summary.severe
        flags.append(
            Flag("severe_pain", FLAGS["severe_pain"], f"Pain {worst} on {day:%b} {day.day}")
        )
    change = summary.pain_change
    pain_worse = change is not None and change.worse
    if pain_worse:
        percent = f", {change.percent_shown}" if change.percent is not None else ""
        flags.append(
            Flag(
                "pain_worse",
                FLAGS["pain_worse"],
                f"Pain {summary.pain_current.shown} this week vs "
                f"{summary.pain_baseline.shown} at start ({change.points_shown}{percent})",
            )
        )
    idle = idle_days(
        prescriptions=summary.prescriptions,
        last_full_day=summary.last_qualifying_day,
        as_of=as_of,
        paused=summary.pause is not None,
        resumed=summary.resumed,
    )
    if idle is not None and idle[0] >= INACTIVE_DAYS:
        days, had_one = idle
        last = summary.last_qualifying_day
        if had_one:
            reason = f"No full hold for {days} days (last {last:%b} {last.day})"
        else:
            resumed = summary.resumed
            if resumed is not None and (as_of - resumed).days + 1 == days:
                reason = f"No full hold in the {days} days since the program resumed"
            else:
                reason = f"No full hold in the {days} days since the program started"
        flags.append(Flag("inactive", FLAGS["inactive"], reason))
    fortnight = summary.adherence[JUDGED_WINDOW]
    if fortnight.has_program and not at_least(fortnight, LOW_ADHERENCE_PERCENT):
        flags.append(
            Flag(
                "low_adherence",
                FLAGS["low_adherence"],
                f"{fortnight.percent}% over 14 days ({fortnight.done} of {fortnight.expected})",
            )
        )
    ready = summary.readiness
    current = summary.pain_current
    if (
        ready is not None
        and ready.judged
        and at_least(fortnight, READY_ADHERENCE_PERCENT)
        and not pain_worse
        and current is not None
        and current.value <= READY_PAIN_AT_MOST
    ):
        flags.append(
            Flag(
                "ready",
                FLAGS["ready"],
                f"{fortnight.percent}% over 14 days, pain {current.shown}; "
                f"Level {ready.next_levels[0].number} is next",
            )
        )
    return flags
