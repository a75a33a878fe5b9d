"""How long the timer gives to get ready and to rest, a level's defaults for its
prescriptions.

SQLite adds a column or a constraint by making the table anew, and the triggers of
patients 0005 and 0009 that name the levels' table stop working while it is being made:
they are taken off first and put back after (as patients 0015 does).
"""

from importlib import import_module

import django.core.validators
from django.db import migrations, models

from patients.migrations._vendor_sql import run

WEEKDAYS = import_module("patients.migrations.0015_weekdays")


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0003_level_and_step_limits"),
        ("patients", "0015_weekdays"),
    ]

    operations = [
        migrations.RunPython(run(WEEKDAYS.LIFT), run(WEEKDAYS.RESTORE), elidable=False),
        migrations.AddField(
            model_name="level",
            name="get_ready_seconds",
            field=models.PositiveSmallIntegerField(
                default=5,
                help_text="Time to get into position before the first hold and before the other side.",
                validators=[
                    django.core.validators.MinValueValidator(3),
                    django.core.validators.MaxValueValidator(60),
                ],
                verbose_name="get ready (seconds)",
            ),
        ),
        migrations.AddField(
            model_name="level",
            name="rest_seconds",
            field=models.PositiveSmallIntegerField(
                default=15,
                help_text="Rest between one round of holds and the next; 0 for none.",
                validators=[django.core.validators.MaxValueValidator(300)],
                verbose_name="rest (seconds)",
            ),
        ),
        migrations.AddConstraint(
            model_name="level",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("get_ready_seconds__gte", 3),
                    ("get_ready_seconds__lte", 60),
                    ("rest_seconds__lte", 300),
                ),
                name="level_pause_lengths_valid",
            ),
        ),
        migrations.RunPython(run(WEEKDAYS.RESTORE), run(WEEKDAYS.LIFT), elidable=False),
    ]
