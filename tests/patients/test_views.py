import uuid
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import HoldLog, PainScore
from tests.factories import make_exercise, make_hold, make_level, make_pain, make_prescription

pytestmark = pytest.mark.django_db

TODAY_URL = reverse("patients:today")
HISTORY_URL = reverse("patients:history")
PAIN_URL = reverse("patients:log-pain")
JSON = {"HTTP_ACCEPT": "application/json"}
PAIN_CHOICE_MESSAGE = (
    "Choose a whole number from 0 to 10: 0 means no pain and 10 means the worst pain you "
    "can imagine."
)


def log_hold_url(prescription):
    return reverse("patients:log-hold", args=[prescription.pk])


def hold_data(**overrides):
    return {"side": "left", "seconds": "30", "client_token": str(uuid.uuid4())} | overrides


def pain_data(**overrides):
    data = {"score": "3", "context": "checkin", "note": "", "client_token": str(uuid.uuid4())}
    return data | overrides


@pytest.fixture
def alice_client(client, alice_rx):
    client.force_login(alice_rx.patient.user)
    return client


class TestTodayPage:
    def test_it_shows_the_program_with_its_dose_and_progress(self, alice_client, alice_rx):
        make_hold(alice_rx, at=timezone.now(), side="left")
        make_hold(alice_rx, at=timezone.now(), side="right")
        make_hold(alice_rx, at=timezone.now(), side="right")
        page = alice_client.get(TODAY_URL).content.decode()
        assert "Psoas stretch, Level 1: Lying psoas stretch" in page
        assert "2 holds each side, 30 s" in page
        assert '<span class="fw-semibold">Left</span>\n      1 of 2' in page
        assert '<span class="fw-semibold">Right</span>\n      2 of 2' in page
        assert reverse("patients:timer", args=[alice_rx.pk]) in page

    def test_it_asks_for_the_pain_check_in_until_there_is_one(self, alice_client, alice_rx):
        assert "Today's pain check-in" in alice_client.get(TODAY_URL).content.decode()
        make_pain(alice_rx.patient, at=timezone.now())
        assert "Today's pain check-in" not in alice_client.get(TODAY_URL).content.decode()

    def test_it_says_this_week_in_plain_words(self, alice_client, alice_rx, clinic_tz, today):
        for days_ago in (1, 2):
            moment = timezone.now() - timedelta(days=days_ago)
            for side in ("left", "right", "left", "right"):
                make_hold(alice_rx, at=moment, side=side)
        response = alice_client.get(TODAY_URL)
        # The week is the seven whole days before today; today is shown on its own.
        assert response.context["week"].done == 8
        assert response.context["week"].expected == 28
        page = response.content.decode()
        assert "You did 8 of 28 holds in the last 7 days (29%)." in page
        assert "Today so far: 0 of 4 holds." in page
        assert "2 days in a row with your whole program done." in page

    def test_a_patient_without_a_program_is_told_so(self, client, alice_patient):
        client.force_login(alice_patient.user)
        page = client.get(TODAY_URL).content.decode()
        assert "Your clinician has not given you a program yet." in page
        assert "No program in the last 7 days." in page

    def test_an_ended_prescription_is_not_on_today(self, alice_client, alice_rx, today):
        alice_rx.end_date = today
        alice_rx.save()
        assert "Lying psoas stretch" not in alice_client.get(TODAY_URL).content.decode()

    def test_the_home_page_takes_a_patient_to_today(self, alice_client):
        response = alice_client.get(reverse("home"))
        assert response.url == TODAY_URL

    @pytest.mark.parametrize(
        ("days_before", "today_done", "shown"),
        [
            (28, True, "29 days in a row with"),
            (29, False, "29 days in a row with"),
            (29, True, "30 days or more in a row with"),
            (30, False, "30 days or more in a row with"),
            (40, True, "30 days or more in a row with"),
        ],
    )
    def test_a_streak_is_counted_up_to_thirty_days(
        self, client, alice_patient, level_1, clinic_tz, today, days_before, today_done, shown
    ):
        rx = make_prescription(
            alice_patient, level_1, start_date=today - timedelta(days=45), holds_per_side=1
        )
        moments = [
            datetime.combine(today - timedelta(days=days_ago), time(9), tzinfo=clinic_tz)
            for days_ago in range(1, days_before + 1)
        ]
        if today_done:
            moments.append(timezone.now())
        for moment in moments:
            make_hold(rx, at=moment, side="left")
            make_hold(rx, at=moment, side="right")
        client.force_login(alice_patient.user)
        page = client.get(TODAY_URL).content.decode()
        assert shown in page

    @pytest.mark.parametrize(
        ("score", "days_ago", "warned"),
        [(8, 0, True), (7, 6, True), (9, 7, False), (6, 0, False)],
    )
    def test_severe_pain_this_week_asks_the_patient_to_call(
        self, alice_client, alice_rx, clinic_tz, today, score, days_ago, warned
    ):
        if days_ago:
            moment = datetime.combine(today - timedelta(days=days_ago), time(12), tzinfo=clinic_tz)
        else:
            moment = timezone.now()
        make_pain(alice_rx.patient, at=moment, score=score)
        for url in (TODAY_URL, HISTORY_URL):
            page = alice_client.get(url).content.decode()
            assert ("Please contact your clinic" in page) is warned
            if warned:
                assert f"You rated your pain {score} out of 10 this week." in page

    def test_holds_beyond_the_days_read_as_extra(self, alice_client, alice_rx):
        for _ in range(5):
            make_hold(alice_rx, at=timezone.now(), side="left")
        page = " ".join(alice_client.get(TODAY_URL).content.decode().split())
        assert "Left</span> 2 of 2, and 3 extra" in page
        assert "5 of 2" not in page
        assert "Right</span> 0 of 2" in page

    def test_it_reads_a_fixed_number_of_queries(
        self, alice_client, alice_rx, django_assert_num_queries
    ):
        # Session, the user with their patient profile, prescriptions, holds, pain
        # scores, pauses, the levels' pictures and their steps (for the offline copy), the
        # clinic's contact details. The menu needs no query of its own: it follows the
        # profile.
        with django_assert_num_queries(9):
            assert alice_client.get(TODAY_URL).status_code == 200

    def test_its_query_count_does_not_grow_with_history(
        self, alice_client, alice_rx, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(9) as before:
            assert alice_client.get(TODAY_URL).status_code == 200
        for days_ago in range(60):
            make_hold(alice_rx, at=timezone.now() - timedelta(days=days_ago))
            make_pain(alice_rx.patient, at=timezone.now() - timedelta(days=days_ago))
        with django_assert_max_num_queries(len(before.captured_queries)):
            assert alice_client.get(TODAY_URL).status_code == 200


class TestTimerPage:
    def test_it_shows_the_steps_the_timer_and_the_plain_forms(self, alice_client, alice_rx):
        response = alice_client.get(reverse("patients:timer", args=[alice_rx.pk]))
        page = response.content.decode()
        assert response.status_code == 200
        assert 'data-target="30"' in page
        assert 'data-sides="left,right"' in page
        assert 'src="/static/js/timer.js"' in page
        assert "Lie on your back on a bed or bench" in page
        assert 'id="manual-hold"' in page
        assert "0 means no pain and 10 means the worst pain you can imagine." in page

    def test_an_ended_prescription_offers_no_timer(self, alice_client, alice_rx, today):
        alice_rx.end_date = today
        alice_rx.save()
        page = alice_client.get(reverse("patients:timer", args=[alice_rx.pk])).content.decode()
        assert "no longer part of your program" in page
        assert 'id="timer"' not in page


class TestLoggingAHold:
    def test_the_plain_form_saves_and_redirects_back(self, alice_client, alice_rx):
        response = alice_client.post(log_hold_url(alice_rx), hold_data(seconds="45"))
        assert response.status_code == 302
        assert response.url == reverse("patients:timer", args=[alice_rx.pk])
        hold = HoldLog.objects.get()
        assert (hold.patient, hold.prescription, hold.side, hold.seconds, hold.source) == (
            alice_rx.patient,
            alice_rx,
            "left",
            45,
            "manual",
        )
        assert abs(hold.performed_at - timezone.now()) < timedelta(seconds=5)

    def test_the_timer_gets_json_and_today_progress(self, alice_client, alice_rx):
        performed = (timezone.now() - timedelta(minutes=1)).isoformat()
        response = alice_client.post(
            log_hold_url(alice_rx),
            hold_data(side="right", source="timer", performed_at=performed),
            **JSON,
        )
        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "saved"
        assert body["progress"] == [
            {"side": "left", "label": "Left", "done": 0, "of": 2, "counted": 0, "extra": 0},
            {"side": "right", "label": "Right", "done": 1, "of": 2, "counted": 1, "extra": 0},
        ]
        hold = HoldLog.objects.get(pk=body["id"])
        assert hold.source == "timer"
        assert hold.performed_at.isoformat() == performed

    def test_a_retry_with_the_same_token_is_stored_once(self, alice_client, alice_rx):
        data = hold_data()
        first = alice_client.post(log_hold_url(alice_rx), data, **JSON)
        second = alice_client.post(log_hold_url(alice_rx), data, **JSON)
        assert first.status_code == 201
        assert second.status_code == 200
        assert second.json()["status"] == "already-saved"
        assert second.json()["id"] == first.json()["id"]
        assert HoldLog.objects.count() == 1

    def test_a_retry_of_the_plain_form_says_it_was_already_saved(self, alice_client, alice_rx):
        data = hold_data()
        alice_client.post(log_hold_url(alice_rx), data)
        response = alice_client.post(log_hold_url(alice_rx), data, follow=True)
        assert "That hold was already saved." in response.content.decode()
        assert HoldLog.objects.count() == 1

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("seconds", "0", "A hold lasts at least 1 second."),
            ("seconds", "601", "A hold can last at most 600 seconds (10 minutes)."),
            ("seconds", "1e9", "Enter the seconds as a whole number, for example 30."),
            ("seconds", "30s", "Enter the seconds as a whole number, for example 30."),
            ("seconds", "", "This field is required."),
            ("side", "middle", "Choose the side you stretched."),
            ("side", "none", "Choose the side you stretched."),
            ("client_token", "abc", "This form is incomplete; reload the page and try again."),
            ("client_token", "", "This form is incomplete; reload the page and try again."),
        ],
    )
    def test_bad_input_is_refused_with_a_message(
        self, alice_client, alice_rx, field, value, message
    ):
        kept = make_hold(alice_rx, at=timezone.now(), seconds=40)
        response = alice_client.post(log_hold_url(alice_rx), hold_data(**{field: value}), **JSON)
        assert response.status_code == 400
        assert response.json()["errors"][field] == [message]
        assert list(HoldLog.objects.all()) == [kept]
        kept.refresh_from_db()
        assert kept.seconds == 40

    def test_the_plain_form_re_renders_with_the_message(self, alice_client, alice_rx):
        response = alice_client.post(log_hold_url(alice_rx), hold_data(seconds="601"))
        assert response.status_code == 400
        assert "A hold can last at most 600 seconds" in response.content.decode()
        assert not HoldLog.objects.exists()

    def test_a_time_in_the_future_is_refused(self, alice_client, alice_rx):
        later = (timezone.now() + timedelta(hours=2)).isoformat()
        response = alice_client.post(log_hold_url(alice_rx), hold_data(performed_at=later), **JSON)
        assert response.status_code == 400
        assert "in the future" in response.json()["errors"]["performed_at"][0]
        assert not HoldLog.objects.exists()

    def test_a_hold_on_a_day_the_prescription_did_not_cover_is_refused(
        self, alice_client, alice_rx, today
    ):
        alice_rx.start_date = today
        alice_rx.save()
        yesterday = (timezone.now() - timedelta(days=1)).isoformat()
        response = alice_client.post(
            log_hold_url(alice_rx), hold_data(performed_at=yesterday), **JSON
        )
        assert response.status_code == 400
        assert "not part of your program on that day" in response.json()["errors"]["__all__"][0]

    def test_a_hold_from_yesterday_may_still_be_logged(self, alice_client, alice_rx):
        yesterday = timezone.now() - timedelta(days=1)
        response = alice_client.post(
            log_hold_url(alice_rx), hold_data(performed_at=yesterday.isoformat()), **JSON
        )
        assert response.status_code == 201
        assert HoldLog.objects.get().performed_at == yesterday

    @pytest.mark.parametrize(
        "performed_at", ["0001-01-01T00:00:00+14:00", "2019-05-01T10:00:00Z", "-1"]
    )
    def test_older_days_are_refused(self, alice_client, alice_rx, performed_at):
        response = alice_client.post(
            log_hold_url(alice_rx), hold_data(performed_at=performed_at), **JSON
        )
        assert response.status_code == 400
        assert not HoldLog.objects.exists()

    def test_a_phone_clock_that_runs_fast_is_corrected(self, alice_client, alice_rx):
        phone_now = timezone.now() + timedelta(hours=3)
        response = alice_client.post(
            log_hold_url(alice_rx),
            hold_data(
                performed_at=(phone_now - timedelta(seconds=40)).isoformat(),
                sent_at=phone_now.isoformat(),
            ),
            **JSON,
        )
        assert response.status_code == 201
        held = HoldLog.objects.get().performed_at
        assert abs(held - (timezone.now() - timedelta(seconds=40))) < timedelta(seconds=5)

    def test_another_patients_prescription_is_not_found(self, alice_client, bob_rx):
        response = alice_client.post(log_hold_url(bob_rx), hold_data(), **JSON)
        assert response.status_code == 404
        assert not HoldLog.objects.exists()

    def test_a_post_without_a_csrf_token_is_forbidden(self, client, alice_rx):
        client.handler.enforce_csrf_checks = True
        client.force_login(alice_rx.patient.user)
        response = client.post(log_hold_url(alice_rx), hold_data())
        assert response.status_code == 403
        assert not HoldLog.objects.exists()


class TestLoggingPain:
    def test_the_check_in_saves_and_returns_to_today(self, alice_client, alice_rx):
        response = alice_client.post(PAIN_URL, pain_data(score="6", note="Stiff after driving."))
        assert response.status_code == 302
        assert response.url == TODAY_URL
        pain = PainScore.objects.get()
        assert (pain.patient, pain.score, pain.context, pain.note) == (
            alice_rx.patient,
            6,
            "checkin",
            "Stiff after driving.",
        )

    def test_it_returns_to_the_page_it_came_from_on_this_site_only(self, alice_client, alice_rx):
        timer = reverse("patients:timer", args=[alice_rx.pk])
        assert alice_client.post(PAIN_URL, pain_data(next=timer)).url == timer
        response = alice_client.post(PAIN_URL, pain_data(next="https://evil.example/"))
        assert response.url == TODAY_URL

    def test_the_timer_gets_json(self, alice_client, alice_rx):
        response = alice_client.post(PAIN_URL, pain_data(context="after", score="0"), **JSON)
        assert response.status_code == 201
        assert response.json()["message"] == "Saved: pain 0 out of 10."

    def test_a_retry_with_the_same_token_is_stored_once(self, alice_client, alice_rx):
        data = pain_data()
        assert alice_client.post(PAIN_URL, data, **JSON).status_code == 201
        assert alice_client.post(PAIN_URL, data, **JSON).json()["status"] == "already-saved"
        assert PainScore.objects.count() == 1

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            (
                "score",
                "11",
                PAIN_CHOICE_MESSAGE,
            ),
            (
                "score",
                "-1",
                PAIN_CHOICE_MESSAGE,
            ),
            (
                "score",
                "abc",
                PAIN_CHOICE_MESSAGE,
            ),
            ("score", "", "Choose a number from 0 to 10."),
            ("context", "lunch", "Choose when you are rating your pain."),
            ("note", "x" * 10_000, "Keep the note to 500 characters (it has 10000)."),
        ],
    )
    def test_bad_input_is_refused_with_a_message(
        self, alice_client, alice_rx, field, value, message
    ):
        kept = make_pain(alice_rx.patient, at=timezone.now(), score=5)
        response = alice_client.post(PAIN_URL, pain_data(**{field: value}), **JSON)
        assert response.status_code == 400
        assert response.json()["errors"][field] == [message]
        assert list(PainScore.objects.all()) == [kept]
        kept.refresh_from_db()
        assert kept.score == 5

    def test_the_plain_form_re_renders_today_with_the_message(self, alice_client, alice_rx):
        response = alice_client.post(PAIN_URL, pain_data(score="11"))
        assert response.status_code == 400
        assert "Choose a whole number from 0 to 10" in response.content.decode()
        assert not PainScore.objects.exists()

    def test_a_refused_form_keeps_what_was_typed_and_marks_the_wrong_field(
        self, alice_client, alice_rx
    ):
        moment = timezone.now().isoformat()
        data = pain_data(
            context="after", note="Sore <after> gardening", score="", recorded_at=moment
        )
        page = alice_client.post(PAIN_URL, data).content.decode()
        assert '<option value="after" selected>After stretching</option>' in page
        assert '<option value="checkin" selected>' not in page
        assert "\nSore &lt;after&gt; gardening</textarea>" in page
        assert f'name="client_token" id="id_client_token" value="{data["client_token"]}"' in page
        assert f'name="recorded_at" id="id_recorded_at" value="{moment}"' in page
        assert 'name="sent_at" id="id_sent_at" value=""' in page
        assert 'id="id_score_error"' in page
        assert 'id="id_note" aria-invalid' not in page
        refused = pain_data(note="x" * 501)
        page = alice_client.post(PAIN_URL, refused).content.decode()
        assert 'id="id_note" aria-invalid="true" aria-describedby="id_note_error"' in page
        assert "Keep the note to 500 characters (it has 501)." in page

    @pytest.mark.parametrize("days", [1, -3])
    def test_a_time_in_the_future_or_long_ago_is_refused(self, alice_client, alice_rx, days):
        moment = (timezone.now() + timedelta(days=days)).isoformat()
        response = alice_client.post(PAIN_URL, pain_data(recorded_at=moment), **JSON)
        assert response.status_code == 400
        assert not PainScore.objects.exists()

    def test_a_date_at_the_edge_of_the_calendar_is_refused(self, alice_client, alice_rx):
        response = alice_client.post(
            PAIN_URL, pain_data(recorded_at="0001-01-01T00:00:00+14:00"), **JSON
        )
        assert response.status_code == 400
        assert not PainScore.objects.exists()

    def test_a_post_without_a_csrf_token_is_forbidden(self, client, alice_rx):
        client.handler.enforce_csrf_checks = True
        client.force_login(alice_rx.patient.user)
        assert client.post(PAIN_URL, pain_data()).status_code == 403
        assert not PainScore.objects.exists()


class TestHistoryPage:
    def test_it_charts_the_last_thirty_days_with_tables(self, alice_client, alice_rx):
        make_hold(alice_rx, at=timezone.now() - timedelta(days=3), side="left")
        make_pain(alice_rx.patient, at=timezone.now() - timedelta(days=3), score=7, note="Ouch")
        response = alice_client.get(HISTORY_URL)
        page = response.content.decode()
        assert response.status_code == 200
        assert page.count('<svg class="chart"') == 2
        assert "Holds per day as a table" in page
        assert len(response.context["days"]) == 30
        assert "Pain 7/10, daily check-in: “Ouch”" in page

    def test_its_title_is_plain_text_and_the_download_is_offered_once(self, alice_client):
        page = alice_client.get(HISTORY_URL).content.decode()
        title = page.split("<title>")[1].split("</title>")[0]
        assert title.startswith("Your last 30 days ·")
        assert page.count(reverse("patients:export")) == 1

    def test_only_todays_entries_can_be_corrected(self, alice_client, alice_rx):
        today_hold = make_hold(alice_rx, at=timezone.now())
        old_hold = make_hold(alice_rx, at=timezone.now() - timedelta(days=2))
        page = alice_client.get(HISTORY_URL).content.decode()
        assert reverse("patients:edit-hold", args=[today_hold.pk]) in page
        assert reverse("patients:edit-hold", args=[old_hold.pk]) not in page

    def test_its_query_count_does_not_grow_with_history(
        self, alice_client, alice_rx, django_assert_max_num_queries
    ):
        # Session, user, the patient with their prescriptions, qualifying holds, holds,
        # pain.
        with django_assert_max_num_queries(7) as before:
            assert alice_client.get(HISTORY_URL).status_code == 200
        for days_ago in range(60):
            for side in ("left", "right"):
                make_hold(alice_rx, at=timezone.now() - timedelta(days=days_ago), side=side)
            make_pain(alice_rx.patient, at=timezone.now() - timedelta(days=days_ago))
        with django_assert_max_num_queries(len(before.captured_queries)):
            assert alice_client.get(HISTORY_URL).status_code == 200


class TestCorrectingEntries:
    def test_a_hold_from_today_can_be_edited(self, alice_client, alice_rx):
        hold = make_hold(alice_rx, at=timezone.now(), side="left", seconds=20)
        url = reverse("patients:edit-hold", args=[hold.pk])
        assert alice_client.get(url).status_code == 200
        response = alice_client.post(url, {"side": "right", "seconds": "35"})
        assert response.status_code == 302
        hold.refresh_from_db()
        assert (hold.side, hold.seconds) == ("right", 35)

    def test_a_bad_edit_changes_nothing(self, alice_client, alice_rx):
        hold = make_hold(alice_rx, at=timezone.now(), side="left", seconds=20)
        url = reverse("patients:edit-hold", args=[hold.pk])
        response = alice_client.post(url, {"side": "right", "seconds": "9999"})
        assert response.status_code == 400
        hold.refresh_from_db()
        assert (hold.side, hold.seconds) == ("left", 20)

    def test_a_hold_from_today_can_be_deleted_after_confirming(self, alice_client, alice_rx):
        hold = make_hold(alice_rx, at=timezone.now())
        url = reverse("patients:delete-hold", args=[hold.pk])
        assert "Delete this hold?" in alice_client.get(url).content.decode()
        assert HoldLog.objects.filter(pk=hold.pk).exists()
        assert alice_client.post(url).status_code == 302
        assert not HoldLog.objects.filter(pk=hold.pk).exists()

    def test_a_pain_score_from_today_can_be_edited_and_deleted(self, alice_client, alice_rx):
        pain = make_pain(alice_rx.patient, at=timezone.now(), score=8)
        edit = reverse("patients:edit-pain", args=[pain.pk])
        data = {"score": "4", "context": "after", "note": "typo before"}
        assert alice_client.post(edit, data).status_code == 302
        pain.refresh_from_db()
        assert (pain.score, pain.context, pain.note) == (4, "after", "typo before")
        assert alice_client.post(reverse("patients:delete-pain", args=[pain.pk])).status_code == 302
        assert not PainScore.objects.exists()

    @pytest.mark.parametrize("name", ["edit-hold", "delete-hold"])
    def test_older_holds_are_read_only(self, alice_client, alice_rx, name):
        hold = make_hold(alice_rx, at=timezone.now() - timedelta(days=1), seconds=25)
        url = reverse(f"patients:{name}", args=[hold.pk])
        assert alice_client.get(url).status_code == 403
        response = alice_client.post(url, {"side": "right", "seconds": "30"})
        assert response.status_code == 403
        assert "from an earlier day" in response.content.decode()
        hold.refresh_from_db()
        assert (hold.side, hold.seconds) == ("left", 25)

    @pytest.mark.parametrize("name", ["edit-pain", "delete-pain"])
    def test_older_pain_scores_are_read_only(self, alice_client, alice_rx, name):
        pain = make_pain(alice_rx.patient, at=timezone.now() - timedelta(days=1), score=6)
        url = reverse(f"patients:{name}", args=[pain.pk])
        assert alice_client.post(url, {"score": "1", "context": "checkin"}).status_code == 403
        pain.refresh_from_db()
        assert pain.score == 6


def test_two_programs_show_side_by_side(alice_client, alice_rx, today):
    calf = make_level(make_exercise(name="Calf stretch"), 1, each_side=False, title="Wall calf")
    make_prescription(alice_rx.patient, calf, start_date=today, holds_per_side=3)
    page = alice_client.get(TODAY_URL).content.decode()
    assert "Lying psoas stretch" in page
    assert "3 holds, 30 s" in page
    assert '<span class="fw-semibold">Holds</span>\n      0 of 3' in page
