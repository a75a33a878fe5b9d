"""Deadlines: no request waits on a dependency that hangs.

PostgreSQL has a connect timeout and a statement timeout, and Redis its socket timeouts,
but a server that stops answering altogether (paused, its machine frozen, a network that
drops packets) leaves a query waiting on a socket that the kernel keeps open. So each
request has a deadline of PORTAL_REQUEST_DEADLINE_SECONDS, enforced by an alarm signal:
when it passes, DeadlineExceeded is raised wherever the request is waiting, the database
connection it may have interrupted is closed, and the client gets a 503 with Retry-After
(portal/unavailable.py) long before gunicorn's worker timeout would have cut it off.

Signals reach the main thread only, which is where gunicorn's sync workers run each
request. Elsewhere (runserver's threads, a task worker's) a block runs without a limit.
"""

import contextlib
import signal
import threading
import time
from contextlib import contextmanager

from django.db import DatabaseError, connections


class DeadlineExceeded(BaseException):  # noqa: N818 -- named for what happened
    """The deadline passed. A BaseException, so that no ``except Exception`` on the way
    (in the portal or a library) mistakes it for an error it knows how to handle."""


_due = None  # time.monotonic() at which the armed alarm fires, in the main thread


def _expired(signum, frame):
    raise DeadlineExceeded


def in_main_thread():
    return threading.current_thread() is threading.main_thread()


@contextmanager
def within(seconds):
    """Raise DeadlineExceeded in this block once ``seconds`` have passed. Blocks nest:
    an inner one may only bring the deadline closer."""
    global _due
    if not seconds or not in_main_thread():
        yield
        return
    outer = _due
    mine = time.monotonic() + seconds
    if outer is not None and outer <= mine:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expired)
    _due = mine
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _due = outer
        signal.signal(signal.SIGALRM, previous)
        if outer is not None:
            signal.setitimer(signal.ITIMER_REAL, max(outer - time.monotonic(), 0.001))


def disarm():
    """No alarm may interrupt what runs from here (the answer to a request that ran out
    of time); the enclosing ``within`` block puts everything back as it leaves."""
    if in_main_thread() and _due is not None:
        signal.setitimer(signal.ITIMER_REAL, 0)


def close_interrupted_connection(execute, sql, params, many, context):
    """A query the deadline interrupted leaves its connection mid-conversation: closed
    at once, so that leaving a transaction does not wait on it for a rollback."""
    try:
        return execute(sql, params, many, context)
    except DeadlineExceeded:
        context["connection"].close()
        raise


def close_database_connections():
    """After a dependency failed: the next request connects afresh (a connection that
    met a read-only or restarting server would keep failing for its whole lifetime)."""
    for connection in connections.all(initialized_only=True):
        # A broken connection is being dropped anyway: whatever closing it says.
        with contextlib.suppress(Exception):
            connection.close()


# After the database failed in this process, a request first asks it, within
# PROBE_SECONDS, whether it answers, and at most once every PROBE_INTERVAL_SECONDS: while
# it does not, every request is a 503 at once rather than a wait of a whole deadline, so
# that the workers stay free (for /healthz among others) and recovery is seen at once.
PROBE_SECONDS = 0.3
PROBE_INTERVAL_SECONDS = 1.0
_database_failed_at = None
_next_probe_at = 0.0


def database_failed():
    global _database_failed_at, _next_probe_at
    _database_failed_at = time.monotonic()
    _next_probe_at = 0.0


def database_recovered():
    global _database_failed_at
    _database_failed_at = None


def database_may_have_failed():
    return _database_failed_at is not None


def database_answers_quickly():
    """After a failure: True (and the failure forgotten) once the database answers
    within PROBE_SECONDS; False while it does not, or was asked too lately to ask again."""
    global _next_probe_at
    if time.monotonic() < _next_probe_at:
        return False
    connection = connections["default"]
    try:
        with within(PROBE_SECONDS), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, DeadlineExceeded):
        close_database_connections()
        _next_probe_at = time.monotonic() + PROBE_INTERVAL_SECONDS
        return False
    database_recovered()
    return True
