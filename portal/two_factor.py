"""Two-factor authentication for staff: a TOTP code from an authenticator app.

When PORTAL_STAFF_2FA is on (the default with DEBUG off), a staff member who has not
confirmed a code in this session can reach only the pages that set up or ask for one.
"""

import base64
import io
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.forms import CrispyMixin

# Pages a staff member may open before the second factor: setting it up, entering a
# code, leaving.
OPEN_BEFORE_SECOND_FACTOR = ("two-factor-setup", "two-factor-verify", "logout")


class CodeForm(CrispyMixin, forms.Form):
    submit_label = "Confirm"
    form_tag = False

    code = forms.CharField(
        label="Six-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not code.isdigit() or not self.device.verify_token(code):
            raise forms.ValidationError(
                "That code did not match. Check the time on your phone and try the newest code."
            )
        return code


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
        has_device = TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
        target = "two-factor-verify" if has_device else "two-factor-setup"
        return redirect_to_login(request.get_full_path(), reverse(target))


def _next_url(request):
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


def _qr_code(device):
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrol an authenticator app: scan the code (drawn here, not by a service), confirm."""
    if not request.user.is_staff:
        raise PermissionDenied("Two-factor authentication is for staff accounts.")
    if TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists():
        return redirect(f"{reverse('two-factor-verify')}?next={_next_url(request)}")
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        messages.success(request, "Two-factor authentication is set up.")
        return redirect(_next_url(request))
    context = {
        "form": form,
        "qr_code": _qr_code(device),
        "secret": b32encode(device.bin_key).decode(),
        "next": _next_url(request),
    }
    return render(
        request, "registration/two_factor_setup.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    if not request.user.is_staff:
        raise PermissionDenied("Two-factor authentication is for staff accounts.")
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse('two-factor-setup')}?next={_next_url(request)}")
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request)}
    return render(
        request, "registration/two_factor_verify.html", context, status=400 if form.errors else 200
    )
