"""Who may open each patient page: the owner, and nobody else.

Another patient's record answers 404, exactly like a record that does not exist; staff
have no patient pages of their own.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from patients.access import patient_for_user
from patients.models import HoldLog, PainScore
from portal import roles
from portal.auth import PortalBackend
from tests.factories import make_hold, make_pain

pytestmark = pytest.mark.django_db

OTHERS = ["bob", "carol", "dave", "erin", "ada"]


@pytest.fixture
def alice_records(alice_rx, bob_rx):
    """Alice's program and today's entries, beside Bob's own program."""
    return {
        "prescription": alice_rx,
        "hold": make_hold(alice_rx, at=timezone.now()),
        "pain": make_pain(alice_rx.patient, at=timezone.now()),
    }


# name, the object its URL is about (None for the patient's own pages), and the methods
# it answers: GET pages, POST-only endpoints, or both.
ROUTES = [
    ("today", None, {"GET"}),
    ("history", None, {"GET"}),
    ("log-pain", None, {"POST"}),
    ("timer", "prescription", {"GET"}),
    ("log-hold", "prescription", {"POST"}),
    ("edit-hold", "hold", {"GET", "POST"}),
    ("delete-hold", "hold", {"GET", "POST"}),
    ("edit-pain", "pain", {"GET", "POST"}),
    ("delete-pain", "pain", {"GET", "POST"}),
]


def url_for(name, about, records):
    if about is None:
        return reverse(f"patients:{name}")
    return reverse(f"patients:{name}", args=[records[about].pk])


def safe_method(methods):
    return "GET" if "GET" in methods else "POST"


def request(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, {})


@pytest.mark.parametrize(("name", "about", "methods"), ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(client, alice_records, name, about, methods):
    url = url_for(name, about, alice_records)
    response = request(client, safe_method(methods), url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(("name", "about", "methods"), ROUTES)
def test_the_owner_may_open_it(client, alice_records, name, about, methods):
    client.force_login(alice_records["prescription"].patient.user)
    response = request(client, safe_method(methods), url_for(name, about, alice_records))
    # A bare POST to an endpoint that writes is refused as incomplete, never a 404.
    assert response.status_code in ({200} if "GET" in methods else {400})


@pytest.mark.parametrize(("name", "about", "methods"), [r for r in ROUTES if r[1]])
@pytest.mark.parametrize("person", OTHERS)
def test_anyone_else_gets_not_found(client, everyone, alice_records, person, name, about, methods):
    client.force_login(everyone[person])
    for method in methods:
        response = request(client, method, url_for(name, about, alice_records))
        assert response.status_code == 404
    assert HoldLog.objects.filter(patient=alice_records["prescription"].patient).count() == 1
    assert PainScore.objects.filter(patient=alice_records["prescription"].patient).count() == 1


@pytest.mark.parametrize(("name", "about", "methods"), [r for r in ROUTES if not r[1]])
@pytest.mark.parametrize("person", ["carol", "dave", "erin", "ada"])
def test_staff_have_no_patient_pages(client, everyone, alice_records, person, name, about, methods):
    client.force_login(everyone[person])
    response = request(client, safe_method(methods), url_for(name, about, alice_records))
    assert response.status_code == 404


def test_bob_sees_his_own_today_not_alices(client, alice_records, bob):
    client.force_login(bob)
    page = client.get(reverse("patients:today")).content.decode()
    assert "Edge-of-bed psoas stretch" in page
    assert "Lying psoas stretch" not in page


class TestProfileReadWithTheUser:
    """The login backend reads a user's patient profile with the user, so the patient
    pages and the menu find it without a query of their own."""

    def request_user(self, user):
        return PortalBackend().get_user(user.pk)

    def test_a_patient_is_loaded_with_their_own_profile(self, alice_rx, bob_rx):
        user = self.request_user(alice_rx.patient.user)
        assert patient_for_user(user) == alice_rx.patient

    def test_the_profile_costs_no_query_once_the_user_is_loaded(
        self, alice_patient, carol, django_assert_num_queries
    ):
        patient_user, staff = self.request_user(alice_patient.user), self.request_user(carol)
        with django_assert_num_queries(0):
            assert patient_for_user(patient_user).user is patient_user
            assert roles.has_patient_profile(patient_user)
            assert not roles.has_patient_profile(staff)

    def test_anyone_who_is_not_a_patient_gets_not_found(self, bob, carol, alice_rx):
        for user in (self.request_user(bob), self.request_user(carol), AnonymousUser()):
            with pytest.raises(Http404):
                patient_for_user(user)

    def test_an_inactive_account_is_not_loaded(self, alice_patient):
        alice_patient.user.is_active = False
        alice_patient.user.save()
        assert self.request_user(alice_patient.user) is None


@pytest.mark.parametrize(("name", "about", "methods"), ROUTES)
def test_the_wrong_method_is_refused(client, alice_records, name, about, methods):
    client.force_login(alice_records["prescription"].patient.user)
    url = url_for(name, about, alice_records)
    for method in {"GET", "POST", "PUT", "DELETE"} - methods:
        response = getattr(client, method.lower())(url)
        assert response.status_code == 405, method
    assert HoldLog.objects.count() == 1
    assert PainScore.objects.count() == 1
