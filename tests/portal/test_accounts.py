import pytest
from django.contrib.auth import SESSION_KEY
from django.db import IntegrityError, transaction
from django.urls import reverse

from portal.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
LOGOUT = reverse("logout")


def test_the_login_page_is_public(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "E-mail address" in response.content.decode()


def test_alice_logs_in_with_her_email_address(client, alice):
    response = client.post(LOGIN, {"username": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_the_email_address_is_not_case_sensitive(client, alice):
    response = client.post(LOGIN, {"username": "Alice@Example.COM", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_a_wrong_password_re_renders_the_form_with_a_message(client, alice):
    response = client.post(LOGIN, {"username": "alice@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_an_address_that_is_not_an_address_re_renders_the_form(client):
    response = client.post(LOGIN, {"username": "not an address", "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_home_page_takes_a_logged_in_user_to_the_library(client, alice):
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("exercises:library")


def test_logging_out_ends_the_session(client, alice):
    client.force_login(alice)
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response.url == LOGIN
    assert SESSION_KEY not in client.session
    assert client.get(reverse("exercises:library")).status_code == 302


def test_logging_out_needs_a_post(client, alice):
    client.force_login(alice)
    assert client.get(LOGOUT).status_code == 405
    assert SESSION_KEY in client.session


def test_a_logged_in_visitor_to_the_login_page_goes_home(client, alice):
    client.force_login(alice)
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_addresses_are_stored_in_lower_case():
    user = User.objects.create_user("Zoe@Example.com", password=PASSWORD)
    assert user.email == "zoe@example.com"


def test_two_users_cannot_share_an_address_in_different_case():
    User.objects.create_user("zoe@example.com", password=PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ZOE@example.com")


def test_a_user_reads_as_their_name():
    user = User.objects.create_user("zoe@example.com", first_name="Zoe", last_name="Zhang")
    assert str(user) == "Zoe Zhang"
    assert str(User.objects.create_user("yan@example.com")) == "yan@example.com"
