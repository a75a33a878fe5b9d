from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.templatetags.static import static
from django.urls import reverse

from portal.clock import clinic_today
from portal.uploads import generated_name

HOLD_SECONDS_MIN = 5
HOLD_SECONDS_MAX = 600
MAX_LEVELS = 20
MAX_STEPS = 50
# The timer's pauses around the holds; a get-ready has room for a 3-2-1 countdown.
GET_READY_SECONDS_MIN = 3
GET_READY_SECONDS_MAX = 60
GET_READY_SECONDS_DEFAULT = 5
REST_SECONDS_MAX = 300
REST_SECONDS_DEFAULT = 15
# Where a level's side cue says Left or Right.
SIDE_PLACEHOLDER = "{side}"

PREVIEW_PERMISSION = "exercises.change_level"


def get_ready_seconds_field():
    """How long the timer gives to get into position: before the first hold, and before
    the other side. A level's is the default of its prescriptions."""
    return models.PositiveSmallIntegerField(
        "get ready (seconds)",
        default=GET_READY_SECONDS_DEFAULT,
        validators=[
            MinValueValidator(GET_READY_SECONDS_MIN),
            MaxValueValidator(GET_READY_SECONDS_MAX),
        ],
        help_text="Time to get into position before the first hold and before the other side.",
    )


def rest_seconds_field():
    """How long the timer rests between one round of holds (each side once) and the next."""
    return models.PositiveSmallIntegerField(
        "rest (seconds)",
        default=REST_SECONDS_DEFAULT,
        validators=[MaxValueValidator(REST_SECONDS_MAX)],
        help_text="Rest between one round of holds and the next; 0 for none.",
    )


def pause_lengths_constraint(name):
    """The database's copy of the two fields' ranges, for a model that has both."""
    return models.CheckConstraint(
        condition=Q(get_ready_seconds__gte=GET_READY_SECONDS_MIN)
        & Q(get_ready_seconds__lte=GET_READY_SECONDS_MAX)
        & Q(rest_seconds__lte=REST_SECONDS_MAX),
        name=name,
    )


class VisibleToMixin:
    def visible_to(self, user):
        """Content editors preview drafts; everyone else sees what is published."""
        if user.has_perm(PREVIEW_PERMISSION):
            return self.all()
        return self.published()


class ExerciseQuerySet(VisibleToMixin, models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Exercise(models.Model):
    class BodyRegion(models.TextChoices):
        NECK = "neck", "Neck"
        SHOULDER = "shoulder", "Shoulder"
        UPPER_BACK = "upper_back", "Upper back"
        LOW_BACK = "low_back", "Low back"
        HIP = "hip", "Hip"
        KNEE = "knee", "Knee"
        ANKLE_FOOT = "ankle_foot", "Ankle and foot"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.CharField(max_length=255, help_text="One sentence shown in the library.")
    body_region = models.CharField(max_length=20, choices=BodyRegion.choices)
    education = models.TextField(
        help_text="Why this stretch helps, in plain words. Separate paragraphs with a blank line."
    )
    published = models.BooleanField(
        default=False, help_text="Only published exercises are shown to patients."
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position in the library; lower numbers come first."
    )

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("exercises:exercise", kwargs={"slug": self.slug})


class LevelQuerySet(VisibleToMixin, models.QuerySet):
    def published(self):
        return self.filter(published=True, exercise__published=True)

    def next_levels(self, levels):
        """For each of ``levels``, the level after it among this queryset (or None), by
        Level.next_among: {level id: level}. One query, whatever the number of levels."""
        exercise_ids = {level.exercise_id for level in levels}
        if not exercise_ids:
            return {}
        candidates = list(self.filter(exercise_id__in=exercise_ids).order_by("number"))
        return {level.pk: level.next_among(candidates) for level in levels}


class Level(models.Model):
    """One progression level of an exercise: what to do, for how long, and how safely."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LEVELS)],
        help_text="1 for the first level, 2 for the next, and so on.",
    )
    title = models.CharField(max_length=120)
    purpose = models.TextField(help_text="What this level does and when it is the right one.")
    equipment = models.CharField(max_length=255, blank=True)
    hold_min_seconds = models.PositiveSmallIntegerField(
        "shortest hold (seconds)",
        default=30,
        validators=[MinValueValidator(HOLD_SECONDS_MIN), MaxValueValidator(HOLD_SECONDS_MAX)],
    )
    hold_max_seconds = models.PositiveSmallIntegerField(
        "longest hold (seconds)",
        default=60,
        validators=[MinValueValidator(HOLD_SECONDS_MIN), MaxValueValidator(HOLD_SECONDS_MAX)],
    )
    each_side = models.BooleanField(
        default=True, help_text="The hold is done once on the left and once on the right."
    )
    get_ready_seconds = get_ready_seconds_field()
    rest_seconds = rest_seconds_field()
    side_cue = models.CharField(
        "how the timer says a side",
        max_length=120,
        blank=True,
        help_text=(
            "Which leg does what, with {side} where Left or Right goes: e.g. “{side} leg "
            "long and relaxed, the other knee to your chest”. Empty: “Left side”."
        ),
    )
    intensity_tip = models.TextField(blank=True)
    cautions = models.TextField(blank=True)
    published = models.BooleanField(
        default=False,
        help_text="Only published levels of published exercises are shown to patients.",
    )

    objects = LevelQuerySet.as_manager()

    class Meta:
        ordering = ["exercise__order", "exercise__name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "number"], name="level_number_unique_per_exercise"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="level_number_positive"),
            models.CheckConstraint(
                condition=Q(hold_min_seconds__gte=HOLD_SECONDS_MIN)
                & Q(hold_min_seconds__lte=F("hold_max_seconds"))
                & Q(hold_max_seconds__lte=HOLD_SECONDS_MAX),
                name="level_hold_range_valid",
                violation_error_message=(
                    f"Holds must last {HOLD_SECONDS_MIN} to {HOLD_SECONDS_MAX} seconds, the "
                    "shortest no longer than the longest."
                ),
            ),
            pause_lengths_constraint("level_pause_lengths_valid"),
        ]

    def __str__(self):
        return f"{self.exercise.name}, Level {self.number}: {self.title}"

    def get_absolute_url(self):
        return reverse(
            "exercises:level", kwargs={"slug": self.exercise.slug, "number": self.number}
        )

    def clean(self):
        errors = {}
        if self.side_cue and self.each_side and self.side_cue.count(SIDE_PLACEHOLDER) != 1:
            errors["side_cue"] = (
                f"Put {SIDE_PLACEHOLDER} once where the timer says Left or Right, e.g. "
                f"“{SIDE_PLACEHOLDER} leg long, the other knee to your chest”."
            )
        hold_range = range(HOLD_SECONDS_MIN, HOLD_SECONDS_MAX + 1)
        # Out-of-range values already have their own message from the field validators.
        if (
            self.hold_min_seconds in hold_range
            and self.hold_max_seconds in hold_range
            and self.hold_min_seconds > self.hold_max_seconds
        ):
            errors["hold_max_seconds"] = (
                "The longest hold must be at least the shortest hold "
                f"({self.hold_min_seconds} seconds)."
            )
        if self.number is not None and self.exercise_id is not None:
            taken = Level.objects.filter(exercise_id=self.exercise_id, number=self.number)
            if taken.exclude(pk=self.pk).exists():
                errors["number"] = (
                    f"This exercise already has a Level {self.number}. "
                    "Choose another number or edit that level."
                )
        if self.pk is not None and "hold_max_seconds" not in errors:
            errors.update(self._prescribed_holds_outside_range())
        if errors:
            raise ValidationError(errors)

    def _prescribed_holds_outside_range(self):
        """A range that no longer covers what patients are doing now would leave their
        prescriptions outside their level's rules."""
        # Prescriptions that apply today or later (the related manager's queryset is
        # the prescriptions' own, with its one rule of which days a prescription covers).
        current = self.prescriptions.overlapping(clinic_today(), None)
        outside = current.exclude(
            target_seconds__gte=self.hold_min_seconds, target_seconds__lte=self.hold_max_seconds
        ).values_list("target_seconds", flat=True)
        if not outside:
            return {}
        held = ", ".join(f"{seconds} s" for seconds in sorted(set(outside)))
        return {
            "hold_min_seconds": (
                f"Patients currently do this level with holds of {held}; keep the range "
                "around them, or change their prescriptions first."
            )
        }

    def side_words(self, side_name):
        """What the timer says for one side ("Left", "Right"): the level's cue, or
        "Left side"."""
        if self.side_cue and SIDE_PLACEHOLDER in self.side_cue:
            return self.side_cue.replace(SIDE_PLACEHOLDER, side_name)
        return f"{side_name} side"

    @property
    def main_image(self):
        """The level's first picture, or None; no query when its images were prefetched."""
        images = self.images.all()
        return images[0] if images else None

    @property
    def hold_step(self):
        """The step that is held (Step.is_the_hold), or None; no query when the steps were
        prefetched."""
        return next((step for step in self.steps.all() if step.is_the_hold), None)

    def picture_urls(self):
        """The addresses of every picture of the level and its steps (from prefetched
        images and steps when there are)."""
        pictures = [*self.images.all(), *self.steps.all()]
        return [url for picture in pictures for url in picture.urls]

    @property
    def hold_range_label(self):
        if self.hold_min_seconds == self.hold_max_seconds:
            return f"{self.hold_min_seconds} seconds"
        return f"{self.hold_min_seconds}–{self.hold_max_seconds} seconds"

    def next_among(self, levels):
        """The next level of this one among ``levels``: the lowest number above this
        one's, of the same exercise; None when there is none. No query."""
        following = [
            level
            for level in levels
            if level.exercise_id == self.exercise_id and level.number > self.number
        ]
        return min(following, key=lambda level: level.number, default=None)

    def next_in(self, levels):
        """The next level of this one among the queryset ``levels``, or None."""
        return levels.next_levels([self])[self.pk]

    def previous_in(self, levels):
        return (
            levels.filter(exercise_id=self.exercise_id, number__lt=self.number)
            .order_by("-number")
            .first()
        )


class Picture(models.Model):
    """A picture of the library: an upload, kept as WebP renditions at a few widths
    (exercises.pictures writes them), or one of the portal's own illustrations, a static
    file under illustrations/ that a migration installs."""

    alt_text = models.CharField(
        "description (alt text)",
        max_length=250,
        blank=True,
        help_text=(
            "What the picture shows, for people who cannot see it: e.g. “Lying on the back, "
            "one knee drawn to the chest with both hands behind the thigh”."
        ),
    )
    # [{"name": storage name, "width": ..., "height": ...}], narrowest first.
    renditions = models.JSONField(default=list, blank=True, editable=False)
    illustration = models.CharField(max_length=200, blank=True, editable=False)
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def has_picture(self):
        return bool(self.renditions or self.illustration)

    @property
    def src(self):
        """The address of the picture at its widest."""
        if self.illustration:
            return static(self.illustration)
        if self.renditions:
            return default_storage.url(self.renditions[-1]["name"])
        return ""

    @property
    def srcset(self):
        return ", ".join(
            f"{default_storage.url(rendition['name'])} {rendition['width']}w"
            for rendition in self.renditions
        )

    @property
    def thumbnail_src(self):
        if self.renditions:
            return default_storage.url(self.renditions[0]["name"])
        return self.src

    @property
    def urls(self):
        """Every address the picture is served at (what an offline copy needs)."""
        if self.renditions:
            return [default_storage.url(rendition["name"]) for rendition in self.renditions]
        return [self.src] if self.illustration else []

    def stored_names(self):
        return [rendition["name"] for rendition in self.renditions]


class LevelImage(Picture):
    """One of a level's pictures; the first (lowest order) is the level's own, shown on
    the library, Today, the timer and the printout."""

    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="images")
    order = models.PositiveSmallIntegerField(
        default=1, help_text="Position among the level's pictures; the first is its main one."
    )

    class Meta:
        ordering = ["level_id", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(alt_text=""), name="level_image_has_alt_text"),
            models.CheckConstraint(
                condition=~Q(illustration="") | Q(width__isnull=False),
                name="level_image_has_a_picture",
            ),
        ]

    def __str__(self):
        return self.alt_text or f"Picture {self.order}"


def video_name(video, filename):
    return generated_name("videos", video.video_type or "mp4")


def captions_name(video, filename):
    return generated_name("captions", "vtt")


class LevelVideo(Picture):
    """A short video of a level, with its poster (the picture fields) and captions or a
    text alternative for people who cannot hear or see it."""

    class VideoType(models.TextChoices):
        MP4 = "mp4", "MP4"
        WEBM = "webm", "WebM"

    level = models.OneToOneField(Level, on_delete=models.CASCADE, related_name="video")
    video = models.FileField(upload_to=video_name, max_length=200)
    video_type = models.CharField(max_length=4, choices=VideoType.choices, editable=False)
    captions = models.FileField(
        upload_to=captions_name,
        max_length=200,
        blank=True,
        help_text="A WebVTT (.vtt) file of what is said and heard.",
    )
    transcript = models.TextField(
        "text alternative",
        blank=True,
        help_text="What the video shows and says, for people who cannot watch or hear it.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(captions="") | ~Q(transcript=""),
                name="level_video_has_captions_or_text",
            ),
            models.CheckConstraint(
                condition=Q(width__isnull=False) & ~Q(alt_text=""),
                name="level_video_has_a_described_poster",
            ),
        ]

    def __str__(self):
        return f"Video of {self.level}"

    @property
    def content_type(self):
        return f"video/{self.video_type}"


class Step(Picture):
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STEPS)]
    )
    text = models.TextField()
    is_the_hold = models.BooleanField(
        "the hold",
        default=False,
        help_text="The step that is held: the timer shows it, and its picture, during each hold.",
    )

    class Meta:
        # level_id, not level: ordering by the relation would join in Level's own ordering.
        ordering = ["level_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["level"],
                condition=Q(is_the_hold=True),
                name="one_hold_step_per_level",
                violation_error_message="Only one step of a level is the hold.",
            ),
            models.UniqueConstraint(fields=["level", "order"], name="step_order_unique_per_level"),
            models.CheckConstraint(condition=Q(order__gte=1), name="step_order_positive"),
            models.CheckConstraint(
                condition=(Q(illustration="") & Q(width__isnull=True)) | ~Q(alt_text=""),
                name="step_picture_has_alt_text",
            ),
        ]

    def __str__(self):
        return f"Step {self.order}"

    def clean(self):
        if self.has_picture and not self.alt_text.strip():
            raise ValidationError(
                {"alt_text": "Describe the step's picture for people who cannot see it."}
            )
