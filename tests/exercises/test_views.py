import pytest
from django.urls import reverse

from tests.factories import make_exercise, make_level

pytestmark = pytest.mark.django_db

LIBRARY = reverse("exercises:library")
PSOAS = reverse("exercises:exercise", kwargs={"slug": "psoas-stretch"})
PSOAS_LEVEL_1 = reverse("exercises:level", kwargs={"slug": "psoas-stretch", "number": 1})
PSOAS_LEVEL_2 = reverse("exercises:level", kwargs={"slug": "psoas-stretch", "number": 2})
ALL_PAGES = [LIBRARY, PSOAS, PSOAS_LEVEL_1, PSOAS_LEVEL_2]


@pytest.mark.parametrize("url", ALL_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", ALL_PAGES)
@pytest.mark.parametrize("person", ["alice", "bob", "carol", "dave", "erin", "ada"])
def test_every_role_may_read_the_published_library(client, everyone, person, url):
    client.force_login(everyone[person])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ALL_PAGES)
def test_library_pages_do_not_accept_posts(client, alice, url):
    client.force_login(alice)
    assert client.post(url).status_code == 405


def test_the_level_page_shows_everything_a_patient_needs(client, alice):
    client.force_login(alice)
    response = client.get(PSOAS_LEVEL_2)
    page = response.content.decode()
    assert "Edge-of-bed psoas stretch" in page
    assert "Hold 30–60 seconds, on each side" in page
    assert page.count("<li>") >= 5
    assert "Tip: finding the right intensity" in page
    assert "Take care" in page
    assert "You will need:" in page
    assert PSOAS_LEVEL_1 in page
    assert response.context["next_level"] is None


def test_level_one_links_to_level_two(client, alice):
    client.force_login(alice)
    response = client.get(PSOAS_LEVEL_1)
    assert response.context["previous_level"] is None
    assert response.context["next_level"].number == 2
    assert PSOAS_LEVEL_2 in response.content.decode()


def test_the_exercise_page_explains_why_it_helps(client, alice):
    client.force_login(alice)
    page = client.get(PSOAS).content.decode()
    assert "Why this stretch helps" in page
    assert "lesser trochanter" in page


def test_an_unknown_level_is_not_found(client, alice):
    client.force_login(alice)
    url = reverse("exercises:level", kwargs={"slug": "psoas-stretch", "number": 9})
    assert client.get(url).status_code == 404


class TestDrafts:
    @pytest.fixture
    def draft_exercise(self):
        exercise = make_exercise(name="Neck glide", published=False)
        make_level(exercise, 1)
        return exercise

    @pytest.fixture
    def draft_level(self):
        exercise = make_exercise(name="Calf stretch")
        make_level(exercise, 1)
        return make_level(exercise, 2, title="Wall calf stretch", published=False)

    @pytest.mark.parametrize("person", ["alice", "carol"])
    def test_a_draft_exercise_is_not_found(self, client, everyone, person, draft_exercise):
        client.force_login(everyone[person])
        assert client.get(draft_exercise.get_absolute_url()).status_code == 404
        level = draft_exercise.levels.get()
        assert client.get(level.get_absolute_url()).status_code == 404
        assert "Neck glide" not in client.get(LIBRARY).content.decode()

    @pytest.mark.parametrize("person", ["alice", "carol"])
    def test_a_draft_level_is_not_found_nor_linked(self, client, everyone, person, draft_level):
        client.force_login(everyone[person])
        assert client.get(draft_level.get_absolute_url()).status_code == 404
        first = draft_level.exercise.levels.get(number=1)
        response = client.get(first.get_absolute_url())
        assert response.context["next_level"] is None
        assert "Wall calf stretch" not in client.get(LIBRARY).content.decode()

    @pytest.mark.parametrize("person", ["erin", "ada"])
    def test_editors_preview_drafts_marked_as_such(self, client, everyone, person, draft_level):
        client.force_login(everyone[person])
        response = client.get(draft_level.get_absolute_url())
        assert response.status_code == 200
        assert "Draft: patients cannot see this" in response.content.decode()


def test_the_library_query_count_does_not_grow_with_content(
    client, alice, django_assert_max_num_queries
):
    client.force_login(alice)
    with django_assert_max_num_queries(7):
        assert client.get(LIBRARY).status_code == 200
    for index in range(5):
        exercise = make_exercise(name=f"Stretch {index}")
        make_level(exercise, 1)
        make_level(exercise, 2)
    with django_assert_max_num_queries(7):
        response = client.get(LIBRARY)
    assert response.content.decode().count("Stage 2") == 5


def test_the_level_page_query_count_is_small(client, alice, django_assert_max_num_queries):
    client.force_login(alice)
    with django_assert_max_num_queries(10):
        assert client.get(PSOAS_LEVEL_1).status_code == 200


def test_the_level_page_starts_the_timer_for_a_patient_on_that_level(client, alice_rx):
    client.force_login(alice_rx.patient.user)
    timer = reverse("patients:timer", args=[alice_rx.pk])
    assert timer in client.get(PSOAS_LEVEL_1).content.decode()
    assert timer not in client.get(PSOAS_LEVEL_2).content.decode()


def test_the_level_page_offers_no_start_to_staff(client, carol, alice_rx):
    client.force_login(carol)
    response = client.get(PSOAS_LEVEL_1)
    assert response.context["prescription"] is None
