"""Safer wording for the psoas program: hip-replacement precautions on Level 2 too (it
takes the hip back past its straight line), pregnancy after about 20 weeks with a
side-lying alternative, what to do when lying flat or getting up makes one dizzy, when to
stop and get urgent care, and the link between a tight psoas and back pain told as what
may contribute rather than as fact.

A text changes only where it is still exactly what shipped (0002): anything a clinic has
edited stays as the clinic wrote it. Going back restores the shipped text only where the
text is still this migration's.
"""

from importlib import import_module

from django.db import migrations

PSOAS = import_module("exercises.migrations.0002_psoas_program")

EDUCATION = """\
The psoas is a deep muscle that bends the hip. It starts on the sides of the lower spine, \
at the first four lumbar vertebrae (L1 to L4), runs down through the pelvis and attaches to \
a small bony bump on the inside of the thigh bone called the lesser trochanter.

Because it joins the low back to the thigh, a tight psoas may pull on the spine. Long \
hours of sitting keep the hip bent, and over time the muscle may adapt by becoming \
shorter. A shortened psoas can draw the lumbar spine down and forward toward the thigh \
bone, tip the pelvis forward (an anterior pelvic tilt) and deepen the curve of the low \
back, so that its joints and muscles carry more load. That is one way tight hip flexors \
may contribute to low back pain. Back pain usually has more than one cause, and your \
clinician looks at yours as a whole.

Stretching the psoas at home helps it regain and keep its length between visits. It works \
together with the care you receive in the clinic, where your clinician may use gentle \
stretching, compression and activation of the muscle. Your clinician will tell you which \
level to do and when you are ready for the next one."""

KNEE = (
    "Hold the bent leg behind the thigh, not over the knee, so that no pressure goes "
    "through the knee joint."
)
DIZZY = (
    "If you feel dizzy or light-headed lying flat or getting up, roll onto your side and "
    "sit on the edge for a moment before you stand."
)
PREGNANCY = (
    "If you are pregnant and past about 20 weeks, ask your clinician before you do this "
    "stretch: lying on your back for long may not suit you then. A side-lying version is "
    "an alternative your clinician can show you: lie on one side with the lower knee bent, "
    "hold the top ankle behind you and let the top thigh ease back from the hip."
)
STOP = (
    "Stop and tell your clinician if you feel sharp pain, pain that travels down a leg, "
    "numbness or tingling."
)
URGENT = (
    "Stop and get urgent medical care (your doctor today, or emergency services) if you "
    "notice numbness between the legs or around the back passage (the saddle area), new "
    "trouble controlling your bladder or bowels, or new weakness in a leg."
)
SURGERY_1 = (
    "If you have had a hip replacement or recent hip or back surgery, ask your clinician "
    "before you do this stretch."
)
SURGERY_2 = (
    "If you have had a hip replacement or recent hip or back surgery, ask your clinician "
    "before you do this stretch: the hanging leg takes the hip back past its straight "
    "line, which some hip replacements must avoid."
)
STURDY = (
    "Use a bed or bench that will not slide or tip, and roll onto your side to get up "
    "rather than sitting straight up."
)

CAUTIONS = {
    1: "\n\n".join(
        [
            KNEE,
            "Breathe throughout; do not hold your breath.",
            DIZZY,
            PREGNANCY,
            f"{STOP} {SURGERY_1}",
            URGENT,
        ]
    ),
    2: "\n\n".join([KNEE, STURDY, DIZZY, SURGERY_2, PREGNANCY, STOP, URGENT]),
}


def shipped(number):
    return next(spec for spec in PSOAS.LEVELS if spec["number"] == number)


def rewrite(apps, *, education, cautions):
    """Set each text to ``education`` / ``cautions[number]`` (pairs of from, to) where it
    is still the ``from`` text."""
    Exercise = apps.get_model("exercises", "Exercise")
    Level = apps.get_model("exercises", "Level")
    old, new = education
    Exercise.objects.filter(slug=PSOAS.SLUG, education=old).update(education=new)
    for number, (old, new) in cautions.items():
        Level.objects.filter(exercise__slug=PSOAS.SLUG, number=number, cautions=old).update(
            cautions=new
        )


def forward(apps, schema_editor):
    rewrite(
        apps,
        education=(PSOAS.EDUCATION, EDUCATION),
        cautions={number: (shipped(number)["cautions"], text) for number, text in CAUTIONS.items()},
    )


def backward(apps, schema_editor):
    rewrite(
        apps,
        education=(EDUCATION, PSOAS.EDUCATION),
        cautions={number: (text, shipped(number)["cautions"]) for number, text in CAUTIONS.items()},
    )


class Migration(migrations.Migration):
    dependencies = [("exercises", "0006_psoas_illustrations")]

    operations = [migrations.RunPython(forward, backward)]
