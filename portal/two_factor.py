"""Two-factor authentication for staff: a TOTP code from an authenticator app, with
recovery codes, or a passkey (portal/passkeys.py) once one is added.

When PORTAL_STAFF_2FA is on (the default with DEBUG off), a staff member who has not
confirmed a code in this session can reach only the pages that set up or ask for one.

Setting up needs more than the password: the set-up page e-mails a one-time link to the
account's own address (valid for an hour), and only that link, opened in the same
account's session, draws a secret. Each opening draws a fresh secret, kept in that
session alone until a code from it is confirmed; only then does a device exist. The
owner is told by e-mail whenever a factor is added or removed, and gets recovery codes
once, at enrolment. An administrator can remove a factor in the admin, but never read a
device's key.
"""

import base64
import hashlib
import io
import logging
import secrets
from base64 import b32encode
from datetime import timedelta

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key
from django_otp_webauthn.models import WebAuthnCredential
from django_tasks import task

from portal import mail
from portal.clock import clinic_now
from portal.forms import CrispyMixin
from portal.models import EnrolmentLink
from portal.redirects import next_path, redirect_next, with_next

# Pages a staff member may open before the second factor: setting it up, entering a
# code, leaving (and every page open to visitors, a passkey's sign-in among them).
OPEN_BEFORE_SECOND_FACTOR = ("two-factor-setup", "two-factor-enrol", "two-factor-verify", "logout")
ENROLMENT_LINK_VALID_FOR = timedelta(hours=1)
logger = logging.getLogger(__name__)
RECOVERY_CODES = 10
# The secret being enrolled, in the session of the account enrolling it.
PENDING = "portal_two_factor_pending"
AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"


def requires_second_factor(user):
    return settings.PORTAL_STAFF_2FA and user.is_authenticated and user.is_staff


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not requires_second_factor(user) or user.is_verified():
            return None
        match = request.resolver_match
        if match and match.url_name in OPEN_BEFORE_SECOND_FACTOR and not match.namespace:
            return None
        if not getattr(view_func, "login_required", True):
            return None
        target = "two-factor-verify" if has_second_factor(user) else "two-factor-setup"
        return redirect_to_login(request.get_full_path(), reverse(target))


def has_second_factor(user):
    """An authenticator app or a passkey."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists() or has_passkey(user)


def has_passkey(user):
    """Whether the account has a passkey (portal/passkeys.py) to sign in or confirm with."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def _require_staff(user):
    if not user.is_staff:
        raise PermissionDenied("Two-factor authentication is for staff accounts.")


def _next_url(request):
    return next_path(request, reverse("home"))


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def tell_owner(user, subject, message):
    """An e-mail to the account's own address about how it signs in, queued
    (portal/mail.py): what it reports has happened already, and stands whatever the
    mail server does."""
    mail.send_later(
        to=user.email,
        subject=f"{settings.PORTAL_CLINIC_NAME}: {subject}",
        body=f"Hello {user.first_name or 'there'},\n\n{message}\n\n{settings.PORTAL_CLINIC_NAME}\n",
    )


def _tell_owner(user, subject, message):
    """About a staff account's second factors."""
    tell_owner(
        user,
        subject,
        f"{message}\n\nIf this was not you, tell your clinic's administrator at once: "
        "they can remove the factor and you can set up a new one.",
    )


def enrolment_link_send(*, user, now):
    """A new one-time set-up link, e-mailed to the account's own address; earlier
    links stop working. The worker makes the link (enrolment_link_mail), so that it
    never waits in the queue."""
    enrolment_link_mail.enqueue(user_id=user.pk)


@task()
def enrolment_link_mail(*, user_id, attempt=1):
    """Made and sent here, valid from now; each try makes a new link, which ends the
    one before. The link is built from PORTAL_SITE_URL, never from the request."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    now = clinic_now()[0]
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        EnrolmentLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        EnrolmentLink.objects.create(user=user, token_hash=_digest(token), created=now)
    link = settings.PORTAL_SITE_URL.rstrip("/") + reverse("two-factor-enrol", args=[token])
    body = (
        f"Hello {user.first_name or 'there'},\n\n"
        "Someone signed in with your password asked to set up two-factor authentication "
        f"for your staff account. Open this link, in the browser where you signed in, "
        f"within {ENROLMENT_LINK_VALID_FOR.seconds // 60} minutes:\n\n{link}\n\n"
        "The link works once.\n\n"
        "If this was not you, tell your clinic's administrator at once: they can remove "
        f"the factor and you can set up a new one.\n\n{settings.PORTAL_CLINIC_NAME}\n"
    )
    email = mail.message(
        to=user.email,
        subject=f"{settings.PORTAL_CLINIC_NAME}: set up two-factor authentication",
        body=body,
    )
    if not mail.deliver(email):
        mail.again_later(enrolment_link_mail, attempt=attempt, user_id=user_id)


def _spend_link(*, user, token, now):
    """Whether ``token`` is an unused, unexpired link of ``user``'s; spends it."""
    spent = (
        EnrolmentLink.objects.usable(now=now, valid_for=ENROLMENT_LINK_VALID_FOR)
        .filter(user=user, token_hash=_digest(token))
        .update(used_at=now)
    )
    return spent == 1


def _totp(key):
    """The TOTP of a hex key, with a TOTPDevice's defaults."""
    device = TOTPDevice(key=key)
    return device, TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)


def _qr_code(config_url):
    image = qrcode.make(config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@transaction.atomic
def second_factor_enrol(*, user, key):
    """The confirmed authenticator (replacing any earlier one) and fresh recovery codes:
    (device, codes). The owner is told by e-mail."""
    replaced = TOTPDevice.objects.filter(user=user).delete()[0] > 0
    device = TOTPDevice.objects.create(user=user, key=key, name=AUTHENTICATOR, confirmed=True)
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    what = "replaced the authenticator app" if replaced else "added an authenticator app"
    _tell_owner(
        user,
        "a second factor was added to your account",
        f"Your staff account {what} as its second factor, with new recovery codes.",
    )
    return device, codes


def second_factor_removed(*, user, name):
    _tell_owner(
        user,
        "a second factor was removed from your account",
        f"An administrator removed a second factor from your staff account: {name}. You "
        "will be asked to set up a new one when you next sign in.",
    )


class CodeForm(CrispyMixin, forms.Form):
    """A code from the authenticator app; ``check`` says whether a code is right."""

    submit_label = "Confirm"
    form_tag = False

    code = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.check = check

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not (len(code) == 6 and code.isdigit() and self.check(code)):
            raise forms.ValidationError(
                "That code did not match. Check the time on your phone and try the newest code."
            )
        return code


class SignInCodeForm(CodeForm):
    """At sign-in: the app's code, or one of the recovery codes."""

    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip().replace(" ", "")
        self.device = self.check(code) if code.isalnum() else None
        if self.device is None:
            raise forms.ValidationError(
                "That code did not match. Try the newest code from your app, or a recovery "
                "code you have not used."
            )
        return code


@require_http_methods(["GET", "POST"])
def setup(request):
    """Where a staff member without a second factor starts: a link to set one up is
    e-mailed to the account's own address."""
    _require_staff(request.user)
    if has_second_factor(request.user):
        return redirect(with_next(reverse("two-factor-verify"), _next_url(request)))
    if request.method == "POST":
        now, _, _ = clinic_now()
        enrolment_link_send(user=request.user, now=now)
        messages.success(
            request,
            f"A link to set up two-factor authentication is on its way to {request.user.email}.",
        )
        return redirect(with_next(reverse("two-factor-setup"), _next_url(request)))
    return render(request, "registration/two_factor_setup.html", {"next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def enrol(request, token):
    """The e-mailed link: a fresh secret for this session, shown once, confirmed with a
    code; then the recovery codes, shown once."""
    user = request.user
    _require_staff(user)
    if request.method == "GET":
        now, _, _ = clinic_now()
        if not _spend_link(user=user, token=token, now=now):
            return render(request, "registration/two_factor_link_invalid.html", status=400)
        key = default_key()
        request.session[PENDING] = {"user": user.pk, "key": key}
        device, _ = _totp(key)
        device.user = user
        context = {
            "form": CodeForm(check=lambda code: False),
            "qr_code": _qr_code(device.config_url),
            "secret": b32encode(device.bin_key).decode(),
            "next": _next_url(request),
        }
        return render(request, "registration/two_factor_enrol.html", context)
    pending = request.session.get(PENDING)
    if not pending or pending.get("user") != user.pk:
        return render(request, "registration/two_factor_link_invalid.html", status=400)
    _, totp = _totp(pending["key"])
    form = CodeForm(request.POST, check=lambda code: totp.verify(int(code), tolerance=1))
    if not form.is_valid():
        # The secret is not drawn again: enter the code from the app that scanned it.
        context = {"form": form, "next": _next_url(request)}
        return render(request, "registration/two_factor_enrol.html", context, status=400)
    device, codes = second_factor_enrol(user=user, key=pending["key"])
    del request.session[PENDING]
    otp_login(request, device)
    context = {"codes": codes, "next": _next_url(request)}
    return render(request, "registration/two_factor_recovery_codes.html", context)


@require_http_methods(["GET", "POST"])
def verify(request):
    user = request.user
    _require_staff(user)
    if not has_second_factor(user):
        return redirect(with_next(reverse("two-factor-setup"), _next_url(request)))
    form = SignInCodeForm(request.POST or None, check=lambda code: match_token(user, code))
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        if isinstance(form.device, StaticDevice):
            left = form.device.token_set.count()
            messages.warning(
                request,
                f"You used a recovery code; {left} left. Ask an administrator to remove "
                "your factor if you lost your phone, then set up a new one.",
            )
        return redirect_next(request, reverse("home"))
    context = {
        "form": form,
        "next": _next_url(request),
        "has_passkey": has_passkey(user),
    }
    return render(
        request, "registration/two_factor_verify.html", context, status=400 if form.errors else 200
    )
