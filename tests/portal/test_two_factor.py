"""Two-factor authentication for staff, when PORTAL_STAFF_2FA is on."""

import base64
import email
import email.policy
import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import EnrolmentLink

pytestmark = pytest.mark.django_db

SETUP = reverse("two-factor-setup")
VERIFY = reverse("two-factor-verify")
REPORT = reverse("patients:report")
LINK = re.compile(r"https?://\S+/accounts/two-factor/enrol/[\w-]+/")


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.PORTAL_STAFF_2FA = True


def code_for(key_hex):
    device = TOTPDevice(key=key_hex)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def ask_for_link(client, mailoutbox):
    """The set-up page's button, and the link it e-mails."""
    before = len(mailoutbox)
    assert client.post(SETUP, {"next": REPORT}).status_code == 302
    (mail,) = mailoutbox[before:]
    return LINK.search(mail.body).group(0)


def secret_on(page):
    return re.search(r'<code class="user-select-all">([A-Z2-7]+)</code>', page).group(1)


def key_hex(secret):
    return base64.b32decode(secret).hex()


def enrol(client, mailoutbox, user):
    """Ask for a link, open it, confirm a code: the recovery codes page."""
    link = ask_for_link(client, mailoutbox)
    page = client.get(link).content.decode()
    return client.post(link, {"code": code_for(key_hex(secret_on(page))), "next": REPORT})


@pytest.mark.parametrize(
    ("person", "url"),
    [("carol", REPORT), ("carol", reverse("admin:index")), ("erin", reverse("admin:index"))],
)
def test_staff_without_a_device_are_sent_to_set_one_up(client, everyone, person, url):
    client.force_login(everyone[person])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next={url}"


class TestTakeover:
    """Whoever has only the password cannot set up (and so keep) a second factor."""

    def test_the_set_up_page_shows_no_secret_and_makes_no_device(self, carol):
        page = signed_in(carol).get(SETUP).content.decode()
        assert "data:image/svg+xml" not in page
        assert "user-select-all" not in page
        assert not TOTPDevice.objects.exists()

    def test_the_link_goes_to_the_accounts_own_address(self, carol, mailoutbox, settings):
        settings.PORTAL_SITE_URL = "https://portal.clinic.example/"
        link = ask_for_link(signed_in(carol), mailoutbox)
        assert mailoutbox[0].to == ["carol@example.com"]
        assert link.startswith("https://portal.clinic.example/accounts/two-factor/enrol/")

    def test_the_link_is_built_from_the_site_address_not_the_request(
        self, carol, mailoutbox, settings
    ):
        settings.PORTAL_SITE_URL = "https://portal.clinic.example/"
        settings.ALLOWED_HOSTS = ["*"]
        client = Client(HTTP_HOST="evil.example")
        client.force_login(carol)
        assert "evil.example" not in ask_for_link(client, mailoutbox)

    def test_each_opening_draws_a_fresh_secret(self, carol, mailoutbox):
        first, second = signed_in(carol), signed_in(carol)
        one = secret_on(first.get(ask_for_link(first, mailoutbox)).content.decode())
        two = secret_on(second.get(ask_for_link(second, mailoutbox)).content.decode())
        assert one != two
        assert not TOTPDevice.objects.exists()

    def test_the_link_works_once(self, carol, mailoutbox):
        client = signed_in(carol)
        link = ask_for_link(client, mailoutbox)
        assert client.get(link).status_code == 200
        again = client.get(link)
        assert again.status_code == 400
        assert "This link no longer works" in again.content.decode()

    def test_a_new_link_ends_the_old_one(self, carol, mailoutbox):
        client = signed_in(carol)
        old = ask_for_link(client, mailoutbox)
        ask_for_link(client, mailoutbox)
        assert client.get(old).status_code == 400

    def test_the_link_expires_after_an_hour(self, carol, mailoutbox):
        client = signed_in(carol)
        link = ask_for_link(client, mailoutbox)
        EnrolmentLink.objects.update(created=timezone.now() - timedelta(minutes=61))
        assert client.get(link).status_code == 400

    def test_another_account_cannot_use_the_link(self, carol, dave, mailoutbox):
        link = ask_for_link(signed_in(carol), mailoutbox)
        assert signed_in(dave).get(link).status_code == 400
        assert EnrolmentLink.objects.get().used_at is None

    def test_a_secret_from_another_session_does_not_confirm(self, carol, mailoutbox):
        owner, intruder = signed_in(carol), signed_in(carol)
        link = ask_for_link(owner, mailoutbox)
        secret = secret_on(owner.get(link).content.decode())
        response = intruder.post(link, {"code": code_for(key_hex(secret))})
        assert response.status_code == 400
        assert not TOTPDevice.objects.exists()

    def test_only_a_hash_of_the_link_is_stored(self, carol, mailoutbox):
        link = ask_for_link(signed_in(carol), mailoutbox)
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert token not in EnrolmentLink.objects.get().token_hash


class TestEnrolment:
    def test_a_confirmed_code_sets_up_the_factor_and_shows_recovery_codes_once(
        self, carol, mailoutbox
    ):
        client = signed_in(carol)
        response = enrol(client, mailoutbox, carol)
        assert response.status_code == 200
        page = response.content.decode()
        codes = re.findall(r"<li>([a-z0-9]+)</li>", page)
        assert len(codes) == 10
        assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
        assert TOTPDevice.objects.get(user=carol).confirmed
        assert client.get(REPORT).status_code == 200
        added = mailoutbox[-1]
        assert added.to == ["carol@example.com"]
        assert "a second factor was added" in added.subject

    def test_a_wrong_code_is_refused_without_drawing_the_secret_again(self, carol, mailoutbox):
        client = signed_in(carol)
        link = ask_for_link(client, mailoutbox)
        client.get(link)
        response = client.post(link, {"code": "000000"})
        assert response.status_code == 400
        page = response.content.decode()
        assert "That code did not match" in page
        assert "user-select-all" not in page
        assert not TOTPDevice.objects.exists()

    @pytest.mark.parametrize("code", ["abcdef", "12345", "1234567", ""])
    def test_a_malformed_code_is_refused(self, carol, mailoutbox, code):
        client = signed_in(carol)
        link = ask_for_link(client, mailoutbox)
        client.get(link)
        assert client.post(link, {"code": code}).status_code == 400

    def test_an_earlier_unconfirmed_device_does_not_survive(self, carol, mailoutbox):
        # What the old set-up page left behind for whoever opened it first.
        TOTPDevice.objects.create(user=carol, name="left over", confirmed=False)
        enrol(signed_in(carol), mailoutbox, carol)
        assert list(TOTPDevice.objects.values_list("name", "confirmed")) == [
            ("Authenticator app", True)
        ]


class TestSignIn:
    def test_a_returning_clinician_enters_a_code(self, client, carol):
        device = TOTPDevice.objects.create(user=carol, name="phone", confirmed=True)
        client.force_login(carol)
        response = client.get(REPORT)
        assert response.url == f"{VERIFY}?next={REPORT}"
        response = client.post(VERIFY, {"code": code_for(device.key), "next": REPORT})
        assert response.url == REPORT
        assert client.get(REPORT).status_code == 200

    def test_a_recovery_code_signs_in_once(self, carol, mailoutbox):
        enrol(signed_in(carol), mailoutbox, carol)
        code = StaticToken.objects.first().token
        first = signed_in(carol)
        assert first.post(VERIFY, {"code": code, "next": REPORT}).url == REPORT
        assert StaticToken.objects.count() == 9
        assert signed_in(carol).post(VERIFY, {"code": code}).status_code == 400

    def test_a_next_address_elsewhere_is_ignored(self, client, carol):
        device = TOTPDevice.objects.create(user=carol, name="phone", confirmed=True)
        client.force_login(carol)
        response = client.post(
            VERIFY, {"code": code_for(device.key), "next": "https://evil.example"}
        )
        assert response.url == reverse("home")

    def test_a_wrong_code_is_refused_with_a_message(self, client, carol):
        TOTPDevice.objects.create(user=carol, name="phone", confirmed=True)
        client.force_login(carol)
        response = client.post(VERIFY, {"code": "000000"})
        assert response.status_code == 400
        assert "That code did not match" in response.content.decode()


class TestAdministrators:
    @pytest.fixture
    def ada_verified(self, ada, mailoutbox):
        client = signed_in(ada)
        enrol(client, mailoutbox, ada)
        return client

    @pytest.fixture
    def carols_device(self, carol):
        return TOTPDevice.objects.create(user=carol, name="Authenticator app", confirmed=True)

    def test_the_device_pages_never_show_a_key(self, ada_verified, carols_device):
        listing = ada_verified.get(reverse("admin:otp_totp_totpdevice_changelist"))
        assert listing.status_code == 200
        assert "Carol" in listing.content.decode()
        page = ada_verified.get(
            reverse("admin:otp_totp_totpdevice_change", args=[carols_device.pk])
        ).content.decode()
        assert carols_device.key not in page
        assert "qrcode" not in page.lower()
        for path in ("config", "qrcode"):
            url = reverse("admin:otp_totp_totpdevice_changelist") + f"{carols_device.pk}/{path}/"
            assert ada_verified.get(url).status_code in (302, 404)

    def test_recovery_codes_are_never_shown(self, ada_verified, carol, mailoutbox):
        static = StaticDevice.objects.get(user__email="ada@example.com")
        token = static.token_set.first().token
        page = ada_verified.get(
            reverse("admin:otp_static_staticdevice_change", args=[static.pk])
        ).content.decode()
        assert token not in page

    def test_removing_a_factor_tells_the_owner(self, ada_verified, carols_device, mailoutbox):
        url = reverse("admin:otp_totp_totpdevice_delete", args=[carols_device.pk])
        assert ada_verified.post(url, {"post": "yes"}).status_code == 302
        assert not TOTPDevice.objects.filter(pk=carols_device.pk).exists()
        removed = mailoutbox[-1]
        assert removed.to == ["carol@example.com"]
        assert "a second factor was removed" in removed.subject

    def test_clinicians_cannot_reach_the_devices(self, carol, carols_device):
        client = signed_in(carol)
        client.post(VERIFY, {"code": code_for(carols_device.key)})
        assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403


def test_patients_are_not_asked_for_a_second_factor(client, alice_rx):
    client.force_login(alice_rx.patient.user)
    assert client.get(reverse("patients:today")).status_code == 200
    assert client.get(SETUP).status_code == 403
    assert client.get(reverse("two-factor-enrol", args=["x"])).status_code == 403


def test_staff_may_log_out_before_the_second_factor(client, carol):
    client.force_login(carol)
    assert client.post(reverse("logout")).status_code == 302


def test_it_is_off_in_the_demo(settings, client, carol):
    settings.PORTAL_STAFF_2FA = False
    client.force_login(carol)
    assert client.get(REPORT).status_code == 200


def test_the_e_mails_read_back_as_mail(carol, mailoutbox):
    """Read by Python's e-mail parser from the bytes that would go out: a mail reader
    finds the addressee, the subject and a link it can open."""
    enrol(signed_in(carol), mailoutbox, carol)
    for sent in mailoutbox:
        parsed = email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)
        assert parsed["To"] == "carol@example.com"
        assert parsed["Subject"].startswith("Holdfast Physiotherapy: ")
        assert parsed.get_content_type() == "text/plain"
    link_mail = email.message_from_bytes(
        mailoutbox[0].message().as_bytes(), policy=email.policy.default
    )
    assert LINK.search(link_mail.get_content())
