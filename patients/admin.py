from dataclasses import replace

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Subquery
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from exercises.models import Level
from patients import adherence, services
from patients.access import patients_visible_to
from patients.forms import unused_email
from patients.models import HoldLog, PainScore, Patient, Prescription
from portal import audit, roles
from portal.admin import HardenedAdminMixin, ReadOnlyAdmin
from portal.clock import clinic_now, clinic_today
from portal.csv_export import csv_response

ADMIN_ADHERENCE_DAYS = 14
# What the admin's autocomplete shows at once (Django's page of results).
AUTOCOMPLETE_PAGE = 20
# What a prescription is: set when it is added, never rewritten afterwards.
PRESCRIPTION_TERMS = ["level", "holds_per_side", "target_seconds", "sessions_per_day", "start_date"]


class NewPrescriptionFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or data.get("end_date"):
                continue
            exercise_id = data["level"].exercise_id
            if exercise_id in seen:
                raise ValidationError(
                    "Only one current prescription per exercise: give an end date to all but one."
                )
            seen.add(exercise_id)


class NewPrescriptionInline(admin.StackedInline):
    """Adds prescriptions. Existing ones are listed by PrescriptionHistoryInline."""

    model = Prescription
    formset = NewPrescriptionFormSet
    verbose_name = "new prescription"
    verbose_name_plural = "add a prescription"
    fields = [*PRESCRIPTION_TERMS, "end_date", "notes"]
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "level":
            kwargs["queryset"] = Level.objects.published().select_related("exercise")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["start_date"].initial = clinic_today
        return formset


class PrescriptionHistoryForm(forms.ModelForm):
    class Meta:
        model = Prescription
        fields = ["end_date", "notes"]

    def clean_end_date(self):
        end_date = self.cleaned_data["end_date"]
        if self.instance.end_date is not None and end_date is None:
            raise ValidationError(
                "An ended prescription stays ended; add a new prescription instead."
            )
        return end_date


class PrescriptionHistoryInline(admin.TabularInline):
    """A prescription is never deleted or rewritten: it is ended, and a new one starts."""

    model = Prescription
    form = PrescriptionHistoryForm
    verbose_name_plural = "prescriptions"
    fields = [*PRESCRIPTION_TERMS, "end_date", "notes", "prescribed_by"]
    readonly_fields = [*PRESCRIPTION_TERMS, "prescribed_by"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}
    }
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("level__exercise", "prescribed_by")


class PatientInviteForm(forms.ModelForm):
    """A new patient: who they are and who looks after them. The account, and the e-mail
    that lets them choose a password, follow from it."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="E-mail address")

    class Meta:
        model = Patient
        fields = ["clinician"]

    def clean_email(self):
        return unused_email(self.cleaned_data["email"])


class AdministratorsOnlyMixin:
    """Patient records in the admin are the administrator's alone, whatever permissions a
    group is given: clinicians have the clinic workspace, content editors see none."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)


@admin.register(Patient)
class PatientAdmin(AdministratorsOnlyMixin, HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "email", "clinician", "adherence_14_days", "latest_pain_score"]
    list_select_related = ["user", "clinician"]
    list_filter = ["clinician"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    fields = ["user", "clinician"]
    add_fields = ["first_name", "last_name", "email", "clinician"]
    inlines = [PrescriptionHistoryInline, NewPrescriptionInline]

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PatientInviteForm
            kwargs["fields"] = ["clinician"]
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # A record belongs to one person for good: moving it would hand one patient's
        # history to another.
        return ["user"] if obj is not None else []

    def get_queryset(self, request):
        latest = PainScore.objects.filter(patient=OuterRef("pk")).order_by("-recorded_at")
        return (
            patients_visible_to(request.user)
            .select_related("user", "clinician")
            .annotate(latest_pain=Subquery(latest.values("score")[:1]))
        )

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        patients = list(changelist.result_list)
        _, tz, today = clinic_now()
        window = adherence.adherence_window(ADMIN_ADHERENCE_DAYS, report_day=today, today=today)
        daily = adherence.daily_adherence(
            patient_ids=[patient.pk for patient in patients],
            start=window.start,
            end=window.end,
            tz=tz,
        )
        for patient in patients:
            patient.adherence_14_days = adherence.total(daily.get(patient.pk, {}), window)
        audit.record_many(audit.Action.VIEW, patients=patients)
        return changelist

    def change_view(self, request, object_id, form_url="", extra_context=None):
        patient = self.get_object(request, object_id)
        if patient is not None and request.method == "GET" and self.has_view_permission(request):
            audit.record(audit.Action.VIEW, patient=patient)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        patient = self.get_object(request, object_id)
        if patient is not None and self.has_view_permission(request):
            audit.record(audit.Action.VIEW, patient=patient)
        return super().history_view(request, object_id, extra_context)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            # The admin's autocomplete lists these patients by name: a look at their
            # records like any list (the change list records its own).
            audit.record_many(audit.Action.VIEW, patients=list(results[:AUTOCOMPLETE_PAGE]))
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            audit.record(audit.Action.UPDATE, obj=obj, patient=obj)
            return
        services.patient_invite(
            patient=obj,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            email=form.cleaned_data["email"],
            by=request.user,
            now=clinic_now()[0],
        )
        self.message_user(
            request, f"An invitation to choose a password is on its way to {obj.user.email}."
        )

    @admin.display(description="e-mail", ordering="user__email")
    def email(self, patient):
        return patient.user.email

    @admin.display(description="adherence, 14 days")
    def adherence_14_days(self, patient):
        result = patient.adherence_14_days
        if not result.has_program:
            return "no program"
        return f"{result.percent}% ({result.done} of {result.expected})"

    @admin.display(description="latest pain", ordering="latest_pain")
    def latest_pain_score(self, patient):
        return "—" if patient.latest_pain is None else f"{patient.latest_pain}/10"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "clinician":
            kwargs["queryset"] = roles.clinicians().distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_formset(self, request, form, formset, change):
        for prescription in formset.save(commit=False):
            if prescription.pk is None:
                services.prescription_create(
                    patient=form.instance,
                    # The timer's lengths are not on this form: the level's, as anywhere.
                    dose=replace(
                        services.Dose.of(prescription), get_ready_seconds=None, rest_seconds=None
                    ),
                    prescribed_by=request.user,
                    start_date=prescription.start_date,
                    end_date=prescription.end_date,
                )
            else:
                services.prescription_update(
                    prescription=prescription,
                    end_date=prescription.end_date,
                    notes=prescription.notes,
                )


class VisiblePatientFilter(admin.SimpleListFilter):
    title = "patient"
    parameter_name = "patient"

    def lookups(self, request, model_admin):
        patients = patients_visible_to(request.user).select_related("user")
        return [(patient.pk, str(patient)) for patient in patients]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            # A hand-edited address: show nothing rather than fail.
            return queryset.none()
        return queryset.filter(patient_id=int(value))


class ReadOnlyRecordAdmin(AdministratorsOnlyMixin, ReadOnlyAdmin):
    """What patients log is their record: staff read and export it, nobody edits it here."""

    actions = ["export_csv"]
    search_fields = [
        "patient__user__email",
        "patient__user__first_name",
        "patient__user__last_name",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(patient__in=patients_visible_to(request.user))

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        shown = {entry.patient for entry in changelist.result_list}
        audit.record_many(audit.Action.VIEW, patients=shown)
        return changelist

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, object_id)
        # Recorded once the admin lets the look happen: a refused one shows nothing.
        if entry is not None and self.has_view_permission(request, entry):
            audit.record(audit.Action.VIEW, obj=entry, patient=entry.patient)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        entry = self.get_object(request, object_id)
        # Recorded once the admin lets the look happen: a refused one shows nothing.
        if entry is not None and self.has_view_permission(request, entry):
            audit.record(audit.Action.VIEW, obj=entry, patient=entry.patient)
        return super().history_view(request, object_id, extra_context)

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        patients = Patient.objects.filter(pk__in=queryset.values("patient_id"))
        audit.record_many(audit.Action.EXPORT, patients=patients)
        return csv_response(self.csv_filename, self.csv_header, self.csv_rows(queryset))


@admin.register(HoldLog)
class HoldLogAdmin(ReadOnlyRecordAdmin):
    list_display = ["performed_at", "patient", "level", "side", "seconds", "source"]
    list_select_related = ["patient__user", "prescription__level__exercise"]
    list_filter = [
        VisiblePatientFilter,
        ("prescription__level", admin.RelatedOnlyFieldListFilter),
        "performed_at",
        "side",
        "source",
    ]
    date_hierarchy = "performed_at"
    csv_filename = "holds.csv"
    csv_header = [
        "patient",
        "e-mail",
        "exercise",
        "level",
        "side",
        "seconds",
        "performed at",
        "source",
    ]

    @admin.display(description="level", ordering="prescription__level__number")
    def level(self, hold):
        return hold.prescription.level

    def csv_rows(self, queryset):
        for hold in queryset.select_related("patient__user", "prescription__level__exercise"):
            level = hold.prescription.level
            yield [
                hold.patient,
                hold.patient.user.email,
                level.exercise.name,
                level.number,
                hold.side,
                hold.seconds,
                timezone.localtime(hold.performed_at).isoformat(),
                hold.source,
            ]


@admin.register(PainScore)
class PainScoreAdmin(ReadOnlyRecordAdmin):
    list_display = ["recorded_at", "patient", "score", "context", "note"]
    list_select_related = ["patient__user"]
    list_filter = [VisiblePatientFilter, "recorded_at", "context"]
    date_hierarchy = "recorded_at"
    csv_filename = "pain-scores.csv"
    csv_header = ["patient", "e-mail", "score", "context", "recorded at", "note"]

    def csv_rows(self, queryset):
        for pain in queryset.select_related("patient__user"):
            yield [
                pain.patient,
                pain.patient.user.email,
                pain.score,
                pain.context,
                timezone.localtime(pain.recorded_at).isoformat(),
                pain.note,
            ]
