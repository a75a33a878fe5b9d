import secrets
import uuid
from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from exercises.models import (
    HOLD_SECONDS_MAX,
    Exercise,
    Level,
    get_ready_seconds_field,
    pause_lengths_constraint,
    rest_seconds_field,
)
from portal import roles

PAIN_MIN = 0
PAIN_MAX = 10
NOTE_MAX_LENGTH = 500
# Time logged for one patient on one day: a working day at the most.
MONITORING_MINUTES_MAX = 600
# The one wording of the pain scale (NPRS), used by every form, page and export.
PAIN_SCALE_WORDING = "0 means no pain and 10 means the worst pain you can imagine."


class PatientQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related("user", "clinician")


def new_calendar_token():
    return secrets.token_urlsafe(32)


class Patient(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patients",
        # A clinician is a staff account in the clinicians' group (portal.roles).
        limit_choices_to={"groups__name": roles.CLINICIANS, "is_staff": True},
    )
    created = models.DateTimeField(auto_now_add=True)
    # For the clinic to call the patient; the patient's own pages never show it.
    phone = models.CharField(max_length=32, blank=True)
    # Reminders are off until the patient turns them on and picks a time.
    reminders_on = models.BooleanField(default=False)
    reminder_time = models.TimeField(default=time(18, 0))
    # The secret part of the calendar feed's address; resetting it retires the old one.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    # Remote therapeutic monitoring's 30-day periods count from here; empty means from
    # the patient's first prescription.
    monitoring_start = models.DateField(
        null=True,
        blank=True,
        help_text="The first day of remote monitoring. Empty: the first prescription's start.",
    )

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__email"]

    def __str__(self):
        return str(self.user)


# The days of the week a prescription asks for, as bits from Monday (1) to Sunday (64).
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EVERY_DAY = (1 << len(WEEKDAY_NAMES)) - 1


def weekdays_label(weekdays):
    """ "every day", or the days in the week's order: "Mon, Wed, Fri"."""
    if weekdays == EVERY_DAY:
        return "every day"
    return ", ".join(name for bit, name in enumerate(WEEKDAY_NAMES) if weekdays >> bit & 1)


def weekdays_field():
    return models.PositiveSmallIntegerField(
        default=EVERY_DAY,
        validators=[MinValueValidator(1), MaxValueValidator(EVERY_DAY)],
        help_text="The days of the week it is done: bits from Monday (1) to Sunday (64).",
    )


class PrescriptionQuerySet(models.QuerySet):
    def active_on(self, day):
        """Prescriptions that apply on ``day``: started, and not yet ended."""
        return self.overlapping(day, day + timedelta(days=1))

    def overlapping(self, start, end):
        """Prescriptions that apply on at least one day of [start, end); an ``end`` of
        None means no end."""
        overlapping = self.filter(Q(end_date__isnull=True) | Q(end_date__gt=start))
        return overlapping if end is None else overlapping.filter(start_date__lt=end)

    def with_level(self):
        return self.select_related("level", "level__exercise")


class Prescription(models.Model):
    """A level of an exercise that a clinician has given a patient, with its dose.

    It applies from ``start_date`` up to, but not including, ``end_date``; an open end
    means it is active. Progressing a patient ends one prescription on the day the next
    one starts, so a day never counts both.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="prescriptions")
    # Kept beside the level so the database itself can refuse a second active
    # prescription of the same exercise.
    exercise = models.ForeignKey(
        Exercise, on_delete=models.PROTECT, related_name="+", blank=True, editable=False
    )
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="prescriptions")
    holds_per_side = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    target_seconds = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(HOLD_SECONDS_MAX)],
        help_text="How long each hold lasts; within the level's range.",
    )
    sessions_per_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    weekdays = weekdays_field()
    get_ready_seconds = get_ready_seconds_field()
    rest_seconds = rest_seconds_field()
    start_date = models.DateField()
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="The first day it no longer applies. Leave empty while it is current.",
    )
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    prescribed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    progressed_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progressed_to",
        help_text="The prescription this one replaced when the patient moved up a level.",
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = PrescriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "exercise"],
                condition=Q(end_date__isnull=True),
                name="one_active_prescription_per_exercise",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="prescription_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(target_seconds__gte=1) & Q(target_seconds__lte=HOLD_SECONDS_MAX),
                name="prescription_target_seconds_range",
            ),
            models.CheckConstraint(
                condition=Q(holds_per_side__gte=1) & Q(sessions_per_day__gte=1),
                name="prescription_dose_positive",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__gte=1) & Q(weekdays__lte=EVERY_DAY),
                name="prescription_weekdays_range",
            ),
            pause_lengths_constraint("prescription_pause_lengths_valid"),
        ]
        indexes = [models.Index(fields=["patient", "start_date"])]

    def __str__(self):
        return f"{self.level} for {self.patient}"

    def clean(self):
        errors = {}
        if self.level_id is not None:
            self.exercise_id = self.level.exercise_id
            level = self.level
            if self.target_seconds is not None and not (
                level.hold_min_seconds <= self.target_seconds <= level.hold_max_seconds
            ):
                errors["target_seconds"] = (
                    f"Choose a hold of {level.hold_range_label} for this level."
                )
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot come before the start date."
        complete = self.patient_id is not None and self.level_id is not None and self.start_date
        if complete and self._overlapping().exists():
            errors["level"] = (
                "This patient already has a prescription of this exercise for some of "
                "these days. End it first, or progress the patient to the next level."
            )
        if errors:
            raise ValidationError(errors)

    def _overlapping(self):
        """Other prescriptions of the same patient and exercise that share a day with this."""
        return (
            Prescription.objects.filter(patient_id=self.patient_id, exercise_id=self.exercise_id)
            .exclude(pk=self.pk)
            .overlapping(self.start_date, self.end_date)
        )

    @property
    def sides(self):
        if self.level.each_side:
            return [HoldLog.Side.LEFT, HoldLog.Side.RIGHT]
        return [HoldLog.Side.NONE]

    @property
    def holds_per_side_per_day(self):
        """What a day asks of each side: the holds per side, in every session."""
        return self.holds_per_side * self.sessions_per_day

    @property
    def holds_per_session(self):
        return self.holds_per_side * len(self.sides)

    @property
    def holds_per_day(self):
        return self.holds_per_side_per_day * len(self.sides)

    @property
    def session_seconds(self):
        """How long one session on the timer lasts: a get-ready, every hold, a switch
        between the sides of each round and a rest between rounds (the plan that
        static/js/timer.js follows)."""
        switches = self.holds_per_side * (len(self.sides) - 1)
        return (
            self.get_ready_seconds * (1 + switches)
            + self.target_seconds * self.holds_per_session
            + self.rest_seconds * (self.holds_per_side - 1)
        )

    @property
    def session_minutes(self):
        return -(-self.session_seconds // 60)

    def is_active_on(self, day):
        """Like Prescription.objects.active_on(); written out rather than through
        overlaps() because adherence asks it of every prescription on every day."""
        return self.start_date <= day and (self.end_date is None or day < self.end_date)

    def is_due_on(self, day):
        """Whether it asks for holds on ``day``: active, and one of its weekdays."""
        return self.is_active_on(day) and bool(self.weekdays >> day.weekday() & 1)

    @property
    def weekdays_label(self):
        return weekdays_label(self.weekdays)

    def accepts_holds_on(self, day):
        """Whether a hold done on ``day`` may be saved against it: a day it is active,
        or the day it ended, when a phone that was offline sends holds done before a
        clinician changed the program (on a replacement they count for the new
        prescription; see adherence.held)."""
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def target_met_by(self, seconds):
        """Whether a hold of ``seconds`` counts towards this prescription: it lasted the
        target. What HoldLog.qualifying stores."""
        return seconds >= self.target_seconds

    def overlaps(self, start, end):
        """Whether it applies on at least one day of [start, end), like
        Prescription.objects.overlapping()."""
        return (end is None or self.start_date < end) and (
            self.end_date is None or self.end_date > start
        )


class ProgramPauseQuerySet(models.QuerySet):
    def overlapping(self, start, end):
        """Pauses that cover at least one day of [start, end)."""
        return self.filter(start_date__lt=end).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=start)
        )


class ProgramPause(models.Model):
    """Days a patient's whole program is paused (a holiday, an illness): nothing is
    expected of them then, so adherence is not held against them. It covers
    ``start_date`` up to, not including, ``end_date``; an open end means paused until
    the clinician resumes it."""

    class Reason(models.TextChoices):
        HOLIDAY = "holiday", "Holiday"
        ILLNESS = "illness", "Illness or injury"
        OTHER = "other", "Other"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="pauses")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=7, choices=Reason.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    objects = ProgramPauseQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(end_date__isnull=True), name="one_open_pause"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="pause_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} pause for {self.patient}"

    def covers(self, day):
        return self.start_date <= day and (self.end_date is None or day < self.end_date)


class HoldLogQuerySet(models.QuerySet):
    def for_patient(self, patient):
        return self.filter(patient=patient)

    def between(self, start, end):
        """Holds performed in [start, end), two aware datetimes."""
        return self.filter(performed_at__gte=start, performed_at__lt=end)

    def qualifying(self):
        """Holds that lasted at least their prescription's target."""
        return self.filter(qualifying=True)


class HoldLog(models.Model):
    class Side(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"
        NONE = "none", "Both / no side"

    class Source(models.TextChoices):
        TIMER = "timer", "Guided timer"
        MANUAL = "manual", "Entered by hand"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="hold_logs")
    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="hold_logs"
    )
    side = models.CharField(max_length=5, choices=Side.choices)
    seconds = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(HOLD_SECONDS_MAX)]
    )
    performed_at = models.DateTimeField()
    client_token = models.UUIDField(default=uuid.uuid4)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.MANUAL)
    # Whether the hold lasted at least its prescription's target
    # (Prescription.target_met_by), settled when the hold is written, so that counting a
    # clinic's holds needs no join to their prescriptions. No default: a write that
    # forgets it fails; and the database refuses a wrong one and judges the holds again
    # if a target is ever changed (migration 0009).
    qualifying = models.BooleanField(editable=False)
    created = models.DateTimeField(auto_now_add=True)

    objects = HoldLogQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "client_token"], name="hold_log_token_unique_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(seconds__gte=1) & Q(seconds__lte=HOLD_SECONDS_MAX),
                name="hold_log_seconds_range",
            ),
            models.CheckConstraint(
                condition=Q(side__in=["left", "right", "none"]), name="hold_log_side_valid"
            ),
        ]
        indexes = [
            # A report counts its patients' holds by day, side and prescription from this
            # index alone on PostgreSQL, without reading the table (SQLite ignores the
            # included columns).
            models.Index(
                fields=["patient", "performed_at"],
                include=["prescription", "side", "qualifying"],
                name="hold_log_patient_time",
            ),
            models.Index(fields=["prescription", "performed_at"]),
        ]

    def __str__(self):
        return f"{self.get_side_display()} hold of {self.seconds} s"

    def is_editable_on(self, today, tz):
        """Patients may correct what they logged today; earlier days are the record."""
        return self.performed_at.astimezone(tz).date() == today


class PainScoreQuerySet(models.QuerySet):
    def for_patient(self, patient):
        return self.filter(patient=patient)

    def from_patient(self):
        """The scores the patient gave: every one but a clinician's intake score."""
        return self.exclude(context=PainScore.Context.INTAKE)

    def intake(self):
        return self.filter(context=PainScore.Context.INTAKE)

    def between(self, start, end):
        return self.filter(recorded_at__gte=start, recorded_at__lt=end)


class PainScore(models.Model):
    class Context(models.TextChoices):
        BEFORE = "before", "Before stretching"
        AFTER = "after", "After stretching"
        CHECK_IN = "checkin", "Daily check-in"
        INTAKE = "intake", "Intake (recorded by the clinician)"

    # What a patient may choose when they log a score; the intake score is staff's.
    PATIENT_CONTEXTS = (Context.BEFORE, Context.AFTER, Context.CHECK_IN)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="pain_scores")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(PAIN_MIN), MaxValueValidator(PAIN_MAX)],
        help_text=PAIN_SCALE_WORDING,
    )
    context = models.CharField(max_length=7, choices=Context.choices)
    recorded_at = models.DateTimeField()
    note = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])
    client_token = models.UUIDField(default=uuid.uuid4)
    # Who recorded an intake score; empty for the scores patients give themselves.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = PainScoreQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "client_token"], name="pain_score_token_unique_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=PAIN_MIN) & Q(score__lte=PAIN_MAX),
                name="pain_score_range",
            ),
            models.CheckConstraint(
                condition=Q(context__in=["before", "after", "checkin", "intake"]),
                name="pain_score_context_valid",
            ),
            # An intake score is always a clinician's, and only an intake score is.
            models.CheckConstraint(
                condition=Q(context="intake", recorded_by__isnull=False)
                | (~Q(context="intake") & Q(recorded_by__isnull=True)),
                name="pain_score_intake_recorded_by_staff",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "recorded_at"]),
            # Each report looks up its patients' intake scores among all their scores.
            models.Index(
                fields=["patient", "recorded_at"],
                condition=Q(context="intake"),
                name="pain_score_intake",
            ),
        ]

    def __str__(self):
        return f"Pain {self.score}/10 ({self.get_context_display().lower()})"

    def is_editable_on(self, today, tz):
        """A patient corrects their own scores of today; an intake score is staff's."""
        return (
            self.context != self.Context.INTAKE and self.recorded_at.astimezone(tz).date() == today
        )


class MonitoringTimeQuerySet(models.QuerySet):
    def between(self, start, end):
        """Entries for the days in [start, end)."""
        return self.filter(day__gte=start, day__lt=end)


class MonitoringTime(models.Model):
    """Time a clinician spent managing a patient's remote monitoring on one day: what
    the treatment-management codes count per calendar month."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="monitoring_time")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField()
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MONITORING_MINUTES_MAX)]
    )
    live_contact = models.BooleanField(
        default=False,
        help_text="The time included a live, interactive contact with the patient (call or video).",
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = MonitoringTimeQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=MONITORING_MINUTES_MAX),
                name="monitoring_time_minutes_range",
            )
        ]
        indexes = [models.Index(fields=["patient", "day"])]

    def __str__(self):
        return f"{self.minutes} min on {self.day}"


class ReminderSent(models.Model):
    """A reminder or digest e-mail that went out, so that none goes out twice."""

    class Kind(models.TextChoices):
        PATIENT = "patient", "Patient's daily reminder"
        DIGEST = "digest", "Clinician's weekly digest"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=7, choices=Kind.choices)
    day = models.DateField(help_text="The day (for a digest, the Monday of the week) it covers.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # Kind and day first: each run of the reminders looks up who has had today's.
            models.UniqueConstraint(
                fields=["kind", "day", "recipient"], name="reminder_once_per_day"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient} for {self.day}"


class ProgramTemplate(models.Model):
    """A named program the clinic starts patients on: stretches at their levels and
    doses. A program given from a template is copied into the patient's prescriptions,
    so changing the template later never changes what anyone was given."""

    name = models.CharField(max_length=120, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    changed = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProgramTemplateItem(models.Model):
    """One stretch of a ProgramTemplate, with the dose a prescription of it starts with."""

    template = models.ForeignKey(ProgramTemplate, on_delete=models.CASCADE, related_name="items")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    holds_per_side = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    target_seconds = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(HOLD_SECONDS_MAX)]
    )
    sessions_per_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    weekdays = weekdays_field()
    get_ready_seconds = get_ready_seconds_field()
    rest_seconds = rest_seconds_field()
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_seconds__gte=1) & Q(target_seconds__lte=HOLD_SECONDS_MAX),
                name="template_item_target_seconds_range",
            ),
            models.CheckConstraint(
                condition=Q(holds_per_side__gte=1) & Q(sessions_per_day__gte=1),
                name="template_item_dose_positive",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__gte=1) & Q(weekdays__lte=EVERY_DAY),
                name="template_item_weekdays_range",
            ),
            pause_lengths_constraint("template_item_pause_lengths_valid"),
        ]

    def __str__(self):
        return f"{self.level} in {self.template}"
