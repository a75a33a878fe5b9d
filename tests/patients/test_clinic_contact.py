"""How patients reach the clinic: set once by an administrator, shown on the patient's
pages, and before the timer's Start button after a severe pain score."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import ClinicContact
from tests.factories import make_pain

pytestmark = pytest.mark.django_db

ADD = reverse("admin:portal_cliniccontact_add")


@pytest.fixture
def contact(db):
    return ClinicContact.objects.create(
        phone="(416) 555-0100", email="desk@example.com", address="12 Example St"
    )


def test_an_administrator_sets_the_details_once(client, ada):
    client.force_login(ada)
    response = client.post(ADD, {"phone": "416 555 0100", "email": "", "address": "", "hours": ""})
    assert response.status_code == 302
    assert ClinicContact.current().phone == "416 555 0100"
    assert client.get(ADD).status_code == 403


@pytest.mark.parametrize("person", ["carol", "erin"])
def test_only_administrators_edit_them(client, everyone, contact, person):
    client.force_login(everyone[person])
    url = reverse("admin:portal_cliniccontact_change", args=[contact.pk])
    assert client.post(url, {"phone": "1"}).status_code == 403
    contact.refresh_from_db()
    assert contact.phone == "(416) 555-0100"


def test_today_shows_how_to_reach_the_clinic(client, alice_rx, contact):
    client.force_login(alice_rx.patient.user)
    page = client.get(reverse("patients:today")).content.decode()
    assert 'href="tel:4165550100"' in page
    assert "desk@example.com" in page


def test_after_a_severe_score_the_number_comes_before_start(client, alice_rx, contact):
    make_pain(alice_rx.patient, at=timezone.now(), score=9)
    client.force_login(alice_rx.patient.user)
    page = client.get(reverse("patients:timer", args=[alice_rx.pk])).content.decode()
    assert "Please contact your clinic" in page
    assert page.index('href="tel:4165550100"') < page.index('id="timer-start"')


def test_without_details_the_pages_say_nothing_of_them(client, alice_rx):
    client.force_login(alice_rx.patient.user)
    page = client.get(reverse("patients:today")).content.decode()
    assert "Your clinic" not in page
