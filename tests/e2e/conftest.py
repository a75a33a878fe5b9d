"""Browser tests: the system's Chromium, driven by Playwright, against Django's live server.

Playwright never downloads a browser here; it uses the one Debian installs at
/usr/bin/chromium. Without it, these tests skip on a developer's machine and fail in CI,
where .ci/run installs it.
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from exercises.models import Exercise
from portal import roles
from tests.e2e.pages import TARGET
from tests.factories import (
    install_shipped_program,
    make_exercise,
    make_hold,
    make_level,
    make_pain,
    make_patient,
    make_prescription,
    make_user,
)

CHROMIUM = Path(os.environ.get("HOLDFAST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session", autouse=True)
def allow_orm_beside_playwright():
    # Playwright's sync API keeps an event loop running in the test's thread, which makes
    # Django refuse synchronous ORM calls there (the database fixtures' and the test's own)
    # unless told that this is safe. Session-scoped, so it is in place before those run.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


def running_in_ci():
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        reason = f"no browser at {CHROMIUM} (apt-get install chromium)"
        if running_in_ci():
            pytest.fail(f"Browser tests must run in CI, but there is {reason}.")
        pytest.skip(f"Browser tests skipped: {reason}.")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


class OneRequestAtATime(WSGIServer):
    """The live server's server, without threads: requests are handled in the server's
    own thread, which already uses the tests' database connections."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session")
def live_server():
    """Django's live server, answering one request at a time.

    With SQLite the server shares the tests' in-memory database connection; two server
    threads using it at once (a page and the service worker's script, say) can deadlock
    inside SQLite's Python functions. One request at a time costs the tests nothing.
    """
    server = LiveServer("localhost", start=False)
    server.thread.server_class = OneRequestAtATime
    server.start()
    yield server
    server.stop()


@pytest.fixture
def passkeys_at_the_live_server(settings, live_server):
    """Passkeys made for the live server's address, as they are for a clinic's own."""
    settings.PORTAL_PASSKEY_ORIGIN = live_server.url
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    settings.OTP_WEBAUTHN_RP_ID = "localhost"


@pytest.fixture
def clinic(alice_patient):
    """The psoas program as it ships (its text and illustrations), and Alice (Carol's
    patient) on level 1 for 20 days with entries every other day, her pain checked in up
    to yesterday (the pages a patient and her clinician see, filled in)."""
    Exercise.objects.all().delete()
    level = install_shipped_program().levels.get(number=1)
    patient = alice_patient
    prescription = make_prescription(
        patient, level, start_date=timezone.localdate() - timedelta(days=20)
    )
    for days_ago in range(0, 20, 2):
        make_hold(prescription, at=timezone.now() - timedelta(days=days_ago))
        # From yesterday back: today's page still asks for the day's pain check-in.
        make_pain(patient, at=timezone.now() - timedelta(days=days_ago + 1), score=days_ago % 8)
    return {"patient": patient, "prescription": prescription}


@pytest.fixture
def prescription():
    """A patient on a three-step level: two holds a side of TARGET seconds."""
    clinician = make_user("cleo@example.com", role=roles.CLINICIANS)
    patient = make_patient(make_user("pat@example.com", role=roles.PATIENTS), clinician)
    level = make_level(
        make_exercise(name="Hip flexor stretch"),
        1,
        title="Lying hip flexor stretch",
        steps=["Lie on your back.", "Draw one knee in.", "Breathe."],
    )
    return make_prescription(
        patient,
        level,
        start_date=timezone.localdate() - timedelta(days=3),
        holds_per_side=2,
        target_seconds=TARGET,
    )
