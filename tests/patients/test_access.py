"""Who may open each patient page: the owner, and nobody else.

Another patient's record answers 404, exactly like a record that does not exist; staff
have no patient pages of their own.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from patients.access import patient_with_prescriptions
from patients.models import HoldLog, PainScore, Prescription
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


class TestPatientWithPrescriptions:
    """The today and history pages read the patient and their program in one query."""

    def program(self, user):
        return patient_with_prescriptions(user, Prescription.objects.all())

    def test_it_returns_the_users_own_patient_and_prescriptions_only(self, alice_rx, bob_rx):
        patient, prescriptions = self.program(alice_rx.patient.user)
        assert patient == alice_rx.patient
        assert prescriptions == [alice_rx]
        assert prescriptions[0].patient is patient

    def test_a_patient_without_a_prescription_still_gets_their_record(self, alice_patient):
        assert self.program(alice_patient.user) == (alice_patient, [])

    def test_anyone_who_is_not_a_patient_gets_not_found(self, bob, carol, alice_rx):
        for user in (bob, carol, AnonymousUser()):
            with pytest.raises(Http404):
                self.program(user)

    def test_one_query_when_there_is_a_program(self, alice_rx, django_assert_num_queries):
        with django_assert_num_queries(1):
            self.program(alice_rx.patient.user)


@pytest.mark.parametrize(("name", "about", "methods"), ROUTES)
def test_the_wrong_method_is_refused(client, alice_records, name, about, methods):
    client.force_login(alice_records["prescription"].patient.user)
    url = url_for(name, about, alice_records)
    for method in {"GET", "POST", "PUT", "DELETE"} - methods:
        response = getattr(client, method.lower())(url)
        assert response.status_code == 405, method
    assert HoldLog.objects.count() == 1
    assert PainScore.objects.count() == 1
