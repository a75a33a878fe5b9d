"""The psoas program's own illustrations (line drawings under static/illustrations/):
one for each level and one for each key step.

A level gets its picture only when it has none yet, and a step only when its text is
still the one that shipped (0002) and it has no picture: what a clinic has changed or
illustrated itself is left alone. Going back removes only these illustrations.
"""

from importlib import import_module

from django.db import migrations

PSOAS = import_module("exercises.migrations.0002_psoas_program")
WIDTH, HEIGHT = 400, 260

LEVEL_PICTURES = {
    1: (
        "illustrations/psoas-level-1.svg",
        "Lying on the back on a bed, one knee drawn to the chest with both hands behind the "
        "thigh, the other leg long and flat.",
    ),
    2: (
        "illustrations/psoas-level-2.svg",
        "Lying on the back at the end of a bench, one knee hugged to the chest with both "
        "hands behind the thigh, the other leg hanging off the end with the foot toward "
        "the floor.",
    ),
}

# (level, step): the picture and its description.
STEP_PICTURES = {
    (1, 1): (
        "illustrations/psoas-level-1-start.svg",
        "Lying on the back on a bed with both legs straight and a small folded blanket "
        "under the base of the spine.",
    ),
    (1, 2): (
        "illustrations/psoas-level-1-knee.svg",
        "Lying on the back, drawing one knee up toward the chest with both hands behind "
        "the thigh, the other leg straight.",
    ),
    (2, 3): (
        "illustrations/psoas-level-2-hang.svg",
        "Lying on the back at the end of a bench with one knee held to the chest, letting "
        "the other leg slide off the end and hang down toward the floor.",
    ),
}


def shipped_step_text(level_number, order):
    spec = next(spec for spec in PSOAS.LEVELS if spec["number"] == level_number)
    return spec["steps"][order - 1]


def install(apps, schema_editor):
    Level = apps.get_model("exercises", "Level")
    LevelImage = apps.get_model("exercises", "LevelImage")
    Step = apps.get_model("exercises", "Step")
    for number, (path, description) in LEVEL_PICTURES.items():
        level = Level.objects.filter(exercise__slug=PSOAS.SLUG, number=number).first()
        if level is None or LevelImage.objects.filter(level=level).exists():
            continue
        LevelImage.objects.create(
            level=level,
            order=1,
            illustration=path,
            alt_text=description,
            width=WIDTH,
            height=HEIGHT,
        )
    for (number, order), (path, description) in STEP_PICTURES.items():
        Step.objects.filter(
            level__exercise__slug=PSOAS.SLUG,
            level__number=number,
            order=order,
            text=shipped_step_text(number, order),
            illustration="",
            width__isnull=True,
        ).update(illustration=path, alt_text=description, width=WIDTH, height=HEIGHT)


def remove(apps, schema_editor):
    paths = [path for path, _ in [*LEVEL_PICTURES.values(), *STEP_PICTURES.values()]]
    apps.get_model("exercises", "LevelImage").objects.filter(illustration__in=paths).delete()
    apps.get_model("exercises", "Step").objects.filter(illustration__in=paths).update(
        illustration="", alt_text="", width=None, height=None
    )


class Migration(migrations.Migration):
    dependencies = [("exercises", "0005_pictures_and_video")]

    operations = [migrations.RunPython(install, remove)]
