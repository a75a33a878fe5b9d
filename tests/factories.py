"""Small, explicit builders for test data. Every test says what it needs."""

import uuid
from datetime import datetime, time, timedelta
from importlib import import_module

from django.contrib.auth.models import Group
from django.db.models import F, Q
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from exercises.models import Exercise, Level, Step
from patients import services
from patients.models import HoldLog, PainScore, Patient, Prescription
from portal import roles
from portal.models import User

PASSWORD = "correct horse battery staple"


def make_user(email, *, role=None, superuser=False, **fields):
    user = User.objects.create_user(
        email=email,
        password=PASSWORD,
        first_name=fields.pop("first_name", email.split("@")[0].title()),
        is_staff=fields.pop(
            "is_staff", superuser or role in (roles.CLINICIANS, roles.CONTENT_EDITORS)
        ),
        is_superuser=superuser,
        **fields,
    )
    if role:
        # get_or_create: browser tests run on a database flushed of what migrations installed.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def make_exercise(*, name="Hamstring stretch", slug=None, published=True, **fields):
    fields.setdefault("summary", "Loosens the back of the thigh.")
    fields.setdefault("body_region", Exercise.BodyRegion.HIP)
    fields.setdefault("education", "Tight hamstrings tug on the pelvis.")
    return Exercise.objects.create(
        name=name, slug=slug or name.lower().replace(" ", "-"), published=published, **fields
    )


def make_level(exercise, number=1, *, published=True, steps=("Lie down.", "Breathe."), **fields):
    fields.setdefault("title", f"Stage {number}")
    fields.setdefault("purpose", "Gets the muscle used to being stretched.")
    level = Level.objects.create(exercise=exercise, number=number, published=published, **fields)
    Step.objects.bulk_create(
        Step(level=level, order=order, text=text) for order, text in enumerate(steps, 1)
    )
    return level


def make_patient(user, clinician):
    return Patient.objects.create(user=user, clinician=clinician)


def make_prescription(patient, level, *, start_date, end_date=None, **dose):
    dose.setdefault("holds_per_side", 2)
    dose.setdefault("target_seconds", 30)
    dose.setdefault("sessions_per_day", 1)
    return Prescription.objects.create(
        patient=patient,
        level=level,
        exercise=level.exercise,
        start_date=start_date,
        end_date=end_date,
        prescribed_by=patient.clinician,
        **dose,
    )


def make_hold(prescription, *, at, side=HoldLog.Side.LEFT, seconds=None):
    seconds = prescription.target_seconds if seconds is None else seconds
    return HoldLog.objects.create(
        patient=prescription.patient,
        prescription=prescription,
        side=side,
        seconds=seconds,
        qualifying=prescription.target_met_by(seconds),
        performed_at=at,
    )


def log_hold(prescription, *, token=None, seconds=30):
    """A hold sent by the timer, through the service that stores it: (hold, created)."""
    return services.hold_log_create(
        patient=prescription.patient,
        prescription=prescription,
        side=HoldLog.Side.LEFT,
        seconds=seconds,
        performed_at=timezone.now(),
        client_token=token or uuid.uuid4(),
        source=HoldLog.Source.TIMER,
    )


def misjudged_holds():
    """Holds whose stored ``qualifying`` disagrees with their seconds and target."""
    target = F("prescription__target_seconds")
    return HoldLog.objects.filter(
        Q(qualifying=True, seconds__lt=target) | Q(qualifying=False, seconds__gte=target)
    )


def make_pain(patient, *, at, score=4, context=PainScore.Context.CHECK_IN, note=""):
    return PainScore.objects.create(
        patient=patient, score=score, context=context, recorded_at=at, note=note
    )


def make_intake(patient, clinician, *, at, score=5):
    """An intake pain score, as a clinician records it on the patient record."""
    return services.intake_pain_record(patient=patient, score=score, recorded_at=at, by=clinician)


def make_busy_clinic(clinician, level, *, patients, days, today, tz):
    """``patients`` patients of ``clinician`` on ``level`` for ``days`` days, each day with
    two holds and a pain score, written in bulk."""
    made = []
    for index in range(patients):
        email = f"{clinician.email.split('@')[0]}-patient-{index}@example.com"
        user = User.objects.create_user(email, first_name=f"Patient {index}")
        patient = make_patient(user, clinician)
        made.append(
            (patient, make_prescription(patient, level, start_date=today - timedelta(days=days)))
        )
    holds, pains = [], []
    for patient, prescription in made:
        for offset in range(days):
            moment = datetime.combine(today - timedelta(days=offset), time(9), tzinfo=tz)
            for side in (HoldLog.Side.LEFT, HoldLog.Side.RIGHT):
                holds.append(
                    HoldLog(
                        patient=patient,
                        prescription=prescription,
                        side=side,
                        seconds=prescription.target_seconds,
                        qualifying=True,
                        performed_at=moment,
                    )
                )
            pains.append(
                PainScore(
                    patient=patient,
                    score=offset % 8,
                    context=PainScore.Context.CHECK_IN,
                    recorded_at=moment,
                )
            )
    HoldLog.objects.bulk_create(holds, batch_size=2000)
    PainScore.objects.bulk_create(pains, batch_size=2000)
    return [patient for patient, _ in made]


def make_passkey(user, *, name="My phone"):
    """A stored passkey, for tests that only need one to exist (tests.soft_passkey makes
    one that signs)."""
    return WebAuthnCredential.objects.create(
        user=user, name=name, credential_id=uuid.uuid4().bytes, public_key=b"\xa0", aaguid=""
    )


def make_template(*levels, by, name="Low back"):
    return services.program_template_save(
        name=name, program=[services.Dose(level=level) for level in levels], by=by
    )


def install_shipped_program():
    """The psoas program as a new clinic gets it from the migrations (text, illustrations
    and safety wording), for tests whose database was emptied after the migrations ran
    (transactional browser tests). The psoas exercise must not be there yet."""
    from django.apps import apps

    for migration, function in [
        ("0002_psoas_program", "install_psoas_program"),
        ("0006_psoas_illustrations", "install"),
        ("0007_psoas_safety_wording", "forward"),
        ("0009_level_side_cue", "install"),
        ("0010_step_is_the_hold", "mark"),
    ]:
        getattr(import_module(f"exercises.migrations.{migration}"), function)(apps, None)
    return Exercise.objects.get(slug="psoas-stretch")
