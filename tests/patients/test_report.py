import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patients import adherence, services
from patients.models import Prescription
from tests.factories import (
    make_busy_clinic,
    make_exercise,
    make_hold,
    make_level,
    make_pain,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db

REPORT = reverse("patients:report")
REPORT_CSV = reverse("patients:report-csv")


def detail(patient):
    return reverse("patients:patient-detail", args=[patient.pk])


def progress(prescription):
    return reverse("patients:progress", args=[prescription.patient_id, prescription.pk])


def rows(response):
    return [str(summary.patient) for summary in response.context["summaries"]]


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


class TestAccess:
    @pytest.mark.parametrize("url", [REPORT, REPORT_CSV])
    def test_anonymous_visitors_are_sent_to_log_in(self, client, url):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    @pytest.mark.parametrize("url", [REPORT, REPORT_CSV])
    @pytest.mark.parametrize("person", ["alice", "bob", "erin"])
    def test_patients_and_editors_are_refused(self, client, everyone, alice_rx, person, url):
        client.force_login(everyone[person])
        assert client.get(url).status_code == 403

    @pytest.mark.parametrize("person", ["alice", "bob", "erin"])
    def test_patients_and_editors_cannot_open_a_record(self, client, everyone, alice_rx, person):
        client.force_login(everyone[person])
        assert client.get(detail(alice_rx.patient)).status_code == 403
        assert client.post(progress(alice_rx)).status_code == 403
        alice_rx.refresh_from_db()
        assert alice_rx.end_date is None

    def test_another_clinicians_patient_is_not_found(self, client, dave, alice_rx):
        client.force_login(dave)
        assert client.get(detail(alice_rx.patient)).status_code == 404
        assert client.get(progress(alice_rx)).status_code == 404
        assert client.post(progress(alice_rx)).status_code == 404
        assert Prescription.objects.count() == 1

    def test_a_prescription_of_another_patient_is_not_found(self, carol_client, alice_rx, bob_rx):
        url = reverse("patients:progress", args=[alice_rx.patient_id, bob_rx.pk])
        assert carol_client.post(url).status_code == 404

    @pytest.mark.parametrize("url", [REPORT, REPORT_CSV])
    def test_reports_only_answer_get(self, carol_client, url):
        assert carol_client.post(url).status_code == 405

    def test_the_record_only_answers_get_and_progression_get_or_post(self, carol_client, alice_rx):
        assert carol_client.post(detail(alice_rx.patient)).status_code == 405
        assert carol_client.put(progress(alice_rx)).status_code == 405
        assert Prescription.objects.count() == 1

    def test_progression_needs_a_csrf_token(self, client, carol, alice_rx):
        client.handler.enforce_csrf_checks = True
        client.force_login(carol)
        assert client.post(progress(alice_rx)).status_code == 403
        assert Prescription.objects.count() == 1


class TestReport:
    def test_carol_sees_alice_and_not_bob(self, carol_client, alice_rx, bob_rx):
        response = carol_client.get(REPORT)
        assert response.status_code == 200
        assert rows(response) == ["Alice"]
        assert not response.context["show_clinician"]

    def test_dave_sees_only_bob(self, client, dave, alice_rx, bob_rx):
        client.force_login(dave)
        assert rows(client.get(REPORT)) == ["Bob"]

    def test_the_administrator_sees_everyone_with_their_clinician(
        self, client, ada, alice_rx, bob_rx
    ):
        client.force_login(ada)
        response = client.get(REPORT)
        assert sorted(rows(response)) == ["Alice", "Bob"]
        assert response.context["show_clinician"]

    def test_the_clinicians_home_is_the_report(self, carol_client):
        assert carol_client.get(reverse("home")).url == REPORT

    def test_patients_needing_attention_come_first(
        self, carol_client, alice_rx, carol, level_1, today
    ):
        calm = make_patient(make_user("calm@example.com", first_name="Aaron"), carol)
        calm_rx = Prescription.objects.create(
            patient=calm,
            level=level_1,
            exercise=level_1.exercise,
            start_date=today - timedelta(days=20),
            prescribed_by=carol,
        )
        for days_ago in range(14):
            for side in ("left", "right", "left", "right"):
                make_hold(calm_rx, at=timezone.now() - timedelta(days=days_ago), side=side)
        make_pain(alice_rx.patient, at=timezone.now(), score=8)
        assert rows(carol_client.get(REPORT)) == ["Alice", "Aaron"]
        assert rows(carol_client.get(REPORT, {"sort": "name"})) == ["Aaron", "Alice"]
        assert rows(carol_client.get(REPORT, {"sort": "-name"})) == ["Alice", "Aaron"]
        assert rows(carol_client.get(REPORT, {"sort": "-adherence_14"})) == ["Aaron", "Alice"]

    def test_it_filters_by_flag(self, carol_client, alice_rx, carol, level_1, today):
        make_pain(alice_rx.patient, at=timezone.now(), score=9)
        make_patient(make_user("quiet@example.com", first_name="Quinn"), carol)
        response = carol_client.get(REPORT, {"flag": "severe_pain"})
        assert rows(response) == ["Alice"]
        assert "Pain 9 on" in response.content.decode()

    @pytest.mark.parametrize(
        "sort",
        [
            "attention",
            "name",
            "level",
            "adherence_7",
            "adherence_28",
            "days_with_data",
            "last_activity",
            "pain",
            "-pain_change",
        ],
    )
    def test_every_column_sorts(self, carol_client, alice_rx, sort):
        assert carol_client.get(REPORT, {"sort": sort}).status_code == 200

    @pytest.mark.parametrize(
        ("choices", "message"),
        [
            ({"sort": "password"}, "Sort by one of the report&#x27;s columns."),
            ({"flag": "vip"}, "Choose one of the flags in the list."),
            ({"as_of": "yesterday"}, "Enter a date such as 2026-03-02."),
            ({"as_of": "2999-01-01"}, "The report cannot look past today."),
            ({"as_of": "1900-01-01"}, "Choose a date from 2000 onwards."),
        ],
    )
    def test_bad_choices_are_explained(self, carol_client, alice_rx, choices, message):
        response = carol_client.get(REPORT, choices)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert carol_client.get(REPORT_CSV, choices).status_code == 400

    def test_a_past_day_can_be_reviewed(self, carol_client, alice_rx, today):
        response = carol_client.get(REPORT, {"as_of": (today - timedelta(days=5)).isoformat()})
        assert response.status_code == 200
        assert response.context["as_of"] == today - timedelta(days=5)

    def test_it_explains_how_the_figures_are_computed(self, carol_client, alice_rx):
        page = carol_client.get(REPORT).content.decode()
        assert "How these figures are computed" in page
        assert "capped at what was expected" in page
        assert "not judged before its 14th day" in page

    def test_every_window_names_its_dates(self, carol_client, alice_rx, today):
        page = carol_client.get(REPORT).content.decode()
        for days in (7, 14, 28):
            window = adherence.adherence_window(days, report_day=today, today=today)
            assert (window.start, window.last) == (
                today - timedelta(days=days),
                today - timedelta(days=1),
            )
            assert window.label in page
        assert "Today so far" in page

    def test_a_past_day_has_no_today_column(self, carol_client, alice_rx, today):
        as_of = today - timedelta(days=3)
        page = carol_client.get(REPORT, {"as_of": as_of.isoformat()}).content.decode()
        assert "Today so far" not in page
        window = adherence.adherence_window(7, report_day=as_of, today=today)
        assert (window.start, window.last) == (as_of - timedelta(days=6), as_of)
        assert window.label in page

    def test_the_number_of_queries_does_not_grow_with_patients_or_history(
        self, client, carol, dave, level_1, today, clinic_tz
    ):
        make_busy_clinic(dave, level_1, patients=5, days=90, today=today, tz=clinic_tz)
        make_busy_clinic(carol, level_1, patients=200, days=90, today=today, tz=clinic_tz)
        counts = {}
        for clinician, expected_rows in ((dave, 5), (carol, 200)):
            client.force_login(clinician)
            for url in (REPORT, REPORT_CSV):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                assert response.status_code == 200
                counts[clinician.email, url] = len(queries.captured_queries)
            assert len(rows(client.get(REPORT))) == expected_rows
        assert counts["dave@example.com", REPORT] == counts["carol@example.com", REPORT]
        assert counts["dave@example.com", REPORT_CSV] == counts["carol@example.com", REPORT_CSV]


class TestCsv:
    def test_it_has_the_same_figures_as_the_page(self, carol_client, alice_rx):
        for days_ago in range(3):
            for side in ("left", "right"):
                make_hold(alice_rx, at=timezone.now() - timedelta(days=days_ago), side=side)
        make_pain(alice_rx.patient, at=timezone.now(), score=2)
        page = carol_client.get(REPORT).context["summaries"][0]
        response = carol_client.get(REPORT_CSV)
        assert response["Content-Disposition"].startswith('attachment; filename="adherence-')
        header, row = csv_rows(response)
        record = dict(zip(header, row, strict=True))
        assert record["patient"] == "Alice"
        assert record["adherence 7 days %"] == str(page.adherence[7].percent)
        # The 14 whole days before today; today's 2 of 4 holds are on their own.
        assert record["holds done 14 days"] == "4"
        assert record["holds expected 14 days"] == "56"
        assert (record["today so far done"], record["today so far expected"]) == ("2", "4")
        assert record["pain current"] == "2.0"
        assert record["levels"] == "Psoas stretch, Level 1: Lying psoas stretch"

    def test_cells_cannot_run_as_formulas(self, carol_client, alice_rx):
        user = alice_rx.patient.user
        user.first_name = '=HYPERLINK("http://evil.example")'
        user.last_name = ""
        user.save()
        header, row = csv_rows(carol_client.get(REPORT_CSV))
        assert row[0] == '\'=HYPERLINK("http://evil.example")'

    def test_it_follows_the_chosen_flag(self, carol_client, alice_rx):
        assert len(csv_rows(carol_client.get(REPORT_CSV, {"flag": "ready"}))) == 1


class TestPatientDetail:
    def test_it_shows_charts_notes_prescriptions_and_flags_with_reasons(
        self, carol_client, alice_rx
    ):
        make_pain(alice_rx.patient, at=timezone.now() - timedelta(days=1), score=8, note="Sharp")
        response = carol_client.get(detail(alice_rx.patient))
        page = response.content.decode()
        assert response.status_code == 200
        assert page.count('<svg class="chart"') == 2
        assert "Holds per day as a table" in page
        assert "Pain scores as a table" in page
        assert "Sharp" in page
        assert "Severe pain" in page
        assert "Pain 8 on" in page
        assert "Move to Level 2" in page

    def test_its_query_count_does_not_grow_with_history(
        self, carol_client, alice_rx, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(30) as before:
            carol_client.get(detail(alice_rx.patient))
        for days_ago in range(60):
            make_hold(alice_rx, at=timezone.now() - timedelta(days=days_ago))
            make_pain(alice_rx.patient, at=timezone.now() - timedelta(days=days_ago))
        with django_assert_max_num_queries(len(before.captured_queries)):
            assert carol_client.get(detail(alice_rx.patient)).status_code == 200


ACKNOWLEDGED = {"acknowledged": "yes"}


class TestProgression:
    def test_it_asks_for_confirmation_first(self, carol_client, alice_rx):
        response = carol_client.get(progress(alice_rx))
        assert "Move Alice to Level 2?" in response.content.decode()
        assert Prescription.objects.count() == 1

    def test_carol_moves_alice_to_level_two(self, carol_client, carol, alice_rx, level_2, today):
        alice_rx.holds_per_side = 3
        alice_rx.sessions_per_day = 2
        alice_rx.target_seconds = 45
        alice_rx.save()
        response = carol_client.post(progress(alice_rx), ACKNOWLEDGED)
        assert response.status_code == 302
        assert response.url == detail(alice_rx.patient)
        alice_rx.refresh_from_db()
        assert alice_rx.end_date == today
        new = Prescription.objects.get(end_date__isnull=True)
        assert (new.level, new.start_date, new.prescribed_by) == (level_2, today, carol)
        assert (new.holds_per_side, new.sessions_per_day, new.target_seconds) == (3, 2, 45)
        assert new.progressed_from == alice_rx

    def test_alice_sees_her_new_level_and_who_moved_her(self, client, carol_client, alice_rx):
        carol_client.post(progress(alice_rx), ACKNOWLEDGED)
        client.force_login(alice_rx.patient.user)
        page = client.get(reverse("patients:today")).content.decode()
        assert "Edge-of-bed psoas stretch" in page
        assert "Carol moved you up from Level 1" in page

    def test_a_second_click_changes_nothing(self, carol_client, alice_rx):
        carol_client.post(progress(alice_rx), ACKNOWLEDGED)
        response = carol_client.post(progress(alice_rx), ACKNOWLEDGED)
        assert response.status_code == 400
        assert "no longer current" in response.content.decode()
        assert Prescription.objects.count() == 2

    def test_a_prescription_given_today_without_holds_is_corrected_in_place(
        self, carol_client, alice_rx, level_2, today
    ):
        alice_rx.start_date = today
        alice_rx.save()
        response = carol_client.post(progress(alice_rx), ACKNOWLEDGED)
        assert response.status_code == 302
        (only,) = Prescription.objects.all()
        assert (only.pk, only.level, only.end_date) == (alice_rx.pk, level_2, None)

    def test_a_flagged_patient_is_moved_on_only_once_the_flags_are_read(
        self, carol_client, alice_rx
    ):
        page = carol_client.get(progress(alice_rx)).content.decode()
        assert "Read before changing the level" in page
        response = carol_client.post(progress(alice_rx))
        assert response.status_code == 400
        assert "tick the box" in response.content.decode()
        assert Prescription.objects.count() == 1

    def test_the_hold_is_brought_into_the_new_levels_range(self, carol, alice_patient, today):
        calf = make_exercise(name="Calf stretch")
        first = make_level(calf, 1, hold_min_seconds=20, hold_max_seconds=30)
        make_level(calf, 2, hold_min_seconds=45, hold_max_seconds=90)
        rx = Prescription.objects.create(
            patient=alice_patient,
            level=first,
            exercise=calf,
            start_date=today - timedelta(days=20),
            target_seconds=25,
            prescribed_by=carol,
        )
        successor = services.prescription_progress(prescription=rx, by=carol, today=today)
        assert (successor.level.number, successor.target_seconds) == (2, 45)

    def test_there_is_nothing_after_the_last_level(
        self, carol_client, alice_patient, level_2, today
    ):
        rx = Prescription.objects.create(
            patient=alice_patient,
            level=level_2,
            exercise=level_2.exercise,
            start_date=today - timedelta(days=3),
            prescribed_by=alice_patient.clinician,
        )
        assert "Nothing to move" in carol_client.get(progress(rx)).content.decode()
        response = carol_client.post(progress(rx))
        assert response.status_code == 400
        assert "is the last level of this exercise" in response.content.decode()
        assert Prescription.objects.count() == 1


def test_severe_pain_asks_the_patient_to_contact_the_clinic(client, alice_rx):
    make_pain(alice_rx.patient, at=timezone.now() - timedelta(days=2), score=7)
    client.force_login(alice_rx.patient.user)
    for url in (reverse("patients:today"), reverse("patients:history")):
        assert "Please contact your clinic" in client.get(url).content.decode()


def test_no_contact_message_without_severe_pain(client, alice_rx):
    make_pain(alice_rx.patient, at=timezone.now(), score=6)
    client.force_login(alice_rx.patient.user)
    assert (
        "Please contact your clinic" not in client.get(reverse("patients:today")).content.decode()
    )
