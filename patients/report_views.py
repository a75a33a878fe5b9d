"""The clinician's side: the adherence report, a patient's record, the intake pain score,
remote monitoring, and progression."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exercises.models import Level
from patients import (
    adherence,
    charts,
    exports,
    flags,
    monitoring,
    program_views,
    report,
    services,
    summaries,
)
from patients.access import patient_for_staff, patients_visible_to, require_clinical_staff
from patients.adherence import MONTH_DAYS
from patients.forms import (
    IntakePainForm,
    MonitoringMonthForm,
    MonitoringStartForm,
    MonitoringTimeForm,
    PauseForm,
    ReportForm,
)
from patients.models import MonitoringTime, PainScore, Prescription
from portal import audit, invitations
from portal.clock import clinic_now, day_start, local_date
from portal.csv_export import csv_response

# The rules as the report's "How these figures are computed" states them.
RULES = {
    "pain_window_days": flags.PAIN_WINDOW_DAYS,
    "baseline_days": flags.BASELINE_DAYS,
    "meaningful_points": flags.MEANINGFUL_PAIN_POINTS,
    "meaningful_percent": flags.MEANINGFUL_PAIN_PERCENT,
    "trend_days": flags.PAIN_TREND_DAYS,
    "severe_pain": flags.SEVERE_PAIN,
    "inactive_days": flags.INACTIVE_DAYS,
    "low_percent": flags.LOW_ADHERENCE_PERCENT,
    "ready_percent": flags.READY_ADHERENCE_PERCENT,
    "ready_pain": flags.READY_PAIN_AT_MOST,
    "ready_days": flags.READY_AFTER_DAYS,
    "data_days": MONTH_DAYS,
    "rtm_few_from": monitoring.FEW_DAYS_FROM,
    "rtm_many_from": monitoring.MANY_DAYS_FROM,
}


def report_rows(request):
    """The report's summaries for this request's choices, and the form that holds them:
    (form, valid, as_of, today, sort, summaries)."""
    require_clinical_staff(request.user)
    _, tz, today = clinic_now()
    form = ReportForm(request.GET or None, today=today)
    valid = form.is_valid() if form.is_bound else True
    choices = form.cleaned_data if form.is_bound and valid else {}
    as_of = choices.get("as_of") or today
    found = summaries.patient_summaries(
        patients=patients_visible_to(request.user).with_people(), as_of=as_of, today=today, tz=tz
    )
    if choices.get("flag"):
        found = [summary for summary in found if summary.has_flag(choices["flag"])]
    sort = choices.get("sort") or report.DEFAULT_SORT
    return form, valid, as_of, today, sort, report.sort_summaries(found, sort)


@require_GET
def report_page(request):
    return render_report(request, *report_rows(request))


def render_report(request, form, valid, as_of, today, sort, found):
    audit.record_many(audit.Action.VIEW, patients=[summary.patient for summary in found])
    is_today = adherence.is_today(as_of, today)
    windows = summaries.report_windows(as_of=as_of, today=today)
    monitoring_on = settings.PORTAL_REMOTE_MONITORING
    now, tz, _ = clinic_now()
    waiting = invitations.states_of([summary.patient.user for summary in found], now=now, tz=tz)
    rows = [
        report.report_row(
            summary,
            invitation=waiting.get(summary.patient.user_id),
            # Reversed here rather than by the template's url tag, which costs twice as
            # much on each of a clinic's hundreds of rows.
            url=reverse("patients:patient-detail", args=[summary.patient.pk]),
            spark=charts.sparkline(summary.pain_trend, windows.trend.start, flags.PAIN_TREND_DAYS),
            monitoring_on=monitoring_on,
        )
        for summary in found
    ]
    query = request.GET.copy()
    query.pop("sort", None)
    # The columns whose figures cover a window, and the window each heading names.
    dated = {f"adherence_{days}": window for days, window in windows.by_days.items()}
    dated.update({"days_with_data": windows.data, "pain": windows.pain})
    columns = [
        {
            "key": column.key,
            "label": column.label,
            "sortable": column.sort_key is not None,
            "sorted": sort.lstrip("-") == column.key,
            "descending": sort == f"-{column.key}",
            "next": f"-{column.key}" if sort == column.key else column.key,
            "dates": dated[column.key].label if column.key in dated else "",
            "wide": not column.on_phone,
        }
        for column in report.shown_columns(
            administrator=request.user.is_superuser, is_today=is_today
        )
    ]
    context = {
        "form": form,
        "as_of": as_of,
        "is_today": is_today,
        "windows": windows,
        "summaries": found,
        "rows": rows,
        "columns": columns,
        "show_clinician": request.user.is_superuser,
        "query": query.urlencode(),
        "csv_query": request.GET.urlencode(),
        "rules": RULES,
        "monitoring_on": monitoring_on,
    }
    return render(request, "patients/report.html", context, status=200 if valid else 400)


@require_GET
def report_csv(request):
    form, valid, as_of, today, sort, found = report_rows(request)
    if not valid:
        # The page explains what was wrong with the choices.
        return render_report(request, form, valid, as_of, today, sort, found)
    audit.record_many(audit.Action.EXPORT, patients=[summary.patient for summary in found])
    header, rows = report.csv_table(found, report.COLUMNS)
    return csv_response(f"adherence-{as_of.isoformat()}.csv", header, rows)


@require_GET
def patient_detail(request, patient_id):
    patient = patient_for_staff(request.user, patient_id)
    audit.record(audit.Action.VIEW, patient=patient)
    now, tz, today = clinic_now()
    context = patient_record_context(patient, tz=tz, today=today)
    context["invitation"] = invitations.state_of(patient.user, now=now, tz=tz)
    return render(request, "patients/patient_detail.html", context)


def patient_record_context(patient, *, tz, today, **forms):
    """What the clinician's patient record shows; ``forms`` are bound forms being shown
    again with their errors."""
    (summary,) = summaries.patient_summaries(
        patients=[patient], as_of=today, today=today, tz=tz, with_month=True
    )
    month = summary.month
    pains = list(
        PainScore.objects.for_patient(patient)
        .from_patient()
        .between(day_start(month.start, tz), day_start(today + timedelta(days=1), tz))
    )
    baseline = summary.pain_baseline
    intake = (
        PainScore.objects.for_patient(patient)
        .intake()
        .select_related("recorded_by")
        .order_by("-recorded_at", "-pk")
        .first()
        if baseline is not None and baseline.source == "intake"
        else None
    )
    prescriptions = (
        Prescription.objects.filter(patient=patient)
        .select_related("level__exercise", "prescribed_by", "progressed_from__level")
        .order_by("-start_date", "-pk")
    )
    daily = summary.daily
    context = {
        "patient": patient,
        "summary": summary,
        "current": [
            (prescription, summary.next_levels.get(prescription.pk))
            for prescription in summary.prescriptions
        ],
        "days": [(each, daily[each]) for each in reversed(list(daily))],
        "holds_chart": charts.holds_chart(daily),
        "pain_chart": charts.pain_chart(
            list(daily) + [today],
            [(local_date(pain.recorded_at, tz), pain.score) for pain in pains],
        ),
        "pains": pains,
        "notes": [pain for pain in pains if pain.note],
        "prescriptions": prescriptions,
        "intake": intake,
        "intake_form": forms.get("intake_form") or IntakePainForm(today=today),
        "pause_form": PauseForm(),
        "rules": RULES,
        "monitoring_on": settings.PORTAL_REMOTE_MONITORING,
    }
    if settings.PORTAL_REMOTE_MONITORING:
        entries = list(
            MonitoringTime.objects.filter(patient=patient)
            .between(*monitoring.month_bounds(today))
            .select_related("clinician")
        )
        context.update(
            {
                "month_time": monitoring.MonthOfTime.of(entries, today),
                "time_entries": entries,
                "time_form": forms.get("time_form") or MonitoringTimeForm(today=today),
                "start_form": forms.get("start_form")
                or MonitoringStartForm(
                    today=today, initial={"monitoring_start": patient.monitoring_start}
                ),
                "payers_vary": monitoring.PAYERS_VARY,
            }
        )
    return context


def _record_form_post(request, patient_id, form_class, name, save):
    """The shared flow of a form posted from the patient record: saved and back to the
    record, or the record again with the form's errors (400)."""
    patient = patient_for_staff(request.user, patient_id)
    _, tz, today = clinic_now()
    form = form_class(request.POST, today=today)
    if form.is_valid():
        message = save(patient=patient, tz=tz, **form.cleaned_data)
        messages.success(request, message)
        return redirect("patients:patient-detail", patient_id=patient.pk)
    context = patient_record_context(patient, tz=tz, today=today, **{name: form})
    return render(request, "patients/patient_detail.html", context, status=400)


@require_POST
def intake_pain(request, patient_id):
    def save(*, patient, tz, score, day):
        # Recorded at noon of its day, so that it is that day in any reading.
        moment = day_start(day, tz) + timedelta(hours=12)
        services.intake_pain_record(
            patient=patient, score=score, recorded_at=moment, by=request.user
        )
        return f"Intake pain {score} of 10 recorded; it is {patient}'s baseline now."

    return _record_form_post(request, patient_id, IntakePainForm, "intake_form", save)


def _require_monitoring():
    if not settings.PORTAL_REMOTE_MONITORING:
        raise Http404("Remote monitoring is not turned on for this clinic.")


@require_POST
def monitoring_time(request, patient_id):
    _require_monitoring()

    def save(*, patient, tz, day, minutes, live_contact):
        services.monitoring_time_log(
            patient=patient,
            clinician=request.user,
            day=day,
            minutes=minutes,
            live_contact=live_contact,
        )
        return f"{minutes} minutes logged for {day:%b} {day.day}."

    return _record_form_post(request, patient_id, MonitoringTimeForm, "time_form", save)


@require_POST
def monitoring_start(request, patient_id):
    _require_monitoring()

    def save(*, patient, tz, monitoring_start):
        services.monitoring_start_set(patient=patient, monitoring_start=monitoring_start)
        if monitoring_start is None:
            return "Monitoring now counts from the first prescription's start."
        day = monitoring_start
        return f"Monitoring now counts from {day:%B} {day.day}, {day.year}."

    return _record_form_post(request, patient_id, MonitoringStartForm, "start_form", save)


@require_GET
def monitoring_csv(request):
    """Per patient, the month's device-supply periods with their days with data and
    tier, and the month's management minutes with the codes they support."""
    _require_monitoring()
    require_clinical_staff(request.user)
    _, tz, today = clinic_now()
    form = MonitoringMonthForm(request.GET or None, today=today)
    if form.is_bound and not form.is_valid():
        return render(request, "patients/monitoring_month.html", {"form": form}, status=400)
    month = form.cleaned_data["month"] if form.is_bound else today.replace(day=1)
    patients = list(patients_visible_to(request.user).with_people())
    rows = monitoring.month_rows(patients=patients, month=month, today=today, tz=tz)
    audit.record_many(audit.Action.EXPORT, patients=[row.patient for row in rows])
    header = [
        "patient",
        "e-mail",
        "clinician",
        "month",
        "period",
        "period start",
        "period end",
        "period status",
        "days with data",
        "device supply code",
        "management minutes in month",
        "live contact in month",
        "management codes",
    ]
    lines = (
        [
            row.patient,
            row.patient.user.email,
            row.patient.clinician,
            f"{month:%Y-%m}",
            *_period_cells(row.period),
            row.time.minutes if row.time else "",
            ("yes" if row.time.live_contact else "no") if row.time else "",
            monitoring.codes_label(row.time.codes) if row.time else "",
        ]
        for row in rows
    )
    return csv_response(f"remote-monitoring-{month:%Y-%m}.csv", header, lines)


def _period_cells(period):
    """The monthly CSV's cells of one device-supply period (empty before monitoring)."""
    if period is None:
        return ["", "", "", "not started", "", ""]
    status = "complete" if period.complete else f"under way, {period.days_left} days left"
    return [
        period.number,
        period.start.isoformat(),
        period.last.isoformat(),
        status,
        period.days_with_data,
        period.code or "none",
    ]


@require_http_methods(["GET", "POST"])
def progress(request, patient_id, prescription_id):
    patient = patient_for_staff(request.user, patient_id)
    prescription = program_views.prescription_of(patient, prescription_id)
    _, tz, today = clinic_now()
    next_level = prescription.level.next_in(Level.objects.published())
    cautions = program_views.cautions_of(patient, today, tz)
    error = None
    if request.method == "POST" and cautions and not request.POST.get("acknowledged"):
        error = "Read the flags and tick the box to move the patient on."
    elif request.method == "POST":
        try:
            successor = services.prescription_progress(
                prescription=prescription, by=request.user, today=today
            )
        except ValidationError as refusal:
            error = program_views.refusal_text(refusal)
        else:
            messages.success(
                request,
                f"{patient} now does Level {successor.level.number}: {successor.level.title}.",
            )
            return redirect("patients:patient-detail", patient_id=patient.pk)
    if request.method == "GET":
        audit.record(audit.Action.VIEW, obj=prescription, patient=patient)
    context = {
        "patient": patient,
        "prescription": prescription,
        "next_level": next_level,
        "active": prescription.is_active_on(today),
        "cautions": cautions,
        "error": error,
    }
    return render(request, "patients/progress.html", context, status=400 if error else 200)


@require_GET
def patient_fhir(request, patient_id):
    """The patient's pain scores as a FHIR R4 Bundle of Observations (LOINC 72514-3)."""
    patient = patient_for_staff(request.user, patient_id)
    audit.record(audit.Action.EXPORT, patient=patient)
    scores = PainScore.objects.for_patient(patient).order_by("recorded_at", "pk")
    now, _, _ = clinic_now()
    response = JsonResponse(
        exports.pain_bundle(patient, scores, now=now), content_type="application/fhir+json"
    )
    response["Content-Disposition"] = f'attachment; filename="holdfast-pain-{patient.pk}.json"'
    return response
