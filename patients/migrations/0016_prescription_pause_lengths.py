"""How long the timer gives to get ready and to rest, per prescription and per template
stretch; existing ones keep what the timer did until now (5 and 15 seconds).

On SQLite the triggers are taken off while the table is made anew, as in 0015.
"""

from importlib import import_module

import django.core.validators
from django.conf import settings
from django.db import migrations, models

from patients.migrations._vendor_sql import run

WEEKDAYS = import_module("patients.migrations.0015_weekdays")


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0004_level_pause_lengths"),
        ("patients", "0015_weekdays"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(run(WEEKDAYS.LIFT), run(WEEKDAYS.RESTORE), elidable=False),
        migrations.AddField(
            model_name="prescription",
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
            model_name="prescription",
            name="rest_seconds",
            field=models.PositiveSmallIntegerField(
                default=15,
                help_text="Rest between one round of holds and the next; 0 for none.",
                validators=[django.core.validators.MaxValueValidator(300)],
                verbose_name="rest (seconds)",
            ),
        ),
        migrations.AddField(
            model_name="programtemplateitem",
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
            model_name="programtemplateitem",
            name="rest_seconds",
            field=models.PositiveSmallIntegerField(
                default=15,
                help_text="Rest between one round of holds and the next; 0 for none.",
                validators=[django.core.validators.MaxValueValidator(300)],
                verbose_name="rest (seconds)",
            ),
        ),
        migrations.AddConstraint(
            model_name="prescription",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("get_ready_seconds__gte", 3),
                    ("get_ready_seconds__lte", 60),
                    ("rest_seconds__lte", 300),
                ),
                name="prescription_pause_lengths_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="programtemplateitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("get_ready_seconds__gte", 3),
                    ("get_ready_seconds__lte", 60),
                    ("rest_seconds__lte", 300),
                ),
                name="template_item_pause_lengths_valid",
            ),
        ),
        migrations.RunPython(run(WEEKDAYS.RESTORE), run(WEEKDAYS.LIFT), elidable=False),
    ]
