"""Sign-in lockouts beyond django-axes's per-address one.

Axes locks one e-mail address from one network address after five wrong passwords, so
that nobody can lock a patient out from everywhere. Guessing spread over many addresses
would pass under that, so an account also has a ceiling across all addresses: once
PORTAL_ACCOUNT_FAILURE_CEILING wrong passwords for it have come within an hour, from
anywhere, it is locked until an hour has passed with fewer, and its owner is e-mailed
when that first happens.
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model

from portal import mail
from portal.auth import login_username
from portal.clock import clinic_now

ACCOUNT_WINDOW = timedelta(hours=1)


def account_failures(username, *, now):
    """Wrong passwords for ``username`` within the last ACCOUNT_WINDOW, from anywhere."""
    return AccessFailureLog.objects.filter(
        username=username, attempt_time__gt=now - ACCOUNT_WINDOW
    ).count()


class AccountCeilingHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        now, _, _ = clinic_now()
        username = login_username(request, credentials)
        return bool(username) and (
            account_failures(username, now=now) >= settings.PORTAL_ACCOUNT_FAILURE_CEILING
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None:
            return
        now, _, _ = clinic_now()
        username = login_username(request, credentials)
        failures = account_failures(username, now=now)
        ceiling = settings.PORTAL_ACCOUNT_FAILURE_CEILING
        if failures >= ceiling:
            # Axes answers with its lockout page when the request is marked so; its own
            # count, per address, has not marked it.
            request.axes_locked_out = True
            request.axes_credentials = credentials
        if failures == ceiling:
            _tell_owner(username)


def _tell_owner(username):
    user = get_user_model().objects.filter(email=username, is_active=True).first()
    if user is None:
        return
    minutes = int(ACCOUNT_WINDOW.total_seconds() // 60)
    mail.send_later(
        to=user.email,
        subject=f"{settings.PORTAL_CLINIC_NAME}: sign-in to your account is paused",
        body=(
            f"Hello {user.first_name or 'there'},\n\n"
            f"There were {settings.PORTAL_ACCOUNT_FAILURE_CEILING} wrong passwords for your "
            f"account within {minutes} minutes, from several places. To keep it safe, "
            f"signing in is paused until {minutes} minutes pass without so many.\n\n"
            "If this was not you, nothing is needed now; you may wish to choose a new "
            "password afterwards. If it keeps happening, tell your clinic.\n\n"
            f"{settings.PORTAL_CLINIC_NAME}\n"
        ),
        automatic=True,
    )
