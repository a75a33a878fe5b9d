"""Install the psoas stretch program that ships with Holdfast.

Content editors may change every word afterwards in the admin; this migration only
creates the rows when they are missing, so it never overwrites an editor's work.
"""

from django.db import migrations

SLUG = "psoas-stretch"

EDUCATION = """\
The psoas is a deep muscle that bends the hip. It starts on the sides of the lower spine, \
at the first four lumbar vertebrae (L1 to L4), runs down through the pelvis and attaches to \
a small bony bump on the inside of the thigh bone called the lesser trochanter.

Because it joins the low back to the thigh, a tight psoas pulls on the spine. Long hours of \
sitting keep the hip bent, and the muscle slowly adapts by becoming shorter. A shortened \
psoas draws the lumbar spine down and forward toward the thigh bone. The pelvis tips forward \
(an anterior pelvic tilt), the curve of the low back deepens, and the joints and muscles of \
the low back carry more load than they should. That is why tight hip flexors so often come \
with low back pain.

Stretching the psoas at home helps it regain and keep its length between visits. It works \
together with the care you receive in the clinic, where your clinician may use gentle \
stretching, compression and activation of the muscle. Your clinician will tell you which \
level to do and when you are ready for the next one."""

LEVELS = [
    {
        "number": 1,
        "title": "Lying psoas stretch",
        "purpose": (
            "A gentle stretch for the psoas of the straight leg, done with your whole back "
            "supported. This is where everyone starts."
        ),
        "equipment": "A bed, a firm sofa or a treatment bench; a folded blanket if you like.",
        "intensity_tip": (
            "You should feel a mild, steady pull at the front of the hip of the straight leg, "
            "never a sharp pain. Draw the bent knee a little closer to your chest to feel more, "
            "or let it ease away to feel less."
        ),
        "cautions": (
            "Hold the bent leg behind the thigh, not over the knee, so that no pressure goes "
            "through the knee joint.\n\n"
            "Breathe throughout; do not hold your breath.\n\n"
            "Stop and tell your clinician if you feel sharp pain, pain that travels down a leg, "
            "numbness or tingling. If you have had a hip replacement or recent hip or back "
            "surgery, ask your clinician before you do this stretch."
        ),
        "steps": [
            "Lie on your back on a bed or bench with both legs straight. If your low back or "
            "tailbone feels uncomfortable, slide a folded blanket under the flat bone at the "
            "base of your spine (the sacrum).",
            "Bend one knee and draw it toward your chest, holding the leg with both hands "
            "behind the thigh.",
            "Let the other leg lie long and relaxed on the surface. Keep your low back resting "
            "on the surface; do not let it arch up.",
            "Breathe slowly and deeply. With each breath out, let the front of the hip of the "
            "straight leg soften. Hold for 30 to 60 seconds.",
            "Lower the bent leg slowly and rest for a moment before the other side.",
        ],
    },
    {
        "number": 2,
        "title": "Edge-of-bed psoas stretch",
        "purpose": (
            "A deeper stretch that lets gravity lengthen the psoas of the hanging leg. Move on "
            "to it when your clinician says Level 1 has become easy."
        ),
        "equipment": (
            "A sturdy bed or treatment bench that you can lie on close to its edge; a folded "
            "blanket if you like."
        ),
        "intensity_tip": (
            "For a stronger stretch, shift so that more of the hanging leg is off the edge and "
            "the foot dangles lower. For a gentler one, move back toward the middle so that "
            "less of the leg hangs."
        ),
        "cautions": (
            "Hold the bent leg behind the thigh, not over the knee, so that no pressure goes "
            "through the knee joint.\n\n"
            "Use a bed or bench that will not slide or tip, and roll onto your side to get up "
            "rather than sitting straight up.\n\n"
            "Stop and tell your clinician if you feel sharp pain, pain that travels down a leg, "
            "numbness or tingling."
        ),
        "steps": [
            "Lie on your back close to one side of a sturdy bed or bench. A folded blanket under "
            "the sacrum can make this more comfortable.",
            "Draw the knee farther from the edge toward your chest, holding behind the thigh, "
            "and keep your low back resting on the surface.",
            "Slide the leg nearer the edge off the side so that it hangs down, relaxed, with the "
            "foot toward the floor.",
            "Let gravity do the work: the front of the hanging hip lengthens without any "
            "pushing from you. Breathe slowly and deeply and hold for 30 to 60 seconds.",
            "Bring the hanging leg back onto the surface, bend both knees, and rest. Then move "
            "to the other edge, or turn around, and do the other side.",
        ],
    },
]


def install_psoas_program(apps, schema_editor):
    Exercise = apps.get_model("exercises", "Exercise")
    Level = apps.get_model("exercises", "Level")
    Step = apps.get_model("exercises", "Step")

    exercise, created = Exercise.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "Psoas stretch",
            "summary": (
                "Eases low back pain by lengthening a tight psoas, the deep hip flexor "
                "that links the lower spine to the thigh."
            ),
            "body_region": "low_back",
            "education": EDUCATION,
            "published": True,
            "order": 1,
        },
    )
    if not created:
        return
    for spec in LEVELS:
        steps = spec["steps"]
        fields = {key: value for key, value in spec.items() if key != "steps"}
        level = Level.objects.create(
            exercise=exercise,
            hold_min_seconds=30,
            hold_max_seconds=60,
            each_side=True,
            published=True,
            **fields,
        )
        Step.objects.bulk_create(
            Step(level=level, order=order, text=text) for order, text in enumerate(steps, 1)
        )


def remove_psoas_program(apps, schema_editor):
    apps.get_model("exercises", "Exercise").objects.filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("exercises", "0001_initial")]

    operations = [migrations.RunPython(install_psoas_program, remove_psoas_program)]
