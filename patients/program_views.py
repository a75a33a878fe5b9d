"""The clinician's workspace: enrolling a patient with a first program, adding stretches
to a program, changing a dose or a level, ending a stretch, inviting again, and the
clinic's program templates."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patients import flags, services, summaries
from patients.access import patient_for_staff, patients_visible_to, require_clinical_staff
from patients.forms import (
    EnrolForm,
    PauseForm,
    PrescriptionChangeForm,
    ProgramFormSet,
    TemplateNameForm,
    dose_initial,
)
from patients.models import Prescription, ProgramTemplate, ProgramTemplateItem
from portal import audit, invitations
from portal.clock import clinic_now

PROGRAM_PREFIX = "program"
# The name of the submit button that shows the program as the patient will see it,
# instead of saving it.
PREVIEW = "preview"


def refusal_text(refusal):
    return " ".join(refusal.messages)


@dataclass(frozen=True)
class PreviewCard:
    prescription: Prescription
    due: bool


def program_preview(doses, *, today, patient=None):
    """Today's cards of a program not yet saved, as unsaved prescriptions from today;
    raises ValidationError for a program that could not be given (services.program_check),
    or not to ``patient`` as their program stands (an exercise they do already)."""
    services.program_check(doses)
    prescriptions = [
        Prescription(patient=patient, start_date=today, **dose.terms()) for dose in doses
    ]
    if patient is not None:
        for prescription in prescriptions:
            prescription.clean()
    levels = [prescription.level for prescription in prescriptions]
    prefetch_related_objects(levels, "steps", "images")
    return [
        PreviewCard(prescription, prescription.is_due_on(today)) for prescription in prescriptions
    ]


def answered_status(posted, preview):
    """200 for a page asked for or a preview; 400 for a POST sent back to be corrected."""
    return 200 if posted is None or preview is not None else 400


@require_http_methods(["GET", "POST"])
def enrol(request):
    """A new patient and their first program, in one form and one save (or a preview of
    what the patient will see)."""
    require_clinical_staff(request.user)
    now, _, today = clinic_now()
    posted = request.POST if request.method == "POST" else None
    form = EnrolForm(posted, user=request.user)
    program = ProgramFormSet(posted, prefix=PROGRAM_PREFIX)
    error = preview = None
    if posted is not None and form.is_valid() and program.is_valid():
        details = dict(form.cleaned_data)
        template = details.pop("template")
        doses = (services.program_of(template) if template else []) + program.doses()
        try:
            if PREVIEW in posted:
                preview = program_preview(doses, today=today)
            else:
                patient = services.patient_enrol(
                    **details, program=doses, by=request.user, today=today, now=now
                )
                messages.success(
                    request,
                    f"{patient} is enrolled; an invitation to choose a password is on its way "
                    f"to {patient.user.email}.",
                )
                if not patients_visible_to(request.user).filter(pk=patient.pk).exists():
                    return redirect("patients:report")
                return redirect("patients:patient-detail", patient_id=patient.pk)
        except ValidationError as refusal:
            error = refusal_text(refusal)
    context = {"form": form, "program": program, "error": error, "preview": preview}
    return render(request, "patients/enrol.html", context, status=answered_status(posted, preview))


@require_http_methods(["GET", "POST"])
def program_add(request, patient_id):
    """More stretches for a patient's program, from today, several in one save (or a
    preview of what the patient will see)."""
    patient = patient_for_staff(request.user, patient_id)
    _, _, today = clinic_now()
    posted = request.POST if request.method == "POST" else None
    program = ProgramFormSet(posted, prefix=PROGRAM_PREFIX)
    error = preview = None
    if posted is not None and program.is_valid():
        doses = program.doses()
        try:
            if not doses:
                error = "Choose at least one stretch."
            elif PREVIEW in posted:
                preview = program_preview(doses, today=today, patient=patient)
            else:
                services.program_extend(
                    patient=patient, program=doses, by=request.user, today=today
                )
                named = ", ".join(str(dose.level) for dose in doses)
                messages.success(request, f"Added to {patient}'s program from today: {named}.")
                return redirect("patients:patient-detail", patient_id=patient.pk)
        except ValidationError as refusal:
            error = refusal_text(refusal)
    if posted is None:
        audit.record(audit.Action.VIEW, patient=patient)
    context = {"patient": patient, "program": program, "error": error, "preview": preview}
    return render(
        request, "patients/program_add.html", context, status=answered_status(posted, preview)
    )


def prescription_of(patient, prescription_id):
    """One of the patient's prescriptions, with its level and exercise; else 404."""
    return get_object_or_404(
        Prescription.objects.select_related("level__exercise"), patient=patient, pk=prescription_id
    )


def cautions_of(patient, today, tz):
    """The patient's flags a clinician reads before changing the level."""
    (summary,) = summaries.patient_summaries(patients=[patient], as_of=today, today=today, tz=tz)
    return [flag for flag in summary.flags if flag.code in flags.CAUTIONS]


@require_http_methods(["GET", "POST"])
def prescription_change(request, patient_id, prescription_id):
    """A new dose or level from today, in one step."""
    patient = patient_for_staff(request.user, patient_id)
    prescription = prescription_of(patient, prescription_id)
    _, tz, today = clinic_now()
    cautions = cautions_of(patient, today, tz)
    posted = request.POST if request.method == "POST" else None
    form = PrescriptionChangeForm(
        posted,
        initial=dose_initial(services.Dose.of(prescription)),
        prescription=prescription,
        cautions=cautions,
    )
    error = preview = None
    if posted is not None and form.is_valid():
        try:
            if PREVIEW in posted:
                services.prescription_change_check(
                    prescription=prescription, dose=form.dose(), today=today
                )
                preview = program_preview([form.dose()], today=today)
            else:
                changed = services.prescription_change(
                    prescription=prescription, dose=form.dose(), by=request.user, today=today
                )
                messages.success(
                    request, f"From today, {patient} does {changed.level} at the new dose."
                )
                return redirect("patients:patient-detail", patient_id=patient.pk)
        except ValidationError as refusal:
            error = refusal_text(refusal)
    if posted is None:
        audit.record(audit.Action.VIEW, obj=prescription, patient=patient)
    context = {
        "patient": patient,
        "prescription": prescription,
        "form": form,
        "cautions": cautions,
        "active": prescription.is_active_on(today),
        "error": error,
        "preview": preview,
    }
    return render(
        request,
        "patients/prescription_change.html",
        context,
        status=answered_status(posted, preview),
    )


@require_http_methods(["GET", "POST"])
def prescription_end(request, patient_id, prescription_id):
    """Stop a stretch after today (its holds today still count)."""
    patient = patient_for_staff(request.user, patient_id)
    prescription = prescription_of(patient, prescription_id)
    _, _, today = clinic_now()
    error = None
    if request.method == "POST":
        try:
            services.prescription_end(prescription=prescription, today=today)
        except ValidationError as refusal:
            error = refusal_text(refusal)
        else:
            messages.success(request, f"{prescription.level} ends after today for {patient}.")
            return redirect("patients:patient-detail", patient_id=patient.pk)
    else:
        audit.record(audit.Action.VIEW, obj=prescription, patient=patient)
    context = {"patient": patient, "prescription": prescription, "error": error}
    return render(request, "patients/prescription_end.html", context, status=400 if error else 200)


@require_POST
def invitation_resend(request, patient_id):
    """A new invitation for a patient who has not chosen a password: the old link ends."""
    patient = patient_for_staff(request.user, patient_id)
    user = patient.user
    if user.has_usable_password():
        messages.info(request, f"{patient} has chosen a password already; nothing was sent.")
    else:
        now, _, _ = clinic_now()
        invitations.invitation_send(
            user=user, clinician=patient.clinician, by=request.user, now=now
        )
        messages.success(
            request,
            f"A new invitation is on its way to {user.email}; the old link no longer works.",
        )
    return redirect("patients:patient-detail", patient_id=patient.pk)


@require_GET
def templates(request):
    """The clinic's program templates."""
    require_clinical_staff(request.user)
    found = ProgramTemplate.objects.select_related("created_by").prefetch_related(
        Prefetch("items", queryset=ProgramTemplateItem.objects.select_related("level__exercise"))
    )
    return render(request, "patients/templates.html", {"templates": found})


def _template_form(request, template, *, initial_program, back):
    """The shared flow of making and editing a template: its name and its stretches."""
    posted = request.POST if request.method == "POST" else None
    name = TemplateNameForm(
        posted, template=template, initial={"name": template.name if template else ""}
    )
    program = ProgramFormSet(posted, prefix=PROGRAM_PREFIX, initial=initial_program)
    error = None
    if posted is not None and name.is_valid() and program.is_valid():
        try:
            saved = services.program_template_save(
                name=name.cleaned_data["name"],
                program=program.doses(),
                by=request.user,
                template=template,
            )
        except ValidationError as refusal:
            error = refusal_text(refusal)
        else:
            messages.success(request, f"Template “{saved}” saved.")
            return redirect("patients:templates")
    context = {"template": template, "name_form": name, "program": program, "error": error}
    context["back"] = back
    return render(request, "patients/template_form.html", context, status=400 if posted else 200)


@require_http_methods(["GET", "POST"])
def template_new(request):
    require_clinical_staff(request.user)
    return _template_form(request, None, initial_program=[], back=reverse("patients:templates"))


@require_http_methods(["GET", "POST"])
def template_edit(request, template_id):
    require_clinical_staff(request.user)
    template = get_object_or_404(ProgramTemplate, pk=template_id)
    rows = [dose_initial(dose) for dose in services.program_of(template)]
    return _template_form(
        request, template, initial_program=rows, back=reverse("patients:templates")
    )


@require_http_methods(["GET", "POST"])
def template_delete(request, template_id):
    require_clinical_staff(request.user)
    template = get_object_or_404(ProgramTemplate, pk=template_id)
    if request.method == "POST":
        template.delete()
        messages.success(request, f"Template “{template}” deleted; programs given from it stay.")
        return redirect("patients:templates")
    return render(request, "patients/template_delete.html", {"template": template})


@require_http_methods(["GET", "POST"])
def template_from_program(request, patient_id):
    """A new template with the patient's current stretches, at their levels and doses."""
    patient = patient_for_staff(request.user, patient_id)
    _, _, today = clinic_now()
    current = (
        Prescription.objects.filter(patient=patient)
        .active_on(today)
        .select_related("level__exercise")
        .order_by("level__exercise__order", "level__exercise__name")
    )
    rows = [dose_initial(services.Dose.of(prescription)) for prescription in current]
    back = reverse("patients:patient-detail", args=[patient.pk])
    if request.method == "GET":
        audit.record(audit.Action.VIEW, patient=patient)
    return _template_form(request, None, initial_program=rows, back=back)


@require_POST
def program_pause(request, patient_id):
    """Pause the whole program from today (a holiday, an illness)."""
    patient = patient_for_staff(request.user, patient_id)
    _, _, today = clinic_now()
    form = PauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why the program is paused.")
        return redirect("patients:patient-detail", patient_id=patient.pk)
    try:
        services.program_pause(
            patient=patient, reason=form.cleaned_data["reason"], by=request.user, today=today
        )
    except ValidationError as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(
            request,
            f"{patient}'s program is paused from today; nothing is expected until it resumes.",
        )
    return redirect("patients:patient-detail", patient_id=patient.pk)


@require_POST
def program_resume(request, patient_id):
    patient = patient_for_staff(request.user, patient_id)
    _, _, today = clinic_now()
    try:
        services.program_resume(patient=patient, today=today)
    except ValidationError as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, f"{patient}'s program applies again from today.")
    return redirect("patients:patient-detail", patient_id=patient.pk)
