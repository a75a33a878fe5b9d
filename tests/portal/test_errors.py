"""Error pages in the portal's style that reveal nothing."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from tests.factories import make_hold

pytestmark = pytest.mark.django_db


def without_csrf_token(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_another_patients_record_looks_exactly_like_a_missing_one(client, alice_rx, bob_rx):
    bobs = make_hold(bob_rx, at=timezone.now())
    client.force_login(alice_rx.patient.user)
    theirs = client.get(reverse("patients:edit-hold", args=[bobs.pk]))
    missing = client.get(reverse("patients:edit-hold", args=[bobs.pk + 1000]))
    assert theirs.status_code == missing.status_code == 404
    # The pages differ only in the (masked, per-response) CSRF token of the logout form.
    assert without_csrf_token(theirs) == without_csrf_token(missing)
    assert "Page not found" in theirs.content.decode()


def test_the_server_error_page_reveals_nothing():
    response = server_error(RequestFactory().get("/today/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page
    assert "/today/" not in page
