from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from exercises import pictures
from exercises.forms import LevelImageForm, LevelVideoForm, StepForm
from exercises.models import MAX_STEPS, Exercise, Level, LevelImage, LevelVideo, Step
from portal.admin import HardenedAdminMixin

NO_STEPS_MESSAGE = "A published level needs at least one step. Add a step or untick Published."


class FilesGoWithTheLevelsMixin:
    """Deleting levels (or an exercise, with its levels) deletes their stored files too,
    once the deletion is committed."""

    def levels_of(self, queryset):
        return queryset

    def delete_model(self, request, obj):
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        pictures.files_discard(pictures.level_files(self.levels_of(queryset)))
        super().delete_queryset(request, queryset)


class InUseWithoutNamesMixin:
    """Content is refused deletion while patients' prescriptions use it, and the page
    that says so counts them: it never names a patient (content editors see none)."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, permissions, protected = super().get_deleted_objects(objs, request)
        if protected:
            count = len(protected)
            protected = [
                f"{count} prescription{'s' if count != 1 else ''} given to patients. End "
                "them, or move their patients to another level, before deleting this."
            ]
        return deleted, counts, permissions, protected


class PictureFilesFormSet(BaseInlineFormSet):
    """Rows whose removal takes their stored files with them, once the page is saved."""

    def delete_existing(self, obj, commit=True):
        if commit:
            pictures.files_discard(obj.stored_names())
        super().delete_existing(obj, commit)


class StepInlineFormSet(PictureFilesFormSet):
    """Steps of a level, which editors may renumber freely (swap two, insert at the top)."""

    def save(self, commit=True):
        if commit:
            self._park_moving_steps()
            self._release_the_hold()
        return super().save(commit)

    def _release_the_hold(self):
        # One step is the hold (a constraint): the step that stops being it lets go first,
        # so that another may become it in the same save.
        letting_go = [
            form.instance.pk
            for form in self.initial_forms
            if form.initial.get("is_the_hold")
            and (not form.cleaned_data.get("is_the_hold") or self._should_delete_form(form))
        ]
        Step.objects.filter(pk__in=letting_go).update(is_the_hold=False)

    def _park_moving_steps(self):
        # Rows are saved one at a time, so renumbering 1, 2 to 2, 3 would collide with the
        # unique (level, order) constraint midway. Steps that move or go away first step
        # aside to numbers above any in use.
        moving = [
            form.instance.pk
            for form in self.initial_forms
            if "order" in form.changed_data or self._should_delete_form(form)
        ]
        if not moving:
            return
        spare = MAX_STEPS + 1 + (self.instance.steps.aggregate(top=Max("order"))["top"] or 0)
        for offset, pk in enumerate(moving):
            Step.objects.filter(pk=pk).update(order=spare + offset)

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # Untouched extra forms have empty cleaned_data; saved steps always have some.
        kept = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if sum(1 for form in kept if form.cleaned_data.get("is_the_hold")) > 1:
            raise ValidationError("Only one step of a level is the hold: untick the others.")
        if self.instance.published and not kept:
            raise ValidationError(NO_STEPS_MESSAGE)


class ThumbnailMixin:
    """A small copy of a row's picture beside its fields."""

    @admin.display(description="now")
    def thumbnail(self, picture):
        if picture is None or not picture.has_picture:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="120" loading="lazy">',
            picture.thumbnail_src,
            picture.alt_text,
        )


class StepInline(ThumbnailMixin, admin.TabularInline):
    model = Step
    form = StepForm
    formset = StepInlineFormSet
    fields = ["order", "text", "is_the_hold", "thumbnail", "upload", "alt_text", "remove_picture"]
    readonly_fields = ["thumbnail"]
    extra = 1


class LevelImageInline(ThumbnailMixin, admin.TabularInline):
    model = LevelImage
    form = LevelImageForm
    formset = PictureFilesFormSet
    fields = ["order", "thumbnail", "upload", "alt_text"]
    readonly_fields = ["thumbnail"]
    extra = 0
    verbose_name = "picture"
    verbose_name_plural = "pictures (the first is the level's own)"


class LevelVideoFormSet(PictureFilesFormSet):
    def delete_existing(self, obj, commit=True):
        if commit:
            pictures.files_discard([obj.video.name, obj.captions.name])
        super().delete_existing(obj, commit)


class LevelVideoInline(ThumbnailMixin, admin.StackedInline):
    model = LevelVideo
    form = LevelVideoForm
    formset = LevelVideoFormSet
    fields = ["video", "thumbnail", "upload", "alt_text", "captions", "transcript"]
    readonly_fields = ["thumbnail"]
    extra = 0
    max_num = 1


class LevelChangeListForm(forms.ModelForm):
    """The changelist's published toggle, which must not publish a level without steps."""

    class Meta:
        model = Level
        fields = ["published"]

    def clean_published(self):
        published = self.cleaned_data["published"]
        if published and (self.instance.pk is None or not self.instance.steps.exists()):
            raise ValidationError(NO_STEPS_MESSAGE)
        return published


@admin.register(Level)
class LevelAdmin(
    FilesGoWithTheLevelsMixin, HardenedAdminMixin, InUseWithoutNamesMixin, admin.ModelAdmin
):
    list_display = ["__str__", "exercise", "number", "hold_range_label", "each_side", "published"]
    list_display_links = ["__str__"]
    list_editable = ["published"]
    list_filter = ["published", "exercise", "each_side"]
    list_select_related = ["exercise"]
    search_fields = ["title", "purpose", "exercise__name"]
    inlines = [LevelImageInline, StepInline, LevelVideoInline]
    fieldsets = [
        (None, {"fields": ["exercise", "number", "title", "purpose", "equipment"]}),
        (
            "Hold and timer",
            {
                "fields": [
                    "hold_min_seconds",
                    "hold_max_seconds",
                    "each_side",
                    "side_cue",
                    "get_ready_seconds",
                    "rest_seconds",
                ]
            },
        ),
        ("Safety and tips", {"fields": ["intensity_tip", "cautions"]}),
        ("Publishing", {"fields": ["published", "as_a_patient_sees_it"]}),
    ]

    @admin.display(description="preview")
    def as_a_patient_sees_it(self, level):
        if level.pk is None:
            return "Save the level first."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">See this level as a patient does</a> '
            "(a draft shows only to content editors, marked as a draft).",
            level.get_absolute_url(),
        )

    @admin.display(description="hold")
    def hold_range_label(self, level):
        return level.hold_range_label

    def get_readonly_fields(self, request, obj=None):
        # Past adherence is counted from the level's sides; once prescribed, they stay.
        if obj is not None and obj.prescriptions.exists():
            return ["each_side", "as_a_patient_sees_it"]
        return ["as_a_patient_sees_it"]

    def get_changelist_form(self, request, **kwargs):
        return LevelChangeListForm


class LevelInline(admin.TabularInline):
    """The levels of an exercise at a glance; each is edited, with its steps, on its own page."""

    model = Level
    fields = ["number", "title", "hold_min_seconds", "hold_max_seconds", "published"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Exercise)
class ExerciseAdmin(
    FilesGoWithTheLevelsMixin, HardenedAdminMixin, InUseWithoutNamesMixin, admin.ModelAdmin
):
    list_display = ["name", "body_region", "level_count", "order", "published"]
    list_editable = ["order", "published"]
    list_filter = ["published", "body_region"]
    search_fields = ["name", "summary", "education"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [LevelInline]
    fields = ["name", "slug", "summary", "body_region", "education", "order", "published"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(level_count=Count("levels"))

    @admin.display(description="levels", ordering="level_count")
    def level_count(self, exercise):
        return exercise.level_count

    def levels_of(self, queryset):
        return Level.objects.filter(exercise__in=queryset)
