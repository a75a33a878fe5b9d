"""Reminders: the patients' daily e-mail and the clinicians' weekly digest.

`manage.py send_reminders` runs from cron every 15 minutes. It is idempotent: what it
sends is recorded (ReminderSent) and never sent twice for the same day or week. It
queues the e-mails (portal/mail.py), which the task worker sends and, if the mail
server is down, tries again. The
patient's e-mail says only that the stretches are waiting; the digest names patients and
their flags, nothing more.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse

from patients import adherence, summaries
from patients.models import Patient, ReminderSent
from portal import mail, roles
from portal.clock import day_start, local_date

DIGEST_HOUR = 8


def _send_once(recipient, kind, day, *, subject, body):
    """Queue unless already queued for this day: the record and the queued e-mail stand
    or fall together."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(recipient=recipient, kind=kind, day=day)
            mail.send_later(to=recipient.email, subject=subject, body=body, automatic=True)
    except IntegrityError:
        return False
    return True


def patients_to_remind(*, now, tz):
    """Patients whose chosen time has passed today and whose program is not yet done."""
    local = now.astimezone(tz)
    today = local.date()
    due = Patient.objects.filter(
        reminders_on=True, reminder_time__lte=local.time(), user__is_active=True
    ).select_related("user")
    already = ReminderSent.objects.filter(kind=ReminderSent.Kind.PATIENT, day=today)
    due = list(due.exclude(user__in=already.values("recipient")))
    daily = adherence.daily_adherence(
        patient_ids=[patient.pk for patient in due],
        start=today,
        end=today + timedelta(days=1),
        tz=tz,
    )
    return [
        patient
        for patient in due
        if (result := daily.get(patient.pk, {}).get(today)) is not None
        and result.has_program
        and not adherence.is_complete(result)
    ]


def send_patient_reminders(*, now, tz, site_url):
    today = local_date(now, tz)
    sent = 0
    for patient in patients_to_remind(now=now, tz=tz):
        context = {"patient": patient, "clinic_name": settings.PORTAL_CLINIC_NAME, "link": site_url}
        sent += _send_once(
            patient.user,
            ReminderSent.Kind.PATIENT,
            today,
            subject=f"{settings.PORTAL_CLINIC_NAME}: your stretches are waiting",
            body=render_to_string("patients/email/reminder.txt", context),
        )
    return sent


def send_clinician_digests(*, now, tz, site_url):
    """On Monday from 08:00, each clinician's flagged patients: names and flags only.

    One reading of the summaries for all the clinicians still due this week."""
    today = local_date(now, tz)
    monday = today - timedelta(days=today.weekday())
    if now < day_start(monday, tz) + timedelta(hours=DIGEST_HOUR):
        return 0
    already = ReminderSent.objects.filter(kind=ReminderSent.Kind.DIGEST, day=monday)
    due = list(
        roles.clinicians().filter(is_active=True).exclude(pk__in=already.values("recipient"))
    )
    if not due:
        return 0
    flagged = defaultdict(list)
    for summary in summaries.patient_summaries(
        patients=Patient.objects.filter(clinician__in=due).with_people(),
        as_of=today,
        today=today,
        tz=tz,
    ):
        if summary.flags:
            flagged[summary.patient.clinician_id].append(summary)
    sent = 0
    for clinician in due:
        if not flagged[clinician.pk]:
            continue
        count = len(flagged[clinician.pk])
        context = {
            "clinician": clinician,
            "flagged": flagged[clinician.pk],
            "clinic_name": settings.PORTAL_CLINIC_NAME,
            "link": site_url.rstrip("/") + reverse("patients:report"),
        }
        sent += _send_once(
            clinician,
            ReminderSent.Kind.DIGEST,
            monday,
            subject=(
                f"{settings.PORTAL_CLINIC_NAME}: {count} patient{pluralize(count)} to look at "
                "this week"
            ),
            body=render_to_string("patients/email/digest.txt", context),
        )
    return sent
