"""/healthz: 200 while the portal can serve (saying what is degraded), 503 when the
database does not answer, and an answer within a second whatever hangs."""

import time

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from portal.env import redis_cache

pytestmark = pytest.mark.django_db

HEALTHZ = reverse("healthz")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's read-only and timeout settings"
)


def test_without_a_shared_cache_it_answers_ok(client):
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "none"}
    assert "no-cache" in response["Cache-Control"]


def test_with_redis_answering_it_answers_ok(client, settings, own_redis):
    settings.CACHES = {"default": redis_cache(own_redis.url, key_prefix="holdfast-tests")}
    assert client.get(HEALTHZ).json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_a_cache_that_is_down_is_degraded_not_down(client, settings, own_redis):
    settings.CACHES = {"default": redis_cache(own_redis.url, key_prefix="holdfast-tests")}
    own_redis.stop()
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "down"}


def test_a_hung_cache_still_gets_an_answer_within_a_second(client, settings, own_redis):
    settings.CACHES = {"default": redis_cache(own_redis.url, key_prefix="holdfast-tests")}
    own_redis.pause()
    started = time.monotonic()
    response = client.get(HEALTHZ)
    assert time.monotonic() - started < 1
    assert response.json()["cache"] == "down"


def test_it_answers_503_when_the_database_does_not(client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get(HEALTHZ)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down", "cache": "none"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_read_only_database_is_reported_and_its_connection_dropped(client):
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["database"] == "read-only"
    # The next request's connection is a new one, which writes.
    with connection.cursor() as cursor:
        cursor.execute("SHOW transaction_read_only")
        assert cursor.fetchone()[0] == "off"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_database_that_does_not_answer_in_time_is_down_within_a_second(client, monkeypatch):
    def slow_cursor(original=connection.cursor):
        cursor = original()
        cursor.execute("SELECT pg_sleep(3)")
        return cursor

    monkeypatch.setattr(connection, "cursor", slow_cursor)
    started = time.monotonic()
    response = client.get(HEALTHZ)
    assert time.monotonic() - started < 1
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_it_needs_no_login_and_reveals_nothing_more(client):
    response = client.get(HEALTHZ)
    assert set(response.json()) == {"status", "database", "cache"}


def test_it_only_answers_get(client):
    assert client.post(HEALTHZ).status_code == 405


def test_the_service_worker_is_served_from_the_root_for_every_page(client):
    response = client.get(reverse("service-worker"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/"
    assert b"holdfast-pages-v2" in response.content
