"""Generated input against every form and JSON endpoint: never a 500, and a refused
request never changes a stored row."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patients.models import HoldLog, MonitoringTime, PainScore, Patient, Prescription
from tests.factories import make_hold, make_pain

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What people (and scripts) type: empty, long, unicode, control characters, numbers of
# every size and shape, dates at the edges of the calendar.
ANY_VALUE = st.one_of(
    st.text(max_size=30),
    st.text(min_size=500, max_size=12_000, alphabet="ab\u00e9\u4e2d\n"),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e9",
            "30s",
            "left",
            "right",
            "none",
            "checkin",
            "after",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59Z",
            "2026-02-30",
            "00000000-0000-0000-0000-000000000000",
            "\x00",
            "<script>",
        ]
    ),
)


def form_data(*fields):
    return st.dictionaries(
        st.one_of(st.sampled_from(fields), st.text(max_size=10)),
        ANY_VALUE,
        max_size=len(fields) + 2,
    )


def stored_rows():
    return (
        list(HoldLog.objects.order_by("pk").values()),
        list(PainScore.objects.order_by("pk").values()),
        list(Prescription.objects.order_by("pk").values()),
        list(Patient.objects.order_by("pk").values()),
        list(MonitoringTime.objects.order_by("pk").values()),
    )


def check(client, method, url, data):
    before = stored_rows()
    response = client.get(url, data) if method == "GET" else client.post(url, data)
    assert response.status_code < 500, (url, data)
    if response.status_code >= 400:
        assert stored_rows() == before, (url, data)
    return response


@pytest.fixture
def alice_client(alice_rx):
    client = Client()
    client.force_login(alice_rx.patient.user)
    return client


@pytest.fixture
def carol_client(carol):
    client = Client()
    client.force_login(carol)
    return client


@FUZZ
@given(data=form_data("side", "seconds", "performed_at", "sent_at", "client_token", "source"))
def test_logging_a_hold(alice_client, alice_rx, data):
    for accept in ("application/json", "text/html"):
        before = stored_rows()
        response = alice_client.post(
            reverse("patients:log-hold", args=[alice_rx.pk]), data, HTTP_ACCEPT=accept
        )
        assert response.status_code < 500, data
        if response.status_code >= 400:
            assert stored_rows() == before, data


@FUZZ
@given(data=form_data("score", "context", "note", "recorded_at", "sent_at", "client_token", "next"))
def test_logging_pain(alice_client, alice_rx, data):
    check(alice_client, "POST", reverse("patients:log-pain"), data)


@FUZZ
@given(data=form_data("side", "seconds"))
def test_correcting_a_hold(alice_client, alice_rx, data):
    hold = HoldLog.objects.filter(patient=alice_rx.patient).first() or make_hold(
        alice_rx, at=timezone.now()
    )
    check(alice_client, "POST", reverse("patients:edit-hold", args=[hold.pk]), data)


@FUZZ
@given(data=form_data("score", "context", "note"))
def test_correcting_a_pain_score(alice_client, alice_rx, data):
    pain = PainScore.objects.filter(patient=alice_rx.patient).first() or make_pain(
        alice_rx.patient, at=timezone.now()
    )
    check(alice_client, "POST", reverse("patients:edit-pain", args=[pain.pk]), data)


@FUZZ
@given(data=form_data("as_of", "flag", "sort"))
def test_the_report_and_its_csv(carol_client, alice_rx, data):
    check(carol_client, "GET", reverse("patients:report"), data)
    check(carol_client, "GET", reverse("patients:report-csv"), data)


@FUZZ
@given(data=form_data("score", "day"))
def test_recording_an_intake_pain_score(carol_client, alice_rx, data):
    check(carol_client, "POST", reverse("patients:intake-pain", args=[alice_rx.patient.pk]), data)


@pytest.fixture
def remote_monitoring_on(settings):
    settings.PORTAL_REMOTE_MONITORING = True


@FUZZ
@given(data=form_data("day", "minutes", "live_contact", "monitoring_start", "month"))
def test_remote_monitoring_forms(carol_client, alice_rx, remote_monitoring_on, data):
    patient = alice_rx.patient.pk
    check(carol_client, "POST", reverse("patients:monitoring-time", args=[patient]), data)
    check(carol_client, "POST", reverse("patients:monitoring-start", args=[patient]), data)
    check(carol_client, "GET", reverse("patients:monitoring-csv"), data)


@FUZZ
@given(
    data=form_data("code", "next"), token=st.text(alphabet="abcXYZ019-_", min_size=1, max_size=60)
)
def test_the_two_factor_pages(carol_client, data, token):
    check(carol_client, "POST", reverse("two-factor-verify"), data)
    check(carol_client, "POST", reverse("two-factor-enrol", args=[token]), data)
    check(carol_client, "GET", reverse("two-factor-enrol", args=[token]), data)


@FUZZ
@given(data=form_data("username", "password", "keep_signed_in"))
def test_logging_in(alice, data):
    check(Client(), "POST", reverse("login"), data)


@FUZZ
@given(data=form_data("password", "next"))
def test_confirming_the_password(alice_client, data):
    check(alice_client, "POST", reverse("confirm-sign-in"), data)


@FUZZ
@given(data=form_data("old_password", "new_password1", "new_password2"))
def test_changing_a_password(alice_client, data):
    check(alice_client, "POST", reverse("password_change"), data)


@FUZZ
@given(data=form_data("first_name", "last_name", "email", "clinician"))
def test_adding_a_patient_in_the_admin(carol_client, data):
    management = {
        "prescriptions-TOTAL_FORMS": "0",
        "prescriptions-INITIAL_FORMS": "0",
        "prescriptions-2-TOTAL_FORMS": "0",
        "prescriptions-2-INITIAL_FORMS": "0",
    }
    check(carol_client, "POST", reverse("admin:patients_patient_add"), data | management)
