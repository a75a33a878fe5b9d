"""Forms for what patients log. The database enforces the same limits; these give the
friendly message."""

import json
import uuid
from datetime import time, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator

from exercises.models import (
    GET_READY_SECONDS_MAX,
    GET_READY_SECONDS_MIN,
    HOLD_SECONDS_MAX,
    REST_SECONDS_MAX,
    Level,
)
from patients.flags import FLAGS
from patients.models import (
    EVERY_DAY,
    MONITORING_MINUTES_MAX,
    NOTE_MAX_LENGTH,
    PAIN_MAX,
    PAIN_MIN,
    PAIN_SCALE_WORDING,
    WEEKDAY_NAMES,
    HoldLog,
    PainScore,
    ProgramPause,
    ProgramTemplate,
)
from patients.report import COLUMNS
from patients.services import Dose
from portal import roles
from portal.clock import day_start, local_date

LATEST_REMINDER = time(23, 45)

# Phones' clocks drift; a time this far ahead of the server's is still "now".
CLOCK_SKEW = timedelta(minutes=5)

PAIN_CHOICES = [(score, str(score)) for score in range(PAIN_MIN, PAIN_MAX + 1)]
# The words at the ends and the middle of the 0-10 scale, under their numbers.
PAIN_SCALE_WORDS = {0: "no pain", 5: "moderate", 10: "worst imaginable"}


def helper(submit_label):
    """Templates write the <form> tag themselves (they add the action and hidden fields)."""
    form_helper = FormHelper()
    form_helper.form_tag = False
    form_helper.add_input(Submit("submit", submit_label, css_class="btn-lg"))
    return form_helper


class DeviceEntryForm(forms.Form):
    """An entry sent by the patient's device: when it happened, as the device tells it.

    The browser sends the moment (``moment_field``) and, with it, its own clock's time of
    sending (``sent_at``); the difference from the server's clock corrects a phone whose
    clock is off. Entries may be logged for today and yesterday only: older days are the
    record, and an entry for them would quietly change past adherence.
    """

    moment_field = None
    what = None

    sent_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    client_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form is incomplete; reload the page and try again.",
            "invalid": "This form is incomplete; reload the page and try again.",
        },
    )

    def __init__(self, *args, now, tz, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now
        self.tz = tz
        self.fields["client_token"].initial = uuid.uuid4

    def clean(self):
        cleaned = super().clean()
        if self.moment_field in cleaned:
            self.correct_device_moment(cleaned)
        return cleaned

    def correct_device_moment(self, cleaned):
        moment = cleaned.get(self.moment_field)
        if moment is None:
            cleaned[self.moment_field] = self.now
            return
        sent_at = cleaned.get("sent_at")
        try:
            if sent_at is not None:
                moment = moment + (self.now - sent_at)
            earliest = day_start(local_date(self.now, self.tz) - timedelta(days=1), self.tz)
        except OverflowError:
            moment = None
        if moment is None or moment < earliest:
            self.add_error(
                self.moment_field, f"A {self.what} can be logged for today or yesterday only."
            )
        elif moment > self.now + CLOCK_SKEW:
            self.add_error(
                self.moment_field,
                f"The {self.what}'s time is in the future. Check your device's clock.",
            )
        else:
            cleaned[self.moment_field] = moment


class HoldFields(forms.Form):
    side = forms.ChoiceField(
        choices=HoldLog.Side.choices,
        error_messages={"invalid_choice": "Choose the side you stretched."},
    )
    seconds = forms.IntegerField(
        label="Seconds held",
        min_value=1,
        max_value=HOLD_SECONDS_MAX,
        error_messages={
            "invalid": "Enter the seconds as a whole number, for example 30.",
            "min_value": "A hold lasts at least 1 second.",
            "max_value": f"A hold can last at most {HOLD_SECONDS_MAX} seconds (10 minutes).",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, prescription, **kwargs):
        super().__init__(*args, **kwargs)
        self.prescription = prescription
        self.fields["side"].choices = [(side.value, side.label) for side in prescription.sides]
        self.fields["seconds"].initial = prescription.target_seconds


class HoldLogForm(DeviceEntryForm, HoldFields):
    """A hold, from the guided timer or typed in by hand."""

    moment_field = "performed_at"
    what = "hold"

    performed_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    source = forms.ChoiceField(
        choices=HoldLog.Source.choices,
        initial=HoldLog.Source.MANUAL,
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("Save this hold")

    def clean_source(self):
        return self.cleaned_data.get("source") or HoldLog.Source.MANUAL

    def clean(self):
        cleaned = super().clean()
        performed_at = cleaned.get("performed_at")
        if performed_at and not self.prescription.accepts_holds_on(
            local_date(performed_at, self.tz)
        ):
            raise forms.ValidationError(
                "This stretch was not part of your program on that day, so the hold "
                "cannot be saved against it."
            )
        return cleaned


class PainFields(forms.Form):
    """Drawn by templates/patients/_pain_fields.html, which writes each input itself (the
    pain form is on the busiest pages), so the fields here name no widget."""

    fields_template = "patients/_pain_fields.html"

    score = forms.TypedChoiceField(
        label="Pain right now, from 0 to 10",
        help_text=PAIN_SCALE_WORDING,
        choices=PAIN_CHOICES,
        coerce=int,
        error_messages={
            "required": "Choose a number from 0 to 10.",
            "invalid_choice": f"Choose a whole number from 0 to 10: {PAIN_SCALE_WORDING}",
        },
    )
    context = forms.ChoiceField(
        label="When",
        choices=[(context.value, context.label) for context in PainScore.PATIENT_CONTEXTS],
        initial=PainScore.Context.CHECK_IN,
        error_messages={"invalid_choice": "Choose when you are rating your pain."},
    )
    note = forms.CharField(
        label="Anything your clinician should know? (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        error_messages={
            "max_length": f"Keep the note to {NOTE_MAX_LENGTH} characters (it has %(show_value)d)."
        },
    )

    def score_options(self):
        """The buttons of the 0-10 scale, for the template: each value, the words that
        anchor the scale (at 0, 5 and 10), its element's id, and whether it is chosen."""
        score = self["score"]
        chosen = str(score.value())
        return [
            {
                "value": value,
                "words": PAIN_SCALE_WORDS.get(value, ""),
                "id": f"{score.auto_id}_{value}",
                "checked": str(value) == chosen,
            }
            for value, _ in PAIN_CHOICES
        ]


class PainScoreForm(DeviceEntryForm, PainFields):
    moment_field = "recorded_at"
    what = "pain score"

    recorded_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class HoldEditForm(HoldFields):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("Save changes")


class PainEditForm(PainFields):
    """Correcting today's pain score: the score, when it was, and the note."""


class ReportForm(forms.Form):
    """The clinician report's choices: which day it is as of, a flag to filter by, the order."""

    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date such as 2026-03-02."},
    )
    flag = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "All patients"), *FLAGS.items()],
        error_messages={"invalid_choice": "Choose one of the flags in the list."},
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            (prefix + column.key, column.sort_label)
            for column in COLUMNS
            if column.sort_key
            for prefix in ("", "-")
        ],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Sort by one of the report's columns."},
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["as_of"].initial = today
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "mb-3"
        self.helper.layout = Layout(
            Row(
                Column("as_of", css_class="col-sm-4 col-md-3"),
                Column("flag", css_class="col-sm-4 col-md-3"),
                Column(Submit("show", "Show", css_class="mt-sm-4"), css_class="col-auto"),
            ),
            "sort",
        )

    def clean_as_of(self):
        as_of = self.cleaned_data.get("as_of") or self.today
        if as_of > self.today:
            raise forms.ValidationError("The report cannot look past today.")
        if as_of.year < 2000:
            raise forms.ValidationError("Choose a date from 2000 onwards.")
        return as_of


class ReminderSettingsForm(forms.Form):
    reminders_on = forms.BooleanField(
        label="E-mail me a reminder on days I have not finished my program", required=False
    )
    reminder_time = forms.TimeField(
        label="Remind me at",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Enter a time such as 18:30.", "required": "Choose a time."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("Save")

    def clean_reminder_time(self):
        chosen = self.cleaned_data["reminder_time"]
        # Reminders go out every quarter of an hour until midnight; later would never come.
        if chosen > LATEST_REMINDER:
            raise forms.ValidationError(f"Choose a time no later than {LATEST_REMINDER:%H:%M}.")
        return chosen


def past_day_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": "Enter a date such as 2026-03-02.",
            "required": "Enter the day.",
        },
    )


class RecordForm(forms.Form):
    """A form on the clinician's patient record: about a day up to the clinic's today,
    with a submit button labelled ``submit_label``."""

    submit_label = "Save"
    # The field holding the day, and what is said of a day still to come.
    day_field = "day"
    future_message = "Choose today or an earlier day."
    # Whether the day starts as today (else empty, or as the form was given).
    today_by_default = True

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = helper(self.submit_label)
        if self.today_by_default:
            self.fields[self.day_field].initial = today

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get(self.day_field)
        if day is not None and day > self.today:
            self.add_error(self.day_field, self.future_message)
        elif day is not None and day.year < 2000:
            self.add_error(self.day_field, "Choose a date from 2000 onwards.")
        return cleaned


class IntakePainForm(RecordForm):
    """The intake pain score a clinician records on the patient record: the baseline
    that every later score is compared with."""

    submit_label = "Record intake pain"
    future_message = "The intake score cannot be from a day still to come."

    score = forms.TypedChoiceField(
        label="Intake pain, from 0 to 10",
        help_text=PAIN_SCALE_WORDING,
        # No score chosen until the clinician chooses one: a slip must not record a 0.
        choices=[("", "Choose a score"), *PAIN_CHOICES],
        coerce=int,
        error_messages={
            "required": "Choose the patient's pain from 0 to 10.",
            "invalid_choice": "Choose a whole number from 0 to 10.",
        },
    )
    day = past_day_field("Recorded on")


class MonitoringTimeForm(RecordForm):
    """Time a clinician spent on a patient's remote monitoring, logged on their record."""

    submit_label = "Log time"
    future_message = "Time can be logged for today or earlier days only."

    day = past_day_field("Day")
    minutes = forms.IntegerField(
        label="Minutes",
        min_value=1,
        max_value=MONITORING_MINUTES_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the minutes spent.",
            "invalid": "Enter the minutes as a whole number, for example 15.",
            "min_value": "Log at least 1 minute.",
            "max_value": f"Log at most {MONITORING_MINUTES_MAX} minutes for one day.",
        },
    )
    live_contact = forms.BooleanField(
        label="Included a live, interactive contact with the patient (call or video)",
        required=False,
    )


class MonitoringStartForm(RecordForm):
    day_field = "monitoring_start"
    today_by_default = False
    future_message = "Monitoring cannot start on a day still to come."

    monitoring_start = past_day_field(
        "Monitoring started on",
        required=False,
        help_text="Leave empty to count from the first prescription's start.",
    )


class MonitoringMonthForm(forms.Form):
    """The month of the remote-monitoring CSV, as YYYY-MM."""

    month = forms.DateField(
        label="Month",
        input_formats=["%Y-%m"],
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "Enter a month such as 2026-03."},
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["month"].initial = today.replace(day=1)

    def clean_month(self):
        month = self.cleaned_data.get("month") or self.today.replace(day=1)
        if month > self.today or month.year < 2000:
            raise forms.ValidationError("Choose a month from 2000 up to this one.")
        return month


# The clinician's workspace: enrolling a patient, building and changing a program.

PHONE = RegexValidator(
    r"^\+?[0-9][0-9 ().-]{2,30}$", "Use digits, spaces and + ( ) - only, such as 416 555 0142."
)


def unused_email(value):
    """An e-mail address for a new account, as stored; refused if someone has it."""
    email = value.strip().lower()
    if get_user_model().objects.filter(email__iexact=email).exists():
        raise forms.ValidationError("Someone already has an account with this e-mail address.")
    return email


class EnrolForm(forms.Form):
    """Who the new patient is and who looks after them."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="E-mail address", help_text="The invitation goes here.")
    phone = forms.CharField(
        label="Phone (optional)",
        max_length=32,
        required=False,
        validators=[PHONE],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    clinician = forms.ModelChoiceField(queryset=None, empty_label=None)
    template = forms.ModelChoiceField(
        label="Start from a template",
        queryset=ProgramTemplate.objects.all(),
        required=False,
        empty_label="No template: only the stretches below",
        help_text="Its stretches start today, with any you add below.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        clinicians = roles.clinicians().distinct().order_by("first_name", "last_name", "email")
        self.fields["clinician"].queryset = clinicians
        if roles.is_clinician(user):
            self.fields["clinician"].initial = user.pk

    def clean_email(self):
        return unused_email(self.cleaned_data["email"])


def level_label(level):
    sides = ", each side" if level.each_side else ""
    return f"Level {level.number}: {level.title} ({level.hold_range_label}{sides})"


class LevelField(forms.ChoiceField):
    """A published level, chosen from a list grouped by exercise."""

    def __init__(self, *, levels, **kwargs):
        self.levels = {str(level.pk): level for level in levels}
        groups = {}
        for level in levels:
            exercise = level.exercise
            group = f"{exercise.name} ({exercise.get_body_region_display().lower()})"
            groups.setdefault(group, []).append((str(level.pk), level_label(level)))
        super().__init__(choices=[("", "Choose a stretch"), *groups.items()], **kwargs)
        # static/js/stretch-search.js puts a search box above the list, and
        # static/js/dose-defaults.js shows the chosen level's picture and its defaults in
        # the dose fields.
        self.widget.attrs["data-stretch-search"] = ""
        self.widget.attrs["data-level-defaults"] = json.dumps(
            {
                str(level.pk): {
                    "target_seconds": level.hold_min_seconds,
                    "hold_max_seconds": level.hold_max_seconds,
                    "get_ready_seconds": level.get_ready_seconds,
                    "rest_seconds": level.rest_seconds,
                    "picture": picture_of(level),
                }
                for level in levels
            }
        )

    def clean(self, value):
        value = super().clean(value)
        return self.levels.get(value) if value else None


def picture_of(level):
    """A level's main picture as the builder's script shows it, or None."""
    main = level.main_image
    return {"src": main.thumbnail_src, "alt": main.alt_text} if main else None


def published_levels():
    return list(
        Level.objects.published()
        .select_related("exercise")
        .prefetch_related("images")
        .order_by("exercise__order", "exercise__name", "number")
    )


class DoseForm(forms.Form):
    """One stretch of a program: its level and how much of it."""

    # Not required as such: a row without a stretch is left out, whatever else it says.
    holds_per_side = forms.IntegerField(
        label="Holds per side", min_value=1, max_value=20, required=False
    )
    target_seconds = forms.IntegerField(
        label="Hold (seconds)",
        min_value=1,
        max_value=HOLD_SECONDS_MAX,
        required=False,
        help_text="Empty: the level's shortest hold.",
    )
    sessions_per_day = forms.IntegerField(
        label="Sessions a day", min_value=1, max_value=6, required=False
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Days",
        choices=[(str(bit), name) for bit, name in enumerate(WEEKDAY_NAMES)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every day.",
    )
    get_ready_seconds = forms.IntegerField(
        label="Get ready (seconds)",
        min_value=GET_READY_SECONDS_MIN,
        max_value=GET_READY_SECONDS_MAX,
        required=False,
        help_text="Before the first hold and before the other side. Empty: the level's.",
    )
    rest_seconds = forms.IntegerField(
        label="Rest (seconds)",
        min_value=0,
        max_value=REST_SECONDS_MAX,
        required=False,
        help_text="Between one round of holds and the next. Empty: the level's.",
    )
    notes = forms.CharField(
        label="Note to the patient",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown with the stretch on Today and on the timer.",
    )

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "level": LevelField(levels=levels, label="Stretch and level", required=False),
            **self.fields,
        }
        self.fields["holds_per_side"].initial = 2
        self.fields["sessions_per_day"].initial = 1

    def clean(self):
        cleaned = super().clean()
        level, target = cleaned.get("level"), cleaned.get("target_seconds")
        for name in ("holds_per_side", "sessions_per_day"):
            if level and name in cleaned and cleaned[name] is None:
                self.add_error(name, "Give a number for this stretch.")
        if level and target and not level.hold_min_seconds <= target <= level.hold_max_seconds:
            self.add_error(
                "target_seconds", f"Choose a hold of {level.hold_range_label} for this level."
            )
        return cleaned

    def dose(self):
        """The Dose chosen, or None for a row left empty."""
        cleaned = self.cleaned_data
        if not cleaned.get("level"):
            return None
        return Dose(
            level=cleaned["level"],
            holds_per_side=cleaned["holds_per_side"],
            target_seconds=cleaned["target_seconds"],
            sessions_per_day=cleaned["sessions_per_day"],
            weekdays=sum(1 << bit for bit in set(cleaned["weekdays"])) or EVERY_DAY,
            get_ready_seconds=cleaned["get_ready_seconds"],
            rest_seconds=cleaned["rest_seconds"],
            notes=cleaned["notes"],
        )


def dose_initial(dose):
    """A DoseForm's initial values for a Dose (every day ticks no weekday)."""
    weekdays = dose.weekdays
    return {
        "level": str(dose.level.pk),
        "holds_per_side": dose.holds_per_side,
        "target_seconds": dose.target_seconds,
        "sessions_per_day": dose.sessions_per_day,
        "weekdays": []
        if weekdays == EVERY_DAY
        else [str(bit) for bit in range(len(WEEKDAY_NAMES)) if weekdays >> bit & 1],
        "get_ready_seconds": dose.get_ready_seconds,
        "rest_seconds": dose.rest_seconds,
        "notes": dose.notes,
    }


class BaseProgramFormSet(forms.BaseFormSet):
    """Several stretches in one save (services.program_check says which programs may be
    given)."""

    def __init__(self, *args, **kwargs):
        self.levels = published_levels()
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "levels": self.levels}

    def doses(self):
        return [dose for form in self.forms if (dose := form.dose()) is not None]


ProgramFormSet = forms.formset_factory(
    DoseForm, formset=BaseProgramFormSet, extra=3, max_num=10, absolute_max=10
)


class PrescriptionChangeForm(DoseForm):
    """A new dose or level of a current prescription. When the patient has a flag to
    read first, changing the level asks for it to be acknowledged."""

    acknowledged = forms.BooleanField(
        label="I have read the flags above and still want to change the level.",
        required=False,
    )

    def __init__(self, *args, prescription, cautions, **kwargs):
        levels = [
            level for level in published_levels() if level.exercise_id == prescription.exercise_id
        ]
        if prescription.level not in levels:
            levels.append(prescription.level)
        super().__init__(*args, levels=levels, **kwargs)
        self.prescription, self.cautions = prescription, cautions
        self.fields["level"].required = True
        self.fields["level"].label = "Level"
        if not cautions:
            del self.fields["acknowledged"]

    def clean(self):
        cleaned = super().clean()
        level = cleaned.get("level")
        moving = level is not None and level != self.prescription.level
        if moving and self.cautions and not cleaned.get("acknowledged"):
            self.add_error("acknowledged", "Read the flags and tick this box to change the level.")
        return cleaned


class TemplateNameForm(forms.Form):
    name = forms.CharField(label="Template name", max_length=120)

    def __init__(self, *args, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        taken = ProgramTemplate.objects.filter(name__iexact=name)
        if self.template is not None:
            taken = taken.exclude(pk=self.template.pk)
        if taken.exists():
            raise forms.ValidationError("The clinic has a template of this name already.")
        return name


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label="Why", choices=ProgramPause.Reason.choices)
