"""Two-factor authentication for staff, when PORTAL_STAFF_2FA is on."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

SETUP = reverse("two-factor-setup")
VERIFY = reverse("two-factor-verify")
REPORT = reverse("patients:report")


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.PORTAL_STAFF_2FA = True


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.parametrize(
    ("person", "url"),
    [("carol", REPORT), ("carol", reverse("admin:index")), ("erin", reverse("admin:index"))],
)
def test_staff_without_a_device_are_sent_to_set_one_up(client, everyone, person, url):
    client.force_login(everyone[person])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next={url}"


def test_setting_up_shows_a_locally_drawn_qr_code_and_confirms_with_a_code(client, carol):
    client.force_login(carol)
    page = client.get(SETUP, {"next": REPORT})
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    device = TOTPDevice.objects.get(user=carol, confirmed=False)
    response = client.post(SETUP, {"code": current_code(device), "next": REPORT})
    assert response.url == REPORT
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(REPORT).status_code == 200


def test_a_wrong_code_is_refused_with_a_message(client, carol):
    client.force_login(carol)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 400
    assert "That code did not match" in response.content.decode()
    assert client.get(REPORT).status_code == 302


@pytest.mark.parametrize("code", ["abcdef", "12345", "1234567", ""])
def test_a_malformed_code_is_refused(client, carol, code):
    client.force_login(carol)
    client.get(SETUP)
    assert client.post(SETUP, {"code": code}).status_code == 400


def test_a_returning_clinician_enters_a_code(client, carol):
    device = TOTPDevice.objects.create(user=carol, name="phone", confirmed=True)
    client.force_login(carol)
    response = client.get(REPORT)
    assert response.url == f"{VERIFY}?next={REPORT}"
    response = client.post(VERIFY, {"code": current_code(device), "next": REPORT})
    assert response.url == REPORT
    assert client.get(REPORT).status_code == 200


def test_a_next_address_elsewhere_is_ignored(client, carol):
    device = TOTPDevice.objects.create(user=carol, name="phone", confirmed=True)
    client.force_login(carol)
    response = client.post(VERIFY, {"code": current_code(device), "next": "https://evil.example"})
    assert response.url == reverse("home")


def test_patients_are_not_asked_for_a_second_factor(client, alice_rx):
    client.force_login(alice_rx.patient.user)
    assert client.get(reverse("patients:today")).status_code == 200
    assert client.get(SETUP).status_code == 403


def test_staff_may_log_out_before_the_second_factor(client, carol):
    client.force_login(carol)
    assert client.post(reverse("logout")).status_code == 302


def test_it_is_off_in_the_demo(settings, client, carol):
    settings.PORTAL_STAFF_2FA = False
    client.force_login(carol)
    assert client.get(REPORT).status_code == 200
