"""Plausible history for the demo patients, so that every page has something to show.

Deterministic: each day's entries come from a random generator seeded with the patient
and the date, and carry tokens derived from the same, so running the seed again (even on
a later day) adds only the days that are missing.
"""

import random
import uuid
from datetime import datetime, time, timedelta

from patients.models import HoldLog, PainScore

DEMO_NAMESPACE = uuid.UUID("6f1d9a52-2f4e-4c53-9a55-0c8f7a1f3d10")

DEMO_NOTES = [
    "Stiff after a long drive.",
    "Slept badly, back felt tight in the morning.",
    "Easier today, the stretch felt good.",
    "Sat at my desk most of the day.",
]


def token(*parts):
    return uuid.uuid5(DEMO_NAMESPACE, ":".join(str(part) for part in parts))


def history_seed(
    *, patient, prescription, today, tz, pain_from, pain_to, skip_chance, quiet_days=0
):
    """Fill [prescription start, today - quiet_days) with holds and pain scores; return
    the number of rows added."""
    start = prescription.start_date
    span = max((today - start).days - quiet_days, 1)
    holds, pains = [], []
    for offset in range(span):
        day = start + timedelta(days=offset)
        # Demo data, not a secret: a predictable generator is the point.
        rng = random.Random(f"{patient.user.email}:{day.isoformat()}")  # noqa: S311  # nosec B311
        at = datetime.combine(day, time(hour=rng.choice([7, 8, 12, 18, 20])), tzinfo=tz)
        trend = pain_from + (pain_to - pain_from) * offset / span
        score = max(0, min(10, round(trend + rng.uniform(-1, 1))))
        if rng.random() < 0.85:
            note = rng.choice(DEMO_NOTES) if rng.random() < 0.2 else ""
            pains.append(
                PainScore(
                    patient=patient,
                    score=score,
                    context=PainScore.Context.CHECK_IN,
                    recorded_at=at - timedelta(minutes=5),
                    note=note,
                    client_token=token(patient.pk, day, "pain"),
                )
            )
        if rng.random() < skip_chance:
            continue
        # A patient who never skips a day rarely cuts one short either.
        rounds = prescription.holds_per_side if rng.random() >= min(0.2, skip_chance) else 1
        plan = [(number, side) for number in range(rounds) for side in prescription.sides]
        for index, (number, side) in enumerate(plan):
            seconds = prescription.target_seconds
            if rng.random() < min(0.1, skip_chance):
                seconds = max(1, seconds - rng.randint(5, 15))
            holds.append(
                HoldLog(
                    patient=patient,
                    prescription=prescription,
                    side=side,
                    seconds=seconds,
                    qualifying=prescription.target_met_by(seconds),
                    performed_at=at + timedelta(minutes=2 * index),
                    client_token=token(patient.pk, day, "hold", number, side),
                    source=HoldLog.Source.TIMER,
                )
            )
    return _insert_missing(HoldLog, patient, holds) + _insert_missing(PainScore, patient, pains)


def _insert_missing(model, patient, rows):
    known = set(model.objects.filter(patient=patient).values_list("client_token", flat=True))
    missing = [row for row in rows if row.client_token not in known]
    model.objects.bulk_create(missing)
    return len(missing)
