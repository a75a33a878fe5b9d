"""Bodies are capped before they are read: 413, as JSON to a JSON client."""

import io
import uuid

import pytest
from django.urls import reverse

from patients.models import HoldLog

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
MEGABYTE = 1024 * 1024


def hold_with_a_file(megabytes):
    attachment = io.BytesIO(b"\0" * (megabytes * MEGABYTE))
    attachment.name = "attachment.bin"
    return {
        "side": "left",
        "seconds": "30",
        "client_token": str(uuid.uuid4()),
        "attachment": attachment,
    }


def test_a_hold_with_a_20_mb_file_part_is_refused_as_json(client, alice_rx):
    client.force_login(alice_rx.patient.user)
    url = reverse("patients:log-hold", args=[alice_rx.pk])
    response = client.post(url, hold_with_a_file(20), **JSON)
    assert response.status_code == 413
    assert response.json() == {
        "message": "That is more than this address accepts (at most 64 KB). Nothing was saved."
    }
    assert not HoldLog.objects.exists()


def test_a_browser_is_told_on_a_page(client, alice_rx):
    client.force_login(alice_rx.patient.user)
    response = client.post(reverse("patients:log-pain"), hold_with_a_file(1))
    assert response.status_code == 413
    assert "Too large to send" in response.content.decode()
    assert "at most 64 KB" in response.content.decode()


def test_the_login_form_is_capped_too(client):
    response = client.post(reverse("login"), {"username": "x" * (70 * 1024), "password": "y"})
    assert response.status_code == 413


def test_an_ordinary_hold_is_well_under_the_limit(client, alice_rx):
    client.force_login(alice_rx.patient.user)
    url = reverse("patients:log-hold", args=[alice_rx.pk])
    data = {"side": "left", "seconds": "30", "client_token": str(uuid.uuid4())}
    assert client.post(url, data, **JSON).status_code == 201


def test_the_admin_takes_the_librarys_uploads(client, erin, settings):
    client.force_login(erin)
    upload = io.BytesIO(b"\0" * (2 * MEGABYTE))
    upload.name = "big.bin"
    response = client.post(reverse("admin:index"), {"upload": upload})
    assert response.status_code != 413
    settings.PORTAL_ADMIN_MAX_BODY_BYTES = MEGABYTE
    upload.seek(0)
    assert client.post(reverse("admin:index"), {"upload": upload}).status_code == 413
