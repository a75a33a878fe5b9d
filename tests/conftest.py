from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from exercises.models import Level
from portal import deadlines, roles
from tests.factories import make_patient, make_prescription, make_user

# Services of a test's own, to stop or pause: fixtures for every test.
from tests.own_services import database_queue, own_redis, own_smtp  # noqa: F401


@pytest.fixture(autouse=True)
def forget_database_failures():
    """A test whose database failed on purpose leaves the next one no probe to make
    (portal.deadlines.database_answers_quickly), nor a query more to count."""
    yield
    deadlines.database_recovered()


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
def unstaffed_clinician(db):
    """In the clinicians' group, but not staff: a half-made account, which holds no role."""
    return make_user("half@example.com", role=roles.CLINICIANS, is_staff=False)


@pytest.fixture
def ada(db):
    """The administrator."""
    return make_user("ada@example.com", superuser=True)


@pytest.fixture
def everyone(alice, bob, carol, dave, erin, ada):
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "erin": erin, "ada": ada}


@pytest.fixture
def clinic_tz(settings):
    return timezone.get_default_timezone()


@pytest.fixture
def today(clinic_tz):
    return timezone.localdate(timezone=clinic_tz)


@pytest.fixture
def level_1(db):
    return Level.objects.get(exercise__slug="psoas-stretch", number=1)


@pytest.fixture
def level_2(db):
    return Level.objects.get(exercise__slug="psoas-stretch", number=2)


@pytest.fixture
def alice_patient(alice, carol):
    return make_patient(alice, carol)


@pytest.fixture
def bob_patient(bob, dave):
    return make_patient(bob, dave)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test's uploads go to a folder of its own, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def carol_client(carol):
    """Carol's own browser, beside the test's ``client`` (a patient's, or another's)."""
    browser = Client()
    browser.force_login(carol)
    return browser


@pytest.fixture
def alice_rx(alice_patient, level_1, today):
    """Alice's current program: Level 1, two 30-second holds each side, once a day."""
    return make_prescription(alice_patient, level_1, start_date=today - timedelta(days=20))


@pytest.fixture
def bob_rx(bob_patient, level_2, today):
    return make_prescription(bob_patient, level_2, start_date=today - timedelta(days=20))
