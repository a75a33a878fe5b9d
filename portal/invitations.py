"""Invitations: a new patient chooses a password through a one-time link.

The link carries a token that is valid for seven days and only once: it is signed over
the account's password and last login, so setting the password (which also logs the
patient in) spends it.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

INVITATION_VALID_FOR = timedelta(days=7)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "portal.invitations.InvitationTokenGenerator"

    def check_token(self, user, token):
        """Like a password reset token, but valid for INVITATION_VALID_FOR."""
        if not (user and token) or token.count("-") != 1:
            return False
        timestamp_b36 = token.split("-")[0]
        try:
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        signed = any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        age = self._num_seconds(self._now()) - timestamp
        return signed and 0 <= age <= INVITATION_VALID_FOR.total_seconds()


invitation_token = InvitationTokenGenerator()


def invitation_link(user):
    """Built from PORTAL_SITE_URL, never from the Host a request named."""
    path = reverse(
        "welcome",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token.make_token(user),
        },
    )
    return settings.PORTAL_SITE_URL.rstrip("/") + path


def send_invitation(*, request, user, clinician):
    """The welcome e-mail. It names the clinic and the clinician, never anything clinical."""
    context = {
        "user": user,
        "clinician": clinician,
        "clinic_name": settings.PORTAL_CLINIC_NAME,
        "link": invitation_link(user),
        "days": INVITATION_VALID_FOR.days,
    }
    send_mail(
        subject=render_to_string("registration/invitation_subject.txt", context).strip(),
        message=render_to_string("registration/invitation_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
