from pathlib import Path

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal import invitations, roles, sessions, two_factor
from portal.clock import clinic_now
from portal.forms import ConfirmPasswordForm, LoginForm
from portal.redirects import redirect_next


def home(request):
    """Each role's starting page."""
    user = request.user
    if roles.has_patient_profile(user):
        return redirect("patients:today")
    if user.is_superuser or roles.is_clinician(user):
        return redirect("patients:report")
    if roles.is_content_editor(user):
        return redirect("admin:index")
    return redirect("exercises:library")


@login_not_required
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the real one."""
    return redirect(static("favicon.svg"), permanent=True)


SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "js" / "sw.js"


@login_not_required
@require_GET
@never_cache
def service_worker(request):
    """The service worker must come from the site's root to look after every page."""
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


@login_not_required
@require_GET
@never_cache
def healthz(request):
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "error"}
    body.update({name: "ok" if fine else "unavailable" for name, fine in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def _cache_answers():
    try:
        cache.set("healthz", "ok", timeout=10)
        return cache.get("healthz") == "ok"
    except Exception:  # noqa: BLE001 -- any failure of the cache backend means "down"
        return False


class LoginView(auth_views.LoginView):
    """Django's login, and "keep me signed in on this device" for patients."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.cleaned_data.get("keep_signed_in"):
            sessions.keep_signed_in(self.request)
        return response


@require_http_methods(["GET", "POST"])
def confirm_sign_in(request):
    """The password (or a passkey) again, then on to what asked for it."""
    form = ConfirmPasswordForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        sessions.signed_in_afresh(request)
        return redirect_next(request, reverse("home"))
    context = {
        "form": form,
        "next": request.GET.get("next") or request.POST.get("next", ""),
        "has_passkey": two_factor.has_passkey(request.user),
    }
    return render(
        request, "registration/confirm_sign_in.html", context, status=400 if form.errors else 200
    )


@method_decorator(login_not_required, name="dispatch")
class WelcomeView(auth_views.PasswordResetConfirmView):
    """The invitation's link: a new patient chooses a password. Opening a link that
    works is recorded, so that staff see the invitation arrived."""

    token_generator = invitations.invitation_token

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if self.validlink and self.request.method == "GET":
            invitations.invitation_opened(user=self.user, now=clinic_now()[0])
        return response
