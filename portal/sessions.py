"""How long a sign-in lasts, and sign-ins fresh enough for what matters most.

Every session ends after PORTAL_IDLE_MINUTES without a request and PORTAL_SESSION_HOURS
after login. A patient may choose "keep me signed in on this device": then the limits
are PORTAL_KEEP_SIGNED_IN_IDLE_DAYS and PORTAL_KEEP_SIGNED_IN_DAYS. Staff never keep a
session: they open other people's records. Downloading one's data, changing one's
password and managing one's passkeys ask for the password (or a passkey) again unless
one was given in the last PORTAL_FRESH_SIGN_IN_MINUTES.
"""

import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

SESSION_STARTED = "portal_session_started"
SESSION_SEEN = "portal_session_seen"
SESSION_KEPT = "portal_session_kept"
SESSION_SIGNED_IN = "portal_session_signed_in"


@dataclass(frozen=True)
class Limits:
    idle_seconds: int
    lifetime_seconds: int


def limits_of(session):
    if session.get(SESSION_KEPT):
        return Limits(
            idle_seconds=settings.PORTAL_KEEP_SIGNED_IN_IDLE_DAYS * 86400,
            lifetime_seconds=settings.PORTAL_KEEP_SIGNED_IN_DAYS * 86400,
        )
    return Limits(
        idle_seconds=int(settings.PORTAL_IDLE_MINUTES * 60),
        lifetime_seconds=settings.PORTAL_SESSION_HOURS * 3600,
    )


def stamp_session_start(sender, request, user, **kwargs):
    """Connected to user_logged_in: the clocks of both limits start at login, and the
    password (or the one-time link) was given just now."""
    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now
    request.session[SESSION_SIGNED_IN] = now


def keep_signed_in(request):
    """This device keeps the patient's session for the longer limits (never staff's)."""
    if request.user.is_staff:
        return False
    request.session[SESSION_KEPT] = True
    request.session.set_expiry(limits_of(request.session).lifetime_seconds)
    return True


def signed_in_afresh(request):
    """The password or a passkey was given just now, in this session."""
    request.session[SESSION_SIGNED_IN] = time.time()


def is_fresh(session, now):
    given = session.get(SESSION_SIGNED_IN)
    return given is not None and now - given <= settings.PORTAL_FRESH_SIGN_IN_MINUTES * 60


def fresh_sign_in_required(view):
    """The view asks for the password (or a passkey) again unless one was given lately."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.user.is_authenticated and not is_fresh(request.session, time.time()):
            return redirect_to_login(request.get_full_path(), reverse("confirm-sign-in"))
        return view(request, *args, **kwargs)

    return checked
