import csv
import io
from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from patients.models import Prescription
from tests.factories import make_hold, make_pain, make_patient, make_prescription, make_user

pytestmark = pytest.mark.django_db

PATIENTS = reverse("admin:patients_patient_changelist")
HOLDS = reverse("admin:patients_holdlog_changelist")
PAINS = reverse("admin:patients_painscore_changelist")


def patient_page(patient):
    return reverse("admin:patients_patient_change", args=[patient.pk])


def patient_form(patient, *, history=(), new=()):
    """The POST data of a patient's admin page: the two prescription inlines."""
    data = {"user": patient.user_id, "clinician": patient.clinician_id}
    data.update(
        {
            "prescriptions-TOTAL_FORMS": len(history),
            "prescriptions-INITIAL_FORMS": len(history),
            "prescriptions-MIN_NUM_FORMS": 0,
            "prescriptions-MAX_NUM_FORMS": 1000,
            "prescriptions-2-TOTAL_FORMS": len(new),
            "prescriptions-2-INITIAL_FORMS": 0,
            "prescriptions-2-MIN_NUM_FORMS": 0,
            "prescriptions-2-MAX_NUM_FORMS": 1000,
        }
    )
    for index, (prescription, end_date) in enumerate(history):
        data[f"prescriptions-{index}-id"] = prescription.pk
        data[f"prescriptions-{index}-patient"] = patient.pk
        data[f"prescriptions-{index}-end_date"] = end_date or ""
        data[f"prescriptions-{index}-notes"] = prescription.notes
    for index, fields in enumerate(new):
        for key, value in fields.items():
            data[f"prescriptions-2-{index}-{key}"] = value
    return data


def new_prescription(level, start, **overrides):
    return {
        "level": level.pk,
        "holds_per_side": 2,
        "target_seconds": 30,
        "sessions_per_day": 1,
        "start_date": start.isoformat(),
        "end_date": "",
        "notes": "",
    } | overrides


class TestTheAdministrator:
    def test_the_list_shows_adherence_and_latest_pain(self, client, ada, alice_rx):
        for days_ago in range(3):
            for side in ("left", "right", "left", "right"):
                make_hold(alice_rx, at=timezone.now() - timedelta(days=days_ago), side=side)
        make_pain(alice_rx.patient, at=timezone.now() - timedelta(days=2), score=6)
        make_pain(alice_rx.patient, at=timezone.now() - timedelta(hours=1), score=3)
        client.force_login(ada)
        page = client.get(PATIENTS).content.decode()
        # The 14 whole days before today: yesterday and the day before were done.
        assert "14% (8 of 56)" in page
        assert "3/10" in page

    def test_the_list_does_not_query_per_patient(
        self, client, ada, carol, level_1, today, django_assert_max_num_queries
    ):
        client.force_login(ada)
        for index in range(15):
            patient = make_patient(make_user(f"p{index}@example.com"), carol)
            rx = make_prescription(patient, level_1, start_date=today - timedelta(days=20))
            make_hold(rx, at=timezone.now())
            make_pain(patient, at=timezone.now())
        with django_assert_max_num_queries(14):
            assert client.get(PATIENTS).status_code == 200

    def test_ada_prescribes_a_level(self, client, ada, alice_patient, level_2, today):
        client.force_login(ada)
        data = patient_form(alice_patient, new=[new_prescription(level_2, today)])
        response = client.post(patient_page(alice_patient), data)
        assert response.status_code == 302
        prescription = Prescription.objects.get(patient=alice_patient)
        assert (prescription.level, prescription.exercise) == (level_2, level_2.exercise)
        assert prescription.prescribed_by == ada

    def test_a_target_outside_the_level_range_is_refused(
        self, client, ada, alice_patient, level_2, today
    ):
        client.force_login(ada)
        data = patient_form(
            alice_patient, new=[new_prescription(level_2, today, target_seconds=90)]
        )
        response = client.post(patient_page(alice_patient), data)
        assert response.status_code == 200
        assert "Choose a hold of 30–60 seconds for this level." in response.content.decode()
        assert not Prescription.objects.exists()

    def test_a_second_current_prescription_is_refused(self, client, ada, alice_rx, level_2, today):
        client.force_login(ada)
        data = patient_form(
            alice_rx.patient,
            history=[(alice_rx, None)],
            new=[new_prescription(level_2, today)],
        )
        response = client.post(patient_page(alice_rx.patient), data)
        assert response.status_code == 200
        assert "already has a prescription of this exercise" in response.content.decode()
        assert Prescription.objects.count() == 1

    def test_two_new_current_prescriptions_of_one_exercise_are_refused(
        self, client, ada, alice_patient, level_1, level_2, today
    ):
        client.force_login(ada)
        data = patient_form(
            alice_patient,
            new=[new_prescription(level_1, today), new_prescription(level_2, today)],
        )
        response = client.post(patient_page(alice_patient), data)
        assert response.status_code == 200
        assert "Only one current prescription per exercise" in response.content.decode()
        assert not Prescription.objects.exists()

    def test_ending_a_prescription_keeps_it(self, client, ada, alice_rx, today):
        client.force_login(ada)
        data = patient_form(alice_rx.patient, history=[(alice_rx, today.isoformat())])
        assert client.post(patient_page(alice_rx.patient), data).status_code == 302
        alice_rx.refresh_from_db()
        assert alice_rx.end_date == today

    def test_patients_are_never_deleted_here(self, client, ada, alice_patient):
        client.force_login(ada)
        url = reverse("admin:patients_patient_delete", args=[alice_patient.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert alice_patient.__class__.objects.filter(pk=alice_patient.pk).exists()


class TestLogsInTheAdmin:
    def test_holds_are_read_only(self, client, ada, alice_rx):
        hold = make_hold(alice_rx, at=timezone.now())
        client.force_login(ada)
        assert client.get(HOLDS).status_code == 200
        change = reverse("admin:patients_holdlog_change", args=[hold.pk])
        response = client.post(change, {"seconds": "1"})
        assert response.status_code == 403
        hold.refresh_from_db()
        assert hold.seconds == 30
        delete = reverse("admin:patients_holdlog_delete", args=[hold.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403

    def test_holds_filter_by_side_and_search_by_patient(self, client, ada, alice_rx):
        left = make_hold(alice_rx, at=timezone.now(), side="left")
        make_hold(alice_rx, at=timezone.now(), side="right")
        client.force_login(ada)
        response = client.get(HOLDS, {"side": "left", "q": "alice@example"})
        assert list(response.context["cl"].result_list) == [left]

    def test_pain_scores_export_as_csv_without_formulas(self, client, ada, alice_rx):
        pain = make_pain(alice_rx.patient, at=timezone.now(), score=2, note="=HYPERLINK(1)")
        client.force_login(ada)
        response = client.post(
            PAINS,
            {"action": "export_csv", helpers.ACTION_CHECKBOX_NAME: [pain.pk]},
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["patient", "e-mail", "score", "context", "recorded at", "note"]
        assert rows[1][:4] == ["Alice", "alice@example.com", "2", "checkin"]
        assert rows[1][5] == "'=HYPERLINK(1)"

    def test_holds_export_as_csv(self, client, ada, alice_rx):
        hold = make_hold(alice_rx, at=timezone.now(), seconds=31)
        client.force_login(ada)
        response = client.post(
            HOLDS, {"action": "export_csv", helpers.ACTION_CHECKBOX_NAME: [hold.pk]}
        )
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[1][:6] == ["Alice", "alice@example.com", "Psoas stretch", "1", "left", "31"]


@pytest.mark.parametrize("url", [PATIENTS, HOLDS, PAINS])
def test_content_editors_cannot_see_patient_records(client, erin, alice_rx, url):
    client.force_login(erin)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [PATIENTS, HOLDS, PAINS])
def test_patients_cannot_enter_the_admin(client, alice_rx, url):
    client.force_login(alice_rx.patient.user)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_administrator_sees_every_patient(client, ada, alice_rx, bob_rx):
    client.force_login(ada)
    names = {str(patient) for patient in client.get(PATIENTS).context["cl"].result_list}
    assert names == {"Alice", "Bob"}


class TestPatientRecords:
    def test_the_person_of_a_record_cannot_be_changed(self, client, ada, alice_patient, erin):
        client.force_login(ada)
        data = patient_form(alice_patient)
        data["user"] = erin.pk
        assert client.post(patient_page(alice_patient), data).status_code == 302
        alice_patient.refresh_from_db()
        assert alice_patient.user.email == "alice@example.com"

    def test_the_administrator_picks_among_staff_clinicians(
        self, client, ada, carol, dave, unstaffed_clinician
    ):
        client.force_login(ada)
        form = client.get(reverse("admin:patients_patient_add")).context["adminform"].form
        assert set(form.fields["clinician"].queryset) == {carol, dave}

    def test_an_ended_prescription_cannot_be_reopened(self, client, ada, alice_rx, today):
        alice_rx.end_date = today
        alice_rx.save()
        client.force_login(ada)
        data = patient_form(alice_rx.patient, history=[(alice_rx, None)])
        response = client.post(patient_page(alice_rx.patient), data)
        assert response.status_code == 200
        assert "An ended prescription stays ended" in response.content.decode()
        alice_rx.refresh_from_db()
        assert alice_rx.end_date == today

    def test_a_hand_edited_patient_filter_shows_nothing(self, client, ada, alice_rx):
        make_hold(alice_rx, at=timezone.now())
        client.force_login(ada)
        for url in (HOLDS, PAINS):
            response = client.get(url, {"patient": "abc"})
            assert response.status_code == 200
            assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize(
    "url",
    [
        PATIENTS,
        HOLDS,
        PAINS,
        reverse("admin:patients_patient_add"),
        reverse("admin:exercises_level_changelist"),
    ],
)
def test_clinicians_work_in_the_clinic_not_in_the_admin(client, carol, alice_rx, url):
    client.force_login(carol)
    assert client.get(url).status_code == 403
    assert client.get(patient_page(alice_rx.patient)).status_code == 403


def test_only_the_library_and_the_administrator_are_shown_the_admin(client, everyone):
    shown = {}
    for name in ("carol", "erin", "ada"):
        client.force_login(everyone[name])
        shown[name] = "Administration" in client.get(reverse("exercises:library")).content.decode()
    assert shown == {"carol": False, "erin": True, "ada": True}


def test_a_clinician_given_patient_permissions_still_stays_out(client, carol, alice_rx):
    from django.contrib.auth.models import Permission

    carol.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="patients", codename__startswith="view")
    )
    client.force_login(carol)
    assert client.get(PATIENTS).status_code == 403
    assert client.get(patient_page(alice_rx.patient)).status_code == 403
