"""Writes to patient records. Each is one function, keyword-only, in one transaction, and
each leaves its event in the audit trail."""

from dataclasses import dataclass, replace
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exercises.models import Level
from patients.models import (
    EVERY_DAY,
    HoldLog,
    MonitoringTime,
    PainScore,
    Patient,
    Prescription,
    ProgramPause,
    ProgramTemplate,
    ProgramTemplateItem,
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


@dataclass(frozen=True)
class Dose:
    """One level of an exercise and how much of it: what a prescription prescribes."""

    level: Level
    holds_per_side: int = 2
    # None: the level's shortest hold.
    target_seconds: int | None = None
    sessions_per_day: int = 1
    weekdays: int = EVERY_DAY
    # None: the level's.
    get_ready_seconds: int | None = None
    rest_seconds: int | None = None
    notes: str = ""

    def terms(self):
        level = self.level
        return {
            "level": level,
            "holds_per_side": self.holds_per_side,
            "target_seconds": self.target_seconds or level.hold_min_seconds,
            "sessions_per_day": self.sessions_per_day,
            "weekdays": self.weekdays,
            "get_ready_seconds": _or(self.get_ready_seconds, level.get_ready_seconds),
            "rest_seconds": _or(self.rest_seconds, level.rest_seconds),
            "notes": self.notes,
        }

    @classmethod
    def of(cls, prescription):
        """The Dose of a prescription, or of a ProgramTemplateItem (the same terms)."""
        return cls(
            level=prescription.level,
            holds_per_side=prescription.holds_per_side,
            target_seconds=prescription.target_seconds,
            sessions_per_day=prescription.sessions_per_day,
            weekdays=prescription.weekdays,
            get_ready_seconds=prescription.get_ready_seconds,
            rest_seconds=prescription.rest_seconds,
            notes=prescription.notes,
        )


def _or(value, default):
    """``value``, or ``default`` when it is None (a rest of 0 seconds is a choice)."""
    return default if value is None else value


@transaction.atomic
def prescription_create(*, patient, dose, prescribed_by, start_date, end_date=None):
    prescription = Prescription(
        patient=patient,
        exercise_id=dose.level.exercise_id,
        start_date=start_date,
        end_date=end_date,
        prescribed_by=prescribed_by,
        **dose.terms(),
    )
    prescription.full_clean()
    prescription.save()
    audit.record(audit.Action.CREATE, obj=prescription, patient=patient)
    return prescription


def program_check(program):
    """Raises ValidationError unless ``program`` (Doses) names each exercise once, at
    levels that are published: what a patient may be given."""
    exercises = [dose.level.exercise_id for dose in program]
    if len(exercises) != len(set(exercises)):
        raise ValidationError("Choose each exercise once, at one level.")
    published = set(
        Level.objects.published()
        .filter(pk__in=[dose.level.pk for dose in program])
        .values_list("pk", flat=True)
    )
    for dose in program:
        if dose.level.pk not in published:
            raise ValidationError(
                f"{dose.level} is not published any more; choose another level, or edit the "
                "template that names it."
            )


@transaction.atomic
def program_extend(*, patient, program, by, today):
    """Prescriptions of several exercises from today, one per Dose, in one save."""
    program_check(program)
    return [
        prescription_create(patient=patient, dose=dose, prescribed_by=by, start_date=today)
        for dose in program
    ]


def program_of(template):
    """A ProgramTemplate's stretches as Doses, in its order."""
    return [Dose.of(item) for item in template.items.select_related("level__exercise")]


@transaction.atomic
def program_template_save(*, name, program, by, template=None):
    """A template of the clinic's (``template`` rewritten, or a new one) with the
    stretches of ``program``. Programs already given from it stay as they were."""
    program_check(program)
    if not program:
        raise ValidationError("A template needs at least one stretch.")
    template = template or ProgramTemplate(created_by=by)
    template.name = name
    template.full_clean()
    template.save()
    template.items.all().delete()
    ProgramTemplateItem.objects.bulk_create(
        ProgramTemplateItem(template=template, order=order, **dose.terms())
        for order, dose in enumerate(program)
    )
    return template


def prescription_change_check(*, prescription, dose, today):
    """Raises ValidationError, with a message for the clinician, unless ``dose`` may
    replace ``prescription`` from today (what prescription_change and its preview ask)."""
    if not prescription.is_active_on(today):
        raise ValidationError(
            "This prescription is no longer current; it may have been changed already."
        )
    if dose.level.exercise_id != prescription.exercise_id:
        raise ValidationError("Choose a level of the same exercise, or add the other exercise.")
    if all(getattr(prescription, field) == value for field, value in dose.terms().items()):
        raise ValidationError("Nothing changed: the dose and the level are as they were.")


@transaction.atomic
def prescription_change(*, prescription, dose, by, today):
    """A new dose, or another level of the same exercise, from today: the prescription
    that applies from today.

    The current prescription ends today and a new one, which names it as the one it
    replaced, starts today; the holds done today before the change count for the new
    one (adherence.held), so history stays whole and today's progress stays. A
    prescription that started today and has no holds yet is corrected in place instead.
    Raises ValidationError, with a message for the clinician, when the prescription is
    no longer current, the level is another exercise's or nothing changed.
    """
    # Lock the prescription row only: the level it points to stays free for editors.
    current = (
        Prescription.objects.select_for_update(of=("self",))
        .select_related("level", "patient")
        .get(pk=prescription.pk)
    )
    prescription_change_check(prescription=current, dose=dose, today=today)
    terms = dose.terms()
    patient = current.patient
    if current.start_date == today and not current.hold_logs.exists():
        for field, value in terms.items():
            setattr(current, field, value)
        current.prescribed_by = by
        current.full_clean()
        current.save()
        audit.record(audit.Action.UPDATE, obj=current, patient=patient)
        return current
    current.end_date = today
    current.save(update_fields=["end_date"])
    audit.record(audit.Action.UPDATE, obj=current, patient=patient)
    successor = Prescription(
        patient=patient,
        exercise_id=current.exercise_id,
        start_date=today,
        prescribed_by=by,
        progressed_from=current,
        **terms,
    )
    successor.full_clean()
    successor.save()
    audit.record(audit.Action.CREATE, obj=successor, patient=patient)
    return successor


def prescription_progress(*, prescription, by, today):
    """The exercise's next level, with the same dose (the hold kept within the new
    level's range), from today. Raises ValidationError when there is no next level, or
    as prescription_change does."""
    next_level = prescription.level.next_in(Level.objects.published())
    if next_level is None:
        raise ValidationError(f"{prescription.level} is the last level of this exercise.")
    target = min(
        max(prescription.target_seconds, next_level.hold_min_seconds), next_level.hold_max_seconds
    )
    dose = replace(Dose.of(prescription), level=next_level, target_seconds=target)
    return prescription_change(prescription=prescription, dose=dose, by=by, today=today)


@transaction.atomic
def prescription_end(*, prescription, today):
    """The prescription applies through today and no longer after: today's holds still
    count, and nothing is asked of the patient from tomorrow."""
    current = Prescription.objects.select_for_update(of=("self",)).get(pk=prescription.pk)
    if not current.is_active_on(today):
        raise ValidationError("This prescription has ended already.")
    current.end_date = today + timedelta(days=1)
    current.save(update_fields=["end_date"])
    audit.record(audit.Action.UPDATE, obj=current, patient=prescription.patient)
    return current


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
def patient_enrol(*, first_name, last_name, email, phone, clinician, program, by, today, now):
    """A new patient and their first program, in one save: the account, the record, a
    prescription from today for each Dose of ``program``, and the invitation, which
    leaves once all of it is saved."""
    patient = patient_invite(
        patient=Patient(clinician=clinician, phone=phone),
        first_name=first_name,
        last_name=last_name,
        email=email,
        by=by,
        now=now,
    )
    program_extend(patient=patient, program=program, by=by, today=today)
    return patient


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


@transaction.atomic
def program_pause(*, patient, reason, by, today):
    """The patient's whole program paused from today until it is resumed: nothing is
    expected of them meanwhile."""
    if ProgramPause.objects.filter(patient=patient, end_date__isnull=True).exists():
        raise ValidationError("The program is paused already.")
    pause = ProgramPause(patient=patient, start_date=today, reason=reason, by=by)
    pause.full_clean()
    pause.save()
    audit.record(audit.Action.CREATE, obj=pause, patient=patient)
    return pause


@transaction.atomic
def program_resume(*, patient, today):
    """The program applies again from today. A pause begun today is undone."""
    pause = (
        ProgramPause.objects.select_for_update()
        .filter(patient=patient, end_date__isnull=True)
        .first()
    )
    if pause is None:
        raise ValidationError("The program is not paused.")
    if pause.start_date >= today:
        audit.record(audit.Action.DELETE, obj=pause, patient=patient)
        pause.delete()
        return None
    pause.end_date = today
    pause.save(update_fields=["end_date"])
    audit.record(audit.Action.UPDATE, obj=pause, patient=patient)
    return pause
