"""Onboarding and passwords: invitations, resets and changes, all by e-mail."""

import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from patients.models import Patient
from portal import roles
from portal.invitations import InvitationTokenGenerator, invitation_send, invitation_state
from portal.models import Invitation, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ENROL = reverse("patients:enrol")
NEW_PASSWORD = "slow stretches on a quiet morning"


def invite(client, email="nina@example.com", **overrides):
    """Enrol Nina from the clinic workspace, with no program yet."""
    data = {
        "first_name": "Nina",
        "last_name": "Novak",
        "email": email,
        "phone": "",
        "template": "",
        "program-TOTAL_FORMS": 0,
        "program-INITIAL_FORMS": 0,
    } | overrides
    return client.post(ENROL, data)


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


@pytest.fixture
def invited(client, carol, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, clinician=carol.pk)
    assert response.status_code == 302
    client.logout()
    return User.objects.get(email="nina@example.com")


class TestInvitations:
    def test_staff_add_a_patient_by_name_and_e_mail(self, invited, carol, mailoutbox):
        patient = Patient.objects.get(user=invited)
        assert patient.clinician == carol
        assert list(invited.groups.values_list("name", flat=True)) == [roles.PATIENTS]
        assert not invited.has_usable_password()
        (message,) = mailoutbox
        assert message.to == ["nina@example.com"]
        assert "Carol" in message.body
        assert "/accounts/welcome/" in link_in(message)

    def test_the_link_sets_a_password_and_lands_on_today(self, client, invited, mailoutbox):
        response = client.get(link_in(mailoutbox[0]), follow=True)
        form_url = response.redirect_chain[-1][0]
        response = client.post(
            form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert response.status_code == 302
        assert client.get(response.url).url == reverse("patients:today")
        assert client.session[SESSION_KEY] == str(invited.pk)
        invited.refresh_from_db()
        assert invited.check_password(NEW_PASSWORD)

    def test_the_link_works_only_once(self, client, invited, mailoutbox):
        link = link_in(mailoutbox[0])
        response = client.get(link, follow=True)
        client.post(
            response.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        client.logout()
        again = client.get(link, follow=True)
        assert "This link no longer works" in again.content.decode()

    @pytest.mark.parametrize(("days_ago", "works"), [(6, True), (8, False)])
    def test_the_link_works_for_seven_days(self, client, invited, days_ago, works):
        class MadeEarlier(InvitationTokenGenerator):
            def _now(self):
                return datetime.now() - timedelta(days=days_ago)

        path = reverse(
            "welcome",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(invited.pk)),
                "token": MadeEarlier().make_token(invited),
            },
        )
        page = client.get(path, follow=True).content.decode()
        assert ("This link no longer works" in page) is not works

    def test_a_weak_password_is_refused_with_a_message(self, client, invited, mailoutbox):
        response = client.get(link_in(mailoutbox[0]), follow=True)
        response = client.post(
            response.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"}
        )
        assert response.status_code == 200
        assert "at least 12 characters" in response.content.decode()
        invited.refresh_from_db()
        assert not invited.has_usable_password()

    def test_an_address_already_in_use_is_refused(self, client, carol, alice, mailoutbox):
        client.force_login(carol)
        response = invite(client, email="Alice@Example.com", clinician=carol.pk)
        assert response.status_code == 400
        assert "already has an account" in response.content.decode()
        assert not mailoutbox
        assert not Patient.objects.exists()

    def test_content_editors_cannot_add_patients(self, client, erin):
        client.force_login(erin)
        assert invite(client, clinician=erin.pk).status_code == 403
        assert not User.objects.filter(email="nina@example.com").exists()


class TestInvitationRecords:
    def test_sending_is_recorded_and_opening_the_link_too(self, client, invited, carol, mailoutbox):
        (invitation,) = Invitation.objects.filter(user=invited)
        assert (invitation.sent_by, invitation.opened_at) == (carol, None)
        client.get(link_in(mailoutbox[0]), follow=True)
        invitation.refresh_from_db()
        assert invitation.opened_at is not None

    def test_a_new_invitation_ends_the_old_link(
        self, client, invited, carol, mailoutbox, django_capture_on_commit_callbacks
    ):
        old = link_in(mailoutbox[0])
        with django_capture_on_commit_callbacks(execute=True):
            invitation_send(user=invited, clinician=carol, by=carol, now=timezone.now())
        new = link_in(mailoutbox[1])
        assert "This link no longer works" in client.get(old, follow=True).content.decode()
        assert "new_password1" in client.get(new, follow=True).content.decode()

    def test_forgetting_a_password_never_chosen_sends_a_fresh_invitation(
        self, client, invited, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("password_reset"), {"email": "NINA@example.com"})
        assert response.url == reverse("password_reset_done")
        assert len(mailoutbox) == 2
        assert "/accounts/welcome/" in link_in(mailoutbox[1])
        assert Invitation.objects.filter(user=invited).count() == 2
        page = client.get(link_in(mailoutbox[1]), follow=True).content.decode()
        assert "new_password1" in page

    @pytest.mark.parametrize(
        ("has_password", "sent_days_ago", "opened", "code", "label"),
        [
            (True, 1, False, "active", "active"),
            (False, 1, False, "invited", "invited Nov 30, not opened yet"),
            (False, 1, True, "opened", "invited Nov 30, link opened Dec 1"),
            (False, 8, False, "expired", "invitation expired Nov 30"),
        ],
    )
    def test_staff_see_where_an_invitation_stands(
        self, has_password, sent_days_ago, opened, code, label
    ):
        tz = zoneinfo.ZoneInfo("America/Toronto")
        now = datetime(2026, 12, 1, 12, 0, tzinfo=tz)
        state = invitation_state(
            has_password=has_password,
            sent_at=now - timedelta(days=sent_days_ago),
            opened_at=now if opened else None,
            now=now,
            tz=tz,
        )
        assert (state.code, state.label) == (code, label)
        assert state.may_resend is not has_password


class TestPasswordReset:
    def test_a_known_address_gets_a_link(self, client, alice, mailoutbox):
        response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
        assert response.url == reverse("password_reset_done")
        (message,) = mailoutbox
        link = link_in(message)
        response = client.get(link, follow=True)
        response = client.post(
            response.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert response.url == reverse("password_reset_complete")
        alice.refresh_from_db()
        assert alice.check_password(NEW_PASSWORD)

    def test_an_unknown_address_gets_the_same_answer(self, client, alice, mailoutbox):
        known = client.post(reverse("password_reset"), {"email": "alice@example.com"})
        unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
        assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
        assert len(mailoutbox) == 1


class TestPasswordChange:
    def test_changing_the_password_keeps_this_session_and_ends_others(self, client, alice):
        other = Client()
        other.force_login(alice)
        client.force_login(alice)
        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.url == reverse("password_change_done")
        assert client.get(reverse("exercises:library")).status_code == 200
        assert other.get(reverse("exercises:library")).status_code == 302


class TestLinksComeFromTheSiteAddress:
    """A request's Host is whatever its sender typed: e-mailed links never use it."""

    @pytest.fixture(autouse=True)
    def site(self, settings):
        settings.PORTAL_SITE_URL = "https://portal.clinic.example/"
        settings.ALLOWED_HOSTS = ["*"]

    def test_the_invitation(self, carol, mailoutbox, django_capture_on_commit_callbacks):
        client = Client(HTTP_HOST="evil.example")
        client.force_login(carol)
        with django_capture_on_commit_callbacks(execute=True):
            invite(client, clinician=carol.pk)
        assert link_in(mailoutbox[0]).startswith("https://portal.clinic.example/accounts/welcome/")

    def test_the_password_reset(self, alice, mailoutbox):
        Client(HTTP_HOST="evil.example").post(
            reverse("password_reset"), {"email": "alice@example.com"}
        )
        assert link_in(mailoutbox[0]).startswith("https://portal.clinic.example/accounts/reset/")
