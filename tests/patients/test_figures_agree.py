"""Every page that shows a figure shows the same figure: the report, its CSV, the patient
record and the patient's own pages, for the demo clinic as `make run` builds it, and
each figure against a recomputation from the raw rows that follows the README's rules
and shares no code with the portal's."""

import csv
import io
from collections import defaultdict
from datetime import timedelta
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from patients.models import HoldLog, PainScore, Patient, Prescription
from portal.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    return {user.email: user for user in User.objects.all()}


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def by_hand(patient, first, last, tz):
    """(done, expected) over the days first..last, straight from the rows: each active
    prescription's holds per side x sides x sessions; full holds per side, capped."""
    done = expected = 0
    prescriptions = list(Prescription.objects.filter(patient=patient).select_related("level"))
    holds = defaultdict(int)
    for hold in HoldLog.objects.filter(patient=patient):
        if hold.seconds >= hold.prescription.target_seconds:
            holds[hold.prescription_id, hold.performed_at.astimezone(tz).date(), hold.side] += 1
    day = first
    while day <= last:
        for rx in prescriptions:
            if rx.start_date <= day and (rx.end_date is None or day < rx.end_date):
                sides = ["left", "right"] if rx.level.each_side else ["none"]
                per_side = rx.holds_per_side * rx.sessions_per_day
                expected += per_side * len(sides)
                done += sum(min(holds[rx.pk, day, side], per_side) for side in sides)
        day += timedelta(days=1)
    return done, expected


def mean_by_hand(patient, first, last, tz):
    scores = [
        pain.score
        for pain in PainScore.objects.filter(patient=patient).exclude(context="intake")
        if first <= pain.recorded_at.astimezone(tz).date() <= last
    ]
    return Fraction(sum(scores), len(scores)) if scores else None


def test_the_report_the_csv_the_record_and_the_patients_pages_agree(demo, today, clinic_tz):
    carol = demo["carol@example.com"]
    report = logged_in(carol).get(reverse("patients:report")).context["summaries"]
    table = list(
        csv.DictReader(
            io.StringIO(logged_in(carol).get(reverse("patients:report-csv")).content.decode())
        )
    )
    rows = {row["e-mail"]: row for row in table}
    assert len(report) == Patient.objects.filter(clinician=carol).count() == 4
    for summary in report:
        patient = summary.patient
        row = rows[patient.user.email]
        record = logged_in(carol).get(reverse("patients:patient-detail", args=[patient.pk]))
        on_record = record.context["summary"]
        yesterday = today - timedelta(days=1)
        for days in (7, 14, 28):
            done, expected = by_hand(patient, today - timedelta(days=days), yesterday, clinic_tz)
            assert (summary.adherence[days].done, summary.adherence[days].expected) == (
                done,
                expected,
            ), (patient, days)
            assert on_record.adherence[days] == summary.adherence[days]
            assert row[f"adherence {days} days %"] == str(summary.adherence[days].percent)
        assert row["holds done 14 days"] == str(summary.adherence[14].done)
        assert row["holds expected 14 days"] == str(summary.adherence[14].expected)
        done, expected = by_hand(patient, today, today, clinic_tz)
        assert (summary.today.done, summary.today.expected) == (done, expected)
        assert on_record.today == summary.today
        assert (row["today so far done"], row["today so far expected"]) == (
            str(done),
            str(expected),
        )
        current = mean_by_hand(patient, today - timedelta(days=6), today, clinic_tz)
        assert (summary.pain_current.value if summary.pain_current else None) == current
        assert on_record.pain_current == summary.pain_current
        assert on_record.pain_baseline == summary.pain_baseline
        assert row["pain current"] == (f"{float(current):.1f}" if current is not None else "")
        assert row["days with data (of 30)"] == str(summary.days_with_data)
        assert on_record.days_with_data == summary.days_with_data

        # The patient's own pages: the week, the month and today.
        own = logged_in(patient.user)
        week = own.get(reverse("patients:today")).context
        assert week["week"] == summary.adherence[7]
        assert week["today_so_far"] == summary.today
        history = own.get(reverse("patients:history")).context
        month_done, month_expected = by_hand(
            patient, today - timedelta(days=30), yesterday, clinic_tz
        )
        assert (history["month"].done, history["month"].expected) == (month_done, month_expected)
        assert record.context["summary"].month_total == history["month"]
        assert history["today_so_far"] == summary.today
