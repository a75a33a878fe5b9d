"""Pictures on levels and steps, and a video on a level (exercises.models.Picture)."""

import django.db.models.deletion
from django.db import migrations, models

import exercises.models


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0004_level_pause_lengths"),
    ]

    operations = [
        migrations.CreateModel(
            name="LevelImage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "alt_text",
                    models.CharField(
                        blank=True,
                        help_text="What the picture shows, for people who cannot see it: e.g. “Lying on the back, one knee drawn to the chest with both hands behind the thigh”.",
                        max_length=250,
                        verbose_name="description (alt text)",
                    ),
                ),
                ("renditions", models.JSONField(blank=True, default=list, editable=False)),
                ("illustration", models.CharField(blank=True, editable=False, max_length=200)),
                ("width", models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ("height", models.PositiveIntegerField(blank=True, editable=False, null=True)),
                (
                    "order",
                    models.PositiveSmallIntegerField(
                        default=1,
                        help_text="Position among the level's pictures; the first is its main one.",
                    ),
                ),
            ],
            options={
                "ordering": ["level_id", "order", "pk"],
            },
        ),
        migrations.CreateModel(
            name="LevelVideo",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "alt_text",
                    models.CharField(
                        blank=True,
                        help_text="What the picture shows, for people who cannot see it: e.g. “Lying on the back, one knee drawn to the chest with both hands behind the thigh”.",
                        max_length=250,
                        verbose_name="description (alt text)",
                    ),
                ),
                ("renditions", models.JSONField(blank=True, default=list, editable=False)),
                ("illustration", models.CharField(blank=True, editable=False, max_length=200)),
                ("width", models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ("height", models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ("video", models.FileField(max_length=200, upload_to=exercises.models.video_name)),
                (
                    "video_type",
                    models.CharField(
                        choices=[("mp4", "MP4"), ("webm", "WebM")], editable=False, max_length=4
                    ),
                ),
                (
                    "captions",
                    models.FileField(
                        blank=True,
                        help_text="A WebVTT (.vtt) file of what is said and heard.",
                        max_length=200,
                        upload_to=exercises.models.captions_name,
                    ),
                ),
                (
                    "transcript",
                    models.TextField(
                        blank=True,
                        help_text="What the video shows and says, for people who cannot watch or hear it.",
                        verbose_name="text alternative",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="step",
            name="alt_text",
            field=models.CharField(
                blank=True,
                help_text="What the picture shows, for people who cannot see it: e.g. “Lying on the back, one knee drawn to the chest with both hands behind the thigh”.",
                max_length=250,
                verbose_name="description (alt text)",
            ),
        ),
        migrations.AddField(
            model_name="step",
            name="height",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="step",
            name="illustration",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="step",
            name="renditions",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name="step",
            name="width",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="step",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("illustration", ""), ("width__isnull", True)),
                    models.Q(("alt_text", ""), _negated=True),
                    _connector="OR",
                ),
                name="step_picture_has_alt_text",
            ),
        ),
        migrations.AddField(
            model_name="levelimage",
            name="level",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="images",
                to="exercises.level",
            ),
        ),
        migrations.AddField(
            model_name="levelvideo",
            name="level",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="video",
                to="exercises.level",
            ),
        ),
        migrations.AddConstraint(
            model_name="levelimage",
            constraint=models.CheckConstraint(
                condition=models.Q(("alt_text", ""), _negated=True), name="level_image_has_alt_text"
            ),
        ),
        migrations.AddConstraint(
            model_name="levelimage",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("illustration", ""), _negated=True),
                    ("width__isnull", False),
                    _connector="OR",
                ),
                name="level_image_has_a_picture",
            ),
        ),
        migrations.AddConstraint(
            model_name="levelvideo",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("captions", ""), _negated=True),
                    models.Q(("transcript", ""), _negated=True),
                    _connector="OR",
                ),
                name="level_video_has_captions_or_text",
            ),
        ),
        migrations.AddConstraint(
            model_name="levelvideo",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("width__isnull", False), models.Q(("alt_text", ""), _negated=True)
                ),
                name="level_video_has_a_described_poster",
            ),
        ),
    ]
