import socket

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.urls import reverse

pytestmark = pytest.mark.django_db

HEALTHZ = reverse("healthz")


def test_it_answers_ok_when_the_database_and_cache_answer(client):
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_database_does_not(client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get(HEALTHZ)
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable", "cache": "ok"}


def test_it_answers_503_when_the_cache_does_not(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    response = client.get(HEALTHZ)
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


def test_it_works_with_redis_as_in_production(client, settings):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379 (start it: redis-server --daemonize yes)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": "holdfast-tests",
        }
    }
    assert client.get(HEALTHZ).json()["cache"] == "ok"
    cache.delete("healthz")


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
