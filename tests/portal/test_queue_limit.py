"""Load shedding: behind the proxy, a request that waited too long for a worker is a
503 with Retry-After at once; /healthz is always answered."""

import time

import pytest
from django.urls import reverse

from portal.middleware import queued_seconds

pytestmark = pytest.mark.django_db


def started(seconds_ago):
    return {"HTTP_X_REQUEST_START": f"t={time.time() - seconds_ago:.3f}"}


@pytest.fixture
def behind_the_proxy(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    settings.PORTAL_QUEUE_LIMIT_SECONDS = 2


def test_a_request_that_waited_too_long_is_shed_before_any_work(
    client, behind_the_proxy, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(reverse("login"), **started(3))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    json = client.get(reverse("login"), HTTP_ACCEPT="application/json", **started(3))
    assert json.json()["unavailable"] == "busy"


def test_a_request_that_waited_a_little_is_served(client, behind_the_proxy):
    assert client.get(reverse("login"), **started(0.5)).status_code == 200


def test_healthz_is_answered_however_long_it_waited(client, behind_the_proxy):
    assert client.get(reverse("healthz"), **started(10)).status_code == 200


def test_without_a_trusted_proxy_the_header_is_a_clients_and_ignored(client, settings):
    settings.PORTAL_TRUSTED_PROXIES = 0
    assert client.get(reverse("login"), **started(60)).status_code == 200


@pytest.mark.parametrize("value", ["", "t=", "t=soon", "t=nan", "1e400"])
def test_a_header_that_is_not_a_time_is_ignored(behind_the_proxy, value):
    assert queued_seconds({"HTTP_X_REQUEST_START": value}, time.time()) is None
