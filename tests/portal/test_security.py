"""Authentication and session safeguards: lockout, passwords, automatic logoff, headers."""

import os
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import settings as project_settings
from portal.sessions import SESSION_SEEN, SESSION_STARTED
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
TODAY = reverse("patients:today")


def attempt(client, email, password, address="203.0.113.5"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


class TestLockout:
    def test_five_wrong_passwords_lock_the_address_for_that_account(self, client, alice):
        for _ in range(4):
            assert attempt(client, "alice@example.com", "wrong").status_code == 200
        assert attempt(client, "alice@example.com", "wrong").status_code == 429
        response = attempt(client, "alice@example.com", PASSWORD)
        assert response.status_code == 429
        assert "Too many attempts" in response.content.decode()
        assert SESSION_KEY not in client.session

    def test_the_lockout_ends_after_fifteen_minutes(self, client, alice):
        for _ in range(5):
            attempt(client, "alice@example.com", "wrong")
        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
        assert attempt(client, "alice@example.com", PASSWORD).status_code == 302

    def test_other_letter_case_counts_as_the_same_account(self, client, alice):
        for email in ["alice@example.com", "ALICE@example.com", "Alice@Example.com"] * 2:
            attempt(client, email, "wrong")
        assert attempt(client, "alice@example.com", PASSWORD).status_code == 429

    def test_a_locked_out_address_does_not_lock_the_patient_out_elsewhere(self, alice):
        attacker, patient = Client(), Client()
        for _ in range(6):
            attempt(attacker, "alice@example.com", "wrong", address="198.51.100.7")
        response = attempt(patient, "alice@example.com", PASSWORD, address="203.0.113.9")
        assert response.status_code == 302
        assert patient.session[SESSION_KEY] == str(alice.pk)

    def test_a_success_before_the_limit_resets_the_count(self, client, alice):
        for _ in range(4):
            attempt(client, "alice@example.com", "wrong")
        assert attempt(client, "alice@example.com", PASSWORD).status_code == 302
        client.logout()
        for _ in range(4):
            attempt(client, "alice@example.com", "wrong")
        assert attempt(client, "alice@example.com", PASSWORD).status_code == 302


class TestPasswords:
    def test_argon2_hashes_new_passwords(self):
        assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")

    @pytest.mark.parametrize("password", ["short-pass1", "password1234", "qwertyuiop123"])
    def test_short_or_common_passwords_are_refused(self, alice, password):
        with pytest.raises(ValidationError):
            validate_password(password, alice)

    @pytest.mark.parametrize(
        "password",
        [
            "gentle stretches every morning",
            "x" * 12,
            "correct horse battery staple " * 3,  # 87 characters
        ],
    )
    def test_long_passphrases_without_composition_rules_are_accepted(self, alice, password):
        assert validate_password(password, alice) is None


class TestSessions:
    def test_login_starts_a_new_session(self, client, alice):
        client.get(LOGIN)
        client.session["probe"] = 1
        before = client.session.session_key
        attempt(client, "alice@example.com", PASSWORD)
        assert client.session.session_key != before

    def test_logout_ends_the_session_on_the_server(self, alice_rx):
        client = Client()
        client.force_login(alice_rx.patient.user)
        cookie = client.cookies["sessionid"].value
        client.post(reverse("logout"))
        replay = Client()
        replay.cookies["sessionid"] = cookie
        response = replay.get(TODAY)
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)

    def test_thirty_minutes_idle_logs_out(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        session = client.session
        session[SESSION_SEEN] = time.time() - 31 * 60
        session.save()
        response = client.get(TODAY)
        assert response.status_code == 302
        assert response.url == f"{LOGIN}?next={TODAY}"
        assert SESSION_KEY not in client.session

    def test_activity_keeps_the_session(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        session = client.session
        session[SESSION_SEEN] = time.time() - 29 * 60
        session.save()
        assert client.get(TODAY).status_code == 200
        assert time.time() - client.session[SESSION_SEEN] < 5

    def test_twelve_hours_after_login_the_session_ends_even_when_active(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        session = client.session
        session[SESSION_STARTED] = time.time() - 12 * 3600 - 60
        session.save()
        response = client.get(TODAY)
        assert response.status_code == 302
        assert SESSION_KEY not in client.session

    def test_the_idle_limit_comes_from_the_environment(self, client, alice_rx, settings):
        settings.PORTAL_IDLE_MINUTES = 5
        client.force_login(alice_rx.patient.user)
        session = client.session
        session[SESSION_SEEN] = time.time() - 6 * 60
        session.save()
        assert client.get(TODAY).status_code == 302

    def test_a_password_change_ends_the_users_other_sessions(self, alice_rx):
        phone, laptop = Client(), Client()
        phone.force_login(alice_rx.patient.user)
        laptop.force_login(alice_rx.patient.user)
        user = alice_rx.patient.user
        user.set_password("a brand new long passphrase")
        user.save()
        assert phone.get(TODAY).status_code == 302
        assert laptop.get(TODAY).status_code == 302


class TestHeaders:
    def test_the_content_security_policy_allows_nothing_inline(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        policy = client.get(TODAY)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy

    @pytest.mark.parametrize("url", [TODAY, reverse("patients:history")])
    def test_pages_with_patient_data_are_never_stored(self, client, alice_rx, url):
        client.force_login(alice_rx.patient.user)
        response = client.get(url)
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]

    def test_the_usual_hardening_headers_are_sent(self, client):
        response = client.get(LOGIN)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_the_deployment_checklist_passes_with_production_settings():
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example-clinic.com",
    }
    result = subprocess.run(  # noqa: S603 -- our own interpreter, fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_signed_in_pages_tell_the_service_worker_when_the_session_ends(client, alice_rx):
    client.force_login(alice_rx.patient.user)
    before = time.time()
    response = client.get(TODAY)
    assert response["X-Holdfast-Idle-Seconds"] == "1800"
    ends = int(response["X-Holdfast-Session-Ends"]) / 1000
    assert before + 12 * 3600 - 5 <= ends <= time.time() + 12 * 3600
    assert "X-Holdfast-Idle-Seconds" not in Client().get(reverse("login"))
