"""No log line keeps a secret link: gunicorn's access log and Django's own messages."""

import json
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from gunicorn.config import Config

from portal.logs import JsonFormatter, RedactingGunicornLogger, redact

SECRET = "s3cr3t-T0ken_abc"
UID = "MTIz"

SECRET_LINKS = [
    reverse("welcome", kwargs={"uidb64": UID, "token": SECRET}),
    reverse("password_reset_confirm", kwargs={"uidb64": UID, "token": SECRET}),
    reverse("patients:calendar", kwargs={"token": SECRET}),
    reverse("two-factor-enrol", kwargs={"token": SECRET}),
]


@pytest.mark.parametrize("path", SECRET_LINKS)
def test_each_secret_link_is_redacted(path):
    redacted = redact(path)
    assert SECRET not in redacted
    assert UID not in redacted
    assert "[redacted]" in redacted
    assert redact(f"GET {path}?x=1 HTTP/1.1").startswith("GET /")


def test_other_paths_are_kept():
    for path in ["/today/", "/clinic/patients/4/", "/accounts/reset/done/", "/calendar/"]:
        assert redact(path) == path


@pytest.mark.parametrize("path", SECRET_LINKS)
def test_the_access_log_carries_no_secret(path):
    logger = RedactingGunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://portal.example{path}",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", f"https://portal.example{path}")])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
    assert all(SECRET not in str(value) for value in atoms.values())
    assert atoms["U"].startswith(path.split(SECRET)[0].split(UID)[0])


@pytest.mark.parametrize("path", SECRET_LINKS)
def test_djangos_log_lines_carry_no_secret(path):
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (path,), None
    )
    record.request = SimpleNamespace(method="GET", path=path)
    line = JsonFormatter().format(record)
    assert SECRET not in line
    assert json.loads(line)["message"].startswith("Not Found: /")
