"""How the timer says a side, from the level's content (which leg does what), and the
psoas program's two cues. The field is new, so no clinic has written one yet.

SQLite adds the column by making the levels' table anew: the triggers of patients 0005
and 0009 that name it are taken off first and put back after (as in 0004).
"""

from importlib import import_module

from django.db import migrations, models

from patients.migrations._vendor_sql import run

WEEKDAYS = import_module("patients.migrations.0015_weekdays")
PSOAS = import_module("exercises.migrations.0002_psoas_program")

CUES = {
    1: "{side} leg long and relaxed, the other knee drawn to your chest",
    2: "{side} leg hanging off the edge, the other knee drawn to your chest",
}


def install(apps, schema_editor):
    Level = apps.get_model("exercises", "Level")
    for number, cue in CUES.items():
        Level.objects.filter(exercise__slug=PSOAS.SLUG, number=number, side_cue="").update(
            side_cue=cue
        )


def remove(apps, schema_editor):
    Level = apps.get_model("exercises", "Level")
    for number, cue in CUES.items():
        Level.objects.filter(exercise__slug=PSOAS.SLUG, number=number, side_cue=cue).update(
            side_cue=""
        )


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0008_editors_manage_media"),
        ("patients", "0015_weekdays"),
    ]

    operations = [
        migrations.RunPython(run(WEEKDAYS.LIFT), run(WEEKDAYS.RESTORE), elidable=False),
        migrations.AddField(
            model_name="level",
            name="side_cue",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Which leg does what, with {side} where Left or Right goes: e.g. “{side} "
                    "leg long and relaxed, the other knee to your chest”. Empty: “Left side”."
                ),
                max_length=120,
                verbose_name="how the timer says a side",
            ),
        ),
        migrations.RunPython(run(WEEKDAYS.RESTORE), run(WEEKDAYS.LIFT), elidable=False),
        migrations.RunPython(install, remove),
    ]
