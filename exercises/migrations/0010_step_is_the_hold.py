"""Which step of a level is the hold, shown by the timer during each hold; for the psoas
program, the fourth step of each level (breathe and hold), where it is still as shipped
and no step is marked yet.
"""

from importlib import import_module

from django.db import migrations, models

PSOAS = import_module("exercises.migrations.0002_psoas_program")
HOLD_STEP = 4


def mark(apps, schema_editor):
    Step = apps.get_model("exercises", "Step")
    for spec in PSOAS.LEVELS:
        steps = Step.objects.filter(level__exercise__slug=PSOAS.SLUG, level__number=spec["number"])
        if not steps.filter(is_the_hold=True).exists():
            # Only while the step is still the one that shipped: a clinic's reworded or
            # reordered level is left for its editor to mark.
            steps.filter(order=HOLD_STEP, text=spec["steps"][HOLD_STEP - 1]).update(
                is_the_hold=True
            )


def unmark(apps, schema_editor):
    apps.get_model("exercises", "Step").objects.filter(
        level__exercise__slug=PSOAS.SLUG, order=HOLD_STEP
    ).update(is_the_hold=False)


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0009_level_side_cue"),
    ]

    operations = [
        migrations.AddField(
            model_name="step",
            name="is_the_hold",
            field=models.BooleanField(
                default=False,
                help_text="The step that is held: the timer shows it, and its picture, during each hold.",
                verbose_name="the hold",
            ),
        ),
        migrations.AddConstraint(
            model_name="step",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_the_hold", True)),
                fields=("level",),
                name="one_hold_step_per_level",
                violation_error_message="Only one step of a level is the hold.",
            ),
        ),
        migrations.RunPython(mark, unmark),
    ]
