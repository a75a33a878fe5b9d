import pytest

from portal import roles
from tests.factories import make_user


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(db):
    return make_user("alice@example.com", role=roles.PATIENTS)


@pytest.fixture
def bob(db):
    return make_user("bob@example.com", role=roles.PATIENTS)


@pytest.fixture
def carol(db):
    return make_user("carol@example.com", role=roles.CLINICIANS)


@pytest.fixture
def dave(db):
    return make_user("dave@example.com", role=roles.CLINICIANS)


@pytest.fixture
def erin(db):
    return make_user("erin@example.com", role=roles.CONTENT_EDITORS)


@pytest.fixture
def ada(db):
    """The administrator."""
    return make_user("ada@example.com", superuser=True)


@pytest.fixture
def everyone(alice, bob, carol, dave, erin, ada):
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "erin": erin, "ada": ada}
