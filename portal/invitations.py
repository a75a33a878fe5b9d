"""Invitations: a new patient chooses a password through a one-time link.

The link carries a token that is valid for seven days and only once: it is signed over
the account's password and last login, so setting the password (which also logs the
patient in) spends it. It is signed over the account's newest invitation too, so
sending a new invitation ends every earlier link. Links sent before invitations were
recorded have no invitation to name, and keep working until a new one is sent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django_tasks import task

from portal import mail
from portal.models import Invitation

INVITATION_VALID_FOR = timedelta(days=7)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "portal.invitations.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        newest = Invitation.objects.newest_of(user)
        return super()._make_hash_value(user, timestamp) + (str(newest.pk) if newest else "")

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


@transaction.atomic
def invitation_send(*, user, clinician, by, now):
    """A new invitation for ``user``, whose link ends every earlier one. The e-mail is
    queued with it (portal/mail.py), and names the clinic and the clinician, never
    anything clinical."""
    invitation = Invitation.objects.create(user=user, sent_at=now, sent_by=by)
    invitation_mail.enqueue(invitation_id=invitation.pk, clinician_id=clinician.pk)
    return invitation


@task()
def invitation_mail(*, invitation_id, clinician_id, attempt=1):
    """The invitation's e-mail, with its link made here, by the worker: no link waits
    in the queue. An invitation that a newer one has replaced is not sent."""
    invitation = Invitation.objects.select_related("user").filter(pk=invitation_id).first()
    if invitation is None or Invitation.objects.newest_of(invitation.user) != invitation:
        return
    user = invitation.user
    context = {
        "user": user,
        "clinician": get_user_model().objects.filter(pk=clinician_id).first(),
        "clinic_name": settings.PORTAL_CLINIC_NAME,
        "link": invitation_link(user),
        "days": INVITATION_VALID_FOR.days,
    }
    email = mail.message(
        to=user.email,
        subject=render_to_string("registration/invitation_subject.txt", context).strip(),
        body=render_to_string("registration/invitation_email.txt", context),
    )
    if not mail.deliver(email):
        mail.again_later(
            invitation_mail,
            attempt=attempt,
            invitation_id=invitation_id,
            clinician_id=clinician_id,
        )


def invitation_opened(*, user, now):
    """The newest invitation's link was opened (the first time counts)."""
    newest = Invitation.objects.newest_of(user)
    if newest is not None and newest.opened_at is None:
        Invitation.objects.filter(pk=newest.pk).update(opened_at=now)


@dataclass(frozen=True)
class InvitationState:
    """Where an account stands with its invitation, as staff see it."""

    code: str  # "active", "invited", "opened" or "expired"
    label: str
    may_resend: bool


ACTIVE = InvitationState("active", "active", may_resend=False)


def invitation_state(*, has_password, sent_at, opened_at, now, tz):
    """From the account's password (set or not) and its newest invitation's times (for
    an account invited before invitations were recorded, when it was made)."""
    if has_password:
        return ACTIVE
    sent = _day(sent_at, tz)
    if now - sent_at > INVITATION_VALID_FOR:
        expired = _day(sent_at + INVITATION_VALID_FOR, tz)
        return InvitationState("expired", f"invitation expired {expired}", may_resend=True)
    if opened_at is not None:
        opened = _day(opened_at, tz)
        return InvitationState("opened", f"invited {sent}, link opened {opened}", may_resend=True)
    return InvitationState("invited", f"invited {sent}, not opened yet", may_resend=True)


def state_of(user, *, now, tz):
    """One account's InvitationState (one query while it has no password)."""
    return states_of([user], now=now, tz=tz).get(user.pk, ACTIVE)


def states_of(users, *, now, tz):
    """The InvitationState of each of ``users`` who has not chosen a password yet:
    {user id: state}. One query, for those accounts only (most have a password)."""
    waiting = [user for user in users if not user.has_usable_password()]
    if not waiting:
        return {}
    newest = {}
    for invitation in Invitation.objects.filter(user__in=waiting).order_by("sent_at", "pk"):
        newest[invitation.user_id] = invitation
    states = {}
    for user in waiting:
        found = newest.get(user.pk)
        states[user.pk] = invitation_state(
            has_password=False,
            sent_at=found.sent_at if found else user.date_joined,
            opened_at=found.opened_at if found else None,
            now=now,
            tz=tz,
        )
    return states


def _day(moment: datetime, tz):
    local = moment.astimezone(tz)
    return f"{local:%b} {local.day}"
