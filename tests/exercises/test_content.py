"""The psoas program and the roles are installed by migrations, so a fresh install has them."""

import pytest
from django.contrib.auth.models import Group

from exercises.models import Exercise, Level

pytestmark = pytest.mark.django_db


def test_the_psoas_program_is_published_with_two_levels():
    psoas = Exercise.objects.published().get(slug="psoas-stretch")
    levels = list(Level.objects.published().filter(exercise=psoas).order_by("number"))
    assert [level.number for level in levels] == [1, 2]
    assert [level.title for level in levels] == [
        "Lying psoas stretch",
        "Edge-of-bed psoas stretch",
    ]


def test_each_psoas_level_holds_thirty_to_sixty_seconds_on_each_side():
    for level in Level.objects.filter(exercise__slug="psoas-stretch"):
        assert (level.hold_min_seconds, level.hold_max_seconds, level.each_side) == (30, 60, True)
        assert level.steps.count() >= 4
        assert level.intensity_tip
        assert level.cautions


def test_the_education_text_explains_why_the_psoas_matters():
    education = Exercise.objects.get(slug="psoas-stretch").education
    for fact in ("L1 to L4", "lesser trochanter", "anterior pelvic tilt", "sitting"):
        assert fact in education


def test_level_two_lets_the_leg_hang_off_the_edge():
    level = Level.objects.get(exercise__slug="psoas-stretch", number=2)
    steps = " ".join(level.steps.values_list("text", flat=True))
    assert "hangs down" in steps
    assert "dangles" in level.intensity_tip


def test_the_roles_exist_with_their_permissions():
    editors = Group.objects.get(name="Content editors")
    assert set(editors.permissions.values_list("codename", flat=True)) == {
        f"{action}_{model}"
        for model in ("exercise", "level", "step", "levelimage", "levelvideo")
        for action in ("view", "add", "change", "delete")
    }
    # Clinicians work in the clinic workspace, not in the admin.
    assert not Group.objects.get(name="Clinicians").permissions.exists()
    assert not Group.objects.get(name="Patients").permissions.exists()
