"""Remote therapeutic monitoring: the periods, the tiers, the management time, the panel
on the patient record and the monthly CSV."""

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from patients import monitoring, summaries
from patients.models import MonitoringTime
from portal.models import AuditEvent
from tests.factories import make_hold, make_pain, make_prescription

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
START = date(2026, 10, 20)


def at(day, hour=9):
    return datetime.combine(day, time(hour), tzinfo=TORONTO)


@pytest.fixture
def monitoring_on(settings):
    settings.PORTAL_REMOTE_MONITORING = True


@pytest.fixture
def rx(alice_patient, level_1):
    return make_prescription(alice_patient, level_1, start_date=START)


class TestRules:
    @pytest.mark.parametrize(
        ("days", "code"),
        [(0, None), (1, None), (2, "98985"), (15, "98985"), (16, "98977"), (30, "98977")],
    )
    def test_a_period_reaches_its_tier_by_days_with_data(self, days, code):
        assert monitoring.device_supply_code(days) == code

    @pytest.mark.parametrize(
        ("minutes", "live", "codes"),
        [
            (9, True, []),
            (10, True, [("98979", 1)]),
            (19, True, [("98979", 1)]),
            (20, True, [("98980", 1)]),
            (39, True, [("98980", 1)]),
            (40, True, [("98980", 1), ("98981", 1)]),
            (60, True, [("98980", 1), ("98981", 2)]),
            (45, False, []),
        ],
    )
    def test_management_time_supports_its_codes(self, minutes, live, codes):
        assert monitoring.management_codes(minutes, live) == codes

    def test_periods_run_thirty_days_from_the_start(self):
        assert monitoring.period_bounds(START, START) == (1, START, START + timedelta(days=30))
        last_of_first = START + timedelta(days=29)
        assert monitoring.period_bounds(START, last_of_first)[0] == 1
        assert monitoring.period_bounds(START, START + timedelta(days=30)) == (
            2,
            START + timedelta(days=30),
            START + timedelta(days=60),
        )

    def test_the_current_period_counts_its_own_days_only(self):
        as_of = START + timedelta(days=32)  # the third day of period 2
        data = {START + timedelta(days=offset) for offset in (5, 29, 30, 31, 33)}
        period = monitoring.current_period(start=START, as_of=as_of, data_days=data)
        assert (period.number, period.days_with_data, period.days_left) == (2, 2, 27)
        assert period.code == "98985"
        assert period.days_to_next_tier == 14

    def test_nothing_before_monitoring_starts(self):
        assert (
            monitoring.current_period(start=START, as_of=START - timedelta(days=1), data_days=set())
            is None
        )
        assert monitoring.current_period(start=None, as_of=START, data_days=set()) is None


class TestSummary:
    def test_the_summary_has_the_period_across_its_boundary(self, rx):
        for offset in range(28, 33):  # days 29 and 30 of period 1, days 1-3 of period 2
            make_hold(rx, at=at(START + timedelta(days=offset)))
        make_pain(rx.patient, at=at(START + timedelta(days=31), 20))  # same day: once
        for as_of, number, days in (
            (START + timedelta(days=29), 1, 2),
            (START + timedelta(days=32), 2, 3),
        ):
            (summary,) = summaries.patient_summaries(
                patients=[rx.patient], as_of=as_of, today=as_of + timedelta(days=1), tz=TORONTO
            )
            assert (summary.monitoring.number, summary.monitoring.days_with_data) == (number, days)

    def test_a_monitoring_start_of_its_own_moves_the_periods(self, rx):
        rx.patient.monitoring_start = START + timedelta(days=10)
        rx.patient.save()
        (summary,) = summaries.patient_summaries(
            patients=[rx.patient],
            as_of=START + timedelta(days=39),
            today=START + timedelta(days=40),
            tz=TORONTO,
        )
        assert (summary.monitoring.number, summary.monitoring.start) == (
            1,
            START + timedelta(days=10),
        )


class TestMonthRows:
    def test_a_month_lists_the_periods_that_end_in_it(self, rx, carol):
        # Period 1 is Oct 20 - Nov 18, period 2 Nov 19 - Dec 18.
        for offset in (0, 1, 2, 29, 30, 31):
            make_hold(rx, at=at(START + timedelta(days=offset)))
        MonitoringTime.objects.create(
            patient=rx.patient,
            clinician=carol,
            day=date(2026, 11, 3),
            minutes=15,
            live_contact=True,
        )
        MonitoringTime.objects.create(
            patient=rx.patient, clinician=carol, day=date(2026, 11, 30), minutes=10
        )
        MonitoringTime.objects.create(
            patient=rx.patient,
            clinician=carol,
            day=date(2026, 12, 1),
            minutes=50,
            live_contact=True,
        )
        rows = monitoring.month_rows(
            patients=[rx.patient], month=date(2026, 11, 1), today=date(2026, 12, 5), tz=TORONTO
        )
        assert len(rows) == 1
        (row,) = rows
        assert (row.period.number, row.period.start, row.period.last) == (
            1,
            START,
            date(2026, 11, 18),
        )
        assert row.period.days_with_data == 4
        assert row.period.complete
        assert (row.time.minutes, row.time.live_contact, row.time.codes) == (
            25,
            True,
            [("98980", 1)],
        )

    def test_a_month_under_way_also_lists_the_period_under_way(self, rx):
        make_hold(rx, at=at(date(2026, 11, 20)))
        rows = monitoring.month_rows(
            patients=[rx.patient], month=date(2026, 11, 1), today=date(2026, 11, 25), tz=TORONTO
        )
        assert [row.period.number for row in rows] == [1, 2]
        assert rows[0].time is None  # the month's time is on the patient's last row
        assert rows[1].period.days_with_data == 1
        assert not rows[1].period.complete
        assert rows[1].period.days_left == 23


class TestMonthRowsWithoutAPeriodEnding:
    def test_a_month_in_which_no_period_ends_still_lists_the_patient_and_time(
        self, alice_patient, level_1, carol
    ):
        # Periods from Nov 4: Nov 4 - Dec 3, so none ends in November.
        rx = make_prescription(alice_patient, level_1, start_date=date(2026, 11, 4))
        make_hold(rx, at=at(date(2026, 11, 10)))
        MonitoringTime.objects.create(
            patient=rx.patient,
            clinician=carol,
            day=date(2026, 11, 20),
            minutes=12,
            live_contact=True,
        )
        (row,) = monitoring.month_rows(
            patients=[rx.patient], month=date(2026, 11, 1), today=date(2026, 12, 5), tz=TORONTO
        )
        assert (row.period.number, row.period.start, row.period.last) == (
            1,
            date(2026, 11, 4),
            date(2026, 12, 3),
        )
        assert row.period.as_of == date(2026, 11, 30)
        assert not row.period.complete
        assert row.time.codes == [("98979", 1)]

    def test_time_before_monitoring_began_is_listed_too(self, alice_patient, level_1, carol):
        rx = make_prescription(alice_patient, level_1, start_date=date(2026, 12, 10))
        MonitoringTime.objects.create(
            patient=rx.patient,
            clinician=carol,
            day=date(2026, 11, 28),
            minutes=25,
            live_contact=True,
        )
        (row,) = monitoring.month_rows(
            patients=[rx.patient], month=date(2026, 11, 1), today=date(2026, 12, 5), tz=TORONTO
        )
        assert row.period is None
        assert row.time.minutes == 25

    def test_the_csv_writes_a_row_without_a_period(
        self, client, carol, alice_patient, level_1, settings, today
    ):
        settings.PORTAL_REMOTE_MONITORING = True
        make_prescription(alice_patient, level_1, start_date=today + timedelta(days=3))
        MonitoringTime.objects.create(patient=alice_patient, clinician=carol, day=today, minutes=5)
        client.force_login(carol)
        response = client.get(reverse("patients:monitoring-csv"), {"month": f"{today:%Y-%m}"})
        (row,) = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert (row["period status"], row["management minutes in month"]) == ("not started", "5")


class TestPages:
    def test_the_record_shows_the_panel_and_logs_time(
        self, client, carol, rx, monitoring_on, today
    ):
        client.force_login(carol)
        url = reverse("patients:patient-detail", args=[rx.patient.pk])
        page = client.get(url).content.decode()
        assert "Remote monitoring" in page
        assert "Payers&#x27; rules vary" in page or "Payers' rules vary" in page
        response = client.post(
            reverse("patients:monitoring-time", args=[rx.patient.pk]),
            {"day": today.isoformat(), "minutes": "25", "live_contact": "on"},
        )
        assert response.status_code == 302
        entry = MonitoringTime.objects.get()
        assert (entry.minutes, entry.live_contact, entry.clinician) == (25, True, carol)
        assert AuditEvent.objects.filter(object_type="MonitoringTime", actor=carol).exists()
        assert "Supports: 98980." in client.get(url).content.decode()

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"day": "2026-01-01", "minutes": "0"}, "Log at least 1 minute."),
            ({"day": "2026-01-01", "minutes": "601"}, "Log at most 600 minutes for one day."),
            (
                {"day": "2999-01-01", "minutes": "5"},
                "Time can be logged for today or earlier days only.",
            ),
            ({"day": "soon", "minutes": "5"}, "Enter a date such as 2026-03-02."),
        ],
    )
    def test_bad_time_is_refused_with_a_message(
        self, client, carol, rx, monitoring_on, data, message
    ):
        client.force_login(carol)
        response = client.post(reverse("patients:monitoring-time", args=[rx.patient.pk]), data)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not MonitoringTime.objects.exists()

    def test_the_monitoring_start_is_set_on_the_record(self, client, carol, rx, monitoring_on):
        client.force_login(carol)
        response = client.post(
            reverse("patients:monitoring-start", args=[rx.patient.pk]),
            {"monitoring_start": "2026-10-25"},
        )
        assert response.status_code == 302
        rx.patient.refresh_from_db()
        assert rx.patient.monitoring_start == date(2026, 10, 25)

    def test_the_monthly_csv(self, client, carol, rx, bob_rx, monitoring_on, today):
        client.force_login(carol)
        response = client.get(reverse("patients:monitoring-csv"), {"month": f"{today:%Y-%m}"})
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert {row["e-mail"] for row in rows} == {"alice@example.com"}
        assert rows[-1]["device supply code"] == "none"
        assert rows[-1]["management codes"] == ""

    def test_a_bad_month_is_refused(self, client, carol, monitoring_on):
        client.force_login(carol)
        response = client.get(reverse("patients:monitoring-csv"), {"month": "2026-13"})
        assert response.status_code == 400
        assert "Enter a month such as 2026-03." in response.content.decode()

    def test_it_is_off_by_default(self, client, carol, rx):
        client.force_login(carol)
        assert (
            "Remote monitoring"
            not in client.get(
                reverse("patients:patient-detail", args=[rx.patient.pk])
            ).content.decode()
        )
        assert client.get(reverse("patients:monitoring-csv")).status_code == 404
        response = client.post(
            reverse("patients:monitoring-time", args=[rx.patient.pk]),
            {"day": "2026-01-01", "minutes": "5"},
        )
        assert response.status_code == 404
        assert not MonitoringTime.objects.exists()
