import pytest
from django.urls import reverse

from exercises.models import Exercise, Level
from tests.factories import make_exercise, make_level

pytestmark = pytest.mark.django_db

LEVEL_ADD = reverse("admin:exercises_level_add")
LEVEL_LIST = reverse("admin:exercises_level_changelist")
EXERCISE_LIST = reverse("admin:exercises_exercise_changelist")


def level_form(exercise, *, steps=("Lie on your back.",), published="on", **overrides):
    """The POST data of the level page: the level's fields and its inline steps."""
    data = {
        "exercise": exercise.pk,
        "number": 3,
        "title": "Standing psoas stretch",
        "purpose": "A stretch for busy days.",
        "equipment": "",
        "hold_min_seconds": 30,
        "hold_max_seconds": 60,
        "each_side": "on",
        "get_ready_seconds": 5,
        "rest_seconds": 15,
        "intensity_tip": "",
        "cautions": "",
        "published": published,
        "steps-TOTAL_FORMS": len(steps),
        "steps-INITIAL_FORMS": 0,
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 1000,
        # No picture or video: their rows are empty.
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
        "video-TOTAL_FORMS": 0,
        "video-INITIAL_FORMS": 0,
    }
    for index, text in enumerate(steps):
        data[f"steps-{index}-order"] = index + 1
        data[f"steps-{index}-text"] = text
    data.update(overrides)
    if data["published"] is None:
        del data["published"]
    return data


@pytest.fixture
def psoas():
    return Exercise.objects.get(slug="psoas-stretch")


@pytest.fixture
def editor_client(client, erin):
    client.force_login(erin)
    return client


def steps_formset(response):
    (steps,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "steps"
    ]
    return steps


def field_errors(response, field):
    return response.context["adminform"].form.errors.get(field, [])


class TestContentEditor:
    def test_erin_sees_the_psoas_program(self, editor_client):
        page = editor_client.get(EXERCISE_LIST).content.decode()
        assert "Psoas stretch" in page
        page = editor_client.get(LEVEL_LIST).content.decode()
        assert "Lying psoas stretch" in page
        assert "Edge-of-bed psoas stretch" in page

    def test_the_level_page_lists_its_steps_and_links_to_the_site(self, editor_client, psoas):
        level = psoas.levels.get(number=1)
        response = editor_client.get(reverse("admin:exercises_level_change", args=[level.pk]))
        page = response.content.decode()
        assert "Lie on your back on a bed or bench" in page
        assert "View on site" in page

    def test_erin_adds_a_level_with_its_steps(self, editor_client, psoas):
        response = editor_client.post(
            LEVEL_ADD, level_form(psoas, steps=["Stand tall.", "Step back."])
        )
        assert response.status_code == 302
        level = psoas.levels.get(number=3)
        assert list(level.steps.values_list("order", "text")) == [
            (1, "Stand tall."),
            (2, "Step back."),
        ]

    def test_a_shortest_hold_above_the_longest_is_refused_on_the_field(self, editor_client, psoas):
        data = level_form(psoas, hold_min_seconds=90, hold_max_seconds=45)
        response = editor_client.post(LEVEL_ADD, data)
        assert response.status_code == 200
        assert field_errors(response, "hold_max_seconds") == [
            "The longest hold must be at least the shortest hold (90 seconds)."
        ]
        assert not psoas.levels.filter(number=3).exists()

    def test_a_hold_outside_five_to_six_hundred_seconds_is_refused(self, editor_client, psoas):
        response = editor_client.post(
            LEVEL_ADD, level_form(psoas, hold_min_seconds=2, hold_max_seconds=900)
        )
        assert response.status_code == 200
        assert field_errors(response, "hold_min_seconds")
        assert field_errors(response, "hold_max_seconds")

    def test_a_duplicate_level_number_is_refused_on_the_field(self, editor_client, psoas):
        response = editor_client.post(LEVEL_ADD, level_form(psoas, number=2))
        assert response.status_code == 200
        assert field_errors(response, "number") == [
            "This exercise already has a Level 2. Choose another number or edit that level."
        ]
        assert psoas.levels.filter(number=2).count() == 1

    def test_a_published_level_without_steps_is_refused(self, editor_client, psoas):
        response = editor_client.post(LEVEL_ADD, level_form(psoas, steps=[]))
        assert response.status_code == 200
        errors = steps_formset(response).non_form_errors()
        assert errors == [
            "A published level needs at least one step. Add a step or untick Published."
        ]
        assert not psoas.levels.filter(number=3).exists()

    def test_a_draft_level_may_wait_for_its_steps(self, editor_client, psoas):
        response = editor_client.post(LEVEL_ADD, level_form(psoas, steps=[], published=None))
        assert response.status_code == 302
        assert psoas.levels.get(number=3).published is False

    def test_deleting_every_step_of_a_published_level_is_refused(self, editor_client):
        level = make_level(make_exercise(), 1, steps=["Only step"])
        step = level.steps.get()
        data = level_form(level.exercise, number=1, steps=[])
        data.update(
            {
                "steps-TOTAL_FORMS": 1,
                "steps-INITIAL_FORMS": 1,
                "steps-0-id": step.pk,
                "steps-0-level": level.pk,
                "steps-0-order": 1,
                "steps-0-text": "Only step",
                "steps-0-DELETE": "on",
            }
        )
        url = reverse("admin:exercises_level_change", args=[level.pk])
        response = editor_client.post(url, data)
        assert response.status_code == 200
        assert "A published level needs at least one step." in response.content.decode()
        assert level.steps.count() == 1

    def test_duplicate_step_numbers_are_refused(self, editor_client, psoas):
        data = level_form(psoas, steps=["One", "Two"])
        data["steps-1-order"] = 1
        response = editor_client.post(LEVEL_ADD, data)
        assert response.status_code == 200
        errors = steps_formset(response).non_form_errors()
        assert errors == ["Please correct the duplicate data for order."]
        assert not psoas.levels.filter(number=3).exists()

    def test_the_published_toggle_refuses_a_level_without_steps(self, editor_client):
        level = make_level(make_exercise(), 1, steps=[], published=False)
        data = {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-id": level.pk,
            "form-0-published": "on",
            "_save": "Save",
        }
        response = editor_client.post(f"{LEVEL_LIST}?exercise__id__exact={level.exercise_id}", data)
        assert response.status_code == 200
        assert "A published level needs at least one step." in response.content.decode()
        level.refresh_from_db()
        assert level.published is False

    def test_the_published_toggle_unpublishes_a_level(self, editor_client):
        level = make_level(make_exercise(), 1)
        data = {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-id": level.pk,
            "_save": "Save",
        }
        response = editor_client.post(f"{LEVEL_LIST}?exercise__id__exact={level.exercise_id}", data)
        assert response.status_code == 302
        level.refresh_from_db()
        assert level.published is False

    def test_the_exercise_list_does_not_query_per_row(
        self, editor_client, django_assert_max_num_queries
    ):
        for index in range(5):
            make_level(make_exercise(name=f"Stretch {index}"), 1)
        with django_assert_max_num_queries(10):
            response = editor_client.get(EXERCISE_LIST)
        assert response.status_code == 200


@pytest.mark.parametrize("person", ["alice", "bob"])
def test_patients_cannot_enter_the_admin(client, everyone, person):
    client.force_login(everyone[person])
    response = client.get(LEVEL_LIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_clinicians_neither_read_nor_change_the_program_in_the_admin(client, carol, psoas):
    # They read it in the library, as their patients do.
    client.force_login(carol)
    assert client.get(LEVEL_LIST).status_code == 403
    assert client.get(LEVEL_ADD).status_code == 403
    before = Level.objects.count()
    assert client.post(LEVEL_ADD, level_form(psoas)).status_code == 403
    assert Level.objects.count() == before


def test_anonymous_visitors_are_sent_to_the_portal_login(client):
    response = client.get(LEVEL_LIST)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={LEVEL_LIST}"


class TestRenumberingSteps:
    @pytest.fixture
    def level(self):
        return make_level(make_exercise(), 1, steps=["Lie down.", "Breathe."])

    def post_steps(self, client, level, rows):
        """Post the level page with ``rows``: (step or None, order, text, delete)."""
        data = level_form(level.exercise, number=1, steps=[])
        existing = [row for row in rows if row[0] is not None]
        data["steps-TOTAL_FORMS"] = len(rows)
        data["steps-INITIAL_FORMS"] = len(existing)
        for index, (step, order, text, delete) in enumerate(rows):
            data[f"steps-{index}-order"] = order
            data[f"steps-{index}-text"] = text
            if step is not None:
                data[f"steps-{index}-id"] = step.pk
                data[f"steps-{index}-level"] = level.pk
            if delete:
                data[f"steps-{index}-DELETE"] = "on"
        url = reverse("admin:exercises_level_change", args=[level.pk])
        return client.post(url, data)

    def steps_of(self, level):
        return list(level.steps.values_list("order", "text"))

    def test_two_steps_swap_places(self, editor_client, level):
        first, second = level.steps.all()
        response = self.post_steps(
            editor_client,
            level,
            [(first, 2, "Lie down.", False), (second, 1, "Breathe.", False)],
        )
        assert response.status_code == 302
        assert self.steps_of(level) == [(1, "Breathe."), (2, "Lie down.")]

    def test_a_new_step_goes_in_at_the_top(self, editor_client, level):
        first, second = level.steps.all()
        response = self.post_steps(
            editor_client,
            level,
            [
                (first, 2, "Lie down.", False),
                (second, 3, "Breathe.", False),
                (None, 1, "Find a bed.", False),
            ],
        )
        assert response.status_code == 302
        assert self.steps_of(level) == [(1, "Find a bed."), (2, "Lie down."), (3, "Breathe.")]

    def test_a_step_takes_the_number_of_one_being_deleted(self, editor_client, level):
        first, second = level.steps.all()
        response = self.post_steps(
            editor_client,
            level,
            [(first, 1, "Lie down.", True), (second, 1, "Breathe.", False)],
        )
        assert response.status_code == 302
        assert self.steps_of(level) == [(1, "Breathe.")]


def test_the_published_toggle_of_a_level_deleted_meanwhile_is_refused(editor_client):
    level = make_level(make_exercise(), 1, published=False)
    exercise_id, stale_id = level.exercise_id, level.pk
    level.delete()
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-0-id": stale_id,
        "form-0-published": "on",
        "_save": "Save",
    }
    response = editor_client.post(f"{LEVEL_LIST}?exercise__id__exact={exercise_id}", data)
    assert response.status_code == 200
    assert any(response.context["cl"].formset.errors)
    assert not Level.objects.filter(pk=stale_id).exists()


def test_a_huge_shortest_hold_is_explained_on_its_own_field(editor_client, psoas):
    response = editor_client.post(
        LEVEL_ADD, level_form(psoas, hold_min_seconds=40000, hold_max_seconds=60)
    )
    assert response.status_code == 200
    assert field_errors(response, "hold_min_seconds") == [
        "Ensure this value is less than or equal to 600."
    ]
    assert field_errors(response, "hold_max_seconds") == []


class TestPrescribedLevels:
    def test_the_range_must_keep_covering_current_prescriptions(self, editor_client, alice_rx):
        level = alice_rx.level
        data = level_form(
            level.exercise,
            number=level.number,
            hold_min_seconds=40,
            hold_max_seconds=60,
            steps=[],
        )
        data.update(existing_steps(level))
        response = editor_client.post(
            reverse("admin:exercises_level_change", args=[level.pk]), data
        )
        assert response.status_code == 200
        assert field_errors(response, "hold_min_seconds") == [
            "Patients currently do this level with holds of 30 s; keep the range around "
            "them, or change their prescriptions first."
        ]
        level.refresh_from_db()
        assert level.hold_min_seconds == 30

    def test_each_side_is_fixed_once_prescribed(self, editor_client, alice_rx):
        url = reverse("admin:exercises_level_change", args=[alice_rx.level.pk])
        form = editor_client.get(url).context["adminform"].form
        assert "each_side" not in form.fields


def existing_steps(level):
    steps = list(level.steps.all())
    data = {"steps-TOTAL_FORMS": len(steps), "steps-INITIAL_FORMS": len(steps)}
    for index, step in enumerate(steps):
        data[f"steps-{index}-id"] = step.pk
        data[f"steps-{index}-level"] = level.pk
        data[f"steps-{index}-order"] = step.order
        data[f"steps-{index}-text"] = step.text
    return data


class TestDeletingContentInUse:
    """The delete page of a level or exercise that patients use counts their
    prescriptions and names nobody (a content editor sees no patient)."""

    @pytest.mark.parametrize("what", ["level", "exercise"])
    def test_it_counts_the_prescriptions_without_names(self, client, erin, alice_rx, what):
        client.force_login(erin)
        level = alice_rx.level
        if what == "level":
            url = reverse("admin:exercises_level_delete", args=[level.pk])
        else:
            url = reverse("admin:exercises_exercise_delete", args=[level.exercise.pk])
        page = client.get(url).content.decode()
        assert "1 prescription given to patients" in page
        assert "Alice" not in page
        assert "alice@example.com" not in page
        response = client.post(url, {"post": "yes"})
        assert response.status_code in (200, 302)
        assert type(level).objects.filter(pk=level.pk).exists()
