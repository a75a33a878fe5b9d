"""Who gets what, for every named route of the portal.

The matrix below is checked against the URLconf itself: a route that is added without
an entry here fails ``test_every_route_is_in_the_matrix``, so no page escapes review.
Objects in URLs belong to alice (patient of carol); bob is dave's patient.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from patients.models import HoldLog, PainScore
from tests.factories import make_hold, make_pain, make_passkey, make_template

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def remote_monitoring_on(settings):
    """The matrix covers the remote-monitoring pages as a clinic that uses them has them."""
    settings.PORTAL_REMOTE_MONITORING = True


PEOPLE = ["anonymous", "alice", "bob", "carol", "dave", "erin", "ada"]
LOGIN = "login"  # shorthand in the matrix: a redirect to the login page

# route: (method, the object its URL is about, expected answer per person in PEOPLE order)
MATRIX = {
    "home": ("GET", None, [LOGIN, 302, 302, 302, 302, 302, 302]),
    "healthz": ("GET", None, [200, 200, 200, 200, 200, 200, 200]),
    "favicon": ("GET", None, [301, 301, 301, 301, 301, 301, 301]),
    "service-worker": ("GET", None, [200, 200, 200, 200, 200, 200, 200]),
    "login": ("GET", None, [200, 302, 302, 302, 302, 302, 302]),
    "logout": ("POST", None, [302, 302, 302, 302, 302, 302, 302]),
    "exercises:library": ("GET", None, [LOGIN, 200, 200, 200, 200, 200, 200]),
    "exercises:exercise": ("GET", "exercise", [LOGIN, 200, 200, 200, 200, 200, 200]),
    "exercises:level": ("GET", "level", [LOGIN, 200, 200, 200, 200, 200, 200]),
    "welcome": ("GET", "link", [200, 200, 200, 200, 200, 200, 200]),
    "password_reset": ("GET", None, [200, 200, 200, 200, 200, 200, 200]),
    "password_reset_done": ("GET", None, [200, 200, 200, 200, 200, 200, 200]),
    "password_reset_confirm": ("GET", "link", [200, 200, 200, 200, 200, 200, 200]),
    "password_reset_complete": ("GET", None, [200, 200, 200, 200, 200, 200, 200]),
    "two-factor-setup": ("GET", None, [LOGIN, 403, 403, 200, 200, 200, 200]),
    "two-factor-verify": ("GET", None, [LOGIN, 403, 403, 302, 302, 302, 302]),
    # Any link but one just e-mailed to that account is refused.
    "two-factor-enrol": ("GET", "enrolment", [LOGIN, 403, 403, 400, 400, 400, 400]),
    "password_change": ("GET", None, [LOGIN, 200, 200, 200, 200, 200, 200]),
    "passkeys": ("GET", None, [LOGIN, 200, 200, 200, 200, 200, 200]),
    "passkey-rename": ("GET", "passkey", [LOGIN, 200, 404, 404, 404, 404, 404]),
    "passkey-remove": ("GET", "passkey", [LOGIN, 200, 404, 404, 404, 404, 404]),
    # An empty body is no answer to a ceremony (400); anyone may ask to sign in. Staff
    # add a passkey only past a second factor, which force_login is not.
    "passkey-add-options": ("POST", None, [LOGIN, 200, 200, 403, 403, 403, 403]),
    "passkey-add": ("POST", None, [LOGIN, 400, 400, 400, 400, 400, 400]),
    "passkey-sign-in-options": ("POST", None, [200, 200, 200, 200, 200, 200, 200]),
    "passkey-sign-in": ("POST", None, [400, 400, 400, 400, 400, 400, 400]),
    "confirm-sign-in": ("GET", None, [LOGIN, 200, 200, 200, 200, 200, 200]),
    "password_change_done": ("GET", None, [LOGIN, 200, 200, 200, 200, 200, 200]),
    "patients:today": ("GET", None, [LOGIN, 200, 200, 404, 404, 404, 404]),
    "patients:history": ("GET", None, [LOGIN, 200, 200, 404, 404, 404, 404]),
    "patients:print": ("GET", None, [LOGIN, 200, 200, 404, 404, 404, 404]),
    "patients:export": ("GET", None, [LOGIN, 200, 200, 404, 404, 404, 404]),
    "patients:settings": ("GET", None, [LOGIN, 200, 200, 404, 404, 404, 404]),
    "patients:calendar-reset": ("POST", None, [LOGIN, 302, 302, 404, 404, 404, 404]),
    "patients:calendar": ("GET", "calendar", [200, 200, 200, 200, 200, 200, 200]),
    "patients:timer": ("GET", "prescription", [LOGIN, 200, 404, 404, 404, 404, 404]),
    "patients:log-hold": ("POST", "prescription", [LOGIN, 400, 404, 404, 404, 404, 404]),
    "patients:log-pain": ("POST", None, [LOGIN, 400, 400, 404, 404, 404, 404]),
    "patients:edit-hold": ("GET", "hold", [LOGIN, 200, 404, 404, 404, 404, 404]),
    "patients:delete-hold": ("GET", "hold", [LOGIN, 200, 404, 404, 404, 404, 404]),
    "patients:edit-pain": ("GET", "pain", [LOGIN, 200, 404, 404, 404, 404, 404]),
    "patients:delete-pain": ("GET", "pain", [LOGIN, 200, 404, 404, 404, 404, 404]),
    "patients:report": ("GET", None, [LOGIN, 403, 403, 200, 200, 403, 200]),
    "patients:report-csv": ("GET", None, [LOGIN, 403, 403, 200, 200, 403, 200]),
    "patients:patient-detail": ("GET", "patient", [LOGIN, 403, 403, 200, 404, 403, 200]),
    "patients:patient-fhir": ("GET", "patient", [LOGIN, 403, 403, 200, 404, 403, 200]),
    "patients:progress": ("GET", "progress", [LOGIN, 403, 403, 200, 404, 403, 200]),
    # An empty form is refused with its messages (400); an empty monitoring start is valid.
    "patients:intake-pain": ("POST", "patient", [LOGIN, 403, 403, 400, 404, 403, 400]),
    "patients:monitoring-time": ("POST", "patient", [LOGIN, 403, 403, 400, 404, 403, 400]),
    "patients:monitoring-start": ("POST", "patient", [LOGIN, 403, 403, 302, 404, 403, 302]),
    "patients:monitoring-csv": ("GET", None, [LOGIN, 403, 403, 200, 200, 403, 200]),
    "patients:enrol": ("GET", None, [LOGIN, 403, 403, 200, 200, 403, 200]),
    # Alice has chosen her password: nothing is sent, and the record says so.
    "patients:invitation-resend": ("POST", "patient", [LOGIN, 403, 403, 302, 404, 403, 302]),
    "patients:program-add": ("GET", "patient", [LOGIN, 403, 403, 200, 404, 403, 200]),
    "patients:prescription-change": ("GET", "progress", [LOGIN, 403, 403, 200, 404, 403, 200]),
    "patients:prescription-end": ("GET", "progress", [LOGIN, 403, 403, 200, 404, 403, 200]),
    # An empty pause form, or resuming a program that is not paused: a message, no change.
    "patients:program-pause": ("POST", "patient", [LOGIN, 403, 403, 302, 404, 403, 302]),
    "patients:program-resume": ("POST", "patient", [LOGIN, 403, 403, 302, 404, 403, 302]),
    # Templates are the clinic's: every clinician uses and edits them.
    "patients:templates": ("GET", None, [LOGIN, 403, 403, 200, 200, 403, 200]),
    "patients:template-new": ("GET", None, [LOGIN, 403, 403, 200, 200, 403, 200]),
    "patients:template-edit": ("GET", "template", [LOGIN, 403, 403, 200, 200, 403, 200]),
    "patients:template-delete": ("GET", "template", [LOGIN, 403, 403, 200, 200, 403, 200]),
    "patients:template-from-program": ("GET", "patient", [LOGIN, 403, 403, 200, 404, 403, 200]),
}

# Routes that change data, and the person allowed to: each must refuse a POST without a
# CSRF token, and the ones that only write must refuse GET.
WRITES = {
    "logout": "alice",
    "password_reset": "anonymous",
    "password_change": "alice",
    "confirm-sign-in": "alice",
    "two-factor-setup": "carol",
    "two-factor-verify": "carol",
    "two-factor-enrol": "carol",
    "passkey-rename": "alice",
    "passkey-remove": "alice",
    "passkey-add-options": "alice",
    "passkey-add": "alice",
    "passkey-sign-in-options": "anonymous",
    "passkey-sign-in": "anonymous",
    "patients:log-hold": "alice",
    "patients:log-pain": "alice",
    "patients:edit-hold": "alice",
    "patients:delete-hold": "alice",
    "patients:edit-pain": "alice",
    "patients:delete-pain": "alice",
    "patients:progress": "carol",
    "patients:intake-pain": "carol",
    "patients:monitoring-time": "carol",
    "patients:monitoring-start": "carol",
    "patients:settings": "alice",
    "patients:enrol": "carol",
    "patients:invitation-resend": "carol",
    "patients:program-add": "carol",
    "patients:prescription-change": "carol",
    "patients:prescription-end": "carol",
    "patients:template-new": "carol",
    "patients:program-pause": "carol",
    "patients:program-resume": "carol",
    "patients:template-edit": "carol",
    "patients:template-delete": "carol",
    "patients:template-from-program": "carol",
    "patients:calendar-reset": "alice",
}
POST_ONLY = [
    "logout",
    "passkey-add-options",
    "passkey-add",
    "passkey-sign-in-options",
    "passkey-sign-in",
    "patients:log-hold",
    "patients:log-pain",
    "patients:calendar-reset",
    "patients:intake-pain",
    "patients:monitoring-time",
    "patients:monitoring-start",
    "patients:invitation-resend",
    "patients:program-pause",
    "patients:program-resume",
]


def named_routes(patterns=None, namespace=None):
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if inner == "admin":
                continue  # Django's admin: see test_the_admin_is_closed_to_patients_and_visitors
            yield from named_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


@pytest.fixture
def world(everyone, alice_rx, bob_rx):
    patient = alice_rx.patient
    level = alice_rx.level
    return {
        "people": everyone,
        "exercise": {"slug": level.exercise.slug},
        "level": {"slug": level.exercise.slug, "number": level.number},
        "prescription": {"prescription_id": alice_rx.pk},
        "hold": {"pk": make_hold(alice_rx, at=timezone.now()).pk},
        "pain": {"pk": make_pain(patient, at=timezone.now()).pk},
        "patient": {"patient_id": patient.pk},
        "progress": {"patient_id": patient.pk, "prescription_id": alice_rx.pk},
        "link": {"uidb64": "MQ", "token": "expired-token"},
        "enrolment": {"token": "not-a-link-that-was-sent"},
        "calendar": {"token": patient.calendar_token},
        "passkey": {"pk": make_passkey(patient.user).pk},
        "template": {"template_id": make_template(level, by=patient.clinician).pk},
    }


def url_of(route, about, world):
    return reverse(route, kwargs=world[about] if about else None)


def client_for(person, world, **options):
    client = Client(**options)
    if person != "anonymous":
        client.force_login(world["people"][person])
    return client


def test_every_route_is_in_the_matrix():
    routes = set(named_routes())
    assert routes - set(MATRIX) == set(), "add these routes to the access matrix"
    assert set(MATRIX) - routes == set(), "these routes no longer exist"


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_each_person_gets_the_expected_answer(world, route):
    method, about, expected = MATRIX[route]
    url = url_of(route, about, world)
    for person, answer in zip(PEOPLE, expected, strict=True):
        client = client_for(person, world)
        response = client.get(url) if method == "GET" else client.post(url, {})
        if answer == LOGIN:
            assert response.status_code == 302, (route, person)
            assert response.url.startswith(reverse("login")), (route, person)
        else:
            assert response.status_code == answer, (route, person, response.status_code)
    assert HoldLog.objects.count() == 1
    assert PainScore.objects.count() == 1


@pytest.mark.parametrize("route", sorted(WRITES))
def test_writes_need_a_csrf_token(world, route):
    _, about, _ = MATRIX[route]
    client = client_for(WRITES[route], world, enforce_csrf_checks=True)
    response = client.post(url_of(route, about, world), {})
    assert response.status_code == 403
    assert HoldLog.objects.count() == 1
    assert PainScore.objects.count() == 1


@pytest.mark.parametrize("route", POST_ONLY)
def test_routes_that_only_write_refuse_get(world, route):
    _, about, _ = MATRIX[route]
    client = client_for(WRITES[route], world)
    assert client.get(url_of(route, about, world)).status_code == 405
    assert HoldLog.objects.count() == 1
    assert PainScore.objects.count() == 1


# The only pages anyone may open without logging in (LoginRequiredMiddleware denies the
# rest). A new public page must be added here on purpose.
PUBLIC = {
    "login",
    "healthz",
    "favicon",
    "service-worker",
    "welcome",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "admin:login",
    "passkey-sign-in-options",
    "passkey-sign-in",
    "patients:calendar",  # the address itself is the secret; a wrong one is a 404
}


def all_named_views(patterns=None, namespace=None):
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from all_named_views(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry.callback


def test_only_the_allowlisted_views_are_public():
    public = {name for name, view in all_named_views() if not getattr(view, "login_required", True)}
    assert public == PUBLIC


def admin_urls():
    yield reverse("admin:index")
    for model in admin.site._registry:
        meta = model._meta
        yield reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        yield reverse(f"admin:{meta.app_label}_{meta.model_name}_add")


@pytest.mark.parametrize("person", ["anonymous", "alice", "bob"])
def test_the_admin_is_closed_to_patients_and_visitors(world, person):
    client = client_for(person, world)
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response.url, url


def test_content_editors_reach_only_the_library_in_the_admin(world):
    client = client_for("erin", world)
    for url in admin_urls():
        response = client.get(url)
        allowed = url == reverse("admin:index") or "/exercises/" in url
        assert response.status_code == (200 if allowed else 403), url
