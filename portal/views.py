from pathlib import Path

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal import deadlines, invitations, roles, sessions, two_factor
from portal.cache import ForgivingRedisCache
from portal.clock import clinic_now
from portal.forms import ConfirmPasswordForm, LoginForm
from portal.redirects import redirect_next
from portal.unavailable import RETRY_AFTER_SECONDS


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


# /healthz answers within a second whatever hangs: the database has half of it.
HEALTHZ_DATABASE_SECONDS = 0.5


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """200 while the portal can serve: "ok", or "degraded" with what is missing (a cache
    that is down, a database that only reads). 503 when the database does not answer,
    which is when a load balancer should stop sending this node requests."""
    database = _database_state()
    cache_state = _cache_state()
    if database == "down":
        status = "unavailable"
    elif database == "ok" and cache_state in ("ok", "none"):
        status = "ok"
    else:
        status = "degraded"
    body = {"status": status, "database": database, "cache": cache_state}
    response = JsonResponse(body, status=503 if database == "down" else 200)
    if database == "down":
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_state():
    """ "ok", "read-only" (a standby, or writes refused) or "down". A connection that
    found the database read-only or broken is dropped, so that the next request
    connects afresh and writes as soon as the database does."""
    try:
        with deadlines.within(HEALTHZ_DATABASE_SECONDS), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'"
                )
                read_only = cursor.fetchone()[0]
            else:
                cursor.execute("SELECT 0")
                read_only = cursor.fetchone()[0]
    except (DatabaseError, deadlines.DeadlineExceeded):
        deadlines.close_database_connections()
        deadlines.database_failed()
        return "down"
    if read_only:
        deadlines.close_database_connections()
        return "read-only"
    return "ok"


def _cache_state():
    """ "ok", "down", or "none" when there is no shared cache to check (no REDIS_URL)."""
    shared = caches["default"]
    if not isinstance(shared, ForgivingRedisCache):
        return "none"
    shared.set("healthz", "ok", timeout=10)
    return "ok" if shared.get("healthz") == "ok" and not shared.is_down else "down"


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
