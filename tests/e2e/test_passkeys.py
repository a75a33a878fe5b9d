"""Passkeys in Chromium, with the browser's own virtual authenticator (the DevTools
WebAuthn domain, through Playwright's CDP session): it makes and signs with real keys,
and checks the site's address as a phone would."""

import time
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from portal import roles
from portal.sessions import SESSION_SIGNED_IN
from tests.e2e.pages import log_in
from tests.factories import make_patient, make_user
from tests.portal.test_two_factor import code_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def authenticator(page, passkeys_at_the_live_server):
    """A phone's built-in authenticator that checks its owner (a fingerprint, say) and
    says yes at once."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    made = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    class Authenticator:
        def credentials(self):
            found = devtools.send(
                "WebAuthn.getCredentials", {"authenticatorId": made["authenticatorId"]}
            )
            return found["credentials"]

    return Authenticator()


@pytest.fixture
def patient(db):
    clinician = make_user("cleo@example.com", role=roles.CLINICIANS)
    return make_patient(
        make_user("pat@example.com", role=roles.PATIENTS, first_name="Pat"), clinician
    )


def add_passkey(page, live_server, name):
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="add a passkey, or change your password").click()
    page.get_by_label("Name for the new passkey").fill(name)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text(f"Passkey “{name}” added.")).to_be_visible()


def test_a_patient_adds_a_passkey_signs_in_with_it_and_removes_it(
    page, live_server, authenticator, patient, mailoutbox
):
    log_in(page, live_server, "pat@example.com")
    add_passkey(page, live_server, "Pat's phone")
    (stored,) = authenticator.credentials()
    assert stored["isResidentCredential"] is True
    assert WebAuthnCredential.objects.get().name == "Pat's phone"
    assert "added" in mailoutbox[-1].subject

    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("heading", name="Hello Pat")).to_be_visible()
    assert WebAuthnCredential.objects.get().last_used_at is not None

    page.goto(f"{live_server.url}/accounts/passkeys/")
    page.get_by_role("link", name="Remove Pat's phone").click()
    page.get_by_role("button", name="Remove the passkey").click()
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    assert not WebAuthnCredential.objects.exists()

    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator("[data-passkey-status]")).to_contain_text("no longer on any account here")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_the_same_device_cannot_add_a_second_passkey_for_one_account(
    page, live_server, authenticator, patient
):
    log_in(page, live_server, "pat@example.com")
    add_passkey(page, live_server, "Phone")
    page.get_by_label("Name for the new passkey").fill("Phone again")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("[data-passkey-status]")).to_contain_text(
        "already has a passkey for your account"
    )
    assert WebAuthnCredential.objects.count() == 1


def make_the_sign_in_stale(context):
    """As if the password was given an hour ago."""
    key = next(
        c["value"] for c in context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME
    )
    session = import_module(django_settings.SESSION_ENGINE).SessionStore(session_key=key)
    session[SESSION_SIGNED_IN] = time.time() - 3600
    session.save()


def test_a_passkey_confirms_it_is_you(page, context, live_server, authenticator, patient):
    log_in(page, live_server, "pat@example.com")
    add_passkey(page, live_server, "Phone")
    make_the_sign_in_stale(context)
    page.goto(f"{live_server.url}/accounts/passkeys/")
    page.get_by_role("link", name="Confirm it is you").click()
    page.get_by_role("button", name="Use a passkey instead").click()
    expect(page.get_by_role("button", name="Add a passkey")).to_be_visible()
    assert page.url == f"{live_server.url}/accounts/passkeys/"


def test_staff_sign_in_with_a_passkey_past_the_second_factor(
    page, live_server, authenticator, settings
):
    cleo = make_user("cleo@example.com", role=roles.CLINICIANS)
    app = TOTPDevice.objects.create(user=cleo, name="Authenticator app", confirmed=True)
    log_in(page, live_server, "cleo@example.com")
    page.goto(f"{live_server.url}/accounts/passkeys/")
    page.get_by_role("link", name="Enter your two-factor code").click()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        code_for(app.key)
    )
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name for the new passkey").fill("Clinic laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey “Clinic laptop” added.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    settings.PORTAL_STAFF_2FA = True
    page.goto(f"{live_server.url}/accounts/login/?next=/clinic/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("heading", name="Adherence report")).to_be_visible()
