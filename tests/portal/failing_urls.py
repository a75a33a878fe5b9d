"""The portal's URLs, and views that fail as a dependency would, for
tests/portal/test_unavailable.py."""

import time

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.urls import path

from portal.urls import handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


@login_not_required
def database_refuses(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


@login_not_required
def waits_too_long(request):
    time.sleep(5)
    return HttpResponse("finished")


@login_not_required
def query_waits_too_long(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(5)")
    return HttpResponse("finished")


@login_not_required
def has_a_bug(request):
    raise ValueError("a bug of the portal's own")


urlpatterns = [
    path("failing/database/", database_refuses),
    path("failing/slow/", waits_too_long),
    path("failing/slow-query/", query_waits_too_long),
    path("failing/bug/", has_a_bug),
    *portal_urlpatterns,
]
