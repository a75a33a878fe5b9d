"""Generated input against every form and JSON endpoint: never a 500, and a refused
request never changes a stored row."""

import json
from urllib.parse import urlsplit

import cbor2
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patients.models import HoldLog, MonitoringTime, PainScore, Patient, Prescription
from tests.factories import make_hold, make_pain
from tests.soft_passkey import SoftPasskey, decode, encode

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
def ada_client(ada, carol):
    client = Client()
    client.force_login(ada)
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
def test_adding_a_patient_in_the_admin(ada_client, data):
    management = {
        "prescriptions-TOTAL_FORMS": "0",
        "prescriptions-INITIAL_FORMS": "0",
        "prescriptions-2-TOTAL_FORMS": "0",
        "prescriptions-2-INITIAL_FORMS": "0",
    }
    check(ada_client, "POST", reverse("admin:patients_patient_add"), data | management)


# Passkey ceremonies: JSON of any shape, answers of the right shape with any values, and
# real answers with one part replaced.
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), ANY_VALUE),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
BASE64ISH = st.one_of(ANY_VALUE, st.binary(max_size=300).map(encode), JSON_VALUE)
ANSWER = st.fixed_dictionaries(
    {
        "id": BASE64ISH,
        "rawId": BASE64ISH,
        "type": st.sampled_from(["public-key", "", "password"]),
        "response": st.dictionaries(
            st.sampled_from(
                [
                    "clientDataJSON",
                    "attestationObject",
                    "authenticatorData",
                    "signature",
                    "userHandle",
                    "transports",
                ]
            ),
            BASE64ISH,
        ),
    },
    optional={"clientExtensionResults": JSON_VALUE, "authenticatorAttachment": JSON_VALUE},
)
CEREMONY_BODY = st.one_of(
    JSON_VALUE,
    st.fixed_dictionaries(
        {"credential": st.one_of(ANSWER, JSON_VALUE)},
        optional={"name": JSON_VALUE, "keep_signed_in": JSON_VALUE},
    ),
)
ANSWER_PARTS = [
    ("id",),
    ("rawId",),
    ("type",),
    ("response", "clientDataJSON"),
    ("response", "attestationObject"),
    ("response", "authenticatorData"),
    ("response", "signature"),
    ("response", "userHandle"),
    ("response", "transports"),
    ("clientExtensionResults",),
]


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def with_part(answer, path, value):
    changed = json.loads(json.dumps(answer))
    place = changed
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    return changed


@pytest.fixture
def passkey_client(alice):
    client = Client(HTTP_HOST=urlsplit(django_settings.PORTAL_PASSKEY_ORIGIN).netloc)
    client.force_login(alice)
    return client


def try_adding(client, body):
    post_json(client, reverse("passkey-add-options"), {})
    response = post_json(client, reverse("passkey-add"), body)
    assert response.status_code < 500, body
    assert response.status_code == 201 or not WebAuthnCredential.objects.exists(), body
    WebAuthnCredential.objects.all().delete()


def try_signing_in(body):
    client = Client(HTTP_HOST=urlsplit(django_settings.PORTAL_PASSKEY_ORIGIN).netloc)
    post_json(client, reverse("passkey-sign-in-options"), {})
    response = post_json(client, reverse("passkey-sign-in"), body)
    assert response.status_code < 500, body
    if response.status_code >= 400:
        assert SESSION_KEY not in client.session, body


@FUZZ
@given(body=CEREMONY_BODY)
def test_adding_a_passkey(passkey_client, body):
    try_adding(passkey_client, body)


@FUZZ
@given(part=st.sampled_from(ANSWER_PARTS), value=BASE64ISH)
def test_adding_a_passkey_with_a_part_of_a_real_answer_replaced(passkey_client, part, value):
    options = post_json(passkey_client, reverse("passkey-add-options"), {}).json()
    answer = SoftPasskey().create(options)
    response = post_json(
        passkey_client, reverse("passkey-add"), {"credential": with_part(answer, part, value)}
    )
    assert response.status_code < 500, (part, value)
    assert response.status_code == 201 or not WebAuthnCredential.objects.exists()
    WebAuthnCredential.objects.all().delete()


@FUZZ
@given(body=CEREMONY_BODY)
def test_signing_in_with_a_passkey(alice, body):
    try_signing_in(body)


@FUZZ
@given(part=st.sampled_from(ANSWER_PARTS[:-1]), value=BASE64ISH)
def test_signing_in_with_a_part_of_a_real_answer_replaced(passkey_client, part, value):
    device = SoftPasskey()
    options = post_json(passkey_client, reverse("passkey-add-options"), {}).json()
    assert (
        post_json(
            passkey_client, reverse("passkey-add"), {"credential": device.create(options)}
        ).status_code
        == 201
    )
    client = Client(HTTP_HOST=urlsplit(django_settings.PORTAL_PASSKEY_ORIGIN).netloc)
    options = post_json(client, reverse("passkey-sign-in-options"), {}).json()
    answer = with_part(device.get(options), part, value)
    response = post_json(client, reverse("passkey-sign-in"), {"credential": answer})
    assert response.status_code < 500, (part, value)
    if response.status_code >= 400:
        assert SESSION_KEY not in client.session
    WebAuthnCredential.objects.all().delete()


CBOR_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.binary(max_size=64), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
STATEMENT = st.dictionaries(
    st.sampled_from(["alg", "sig", "x5c", "ver", "certInfo", "pubArea", "response", "ecdaaKeyId"]),
    st.one_of(CBOR_VALUE, st.lists(st.binary(max_size=300), max_size=2)),
)


@FUZZ
@given(
    fmt=st.sampled_from(
        ["packed", "fido-u2f", "tpm", "android-key", "android-safetynet", "apple", "none", "x"]
    ),
    statement=STATEMENT,
)
def test_adding_a_passkey_whose_attestation_names_any_format(passkey_client, fmt, statement):
    options = post_json(passkey_client, reverse("passkey-add-options"), {}).json()
    answer = SoftPasskey().create(options)
    made = cbor2.loads(decode(answer["response"]["attestationObject"]))
    made |= {"fmt": fmt, "attStmt": statement}
    answer["response"]["attestationObject"] = encode(cbor2.dumps(made))
    response = post_json(passkey_client, reverse("passkey-add"), {"credential": answer})
    assert response.status_code < 500, (fmt, statement)
    assert response.status_code == 201 or not WebAuthnCredential.objects.exists()
    WebAuthnCredential.objects.all().delete()


PROGRAM_FIELDS = [
    f"program-{index}-{name}"
    for index in range(3)
    for name in (
        "level",
        "holds_per_side",
        "target_seconds",
        "sessions_per_day",
        "weekdays",
        "notes",
    )
]


def with_program_management(data):
    return {"program-TOTAL_FORMS": "3", "program-INITIAL_FORMS": "0"} | data


@FUZZ
@given(
    data=form_data("first_name", "last_name", "email", "phone", "clinician", *PROGRAM_FIELDS),
    total=st.sampled_from(["3", "0", "11", "-1", "x", "1000000"]),
)
def test_enrolling_a_patient(carol_client, alice_rx, data, total):
    data = with_program_management(data) | {"program-TOTAL_FORMS": total}
    check(carol_client, "POST", reverse("patients:enrol"), data)


@FUZZ
@given(data=form_data(*PROGRAM_FIELDS))
def test_adding_stretches(carol_client, alice_rx, data):
    url = reverse("patients:program-add", args=[alice_rx.patient.pk])
    check(carol_client, "POST", url, with_program_management(data))


@FUZZ
@given(
    data=form_data(
        "level",
        "holds_per_side",
        "target_seconds",
        "sessions_per_day",
        "weekdays",
        "notes",
        "acknowledged",
    )
)
def test_changing_a_stretch(carol_client, alice_rx, data):
    args = [alice_rx.patient.pk, alice_rx.pk]
    check(carol_client, "POST", reverse("patients:prescription-change", args=args), data)


@FUZZ
@given(data=form_data("name", *PROGRAM_FIELDS))
def test_making_a_template(carol_client, alice_rx, data):
    check(carol_client, "POST", reverse("patients:template-new"), with_program_management(data))


@FUZZ
@given(data=form_data("reason"))
def test_pausing_and_resuming(carol_client, alice_rx, data):
    patient = alice_rx.patient.pk
    check(carol_client, "POST", reverse("patients:program-pause", args=[patient]), data)
    check(carol_client, "POST", reverse("patients:program-resume", args=[patient]), data)
