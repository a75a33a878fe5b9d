"""Log lines as JSON, with every secret that travels in an address taken out.

The invitation and password-reset links, the calendar feed's address and the two-factor
set-up link carry their secret in the path; a log line (gunicorn's access log, Django's
"Not Found: ..." warnings) must never keep it. gunicorn's access log uses
RedactingGunicornLogger (gunicorn.conf.py), Django's logging uses JsonFormatter; both
redact with redact(). A test reverses each of those routes and checks that nothing of
the secret survives.
"""

import json
import logging
import re
from datetime import UTC, datetime

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"
_SECRETS_IN_PATHS = re.compile(
    r"(?P<prefix>/accounts/(?:welcome|reset)/)[^/?#\s\"]+/[^/?#\s\"]+"
    r"|(?P<calendar>/calendar/)[^/?#\s\"]+?(?=\.ics)"
    r"|(?P<enrol>/accounts/two-factor/enrol/)[^/?#\s\"]+"
)


def _keep_prefix(match):
    prefix = match.group("prefix") or match.group("calendar") or match.group("enrol")
    return prefix + (f"{REDACTED}/{REDACTED}" if match.group("prefix") else REDACTED)


def redact(text):
    """``text`` with the secret parts of the portal's secret links replaced."""
    if not isinstance(text, str):
        return text
    return _SECRETS_IN_PATHS.sub(_keep_prefix, text)


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's logger, whose access-log fields carry no secret link."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) for key, value in atoms.items()}


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, and the request's
    method, path and status when Django logged one."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            entry["method"] = request.method
            entry["path"] = redact(request.path)
        if hasattr(record, "status_code"):
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry)
