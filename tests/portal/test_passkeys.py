"""Passkeys: adding, naming and removing them, and signing in with one (portal/passkeys.py).

The browser's side is played by tests.soft_passkey; tests/e2e/test_passkeys.py does the
same in Chromium with its virtual authenticator.
"""

import email
import email.policy
import json
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential, WebAuthnUserHandle

from portal import passkeys
from portal.sessions import SESSION_KEPT, SESSION_SIGNED_IN
from tests.portal.test_two_factor import code_for
from tests.soft_passkey import SoftPasskey

pytestmark = pytest.mark.django_db

PAGE = reverse("passkeys")
ADD_OPTIONS = reverse("passkey-add-options")
ADD = reverse("passkey-add")
SIGN_IN_OPTIONS = reverse("passkey-sign-in-options")
SIGN_IN = reverse("passkey-sign-in")
CONFIRM = reverse("confirm-sign-in")
REPORT = reverse("patients:report")
EXPORT = reverse("patients:export")


def post_json(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def at_the_site():
    """A browser at the address passkeys belong to (``make run``'s, in the tests)."""
    return Client(HTTP_HOST=urlsplit(settings.PORTAL_PASSKEY_ORIGIN).netloc)


def signed_in(user):
    client = at_the_site()
    client.force_login(user)
    return client


def add(client, device, name="My phone", **answer):
    options = post_json(client, ADD_OPTIONS)
    assert options.status_code == 200, options.content
    return post_json(
        client, ADD, {"name": name, "credential": device.create(options.json(), **answer)}
    )


def sign_in(client, device, *, url=SIGN_IN, keep=False, **answer):
    options = post_json(client, SIGN_IN_OPTIONS).json()
    body = {"credential": device.get(options, **answer), "keep_signed_in": keep}
    return post_json(client, url, body)


def past_the_second_factor(user):
    """Signed in, with a code from an authenticator app confirmed in this session."""
    device = TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    client = signed_in(user)
    response = client.post(reverse("two-factor-verify"), {"code": code_for(device.key)})
    assert response.status_code == 302
    return client


def stale(client):
    session = client.session
    session[SESSION_SIGNED_IN] = time.time() - 3600
    session.save()


@pytest.fixture
def phone():
    return SoftPasskey()


@pytest.fixture
def alice_with_phone(alice, phone):
    assert add(signed_in(alice), phone).status_code == 201
    return phone


class TestAdding:
    def test_a_patient_adds_a_named_passkey(
        self, alice, phone, mailoutbox, django_capture_on_commit_callbacks
    ):
        client = signed_in(alice)
        with django_capture_on_commit_callbacks(execute=True):
            response = add(client, phone, name="  Kitchen\tiPad  ")
        assert response.status_code == 201
        assert response.json() == {"redirect": PAGE}
        (passkey,) = WebAuthnCredential.objects.all()
        assert (passkey.user, passkey.name, passkey.confirmed) == (alice, "Kitchen iPad", True)
        assert passkey.discoverable is True
        (mail,) = mailoutbox
        # Read back as a mail program would, by Python's own parser.
        parsed = email.message_from_bytes(mail.message().as_bytes(), policy=email.policy.default)
        assert parsed["To"] == "alice@example.com"
        assert "Kitchen iPad" in parsed.get_content()
        assert "added" in parsed["Subject"]
        assert "Kitchen iPad" in client.get(PAGE).content.decode()

    def test_a_passkey_without_a_name_is_called_passkey(self, alice, phone):
        assert add(signed_in(alice), phone, name="\x00\x1b").status_code == 201
        assert WebAuthnCredential.objects.get().name == "Passkey"

    def test_the_options_ask_the_device_to_check_its_owner(self, alice):
        options = post_json(signed_in(alice), ADD_OPTIONS).json()
        assert options["authenticatorSelection"]["userVerification"] == "required"
        assert options["authenticatorSelection"]["residentKey"] == "required"
        assert options["rp"]["id"] == "localhost"
        assert options["user"]["name"] == "alice@example.com"

    def test_it_needs_a_fresh_sign_in(self, alice, phone):
        client = signed_in(alice)
        stale(client)
        response = post_json(client, ADD_OPTIONS)
        assert response.status_code == 403
        assert response.json()["confirm"].startswith(CONFIRM)
        assert "Confirm it is you" in client.get(PAGE).content.decode()

    def test_a_device_that_did_not_check_its_owner_is_refused(self, alice, phone):
        assert add(signed_in(alice), phone, verified=False).status_code == 422
        assert not WebAuthnCredential.objects.exists()

    def test_an_answer_made_for_another_site_is_refused(self, alice):
        elsewhere = SoftPasskey(origin="https://phishing.example")
        assert add(signed_in(alice), elsewhere).status_code == 422
        assert not WebAuthnCredential.objects.exists()

    def test_an_answer_is_taken_once(self, alice, phone):
        client = signed_in(alice)
        options = post_json(client, ADD_OPTIONS).json()
        body = {"name": "Phone", "credential": phone.create(options)}
        assert post_json(client, ADD, body).status_code == 201
        again = post_json(client, ADD, body)
        assert again.status_code == 400
        assert WebAuthnCredential.objects.count() == 1

    def test_a_challenge_is_good_only_in_the_session_that_asked(self, alice, phone):
        asking, other = signed_in(alice), signed_in(alice)
        options = post_json(asking, ADD_OPTIONS).json()
        response = post_json(other, ADD, {"credential": phone.create(options)})
        assert response.status_code == 400
        assert not WebAuthnCredential.objects.exists()

    def test_an_account_has_at_most_ten(self, alice):
        client = signed_in(alice)
        for _ in range(passkeys.MOST_PASSKEYS):
            assert add(client, SoftPasskey()).status_code == 201
        assert post_json(client, ADD_OPTIONS).status_code == 409
        assert "the most an account can have" in client.get(PAGE).content.decode()

    def test_staff_add_one_only_past_the_second_factor(self, carol):
        # Even where the clinic does not ask staff for a second factor at sign-in.
        response = post_json(signed_in(carol), ADD_OPTIONS)
        assert response.status_code == 403
        assert response.json()["confirm"].startswith(reverse("two-factor-setup"))
        assert not WebAuthnCredential.objects.exists()
        assert add(past_the_second_factor(carol), SoftPasskey()).status_code == 201

    def test_a_patient_made_staff_loses_the_passkeys_made_with_a_password(
        self, ada, alice, alice_with_phone, mailoutbox, django_capture_on_commit_callbacks
    ):
        url = reverse("admin:portal_user_change", args=[alice.pk])
        client = signed_in(ada)
        form = {
            "email": alice.email,
            "first_name": alice.first_name,
            "is_active": "on",
            "is_staff": "on",
            "groups": [group.pk for group in alice.groups.all()],
            "date_joined_0": "2026-11-01",
            "date_joined_1": "09:00",
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, form)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert not WebAuthnCredential.objects.exists()
        assert "My phone" in mailoutbox[-1].body

    def test_a_failing_mail_server_leaves_the_passkey_added(
        self, alice, settings, caplog, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
        with django_capture_on_commit_callbacks(execute=True):
            assert add(signed_in(alice), SoftPasskey()).status_code == 201
        assert WebAuthnCredential.objects.count() == 1
        assert "The mail server did not take a message" in caplog.text

    @pytest.mark.parametrize("body", ["", "[]", "null", '{"credential": 5}', "{", "\xff"])
    def test_a_request_that_is_not_an_answer_is_a_400(self, alice, body):
        client = signed_in(alice)
        post_json(client, ADD_OPTIONS)
        response = client.post(ADD, data=body, content_type="application/json")
        assert response.status_code == 400
        assert "message" in response.json()


class TestSigningIn:
    def test_a_passkey_signs_its_owner_in(self, alice, alice_with_phone):
        client = at_the_site()
        response = sign_in(client, alice_with_phone)
        assert response.status_code == 200
        assert response.json() == {"redirect": reverse("home")}
        assert client.session[SESSION_KEY] == str(alice.pk)
        assert client.get(PAGE).status_code == 200
        passkey = WebAuthnCredential.objects.get()
        assert passkey.last_used_at is not None
        assert passkey.sign_count == 1

    def test_the_options_name_no_account(self, alice_with_phone):
        options = post_json(at_the_site(), SIGN_IN_OPTIONS).json()
        assert options["userVerification"] == "required"
        assert options.get("allowCredentials", []) == []

    def test_it_goes_on_to_a_safe_next_address(self, alice_with_phone):
        to_history = sign_in(at_the_site(), alice_with_phone, url=f"{SIGN_IN}?next=/history/")
        assert to_history.json()["redirect"] == "/history/"
        away = sign_in(at_the_site(), alice_with_phone, url=f"{SIGN_IN}?next=https://evil.example/")
        assert away.json()["redirect"] == reverse("home")

    def test_keep_me_signed_in_applies_to_a_passkey_too(self, alice_with_phone):
        client = at_the_site()
        sign_in(client, alice_with_phone, keep=True)
        assert client.session[SESSION_KEPT] is True

    def test_a_device_that_did_not_check_its_owner_signs_nobody_in(self, alice_with_phone):
        client = at_the_site()
        assert sign_in(client, alice_with_phone, verified=False).status_code == 422
        assert SESSION_KEY not in client.session

    def test_a_cloned_passkey_is_refused(self, alice_with_phone):
        assert sign_in(at_the_site(), alice_with_phone, count=5).status_code == 200
        client = at_the_site()
        assert sign_in(client, alice_with_phone, count=3).status_code == 422
        assert SESSION_KEY not in client.session

    def test_a_removed_passkey_is_named_so_the_device_can_forget_it(self, alice_with_phone):
        WebAuthnCredential.objects.all().delete()
        response = sign_in(at_the_site(), alice_with_phone)
        assert response.status_code == 404
        assert response.json()["unknown"] == alice_with_phone.id

    def test_a_closed_account_cannot_sign_in_and_its_passkey_is_not_counted_used(
        self, alice, alice_with_phone
    ):
        alice.is_active = False
        alice.save()
        client = at_the_site()
        assert sign_in(client, alice_with_phone).status_code == 403
        assert SESSION_KEY not in client.session
        passkey = WebAuthnCredential.objects.get()
        assert (passkey.sign_count, passkey.last_used_at) == (0, None)

    def test_an_answer_naming_another_account_is_refused(self, alice_with_phone, bob):
        WebAuthnUserHandle.get_handle_for_user(bob)
        alice_with_phone.user_handle = WebAuthnUserHandle.objects.get(user=bob).handle
        client = at_the_site()
        assert sign_in(client, alice_with_phone).status_code == 422
        assert SESSION_KEY not in client.session

    def test_an_answer_is_taken_once(self, alice_with_phone):
        client = at_the_site()
        options = post_json(client, SIGN_IN_OPTIONS).json()
        body = {"credential": alice_with_phone.get(options)}
        assert post_json(client, SIGN_IN, body).status_code == 200
        client.logout()
        assert post_json(client, SIGN_IN, body).status_code == 400

    def test_a_password_lockout_does_not_stop_the_owners_passkey(self, alice, alice_with_phone):
        for _ in range(6):
            at_the_site().post(reverse("login"), {"username": alice.email, "password": "wrong"})
        client = at_the_site()
        assert sign_in(client, alice_with_phone).status_code == 200
        assert client.session[SESSION_KEY] == str(alice.pk)

    def test_staff_signed_in_with_a_passkey_are_past_the_second_factor(self, carol, settings):
        settings.PORTAL_STAFF_2FA = True
        phone = SoftPasskey()
        assert add(past_the_second_factor(carol), phone).status_code == 201
        client = at_the_site()
        assert sign_in(client, phone).status_code == 200
        assert client.get(REPORT).status_code == 200

    def test_staff_may_use_a_passkey_as_the_second_factor(self, carol, settings):
        settings.PORTAL_STAFF_2FA = True
        phone = SoftPasskey()
        assert add(past_the_second_factor(carol), phone).status_code == 201
        client = signed_in(carol)
        assert client.get(REPORT).url.startswith(reverse("two-factor-verify"))
        assert "Use a passkey instead" in client.get(reverse("two-factor-verify")).content.decode()
        assert sign_in(client, phone).status_code == 200
        assert client.get(REPORT).status_code == 200


class TestConfirming:
    def test_a_passkey_confirms_it_is_you(self, alice_patient, alice, alice_with_phone):
        client = signed_in(alice)
        stale(client)
        assert client.get(EXPORT).url.startswith(CONFIRM)
        assert "Use a passkey instead" in client.get(CONFIRM).content.decode()
        assert sign_in(client, alice_with_phone).status_code == 200
        assert client.get(EXPORT).status_code == 200

    def test_another_accounts_passkey_confirms_nothing(self, bob_patient, bob, alice_with_phone):
        client = signed_in(bob)
        stale(client)
        assert sign_in(client, alice_with_phone).status_code == 403
        assert client.session[SESSION_KEY] == str(bob.pk)
        assert client.get(EXPORT).url.startswith(CONFIRM)


class TestManaging:
    def test_renaming(self, alice, alice_with_phone):
        passkey = WebAuthnCredential.objects.get()
        url = reverse("passkey-rename", args=[passkey.pk])
        response = signed_in(alice).post(url, {"name": " Work\nphone "})
        assert response.status_code == 302
        passkey.refresh_from_db()
        assert passkey.name == "Work phone"

    def test_an_empty_name_is_refused_with_a_message(self, alice, alice_with_phone):
        passkey = WebAuthnCredential.objects.get()
        response = signed_in(alice).post(reverse("passkey-rename", args=[passkey.pk]), {})
        assert response.status_code == 400
        assert "This field is required" in response.content.decode()

    def test_removing_tells_the_owner(
        self, alice, alice_with_phone, mailoutbox, django_capture_on_commit_callbacks
    ):
        passkey = WebAuthnCredential.objects.get()
        url = reverse("passkey-remove", args=[passkey.pk])
        client = signed_in(alice)
        assert "Remove “My phone”?" in client.get(url).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url).status_code == 302
        assert not WebAuthnCredential.objects.exists()
        assert "removed" in mailoutbox[-1].subject
        assert sign_in(at_the_site(), alice_with_phone).status_code == 404

    @pytest.mark.parametrize("route", ["passkey-rename", "passkey-remove"])
    def test_changes_need_a_fresh_sign_in(self, alice, alice_with_phone, route):
        passkey = WebAuthnCredential.objects.get()
        client = signed_in(alice)
        stale(client)
        response = client.post(reverse(route, args=[passkey.pk]), {"name": "x"})
        assert response.url.startswith(CONFIRM)
        passkey.refresh_from_db()
        assert passkey.name == "My phone"

    @pytest.mark.parametrize("route", ["passkey-rename", "passkey-remove"])
    def test_another_accounts_passkey_is_a_404(self, bob, alice_with_phone, route):
        passkey = WebAuthnCredential.objects.get()
        response = signed_in(bob).post(reverse(route, args=[passkey.pk]), {"name": "x"})
        assert response.status_code == 404
        passkey.refresh_from_db()
        assert passkey.name == "My phone"

    def test_the_page_says_where_passkeys_work_at_another_address(self, alice):
        page = signed_in(alice).get(PAGE, HTTP_HOST="127.0.0.1:8000").content.decode()
        assert "Passkeys work at" in page
        assert "data-passkey-add" not in page


class TestAdministrators:
    def test_an_administrator_removes_a_passkey_and_the_owner_is_told(
        self, ada, alice, alice_with_phone, mailoutbox
    ):
        passkey = WebAuthnCredential.objects.get()
        url = reverse("admin:django_otp_webauthn_webauthncredential_delete", args=[passkey.pk])
        assert signed_in(ada).post(url, {"post": "yes"}).status_code == 302
        assert not WebAuthnCredential.objects.exists()
        assert "An administrator removed" in mailoutbox[-1].body

    def test_the_admin_shows_no_key(self, ada, alice_with_phone):
        passkey = WebAuthnCredential.objects.get()
        url = reverse("admin:django_otp_webauthn_webauthncredential_change", args=[passkey.pk])
        page = signed_in(ada).get(url).content.decode()
        assert "My phone" in page
        assert passkey.public_key.hex() not in page
        assert "public key" not in page.lower()
