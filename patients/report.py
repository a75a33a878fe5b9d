"""The clinician's adherence report as one table of columns.

Each Column says once what the report's form (which sorts exist), the view (how a sort
orders the rows), the page (the headings) and the CSV (its headers and cells) need. The
page writes each row's cells itself, in the columns' order: a generic cell loop costs
more than the rest of a row on a clinic's hundreds of rows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.timezone import localtime

from patients import adherence


def _percent(result):
    return result.percent if result.has_program else None


def _decimal(mean_or_none):
    return "" if mean_or_none is None else round(float(mean_or_none.value), 1)


def _change(summary, part):
    change = summary.pain_change
    if change is None:
        return None
    if part == "points":
        return round(float(change.points), 1)
    return None if change.percent is None else round(change.percent)


def _window_dates(window):
    return f"{window.start.isoformat()} to {window.last.isoformat()}"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # How the column sorts (None sorts last), or None for a column that does not sort.
    sort_key: Callable | None
    # The CSV's cells for this column: (header, value of a summary).
    csv: tuple = ()
    sort_label: str = ""
    # Shown on the page only to administrators, who see every clinician's patients.
    administrators_only: bool = False
    # Shown on the page only while the report's day is today.
    today_only: bool = False
    # Shown on a phone's narrow screen too; the others wait for a wider one (the
    # patient's record has them all).
    on_phone: bool = False


def _adherence_column(days):
    return Column(
        key=f"adherence_{days}",
        label=f"{days} days",
        sort_label=f"Adherence, {days} days",
        sort_key=lambda s: _percent(s.adherence[days]),
        csv=((f"adherence {days} days %", lambda s: _percent(s.adherence[days])),),
        on_phone=days == min(adherence.ADHERENCE_WINDOWS),
    )


COLUMNS = (
    Column(
        key="name",
        label="Patient",
        sort_label="Name",
        sort_key=lambda s: str(s.patient).lower(),
        csv=(("patient", lambda s: s.patient), ("e-mail", lambda s: s.patient.user.email)),
        on_phone=True,
    ),
    Column(
        key="clinician",
        label="Clinician",
        sort_label="Clinician",
        sort_key=lambda s: str(s.patient.clinician).lower(),
        csv=(("clinician", lambda s: s.patient.clinician),),
        administrators_only=True,
    ),
    Column(
        key="level",
        label="Level",
        sort_label="Level",
        sort_key=lambda s: tuple(sorted(rx.level.number for rx in s.prescriptions)) or None,
        csv=(("levels", lambda s: "; ".join(str(rx.level) for rx in s.prescriptions)),),
    ),
    Column(
        key="today",
        label="Today so far",
        sort_key=None,
        csv=(
            ("today so far done", lambda s: s.today.done if s.today else ""),
            ("today so far expected", lambda s: s.today.expected if s.today else ""),
        ),
        today_only=True,
        on_phone=True,
    ),
    *(_adherence_column(days) for days in adherence.ADHERENCE_WINDOWS),
    Column(
        key="days_with_data",
        label="Days with data",
        sort_label="Days with data",
        sort_key=lambda s: s.days_with_data,
        csv=(
            ("holds done 14 days", lambda s: s.adherence[14].done),
            ("holds expected 14 days", lambda s: s.adherence[14].expected),
            ("14-day window", lambda s: _window_dates(s.windows[14])),
            ("days with data (of 30)", lambda s: s.days_with_data),
        ),
    ),
    Column(
        key="last_activity",
        label="Last activity",
        sort_label="Last activity",
        sort_key=lambda s: s.last_activity,
        csv=(
            (
                "last activity",
                lambda s: localtime(s.last_activity).isoformat() if s.last_activity else "",
            ),
        ),
    ),
    Column(
        key="pain",
        label="Pain: start → now",
        sort_label="Current pain",
        sort_key=lambda s: s.pain_current.value if s.pain_current else None,
        csv=(
            ("pain baseline", lambda s: _decimal(s.pain_baseline)),
            ("pain baseline scores", lambda s: s.pain_baseline.count if s.pain_baseline else 0),
            ("pain current", lambda s: _decimal(s.pain_current)),
            ("pain current scores", lambda s: s.pain_current.count if s.pain_current else 0),
        ),
        on_phone=True,
    ),
    Column(
        key="pain_change",
        label="Change",
        sort_label="Pain change",
        sort_key=lambda s: s.pain_change.points if s.pain_change else None,
        csv=(
            ("pain change", lambda s: _change(s, "points")),
            ("pain change %", lambda s: _change(s, "percent")),
        ),
    ),
    Column(
        key="attention",
        label="Flags",
        sort_label="Needs attention first",
        sort_key=lambda s: s.attention,
        csv=(
            ("flags", lambda s: "; ".join(f"{flag.label}: {flag.reason}" for flag in s.flags)),
            ("ready to progress", lambda s: s.readiness.note if s.readiness else ""),
        ),
        on_phone=True,
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_SORT = "attention"


def shown_columns(*, administrator, is_today):
    return [
        column
        for column in COLUMNS
        if (administrator or not column.administrators_only) and (is_today or not column.today_only)
    ]


def sort_summaries(summaries, sort):
    """The summaries in the order of ``sort`` (a column key, "-" first for descending);
    summaries without a value come last, and ties go by name."""
    descending = sort.startswith("-")
    key = BY_KEY[sort.lstrip("-")].sort_key
    by_name = BY_KEY["name"].sort_key
    present = [summary for summary in summaries if key(summary) is not None]
    missing = [summary for summary in summaries if key(summary) is None]
    return sorted(sorted(present, key=by_name), key=key, reverse=descending) + sorted(
        missing, key=by_name
    )


def csv_table(summaries, columns):
    """The CSV's header and rows for these columns."""
    cells = [cell for column in columns for cell in column.csv]
    header = [name for name, _ in cells]
    rows = ([value(summary) for _, value in cells] for summary in summaries)
    return header, rows


MUTED = "text-nowrap text-body-secondary"
PLAIN = "text-nowrap"
# The class of the cells of a column that is not on_phone (static/css/portal.css).
WIDE = "wide"


@dataclass(frozen=True)
class Cell:
    """A cell's text and its classes."""

    text: str
    css: str = PLAIN


def _adherence_cell(result, *, phone):
    wide = "" if phone else f" {WIDE}"
    if not result.has_program:
        return Cell("no program", MUTED + wide)
    return Cell(f"{result.percent}%", PLAIN + wide)


def _today_cell(today):
    """Today's holds so far; empty on a report of a past day, which has no such column."""
    if today is None:
        return Cell("")
    if not today.has_program:
        return Cell("no program", MUTED)
    return Cell(f"{today.done} of {today.expected}")


def _scores(mean, none):
    if mean is None:
        return none
    if mean.source == "intake":
        return "intake"
    return f"{mean.count} score{'' if mean.count == 1 else 's'}"


@dataclass(frozen=True)
class ReportRow:
    """One row of the report page, its cells written out: the page puts them in place
    (the table's hundreds of rows cost far less so than through the template's logic)."""

    summary: object
    url: str
    spark: dict
    levels: list
    # "paused since Dec 2" while the patient's program is paused.
    paused: str
    today: Cell
    adherence: list
    data: str
    monitoring: str
    last_activity: Cell
    pain: str
    pain_scores: str
    change: str
    meaningful: bool
    ready_note: str
    # Where the invitation stands, for a patient who has not chosen a password yet.
    invitation: str = ""


def report_row(summary, *, url, spark, monitoring_on, invitation=None):
    baseline, current, change = summary.pain_baseline, summary.pain_current, summary.pain_change
    period = summary.monitoring if monitoring_on else None
    last = localtime(summary.last_activity) if summary.last_activity else None
    if change is None:
        change_text = "–"
    elif change.percent is None:
        change_text = change.points_shown
    else:
        change_text = f"{change.points_shown} ({change.percent_shown})"
    return ReportRow(
        summary=summary,
        url=url,
        spark=spark,
        levels=[f"{rx.level.exercise.name} {rx.level.number}" for rx in summary.prescriptions],
        paused=(
            f"paused since {summary.pause.start_date:%b} {summary.pause.start_date.day}"
            if summary.pause
            else ""
        ),
        today=_today_cell(summary.today),
        adherence=[
            _adherence_cell(summary.adherence[days], phone=BY_KEY[f"adherence_{days}"].on_phone)
            for days in adherence.ADHERENCE_WINDOWS
        ],
        data=f"{summary.days_with_data} of {summary.data_window.days}",
        monitoring=(
            f"period {period.number}: {period.days_with_data} days, {period.code or 'no code yet'}"
            if period
            else ""
        ),
        last_activity=Cell(f"{last:%b} {last.day}") if last else Cell("never", MUTED),
        pain=f"{baseline.shown if baseline else '–'} → {current.shown if current else '–'}",
        pain_scores=f"{_scores(baseline, 'no baseline')} → {_scores(current, 'none this week')}",
        change=change_text,
        meaningful=change is not None and change.meaningful,
        ready_note=(
            f"Ready to progress: {summary.readiness.note}"
            if summary.readiness and not summary.readiness.judged
            else ""
        ),
        invitation=invitation.label if invitation else "",
    )
