import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exercises.models import Exercise, Level, Step
from tests.factories import make_exercise, make_level

pytestmark = pytest.mark.django_db


def assert_refused_by_database(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Level.objects.create(**fields)


@pytest.fixture
def exercise():
    return make_exercise()


def level_fields(exercise, **overrides):
    return {"exercise": exercise, "number": 1, "title": "Stage", "purpose": "p"} | overrides


class TestLevelConstraints:
    def test_it_refuses_a_shortest_hold_above_the_longest(self, exercise):
        assert_refused_by_database(
            **level_fields(exercise, hold_min_seconds=60, hold_max_seconds=30)
        )

    def test_it_refuses_a_hold_under_five_seconds(self, exercise):
        assert_refused_by_database(**level_fields(exercise, hold_min_seconds=4))

    def test_it_refuses_a_hold_over_ten_minutes(self, exercise):
        assert_refused_by_database(**level_fields(exercise, hold_max_seconds=601))

    def test_it_accepts_the_edges_of_the_range(self, exercise):
        Level.objects.create(**level_fields(exercise, hold_min_seconds=5, hold_max_seconds=600))
        Level.objects.create(
            **level_fields(exercise, number=2, hold_min_seconds=45, hold_max_seconds=45)
        )
        assert exercise.levels.count() == 2

    def test_it_refuses_a_duplicate_level_number(self, exercise):
        make_level(exercise, 1)
        assert_refused_by_database(**level_fields(exercise, number=1))

    def test_the_same_number_may_exist_in_another_exercise(self, exercise):
        make_level(exercise, 1)
        other = make_exercise(name="Calf stretch")
        assert make_level(other, 1).number == 1

    def test_it_refuses_level_zero(self, exercise):
        assert_refused_by_database(**level_fields(exercise, number=0))


class TestStepConstraints:
    def test_it_refuses_a_duplicate_step_order(self, exercise):
        level = make_level(exercise, steps=["First"])
        with pytest.raises(IntegrityError), transaction.atomic():
            Step.objects.create(level=level, order=1, text="Again")

    def test_it_refuses_step_zero(self, exercise):
        level = make_level(exercise, steps=[])
        with pytest.raises(IntegrityError), transaction.atomic():
            Step.objects.create(level=level, order=0, text="Too early")


class TestLevelValidation:
    def test_it_explains_a_shortest_hold_above_the_longest_on_the_field(self, exercise):
        level = Level(**level_fields(exercise, hold_min_seconds=50, hold_max_seconds=40))
        with pytest.raises(ValidationError) as caught:
            level.full_clean()
        assert caught.value.message_dict == {
            "hold_max_seconds": [
                "The longest hold must be at least the shortest hold (50 seconds)."
            ]
        }

    def test_it_explains_a_duplicate_number_on_the_field(self, exercise):
        make_level(exercise, 2)
        with pytest.raises(ValidationError) as caught:
            Level(**level_fields(exercise, number=2)).full_clean()
        assert caught.value.message_dict == {
            "number": [
                "This exercise already has a Level 2. Choose another number or edit that level."
            ]
        }

    def test_a_level_may_be_saved_again_under_its_own_number(self, exercise):
        level = make_level(exercise, 2)
        assert level.full_clean() is None


class TestQuerySets:
    def test_published_exercises_leave_drafts_out(self):
        shown = make_exercise(name="Shown")
        make_exercise(name="Draft", published=False)
        assert list(Exercise.objects.published().exclude(slug="psoas-stretch")) == [shown]

    def test_a_published_level_of_a_draft_exercise_is_not_published(self):
        draft = make_exercise(name="Draft", published=False)
        make_level(draft, 1, published=True)
        shown = make_level(make_exercise(name="Shown"), 1, published=True)
        make_level(shown.exercise, 2, published=False)
        published = Level.objects.published().exclude(exercise__slug="psoas-stretch")
        assert list(published) == [shown]

    def test_next_and_previous_skip_levels_not_in_the_queryset(self, exercise):
        one = make_level(exercise, 1)
        make_level(exercise, 2, published=False)
        three = make_level(exercise, 3)
        published = Level.objects.published()
        assert one.next_in(published) == three
        assert three.previous_in(published) == one
        assert three.next_in(published) is None
        assert one.previous_in(published) is None


def test_hold_range_label_reads_naturally(exercise):
    assert make_level(exercise, 1).hold_range_label == "30–60 seconds"
    fixed = make_level(exercise, 2, hold_min_seconds=45, hold_max_seconds=45)
    assert fixed.hold_range_label == "45 seconds"
