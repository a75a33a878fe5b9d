"""The client's address behind the trusted proxies, for the lockout and the audit trail
alike; and the ceiling on wrong passwords for one account across all addresses."""

from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal.client_address import client_address
from portal.models import AuditEvent
from tests.factories import PASSWORD, make_hold

LOGIN = reverse("login")
PROXY = "10.0.0.2"


def request_with(forwarded=None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


class TestBehindOneProxy:
    @pytest.fixture(autouse=True)
    def one_proxy(self, settings):
        settings.PORTAL_TRUSTED_PROXIES = 1

    @pytest.mark.parametrize(
        ("forwarded", "expected"),
        [
            ("203.0.113.7", "203.0.113.7"),  # what nginx appends
            ("192.168.1.20", "192.168.1.20"),  # a clinic's own network counts too
            ("198.51.100.1, 203.0.113.7", "203.0.113.7"),  # a forged entry on the left
            ("1.2.3.4, 5.6.7.8, 203.0.113.7", "203.0.113.7"),
            ("2001:db8::5", "2001:db8::5"),
            (None, PROXY),  # not through the proxy: the connection's address
            ("", PROXY),
            ("not-an-address", PROXY),
        ],
    )
    def test_the_client_is_what_the_proxy_saw(self, forwarded, expected):
        assert client_address(request_with(forwarded)) == expected


class TestBehindTwoProxies:
    @pytest.fixture(autouse=True)
    def two_proxies(self, settings):
        settings.PORTAL_TRUSTED_PROXIES = 2

    @pytest.mark.parametrize(
        ("forwarded", "expected"),
        [
            ("203.0.113.7, 10.0.0.9", "203.0.113.7"),
            ("198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
            ("10.0.0.9", PROXY),  # shorter than the chain: not through both
        ],
    )
    def test_the_client_is_what_the_outer_proxy_saw(self, forwarded, expected):
        assert client_address(request_with(forwarded)) == expected


def test_without_proxies_the_header_is_ignored(settings):
    settings.PORTAL_TRUSTED_PROXIES = 0
    assert client_address(request_with("203.0.113.7", remote="198.51.100.4")) == "198.51.100.4"


def attempt(client, password, address):
    return client.post(
        LOGIN,
        {"username": "alice@example.com", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.mark.django_db
class TestLockoutBehindTheProxy:
    @pytest.fixture(autouse=True)
    def one_proxy(self, settings):
        settings.PORTAL_TRUSTED_PROXIES = 1

    def test_five_wrong_passwords_lock_that_address_not_the_proxy(self, alice):
        attacker, patient = Client(), Client()
        for _ in range(5):
            attempt(attacker, "wrong", "198.51.100.7")
        assert attempt(attacker, PASSWORD, "198.51.100.7").status_code == 429
        response = attempt(patient, PASSWORD, "203.0.113.9")
        assert response.status_code == 302
        assert patient.session[SESSION_KEY] == str(alice.pk)

    def test_a_forged_header_does_not_dodge_the_lockout(self, alice):
        client = Client()
        for index in range(5):
            attempt(client, "wrong", f"192.0.2.{index}, 198.51.100.7")
        assert attempt(client, PASSWORD, "192.0.2.99, 198.51.100.7").status_code == 429

    def test_the_audit_trail_records_the_clients_address(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        client.get(
            reverse("patients:history"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9"
        )
        hold = make_hold(alice_rx, at=timezone.now())
        client.get(
            reverse("patients:edit-hold", args=[hold.pk]),
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9",
        )
        client.post(
            reverse("patients:delete-hold", args=[hold.pk]),
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9",
        )
        assert list(AuditEvent.objects.values_list("ip", flat=True)) == ["203.0.113.9"]


@pytest.mark.django_db
class TestAccountCeiling:
    @pytest.fixture(autouse=True)
    def one_proxy(self, settings):
        settings.PORTAL_TRUSTED_PROXIES = 1
        settings.PORTAL_ACCOUNT_FAILURE_CEILING = 12

    def spread_guesses(self, count):
        for index in range(count):
            # Four guesses per address: each stays under the per-address lockout.
            attempt(Client(), "wrong", f"198.51.{index // 4}.{index % 4 + 1}")

    def test_guesses_spread_over_many_addresses_lock_the_account(self, alice, mailoutbox):
        self.spread_guesses(12)
        response = attempt(Client(), PASSWORD, "203.0.113.9")
        assert response.status_code == 429
        (mail,) = mailoutbox
        assert mail.to == ["alice@example.com"]
        assert "paused" in mail.subject

    def test_under_the_ceiling_the_owner_signs_in(self, alice, mailoutbox):
        self.spread_guesses(11)
        assert attempt(Client(), PASSWORD, "203.0.113.9").status_code == 302
        assert mailoutbox == []

    def test_the_account_opens_again_after_an_hour(self, alice):
        self.spread_guesses(12)
        AccessFailureLog.objects.update(attempt_time=timezone.now() - timedelta(minutes=61))
        assert attempt(Client(), PASSWORD, "203.0.113.9").status_code == 302
