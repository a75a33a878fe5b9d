"""Passkeys: signing in with the phone's own lock (a fingerprint, a face, its PIN)
instead of typing a password.

A passkey is a key pair that a phone or computer makes for this site and keeps; the
site stores only the public half (django-otp-webauthn's WebAuthnCredential, a django-otp
device; py_webauthn checks every answer). Each use asks the device to check that its
owner is holding it (user verification), so one passkey is two factors: the device, and
the fingerprint or PIN that unlocks it. That is why signing in with a passkey also
passes staff two-factor authentication.

- Anyone signed in adds passkeys on the Signing in page, names them and removes them.
  Each of those asks for a fresh sign-in (portal/sessions.py), and the owner is told by
  e-mail whenever a passkey is added or removed.
- A staff member adds passkeys only once past the second factor: a password alone must
  never make a factor.
- The login page offers "Sign in with a passkey" beside the password. The passkey names
  its own account, so no e-mail address is asked for.
- Signed in, a passkey also confirms that it is you (instead of the password again), and
  for staff it is the second factor.
- The password lockout does not stop a passkey: the lockout is against guessing, and a
  passkey cannot be guessed, so its owner still gets in while someone tries passwords.

The ceremonies speak JSON with static/js/passkeys.js: the server's options out, the
browser's answer back. Anything refused is a 4xx with a message for the person.
"""

import json
import time
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp_webauthn import exceptions as library_errors
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential, WebAuthnUserHandle
from webauthn.helpers import (
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import UserVerificationRequirement

from portal import sessions
from portal.forms import CrispyMixin
from portal.redirects import next_path, with_next
from portal.two_factor import has_second_factor, tell_owner

# The backend a passkey's sign-in is recorded with: the portal's own, which loads the
# patient profile with the user on every request.
SIGN_IN_BACKEND = "portal.auth.PortalBackend"
MOST_PASSKEYS = 10
NAME_LENGTH = WebAuthnCredential._meta.get_field("name").max_length
DEFAULT_NAME = "Passkey"
# The challenge of a ceremony under way, in the session that asked for it; used once.
ADDING = "portal_passkey_adding"
SIGNING_IN = "portal_passkey_signing_in"
NOT_UNDERSTOOD = "That request was not understood. Reload the page and try again."


class PasskeyHelper(WebAuthnHelper):
    """django-otp-webauthn's ceremonies, with the device's check of its owner required
    when a passkey is made (as it is every time one is used)."""

    def get_generate_registration_options_kwargs(self, *, user):
        options = super().get_generate_registration_options_kwargs(user=user)
        options["authenticator_selection"].user_verification = UserVerificationRequirement.REQUIRED
        return options

    def get_credential_display_name(self, user):
        return user.get_full_name() or user.email


class Refused(Exception):
    """A ceremony that cannot go on: the message is for the person, the status for the
    browser; ``extra`` travels with them."""

    def __init__(self, message, status=400, extra=None):
        super().__init__(message)
        self.message, self.status, self.extra = message, status, extra or {}


# What checking a browser's answer may raise. py_webauthn checks whatever attestation
# format an answer names (the portal asks for none), and a crafted certificate chain or
# TPM structure gets out of it as a ValueError, KeyError, IndexError or AttributeError
# rather than as one of its own exceptions.
ANSWER_ERRORS = (
    WebAuthnException,
    library_errors.OTPWebAuthnApiError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
)


def _json_ceremony(view):
    """POST only, never cached, and a refusal answered as JSON."""

    @require_POST
    @never_cache
    @wraps(view)
    def answered(request):
        try:
            return view(request)
        except Refused as refusal:
            return JsonResponse(
                {"message": refusal.message, **refusal.extra}, status=refusal.status
            )

    return answered


def _body(request):
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise Refused(NOT_UNDERSTOOD)
    return data


def _credential(data, parse):
    """The browser's answer, once ``parse`` (py_webauthn's) has read it whole: some
    malformed values get past that parser as a ValueError or TypeError (base64 of an
    impossible length, a number where text belongs), and the library reads the
    extension results without checking their shape. The library parses it again; a
    second parse of a few hundred bytes is the price of refusing these here."""
    credential = data.get("credential")
    extensions = (
        credential.get("clientExtensionResults", {}) if isinstance(credential, dict) else None
    )
    properties = extensions.get("credProps", {}) if isinstance(extensions, dict) else None
    try:
        if not isinstance(properties, dict):
            raise TypeError("the answer's extension results are not objects")
        return credential, parse(credential)
    except ANSWER_ERRORS as error:
        raise Refused(NOT_UNDERSTOOD) from error


def _take_state(request, key):
    """The ceremony's challenge, taken out of the session for good before it is checked,
    so that no answer can be replayed against it."""
    state = request.session.pop(key, None)
    request.session.save()
    if not isinstance(state, dict):
        raise Refused("That took too long or was started elsewhere. Try again.")
    return state


def passkeys_of(user):
    return WebAuthnCredential.objects.filter(user=user).order_by("created_at", "pk")


def clean_name(raw):
    """A passkey's name as its owner typed it: printable, one line, at most NAME_LENGTH."""
    text = raw if isinstance(raw, str) else ""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())[:NAME_LENGTH] or DEFAULT_NAME


def is_at_passkey_origin(request):
    """Whether this page is at the address the passkeys are made for."""
    return f"{request.scheme}://{request.get_host()}" == settings.PORTAL_PASSKEY_ORIGIN


@dataclass(frozen=True)
class FirstConfirm:
    """What must happen before this session may add a passkey, and where it happens."""

    reason: str
    url: str
    action: str


def first_confirm(request):
    """Why this session may not add a passkey now (a FirstConfirm), or None.

    Staff must be past a second factor in this session whether or not the clinic asks
    for one at sign-in: a passkey is both factors, and a password alone must never make
    one.
    """
    user = request.user
    here = reverse("passkeys")
    if user.is_staff and not user.is_verified():
        step = "two-factor-verify" if has_second_factor(user) else "two-factor-setup"
        return FirstConfirm(
            "Staff accounts add passkeys only after their two-factor code.",
            with_next(reverse(step), here),
            "Enter your two-factor code" if step == "two-factor-verify" else "Set up two-factor",
        )
    if not sessions.is_fresh(request.session, time.time()):
        return FirstConfirm(
            "Adding a passkey needs a fresh sign-in.",
            with_next(reverse("confirm-sign-in"), here),
            "Confirm it is you",
        )
    return None


def _refuse_unless_may_add(request):
    waiting = first_confirm(request)
    if waiting:
        raise Refused(waiting.reason, status=403, extra={"confirm": waiting.url})
    if passkeys_of(request.user).count() >= MOST_PASSKEYS:
        raise Refused(
            f"You have {MOST_PASSKEYS} passkeys. Remove one you no longer use first.", 409
        )


@transaction.atomic
def passkey_add(*, helper, user, state, credential, name):
    """The browser's new passkey, checked against the ceremony's challenge, kept under
    ``name``; the owner is told by e-mail."""
    passkey = helper.register_complete(user=user, state=state, data=credential)
    passkey.name = name
    passkey.save(update_fields=["name"])
    transaction.on_commit(lambda: tell_added(user=user, name=name))
    return passkey


@_json_ceremony
def adding_options(request):
    """The options for the browser to make a passkey for this account."""
    _refuse_unless_may_add(request)
    options, state = PasskeyHelper(request).register_begin(user=request.user)
    request.session[ADDING] = state
    return JsonResponse(options)


@_json_ceremony
def add(request):
    """The browser's new passkey, kept under the name its owner gave it."""
    state = _take_state(request, ADDING)
    data = _body(request)
    _refuse_unless_may_add(request)
    credential, _ = _credential(data, parse_registration_credential_json)
    name = clean_name(data.get("name"))
    try:
        passkey_add(
            helper=PasskeyHelper(request),
            user=request.user,
            state=state,
            credential=credential,
            name=name,
        )
    except IntegrityError as error:
        raise Refused("That passkey is on an account here already.", 409) from error
    except ANSWER_ERRORS as error:
        raise Refused("Your device's answer could not be checked. Try again.", 422) from error
    messages.success(
        request, f"Passkey “{name}” added. Next time, choose “Sign in with a passkey”."
    )
    return JsonResponse({"redirect": reverse("passkeys")}, status=201)


@login_not_required
@_json_ceremony
def sign_in_options(request):
    """A challenge for any of the site's passkeys (signed in: one of this account's)."""
    user = request.user if request.user.is_authenticated else None
    options, state = PasskeyHelper(request).authenticate_begin(
        user=user, require_user_verification=True
    )
    request.session[SIGNING_IN] = state
    return JsonResponse(options)


@transaction.atomic
def passkey_check(*, helper, user, state, credential, parsed):
    """The passkey that signed the ceremony's challenge, or Refused. Its use is recorded
    (its signature count, when it was last used) only when it is accepted."""
    try:
        passkey = helper.authenticate_complete(user=user, state=state, data=credential)
    except library_errors.CredentialNotFound as error:
        raise Refused(
            "This passkey is no longer on any account here (it may have been removed). "
            "Sign in with your password.",
            404,
            extra={"unknown": credential.get("id")},
        ) from error
    except library_errors.CredentialUserMismatch as error:
        raise Refused("That passkey is another account's. Use one of your own.", 403) from error
    except ANSWER_ERRORS as error:
        raise Refused("Your device's answer could not be checked. Try again.", 422) from error
    owner = passkey.user
    handle = parsed.response.user_handle
    if handle and WebAuthnUserHandle.get_user_by_handle(handle) != owner:
        raise Refused("Your device's answer could not be checked. Try again.", 422)
    if not (passkey.confirmed and owner.is_active):
        raise Refused("This account cannot sign in. Ask your clinic.", 403)
    return passkey


@login_not_required
@_json_ceremony
def sign_in(request):
    """The browser's signed challenge: whoever's passkey it is is signed in, past the
    second factor, with a fresh sign-in. Signed in already, it is that account's own
    passkey confirming it is them."""
    state = _take_state(request, SIGNING_IN)
    data = _body(request)
    credential, parsed = _credential(data, parse_authentication_credential_json)
    user = request.user if request.user.is_authenticated else None
    passkey = passkey_check(
        helper=PasskeyHelper(request), user=user, state=state, credential=credential, parsed=parsed
    )
    if user is None:
        login(request, passkey.user, backend=SIGN_IN_BACKEND)
        if data.get("keep_signed_in") is True:
            sessions.keep_signed_in(request)
    otp_login(request, passkey)
    sessions.signed_in_afresh(request)
    return JsonResponse({"redirect": next_path(request, reverse("home"))})


class NameForm(CrispyMixin, forms.Form):
    submit_label = "Save the name"

    name = forms.CharField(
        label="Name",
        max_length=NAME_LENGTH,
        help_text="Something that tells you which device it is, such as “My phone”.",
    )

    def clean_name(self):
        return clean_name(self.cleaned_data["name"])


@require_http_methods(["GET"])
def page(request):
    """Signing in: the account's passkeys, adding one, and the password."""
    context = {
        "passkeys": passkeys_of(request.user),
        "first_confirm": first_confirm(request),
        "most": MOST_PASSKEYS,
        "at_passkey_origin": is_at_passkey_origin(request),
        "passkey_origin": settings.PORTAL_PASSKEY_ORIGIN,
        "name_length": NAME_LENGTH,
    }
    return render(request, "registration/passkeys.html", context)


@require_http_methods(["GET", "POST"])
@sessions.fresh_sign_in_required
def rename(request, pk):
    passkey = get_object_or_404(passkeys_of(request.user), pk=pk)
    form = NameForm(
        request.POST if request.method == "POST" else None, initial={"name": passkey.name}
    )
    if request.method == "POST" and form.is_valid():
        passkey.name = form.cleaned_data["name"]
        passkey.save(update_fields=["name"])
        messages.success(request, f"Renamed to “{passkey.name}”.")
        return redirect("passkeys")
    status = 400 if form.errors else 200
    return render(
        request,
        "registration/passkey_rename.html",
        {"form": form, "passkey": passkey},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@sessions.fresh_sign_in_required
def remove(request, pk):
    passkey = get_object_or_404(passkeys_of(request.user), pk=pk)
    if request.method == "POST":
        passkey_remove(passkey=passkey)
        messages.success(
            request,
            f"Passkey “{passkey.name}” removed. Your device may still offer it; it no "
            "longer signs you in here.",
        )
        return redirect("passkeys")
    return render(request, "registration/passkey_remove.html", {"passkey": passkey})


@transaction.atomic
def passkey_remove(*, passkey, by_administrator=False):
    passkey.delete()
    user, name = passkey.user, passkey.name
    transaction.on_commit(
        lambda: tell_removed(user=user, name=name, by_administrator=by_administrator)
    )


@transaction.atomic
def staff_access_granted(*, user):
    """An account made staff loses the passkeys it had: they were made with a password
    alone, and for staff a passkey is both factors."""
    names = [passkey.name for passkey in passkeys_of(user)]
    if not names:
        return
    passkeys_of(user).delete()
    transaction.on_commit(
        lambda: tell_owner(
            user,
            "your passkeys were removed",
            "Your account is now a staff account, so the passkeys it had were removed "
            f"({', '.join(names)}). Add them again on the Signing in page once you have "
            "entered your two-factor code.",
        )
    )


def tell_added(*, user, name):
    tell_owner(
        user,
        "a passkey was added to your account",
        f"A passkey named “{name}” was added to your account; it can now sign you in.\n\n"
        "If this was not you, sign in, remove it on the Signing in page and change your "
        "password, or ask your clinic to help.",
    )


def tell_removed(*, user, name, by_administrator=False):
    who = "An administrator removed" if by_administrator else "You removed"
    tell_owner(
        user,
        "a passkey was removed from your account",
        f"{who} the passkey named “{name}” from your account; it no longer signs you in.\n\n"
        "If this was not you, sign in and change your password, or ask your clinic to help.",
    )
