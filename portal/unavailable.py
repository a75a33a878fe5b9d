"""503, not 500, when a dependency is unavailable.

A database that refuses connections, is read-only, restarts or does not answer in time,
and a request that runs past its deadline (portal/deadlines.py), are not the portal's
bugs: the client is told to come back (503 with Retry-After), as JSON when it asked for
JSON, so that the timer's outbox keeps the entry and sends it again. Anything else is a
500. Neither answer touches the database or the session: they may be what failed.
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from portal.deadlines import (
    DeadlineExceeded,
    close_database_connections,
    database_failed,
    disarm,
)
from portal.http import wants_json

RETRY_AFTER_SECONDS = 5

# PostgreSQL's codes for a server that cannot take the work now, whatever the query:
# connection exceptions, read-only transactions, insufficient resources (too many
# connections), operator intervention (shutting down, starting up, statement timeout),
# and a transaction that lost a race and may simply be tried again.
UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "25006", "53", "57", "40001", "40P01")

UNAVAILABLE_MESSAGE = (
    "The portal cannot answer just now. Nothing you saved is lost, and anything waiting "
    "on this phone is sent again by itself. Please try again in a minute."
)
SERVER_ERROR_MESSAGE = "Something went wrong on our side. Please try again in a few minutes."


def _sqlstate(error):
    return getattr(error.__cause__, "sqlstate", None) or ""


def _chain(error):
    """The error, and the ones it was raised while handling or from."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def failed_dependency(error):
    """What was unavailable, if that is what ``error`` means: "deadline", "database" or
    "cache"; else None."""
    for link in _chain(error):
        if isinstance(link, DeadlineExceeded):
            return "deadline"
        if isinstance(link, OperationalError | InterfaceError):
            return "database"
        if isinstance(link, DatabaseError) and _sqlstate(link).startswith(
            UNAVAILABLE_SQLSTATE_PREFIXES
        ):
            return "database"
        if isinstance(link, RedisConnectionError | RedisTimeoutError):
            return "cache"
    return None


def unavailable_response(request, *, reason):
    if wants_json(request):
        response = JsonResponse({"message": UNAVAILABLE_MESSAGE, "unavailable": reason}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """The portal's handler500: Django calls it while handling the error."""
    disarm()
    error = sys.exception()
    reason = failed_dependency(error)
    if reason is not None:
        close_database_connections()
        if reason != "cache":
            database_failed()
        return unavailable_response(request, reason=reason)
    if wants_json(request):
        return JsonResponse({"message": SERVER_ERROR_MESSAGE}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)
