"""Writes to patient records. Each is one function, keyword-only, in one transaction, and
each leaves its event in the audit trail."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exercises.models import Level
from patients.models import (
    HoldLog,
    MonitoringTime,
    PainScore,
    Prescription,
    new_calendar_token,
)
from portal import audit, invitations, roles
from portal.models import User


def _create_once(model, *, patient, client_token, **fields):
    """Create a row unless this patient already sent ``client_token``.

    Returns (row, created). A phone that retries after a lost response sends the same
    token again and gets the stored row back instead of a duplicate.
    """
    try:
        with transaction.atomic():
            row = model.objects.create(patient=patient, client_token=client_token, **fields)
            audit.record(audit.Action.CREATE, obj=row, patient=patient)
            return row, True
    except IntegrityError:
        # Sent before (a retry), or two copies of the same request raced and the other
        # one won. Any other integrity error has no row to find and is raised again.
        existing = model.objects.filter(patient=patient, client_token=client_token).first()
        if existing is None:
            raise
        return existing, False


def hold_log_create(*, patient, prescription, side, seconds, performed_at, client_token, source):
    return _create_once(
        HoldLog,
        patient=patient,
        client_token=client_token,
        prescription=prescription,
        side=side,
        seconds=seconds,
        qualifying=prescription.target_met_by(seconds),
        performed_at=performed_at,
        source=source,
    )


def pain_score_create(*, patient, score, context, recorded_at, note, client_token):
    return _create_once(
        PainScore,
        patient=patient,
        client_token=client_token,
        score=score,
        context=context,
        recorded_at=recorded_at,
        note=note,
    )


@transaction.atomic
def _correct(entry, **fields):
    """Change some fields of a patient's entry, and leave that in the audit trail."""
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save(update_fields=list(fields))
    audit.record(audit.Action.UPDATE, obj=entry, patient=entry.patient)
    return entry


@transaction.atomic
def _delete(entry):
    audit.record(audit.Action.DELETE, obj=entry, patient=entry.patient)
    entry.delete()


def hold_log_update(*, hold_log, side, seconds):
    return _correct(
        hold_log,
        side=side,
        seconds=seconds,
        qualifying=hold_log.prescription.target_met_by(seconds),
    )


def hold_log_delete(*, hold_log):
    _delete(hold_log)


def pain_score_update(*, pain_score, score, context, note):
    return _correct(pain_score, score=score, context=context, note=note)


def pain_score_delete(*, pain_score):
    _delete(pain_score)


@transaction.atomic
def intake_pain_record(*, patient, score, recorded_at, by):
    """The intake pain score a clinician records: the patient's pain baseline."""
    pain = PainScore.objects.create(
        patient=patient,
        score=score,
        context=PainScore.Context.INTAKE,
        recorded_at=recorded_at,
        recorded_by=by,
    )
    audit.record(audit.Action.CREATE, obj=pain, patient=patient)
    return pain


@transaction.atomic
def monitoring_time_log(*, patient, clinician, day, minutes, live_contact):
    entry = MonitoringTime.objects.create(
        patient=patient, clinician=clinician, day=day, minutes=minutes, live_contact=live_contact
    )
    audit.record(audit.Action.CREATE, obj=entry, patient=patient)
    return entry


@transaction.atomic
def monitoring_start_set(*, patient, monitoring_start):
    patient.monitoring_start = monitoring_start
    patient.save(update_fields=["monitoring_start"])
    audit.record(audit.Action.UPDATE, obj=patient, patient=patient)
    return patient


@transaction.atomic
def prescription_create(
    *,
    patient,
    level,
    prescribed_by,
    start_date,
    holds_per_side=2,
    target_seconds=None,
    sessions_per_day=1,
    end_date=None,
    notes="",
):
    prescription = Prescription(
        patient=patient,
        level=level,
        exercise_id=level.exercise_id,
        holds_per_side=holds_per_side,
        target_seconds=target_seconds or level.hold_min_seconds,
        sessions_per_day=sessions_per_day,
        start_date=start_date,
        end_date=end_date,
        notes=notes,
        prescribed_by=prescribed_by,
    )
    prescription.full_clean()
    prescription.save()
    audit.record(audit.Action.CREATE, obj=prescription, patient=patient)
    return prescription


@transaction.atomic
def prescription_progress(*, prescription, by, today):
    """End ``prescription`` today and start the exercise's next level with the same dose.

    Raises ValidationError, with a message for the clinician, when the prescription is
    no longer current, started today, or its level is the last one.
    """
    # Lock the prescription row only: the level it points to stays free for editors.
    current = (
        Prescription.objects.select_for_update(of=("self",))
        .select_related("level")
        .get(pk=prescription.pk)
    )
    if not current.is_active_on(today):
        raise ValidationError(
            "This prescription is no longer current; it may have been progressed already."
        )
    if current.start_date == today:
        raise ValidationError(
            "This prescription started today. Move the patient on from tomorrow, or end it "
            "in the administration if it was given by mistake."
        )
    next_level = current.level.next_in(Level.objects.published())
    if next_level is None:
        raise ValidationError(f"{current.level} is the last level of this exercise.")
    current.end_date = today
    current.save(update_fields=["end_date"])
    audit.record(audit.Action.UPDATE, obj=current, patient=current.patient)
    target = min(
        max(current.target_seconds, next_level.hold_min_seconds), next_level.hold_max_seconds
    )
    successor = Prescription(
        patient=current.patient,
        level=next_level,
        exercise_id=next_level.exercise_id,
        holds_per_side=current.holds_per_side,
        target_seconds=target,
        sessions_per_day=current.sessions_per_day,
        start_date=today,
        notes=current.notes,
        prescribed_by=by,
        progressed_from=current,
    )
    successor.full_clean()
    successor.save()
    audit.record(audit.Action.CREATE, obj=successor, patient=current.patient)
    return successor


@transaction.atomic
def prescription_update(*, prescription, end_date, notes):
    """What may change in a prescription once given: when it ends, and its notes."""
    prescription.end_date = end_date
    prescription.notes = notes
    prescription.full_clean()
    prescription.save(update_fields=["end_date", "notes"])
    audit.record(audit.Action.UPDATE, obj=prescription, patient=prescription.patient)
    return prescription


@transaction.atomic
def patient_invite(*, patient, first_name, last_name, email, by, now):
    """Open an account for a new patient and e-mail them a link to choose a password.

    ``patient`` is the unsaved record (its clinician chosen); the e-mail leaves only once
    everything is saved.
    """
    user = User.objects.create_user(
        email=email, password=None, first_name=first_name, last_name=last_name
    )
    user.groups.add(Group.objects.get(name=roles.PATIENTS))
    patient.user = user
    patient.save()
    audit.record(audit.Action.CREATE, obj=patient, patient=patient)
    invitations.invitation_send(user=user, clinician=patient.clinician, by=by, now=now)
    return patient


@transaction.atomic
def patient_settings_update(*, patient, reminders_on, reminder_time):
    patient.reminders_on = reminders_on
    patient.reminder_time = reminder_time
    patient.save(update_fields=["reminders_on", "reminder_time"])
    return patient


@transaction.atomic
def calendar_token_reset(*, patient):
    patient.calendar_token = new_calendar_token()
    patient.save(update_fields=["calendar_token"])
    return patient
