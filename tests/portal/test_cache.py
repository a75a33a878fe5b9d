"""The cache is optional: a Redis that is stopped or hung costs speed, never a request.
Each test has a Redis of its own (tests/own_services.py) to stop or pause."""

import logging
import time
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from patients.models import HoldLog
from portal import cache as portal_cache
from portal.env import redis_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_own_redis(settings, own_redis):
    settings.CACHES = {"default": redis_cache(own_redis.url, key_prefix="holdfast-tests")}
    return own_redis


def test_it_is_an_ordinary_cache_while_redis_answers(on_own_redis):
    cache.set("greeting", "hello", timeout=30)
    assert cache.get("greeting") == "hello"
    assert cache.get_many(["greeting", "other"]) == {"greeting": "hello"}


def test_a_stopped_redis_is_a_miss_logged_once(on_own_redis, caplog):
    cache.set("greeting", "hello", timeout=30)
    on_own_redis.stop()
    caplog.set_level(logging.WARNING, logger="portal.cache")
    started = time.monotonic()
    assert cache.get("greeting", "missing") == "missing"
    assert cache.set("greeting", "again") is None
    assert cache.add("other", 1) is False
    assert cache.get_many(["greeting"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert time.monotonic() - started < 0.5
    assert len(caplog.records) == 1
    assert "The cache is unavailable" in caplog.records[0].getMessage()


def test_a_hung_redis_costs_one_socket_timeout_then_nothing(on_own_redis):
    cache.set("greeting", "hello", timeout=30)
    on_own_redis.pause()
    started = time.monotonic()
    assert cache.get("greeting") is None
    first = time.monotonic() - started
    started = time.monotonic()
    for _ in range(20):
        assert cache.get("greeting") is None
    assert first < 0.6
    assert time.monotonic() - started < 0.05


def test_it_is_used_again_once_redis_comes_back(on_own_redis, caplog, monkeypatch):
    monkeypatch.setattr(portal_cache, "RETRY_AFTER_SECONDS", 0.2)
    on_own_redis.stop()
    assert cache.get("greeting") is None
    on_own_redis.start()
    time.sleep(0.3)
    caplog.set_level(logging.WARNING, logger="portal.cache")
    cache.set("greeting", "hello", timeout=30)
    assert cache.get("greeting") == "hello"
    assert "The cache answers again" in caplog.text


def test_with_redis_down_a_patient_signs_in_opens_every_page_and_logs_holds(
    client, on_own_redis, alice_rx
):
    alice_rx.patient.user.set_password("a long passphrase for alice")
    alice_rx.patient.user.save()
    on_own_redis.stop()
    response = client.post(
        reverse("login"),
        {"username": "alice@example.com", "password": "a long passphrase for alice"},
    )
    assert response.status_code == 302
    for name, args in [
        ("patients:today", []),
        ("patients:timer", [alice_rx.pk]),
        ("patients:history", []),
        ("patients:settings", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    token = uuid.uuid4()
    response = client.post(
        reverse("patients:log-hold", args=[alice_rx.pk]),
        {"side": "left", "seconds": "30", "client_token": str(token)},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    assert HoldLog.objects.filter(client_token=token).count() == 1
    assert client.get(reverse("healthz")).json()["cache"] == "down"
