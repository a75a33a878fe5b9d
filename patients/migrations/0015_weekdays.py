"""The days of the week a prescription (and a template's stretch) asks for.

SQLite adds a column or a constraint by making the table anew, and the triggers of 0005
and 0009 that name the prescriptions' table stop working while it is being made: they
are taken off first and put back after. PostgreSQL alters the table in place.
"""

from importlib import import_module

import django.core.validators
from django.conf import settings
from django.db import migrations, models

from patients.migrations._vendor_sql import run

LEVEL_RULES = import_module("patients.migrations.0005_prescription_level_rules_trigger")
HOLD_RULES = import_module("patients.migrations.0009_hold_log_qualifying_triggers")
LIFT = {"sqlite": LEVEL_RULES.DROP["sqlite"] + HOLD_RULES.DROP["sqlite"]}
RESTORE = {"sqlite": LEVEL_RULES.SQLITE + HOLD_RULES.SQLITE}


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0003_level_and_step_limits"),
        ("patients", "0014_program_pause"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(run(LIFT), run(RESTORE), elidable=False),
        migrations.AddField(
            model_name="prescription",
            name="weekdays",
            field=models.PositiveSmallIntegerField(
                default=127,
                help_text="The days of the week it is done: bits from Monday (1) to Sunday (64).",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(127),
                ],
            ),
        ),
        migrations.AddField(
            model_name="programtemplateitem",
            name="weekdays",
            field=models.PositiveSmallIntegerField(
                default=127,
                help_text="The days of the week it is done: bits from Monday (1) to Sunday (64).",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(127),
                ],
            ),
        ),
        migrations.AddConstraint(
            model_name="prescription",
            constraint=models.CheckConstraint(
                condition=models.Q(("weekdays__gte", 1), ("weekdays__lte", 127)),
                name="prescription_weekdays_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="programtemplateitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("weekdays__gte", 1), ("weekdays__lte", 127)),
                name="template_item_weekdays_range",
            ),
        ),
        migrations.RunPython(run(RESTORE), run(LIFT), elidable=False),
    ]
