import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import add_never_cache_headers, patch_cache_control

SESSION_STARTED = "portal_session_started"
SESSION_SEEN = "portal_session_seen"
# Writing the session on every request would cost a write per page; a minute is exact
# enough for a 30-minute idle limit.
SEEN_RESOLUTION_SECONDS = 60
# What a signed-in page tells the service worker about its session: the idle limit in
# seconds, and when the session ends at the latest (milliseconds since the epoch).
IDLE_HEADER = "X-Holdfast-Idle-Seconds"
SESSION_ENDS_HEADER = "X-Holdfast-Session-Ends"


def stamp_session_start(sender, request, user, **kwargs):
    """Connected to user_logged_in: the clocks of both limits start at login."""
    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


class SessionTimeoutMiddleware:
    """Automatic logoff: after PORTAL_IDLE_MINUTES without a request, and in any case
    PORTAL_SESSION_HOURS after login."""

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
        if now - started > settings.PORTAL_SESSION_HOURS * 3600:
            return "You have been logged out after a long session. Please log in again."
        if now - seen > settings.PORTAL_IDLE_MINUTES * 60:
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
            response[IDLE_HEADER] = str(int(settings.PORTAL_IDLE_MINUTES * 60))
            started = request.session.get(SESSION_STARTED)
            if started is not None:
                ends = started + settings.PORTAL_SESSION_HOURS * 3600
                response[SESSION_ENDS_HEADER] = str(int(ends * 1000))
        return response
