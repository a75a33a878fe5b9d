"""A dependency that fails is a fast 503 with Retry-After, as JSON to a JSON client, and
its database connection is dropped so that the next request starts afresh; a bug of the
portal's own is still a 500. Nothing already saved is touched."""

import time
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patients.models import HoldLog
from tests.factories import install_shipped_program, make_prescription

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's read-only sessions and pg_sleep"
)


@pytest.fixture
def client():
    """Answers as a browser would get them: errors become pages, not exceptions."""
    return Client(raise_request_exception=False)


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.portal.failing_urls"
    settings.PORTAL_REQUEST_DEADLINE_SECONDS = 1


def test_a_database_that_refuses_is_a_503_page_with_retry_after(client, failing_urls):
    response = client.get("/failing/database/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Back in a moment" in page
    assert "Nothing you saved is lost" in page
    assert "Connection refused" not in page


def test_a_json_client_gets_json(client, failing_urls):
    response = client.get("/failing/database/", **JSON)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["unavailable"] == "database"
    assert "Nothing you saved is lost" in response.json()["message"]


def test_a_request_past_its_deadline_is_a_503_in_time(client, failing_urls):
    started = time.monotonic()
    response = client.get("/failing/slow/", **JSON)
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json()["unavailable"] == "deadline"


def test_a_bug_is_still_a_500_that_reveals_nothing(client, failing_urls):
    response = client.get("/failing/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "a bug of the portal" not in page
    assert client.get("/failing/bug/", **JSON).json()["message"].startswith("Something went")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_query_past_the_deadline_is_a_503_and_the_database_is_usable_after(client, failing_urls):
    started = time.monotonic()
    response = client.get("/failing/slow-query/", **JSON)
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_read_only_database_refuses_a_hold_with_503_and_the_next_try_is_saved(
    client, alice_patient
):
    level = install_shipped_program().levels.get(number=1)
    alice_rx = make_prescription(alice_patient, level, start_date=timezone.localdate())
    client.force_login(alice_patient.user)
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    data = {"side": "left", "seconds": "30", "client_token": str(uuid.uuid4())}
    url = reverse("patients:log-hold", args=[alice_rx.pk])
    refused = client.post(url, data, **JSON)
    assert refused.status_code == 503
    assert refused["Retry-After"] == "5"
    assert not HoldLog.objects.exists()
    # The read-only connection was dropped: the outbox's retry, at once, is saved.
    saved = client.post(url, data, **JSON)
    assert saved.status_code == 201
    assert HoldLog.objects.count() == 1
