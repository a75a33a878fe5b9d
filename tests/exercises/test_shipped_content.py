"""What the migrations install in the psoas program beyond its text: the illustrations
and the safer wording, each only where a clinic has not changed the content itself."""

from importlib import import_module

import pytest
from django.apps import apps

from exercises.models import Exercise, Level, LevelImage, Step

pytestmark = pytest.mark.django_db

ILLUSTRATIONS = import_module("exercises.migrations.0006_psoas_illustrations")
WORDING = import_module("exercises.migrations.0007_psoas_safety_wording")
SHIPPED = import_module("exercises.migrations.0002_psoas_program")


def psoas_level(number):
    return Level.objects.get(exercise__slug="psoas-stretch", number=number)


class TestIllustrations:
    def test_each_level_has_its_drawing_and_each_key_step_too(self):
        for number in (1, 2):
            image = psoas_level(number).main_image
            assert image.illustration == f"illustrations/psoas-level-{number}.svg"
            assert image.alt_text
            assert (image.width, image.height) == (400, 260)
        illustrated = Step.objects.exclude(illustration="").order_by("level__number", "order")
        assert [(step.level.number, step.order) for step in illustrated] == [(1, 1), (1, 2), (2, 3)]
        assert all(step.alt_text for step in illustrated)

    def test_the_drawings_are_the_projects_own_svg_with_nothing_active(self, settings):
        from django.contrib.staticfiles import finders

        for path in {image.illustration for image in LevelImage.objects.all()} | {
            step.illustration for step in Step.objects.exclude(illustration="")
        }:
            with open(finders.find(path), encoding="utf-8") as drawing:
                svg = drawing.read()
            assert svg.lstrip().startswith("<svg")
            assert "<title>" in svg
            for active in ("<script", "foreignObject", "href", "<image", "@import", "url("):
                assert active not in svg, (path, active)

    def test_a_step_the_clinic_rewrote_keeps_no_picture(self):
        LevelImage.objects.all().delete()
        Step.objects.update(illustration="", alt_text="", width=None, height=None)
        step = Step.objects.get(level=psoas_level(1), order=2)
        step.text = "Our own words for this step."
        step.save()
        ILLUSTRATIONS.install(apps, None)
        step.refresh_from_db()
        assert step.illustration == ""
        assert Step.objects.get(level=psoas_level(1), order=1).illustration

    def test_a_level_the_clinic_illustrated_keeps_its_own(self):
        level = psoas_level(2)
        level.images.all().delete()
        LevelImage.objects.create(
            level=level, order=1, alt_text="Our photo", renditions=[], width=10, height=10
        )
        ILLUSTRATIONS.install(apps, None)
        assert list(level.images.values_list("alt_text", flat=True)) == ["Our photo"]

    def test_going_back_removes_only_the_shipped_drawings(self):
        level = psoas_level(2)
        LevelImage.objects.create(level=level, order=2, alt_text="Ours", width=10, height=10)
        ILLUSTRATIONS.remove(apps, None)
        assert list(LevelImage.objects.values_list("alt_text", flat=True)) == ["Ours"]
        assert not Step.objects.exclude(illustration="").exists()


class TestSaferWording:
    def test_level_two_has_the_hip_replacement_precaution_too(self):
        assert "hip replacement" in psoas_level(2).cautions
        assert "past its straight" in psoas_level(2).cautions

    @pytest.mark.parametrize("number", [1, 2])
    def test_each_level_covers_pregnancy_dizziness_and_urgent_signs(self, number):
        cautions = psoas_level(number).cautions
        assert "past about 20 weeks" in cautions
        assert "side-lying" in cautions
        assert "dizzy" in cautions
        assert "roll onto your side" in cautions
        for sign in ("saddle area", "bladder or bowels", "weakness in a leg"):
            assert sign in cautions

    def test_the_back_pain_story_is_told_as_what_may_contribute(self):
        education = Exercise.objects.get(slug="psoas-stretch").education
        assert "may contribute to low back pain" in education
        assert "a tight psoas pulls on the spine" not in education
        assert "That is why tight hip flexors so often come" not in education

    def test_text_the_clinic_edited_is_left_as_the_clinic_wrote_it(self):
        WORDING.backward(apps, None)
        level = psoas_level(1)
        assert level.cautions == SHIPPED.LEVELS[0]["cautions"]
        level.cautions = "Our clinic's own cautions."
        level.save()
        WORDING.forward(apps, None)
        level.refresh_from_db()
        assert level.cautions == "Our clinic's own cautions."
        assert psoas_level(2).cautions == WORDING.CAUTIONS[2]
        assert Exercise.objects.get(slug="psoas-stretch").education == WORDING.EDUCATION

    def test_going_back_restores_only_what_this_wording_wrote(self):
        exercise = Exercise.objects.get(slug="psoas-stretch")
        exercise.education = "Edited since."
        exercise.save()
        WORDING.backward(apps, None)
        exercise.refresh_from_db()
        assert exercise.education == "Edited since."
        assert psoas_level(1).cautions == SHIPPED.LEVELS[0]["cautions"]


class TestSideCues:
    def test_each_psoas_level_says_which_leg_does_what(self):
        assert psoas_level(1).side_words("Left") == (
            "Left leg long and relaxed, the other knee drawn to your chest"
        )
        assert psoas_level(2).side_words("Right").startswith("Right leg hanging off the edge")

    def test_a_level_without_a_cue_says_the_side(self):
        level = psoas_level(1)
        level.side_cue = ""
        assert level.side_words("Left") == "Left side"

    @pytest.mark.parametrize("cue", ["Left leg long", "{side} and {side}"])
    def test_a_cue_must_say_where_the_side_goes_once(self, cue):
        from django.core.exceptions import ValidationError

        level = psoas_level(1)
        level.side_cue = cue
        with pytest.raises(ValidationError, match="once where the timer says Left or Right"):
            level.full_clean()
