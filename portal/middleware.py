import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_cache_control

from portal.deadlines import (
    DeadlineExceeded,
    close_database_connections,
    close_interrupted_connection,
    database_answers_quickly,
    database_failed,
    database_may_have_failed,
    within,
)
from portal.http import wants_json
from portal.sessions import SESSION_SEEN, SESSION_STARTED, limits_of
from portal.unavailable import unavailable_response

# Writing the session on every request would cost a write per page; a minute is exact
# enough for a 30-minute idle limit.
SEEN_RESOLUTION_SECONDS = 60
# What a signed-in page tells the service worker about its session: the idle limit in
# seconds, and when the session ends at the latest (milliseconds since the epoch).
IDLE_HEADER = "X-Holdfast-Idle-Seconds"
SESSION_ENDS_HEADER = "X-Holdfast-Session-Ends"


class DeadlineMiddleware:
    """Each request's deadline (portal/deadlines.py). First of all the middleware, so
    that loading the session and the user is covered too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            with (
                within(settings.PORTAL_REQUEST_DEADLINE_SECONDS),
                connections["default"].execute_wrapper(close_interrupted_connection),
            ):
                return self.get_response(request)
        except DeadlineExceeded:
            close_database_connections()
            database_failed()
            return unavailable_response(request, reason="deadline")


class DatabaseProbeMiddleware:
    """After the database failed in this process: a 503 at once while it still does not
    answer within half a second (portal.deadlines.database_answers_quickly). /healthz
    makes its own check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            database_may_have_failed()
            and request.path_info != HEALTHZ_PATH
            and not database_answers_quickly()
        ):
            return unavailable_response(request, reason="database")
        return self.get_response(request)


REQUEST_START_HEADER = "HTTP_X_REQUEST_START"


def queued_seconds(meta, now):
    """How long the request waited between the proxy and a worker, from the proxy's
    X-Request-Start ("t=<seconds since the epoch>"), or None. Believed only from a
    trusted proxy (PORTAL_TRUSTED_PROXIES), which sets it whatever the client sent."""
    if not settings.PORTAL_TRUSTED_PROXIES:
        return None
    value = meta.get(REQUEST_START_HEADER, "").removeprefix("t=")
    try:
        started = float(value)
    except ValueError:
        return None
    waited = now - started
    return waited if waited >= 0 else None


class QueueLimitMiddleware:
    """Load shedding: a request that waited for a worker longer than
    PORTAL_QUEUE_LIMIT_SECONDS is answered 503 with Retry-After at once, before any
    work, so that an overloaded portal answers everyone quickly (most of them with what
    they asked for) rather than everyone slowly. /healthz is always answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        waited = queued_seconds(request.META, time.time())
        if (
            waited is not None
            and waited > settings.PORTAL_QUEUE_LIMIT_SECONDS
            and request.path_info != HEALTHZ_PATH
        ):
            return unavailable_response(request, reason="busy")
        return self.get_response(request)


HEALTHZ_PATH = "/healthz"


class BodyLimitMiddleware:
    """A request body larger than its address takes is refused before it is read: 413,
    as JSON to a JSON client. The admin takes the library's pictures and videos
    (PORTAL_ADMIN_MAX_BODY_BYTES); everything else, forms and JSON of a few fields,
    PORTAL_MAX_BODY_BYTES. Django's own limit counts no file parts, and would have let
    a hold arrive with a 20 MB file attached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = (
            settings.PORTAL_ADMIN_MAX_BODY_BYTES
            if request.path_info.startswith(ADMIN_PREFIX)
            else settings.PORTAL_MAX_BODY_BYTES
        )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


ADMIN_PREFIX = "/admin/"


def too_large_response(request, limit):
    size = f"{limit // 1024} KB" if limit < 1024 * 1024 else f"{limit // (1024 * 1024)} MB"
    message = f"That is more than this address accepts (at most {size}). Nothing was saved."
    if wants_json(request):
        return JsonResponse({"message": message}, status=413)
    return HttpResponse(render_to_string("413.html", {"message": message}), status=413)


class SessionTimeoutMiddleware:
    """Automatic logoff: after the session's idle limit without a request, and in any
    case its lifetime after login (portal/sessions.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired = self.expired(request.session, time.time())
            if expired:
                logout(request)
                messages.info(request, expired)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def expired(session, now):
        started = session.setdefault(SESSION_STARTED, now)
        seen = session.get(SESSION_SEEN, now)
        limits = limits_of(session)
        if now - started > limits.lifetime_seconds:
            return "You have been logged out after a long session. Please log in again."
        if now - seen > limits.idle_seconds:
            return "You were logged out after a while without activity. Please log in again."
        if now - seen >= SEEN_RESOLUTION_SECONDS or SESSION_SEEN not in session:
            session[SESSION_SEEN] = now
        return None


class NoStoreForSignedInMiddleware:
    """Pages seen after login may show patient data: no browser or proxy may keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
            # For the service worker, which keeps a few pages for offline use: they
            # must be forgotten when the session would have ended (static/js/sw.js).
            limits = limits_of(request.session)
            response[IDLE_HEADER] = str(limits.idle_seconds)
            started = request.session.get(SESSION_STARTED)
            if started is not None:
                ends = started + limits.lifetime_seconds
                response[SESSION_ENDS_HEADER] = str(int(ends * 1000))
        return response
