"""Small, explicit builders for test data. Every test says what it needs."""

from django.contrib.auth.models import Group

from exercises.models import Exercise, Level, Step
from portal import roles
from portal.models import User

PASSWORD = "correct horse battery staple"


def make_user(email, *, role=None, superuser=False, **fields):
    user = User.objects.create_user(
        email=email,
        password=PASSWORD,
        first_name=fields.pop("first_name", email.split("@")[0].title()),
        is_staff=superuser or role in (roles.CLINICIANS, roles.CONTENT_EDITORS),
        is_superuser=superuser,
        **fields,
    )
    if role:
        # get_or_create: browser tests run on a database flushed of what migrations installed.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def make_exercise(*, name="Hamstring stretch", slug=None, published=True, **fields):
    fields.setdefault("summary", "Loosens the back of the thigh.")
    fields.setdefault("body_region", Exercise.BodyRegion.HIP)
    fields.setdefault("education", "Tight hamstrings tug on the pelvis.")
    return Exercise.objects.create(
        name=name, slug=slug or name.lower().replace(" ", "-"), published=published, **fields
    )


def make_level(exercise, number=1, *, published=True, steps=("Lie down.", "Breathe."), **fields):
    fields.setdefault("title", f"Stage {number}")
    fields.setdefault("purpose", "Gets the muscle used to being stretched.")
    level = Level.objects.create(exercise=exercise, number=number, published=published, **fields)
    Step.objects.bulk_create(
        Step(level=level, order=order, text=text) for order, text in enumerate(steps, 1)
    )
    return level
