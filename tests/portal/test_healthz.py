import pytest
from django.db import OperationalError, connection
from django.urls import reverse

pytestmark = pytest.mark.django_db

HEALTHZ = reverse("healthz")


def test_it_answers_ok_when_the_database_answers(client):
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_database_does_not(client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get(HEALTHZ)
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_it_needs_no_login_and_reveals_nothing_more(client):
    response = client.get(HEALTHZ)
    assert set(response.json()) == {"status", "database"}


def test_it_only_answers_get(client):
    assert client.post(HEALTHZ).status_code == 405
