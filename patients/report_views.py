"""The clinician's side: the adherence report, a patient's record, and progression."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_http_methods

from exercises.models import Level
from patients import adherence, charts, exports, services
from patients.access import patient_for_staff, patients_visible_to, require_clinical_staff
from patients.clock import clinic_now
from patients.forms import REPORT_SORTS, ReportForm
from patients.models import PainScore, Prescription
from portal import audit
from portal.csv_export import csv_response


def _percent(result):
    return result.percent if result.has_program else None


# How each column sorts; None (no program, no pain scores) always sorts last.
SORT_KEYS = {
    "attention": lambda s: s.attention,
    "name": lambda s: str(s.patient).lower(),
    "clinician": lambda s: str(s.patient.clinician).lower(),
    "level": lambda s: tuple(sorted(p.level.number for p in s.prescriptions)) or None,
    "adherence_7": lambda s: _percent(s.adherence[7]),
    "adherence_14": lambda s: _percent(s.adherence[14]),
    "adherence_28": lambda s: _percent(s.adherence[28]),
    "days_with_data": lambda s: s.days_with_data,
    "last_activity": lambda s: s.last_activity,
    "pain": lambda s: s.pain_current,
    "pain_change": lambda s: s.pain_change,
}


def sort_summaries(summaries, sort):
    descending = sort.startswith("-")
    key = SORT_KEYS[sort.lstrip("-")]
    present = [summary for summary in summaries if key(summary) is not None]
    missing = [summary for summary in summaries if key(summary) is None]
    by_name = sorted(present, key=SORT_KEYS["name"])
    return sorted(by_name, key=key, reverse=descending) + sorted(missing, key=SORT_KEYS["name"])


def report_rows(request):
    """The report's rows for this request's choices, and the form that holds them."""
    require_clinical_staff(request.user)
    _, tz, today = clinic_now()
    form = ReportForm(request.GET or None, today=today)
    valid = form.is_valid() if form.is_bound else True
    choices = form.cleaned_data if form.is_bound and valid else {}
    as_of = choices.get("as_of") or today
    summaries = adherence.patient_summaries(
        patients=patients_visible_to(request.user).with_people(), as_of=as_of, today=today, tz=tz
    )
    if choices.get("flag"):
        summaries = [summary for summary in summaries if summary.has_flag(choices["flag"])]
    sort = choices.get("sort") or "attention"
    return form, valid, as_of, sort, sort_summaries(summaries, sort)


@require_GET
def report(request):
    return render_report(request, *report_rows(request))


def render_report(request, form, valid, as_of, sort, summaries):
    audit.record_many(audit.Action.VIEW, patients=[summary.patient for summary in summaries])
    trend_start = as_of - timedelta(days=adherence.PAIN_TREND_DAYS - 1)
    for summary in summaries:
        # Reversed here rather than by the template's url tag, which costs twice as much
        # on each of a clinic's hundreds of rows.
        summary.url = reverse("patients:patient-detail", args=[summary.patient.pk])
        summary.spark = charts.sparkline(summary.pain_trend, trend_start, adherence.PAIN_TREND_DAYS)
    query = request.GET.copy()
    query.pop("sort", None)
    columns = {
        key: {
            "label": label,
            "sorted": sort.lstrip("-") == key,
            "descending": sort == f"-{key}",
            "next": f"-{key}" if sort == key else key,
        }
        for key, label in REPORT_SORTS.items()
    }
    show_clinician = request.user.is_superuser
    context = {
        "form": form,
        "as_of": as_of,
        "summaries": summaries,
        "columns": columns,
        "column_count": 12 if show_clinician else 11,
        "query": query.urlencode(),
        "csv_query": request.GET.urlencode(),
        "show_clinician": show_clinician,
        "rules": adherence,
    }
    return render(request, "patients/report.html", context, status=200 if valid else 400)


@require_GET
def report_csv(request):
    form, valid, as_of, sort, summaries = report_rows(request)
    if not valid:
        # The page explains what was wrong with the choices.
        return render_report(request, form, valid, as_of, sort, summaries)
    audit.record_many(audit.Action.EXPORT, patients=[summary.patient for summary in summaries])
    header = [
        "patient",
        "e-mail",
        "clinician",
        "levels",
        "adherence 7 days %",
        "adherence 14 days %",
        "adherence 28 days %",
        "holds done 14 days",
        "holds expected 14 days",
        "days with data (of 30)",
        "last activity",
        "pain baseline",
        "pain current",
        "pain change",
        "flags",
    ]
    rows = (
        [
            summary.patient,
            summary.patient.user.email,
            summary.patient.clinician,
            "; ".join(str(prescription.level) for prescription in summary.prescriptions),
            _percent(summary.adherence[7]),
            _percent(summary.adherence[14]),
            _percent(summary.adherence[28]),
            summary.adherence[14].done,
            summary.adherence[14].expected,
            summary.days_with_data,
            localtime(summary.last_activity).isoformat() if summary.last_activity else "",
            _one_decimal(summary.pain_baseline),
            _one_decimal(summary.pain_current),
            _one_decimal(summary.pain_change),
            "; ".join(f"{flag.label}: {flag.reason}" for flag in summary.flags),
        ]
        for summary in summaries
    )
    return csv_response(f"adherence-{as_of.isoformat()}.csv", header, rows)


def _one_decimal(value):
    return "" if value is None else round(value, 1)


@require_GET
def patient_detail(request, patient_id):
    patient = patient_for_staff(request.user, patient_id)
    audit.record(audit.Action.VIEW, patient=patient)
    _, tz, today = clinic_now()
    (summary,) = adherence.patient_summaries(patients=[patient], as_of=today, today=today, tz=tz)
    # The page's month is the summary's data window.
    daily = summary.daily
    start, end = min(daily), today + timedelta(days=1)
    pains = list(
        PainScore.objects.for_patient(patient).between(
            adherence.day_start(start, tz), adherence.day_start(end, tz)
        )
    )
    pain_points = [(adherence.local_date(pain.recorded_at, tz), pain.score) for pain in pains]
    prescriptions = (
        Prescription.objects.filter(patient=patient)
        .select_related("level__exercise", "prescribed_by", "progressed_from__level")
        .order_by("-start_date", "-pk")
    )
    context = {
        "patient": patient,
        "summary": summary,
        "current": [
            (prescription, summary.next_levels.get(prescription.pk))
            for prescription in summary.prescriptions
        ],
        "days": [(each, daily[each]) for each in reversed(list(daily))],
        "holds_chart": charts.holds_chart(daily),
        "pain_chart": charts.pain_chart(list(daily), pain_points),
        "pains": pains,
        "notes": [pain for pain in pains if pain.note],
        "prescriptions": prescriptions,
        "month": adherence.total(daily),
    }
    return render(request, "patients/patient_detail.html", context)


@require_http_methods(["GET", "POST"])
def progress(request, patient_id, prescription_id):
    patient = patient_for_staff(request.user, patient_id)
    prescription = get_object_or_404(
        Prescription.objects.select_related("level__exercise"), patient=patient, pk=prescription_id
    )
    _, tz, today = clinic_now()
    next_level = prescription.level.next_in(Level.objects.published())
    error = None
    if request.method == "POST":
        try:
            successor = services.prescription_progress(
                prescription=prescription, by=request.user, today=today
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                f"{patient} now does Level {successor.level.number}: {successor.level.title}.",
            )
            return redirect("patients:patient-detail", patient_id=patient.pk)
    context = {
        "patient": patient,
        "prescription": prescription,
        "next_level": next_level,
        "active": prescription.is_active_on(today),
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
