"""gunicorn's settings for Holdfast: `gunicorn portal.wsgi` reads this file from here."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Sync workers: each request holds one; two per core plus one is gunicorn's own advice.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so that no slow leak can build up.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Invitation, reset, calendar and two-factor links keep their secret out of the log.
logger_class = "portal.logs.RedactingGunicornLogger"
# The access log names the method, the path (ids only, no clinical values) and timing.
access_log_format = (
    '{"time": "%(t)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
    '"bytes": %(B)s, "duration_ms": %(M)s}'
)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
