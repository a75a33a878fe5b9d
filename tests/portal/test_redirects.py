"""The one check of a "next" address: a path on this site, or the default."""

import uuid

import pytest
from django.test import RequestFactory
from django.urls import reverse

from patients.models import PainScore
from portal.redirects import next_path, with_next

DEFAULT = "/today/"


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("/history/", "/history/"),
        ("/history/?day=2", "/history/?day=2"),
        ("foo", DEFAULT),
        ("patients:history", DEFAULT),
        ("", DEFAULT),
        ("//evil.example/", DEFAULT),
        ("/\\evil.example/", DEFAULT),
        ("https://evil.example/", DEFAULT),
        ("javascript:alert(1)", DEFAULT),
        ("http://testserver/history/", DEFAULT),
    ],
)
def test_only_a_path_on_this_site_is_followed(candidate, expected):
    request = RequestFactory().post("/pain/", {"next": candidate})
    assert next_path(request, DEFAULT) == expected


def test_the_next_address_travels_encoded():
    assert with_next("/accounts/two-factor/", "/clinic/?a=1&b=2") == (
        "/accounts/two-factor/?next=/clinic/%3Fa%3D1%26b%3D2"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("candidate", ["foo", "https://evil.example/", "/history/"])
def test_a_pain_score_with_any_next_address_is_saved_and_redirected(client, alice_rx, candidate):
    client.force_login(alice_rx.patient.user)
    response = client.post(
        reverse("patients:log-pain"),
        {"score": "3", "context": "checkin", "client_token": str(uuid.uuid4()), "next": candidate},
    )
    assert response.status_code == 302
    assert response.url == ("/history/" if candidate == "/history/" else reverse("patients:today"))
    assert PainScore.objects.count() == 1
