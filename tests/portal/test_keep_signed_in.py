"""Keep me signed in on this device (patients only), and a fresh password before
downloading one's data or changing the password."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from portal.sessions import SESSION_SEEN, SESSION_SIGNED_IN, SESSION_STARTED
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
TODAY = reverse("patients:today")
EXPORT = reverse("patients:export")
CONFIRM = reverse("confirm-sign-in")
DAY = 86400


def signed_in(email, *, keep):
    client = Client()
    data = {"username": email, "password": PASSWORD}
    if keep:
        data["keep_signed_in"] = "on"
    assert client.post(LOGIN, data).status_code == 302
    return client


def age(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


class TestKeepSignedIn:
    def test_a_kept_session_outlives_the_idle_half_hour(self, alice_rx):
        client = signed_in("alice@example.com", keep=True)
        age(client, **{SESSION_SEEN: 2 * DAY})
        assert client.get(TODAY).status_code == 200
        assert client.session.get_expiry_age() > 29 * DAY

    def test_it_ends_after_seven_idle_days(self, alice_rx):
        client = signed_in("alice@example.com", keep=True)
        age(client, **{SESSION_SEEN: 7 * DAY + 60})
        assert client.get(TODAY).status_code == 302
        assert SESSION_KEY not in client.session

    def test_it_ends_thirty_days_after_login(self, alice_rx):
        client = signed_in("alice@example.com", keep=True)
        age(client, **{SESSION_STARTED: 30 * DAY + 60, SESSION_SEEN: 60})
        assert client.get(TODAY).status_code == 302

    def test_without_it_the_half_hour_stands(self, alice_rx):
        client = signed_in("alice@example.com", keep=False)
        age(client, **{SESSION_SEEN: 31 * 60})
        assert client.get(TODAY).status_code == 302

    def test_staff_are_never_kept(self, carol, alice_rx):
        client = signed_in("carol@example.com", keep=True)
        age(client, **{SESSION_SEEN: 31 * 60})
        assert client.get(reverse("patients:report")).status_code == 302
        assert SESSION_KEY not in client.session

    def test_the_service_worker_is_told_the_kept_limits(self, alice_rx):
        client = signed_in("alice@example.com", keep=True)
        assert client.get(TODAY)["X-Holdfast-Idle-Seconds"] == str(7 * DAY)


class TestFreshSignIn:
    def test_a_fresh_login_downloads_at_once(self, alice_rx):
        client = signed_in("alice@example.com", keep=True)
        assert client.get(EXPORT).status_code == 200

    def test_an_older_login_asks_for_the_password_first(self, alice_rx):
        client = signed_in("alice@example.com", keep=True)
        age(client, **{SESSION_SIGNED_IN: 11 * 60})
        response = client.get(EXPORT)
        assert response.status_code == 302
        assert response.url == f"{CONFIRM}?next={EXPORT}"
        refused = client.post(CONFIRM, {"password": "not it", "next": EXPORT})
        assert refused.status_code == 400
        assert "That password is not right." in refused.content.decode()
        confirmed = client.post(CONFIRM, {"password": PASSWORD, "next": EXPORT})
        assert confirmed.url == EXPORT
        assert client.get(EXPORT).status_code == 200

    def test_changing_the_password_asks_too(self, alice_rx):
        client = signed_in("alice@example.com", keep=False)
        age(client, **{SESSION_SIGNED_IN: 11 * 60})
        assert client.get(reverse("password_change")).url.startswith(CONFIRM)

    def test_the_confirmation_goes_only_to_this_site(self, alice_rx):
        client = signed_in("alice@example.com", keep=False)
        response = client.post(CONFIRM, {"password": PASSWORD, "next": "https://evil.example/"})
        assert response.url == reverse("home")
