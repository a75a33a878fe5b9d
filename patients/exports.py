"""What leaves the portal: a patient's own archive, and FHIR R4 for the clinic's systems."""

import io
import json
import uuid
import zipfile

from django.utils import timezone

from patients.models import HoldLog, PainScore, Prescription
from portal.csv_export import write_csv

LOINC_PAIN = {
    "system": "http://loinc.org",
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
SURVEY = {
    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
    "code": "survey",
    "display": "Survey",
}
# Stable ids for the bundle's entries, so that a clinic system re-importing an export
# recognises what it has seen before.
FHIR_NAMESPACE = uuid.UUID("0f6a1c3e-5b7d-4f2a-9c1e-2d3b4a5c6d7e")


def _stamp(moment):
    return timezone.localtime(moment).isoformat()


def archive_tables(patient):
    """Everything stored about ``patient``, table by table, as lists of plain dicts."""
    user = patient.user
    prescriptions = Prescription.objects.filter(patient=patient).select_related(
        "level__exercise", "prescribed_by"
    )
    holds = HoldLog.objects.filter(patient=patient)
    pains = PainScore.objects.filter(patient=patient)
    return {
        "profile": [
            {
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "clinician": patient.clinician.get_full_name() or "your clinician",
                "joined": _stamp(patient.created),
                "reminders_on": patient.reminders_on,
                "reminder_time": patient.reminder_time.strftime("%H:%M"),
            }
        ],
        "prescriptions": [
            {
                "id": rx.pk,
                "exercise": rx.level.exercise.name,
                "level": rx.level.number,
                "level_title": rx.level.title,
                "holds_per_side": rx.holds_per_side,
                "target_seconds": rx.target_seconds,
                "sessions_per_day": rx.sessions_per_day,
                "start_date": rx.start_date.isoformat(),
                "end_date": rx.end_date.isoformat() if rx.end_date else None,
                "notes": rx.notes,
                "prescribed_by": str(rx.prescribed_by),
            }
            for rx in prescriptions.order_by("start_date", "pk")
        ],
        "holds": [
            {
                "id": hold.pk,
                "prescription_id": hold.prescription_id,
                "side": hold.side,
                "seconds": hold.seconds,
                "performed_at": _stamp(hold.performed_at),
                "source": hold.source,
                "client_token": str(hold.client_token),
            }
            for hold in holds.order_by("performed_at", "pk")
        ],
        "pain_scores": [
            {
                "id": pain.pk,
                "score": pain.score,
                "context": pain.context,
                "recorded_at": _stamp(pain.recorded_at),
                "note": pain.note,
                "client_token": str(pain.client_token),
            }
            for pain in pains.order_by("recorded_at", "pk")
        ],
    }


TABLE_COLUMNS = {
    "profile": [
        "email", "first_name", "last_name", "clinician", "joined", "reminders_on", "reminder_time",
    ],
    "prescriptions": [
        "id", "exercise", "level", "level_title", "holds_per_side", "target_seconds",
        "sessions_per_day", "start_date", "end_date", "notes", "prescribed_by",
    ],
    "holds": ["id", "prescription_id", "side", "seconds", "performed_at", "source", "client_token"],
    "pain_scores": ["id", "score", "context", "recorded_at", "note", "client_token"],
}  # fmt: skip


def patient_archive(patient):
    """A zip of the patient's data: one JSON file with everything, and a CSV per table."""
    tables = archive_tables(patient)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("holdfast-data.json", json.dumps(tables, indent=2, ensure_ascii=False))
        for name, columns in TABLE_COLUMNS.items():
            text = io.StringIO()
            write_csv(text, columns, ([row[column] for column in columns] for row in tables[name]))
            archive.writestr(f"{name}.csv", text.getvalue())
    return buffer.getvalue()


def pain_bundle(patient, scores, *, now):
    """A FHIR R4 collection Bundle made at ``now``: the Patient, then one Observation per
    pain score."""
    patient_url = f"urn:uuid:{uuid.uuid5(FHIR_NAMESPACE, f'patient:{patient.pk}')}"
    user = patient.user
    entries = [
        {
            "fullUrl": patient_url,
            "resource": {
                "resourceType": "Patient",
                "id": f"holdfast-{patient.pk}",
                "name": [{"family": user.last_name, "given": [user.first_name]}]
                if user.last_name
                else [{"text": str(user)}],
                "telecom": [{"system": "email", "value": user.email}],
            },
        }
    ]
    for pain in scores:
        observation = {
            "resourceType": "Observation",
            "id": f"pain-{pain.pk}",
            "status": "final",
            "category": [{"coding": [SURVEY]}],
            "code": {"coding": [LOINC_PAIN], "text": "Pain severity (0-10)"},
            "subject": {"reference": patient_url, "display": str(user)},
            "effectiveDateTime": _stamp(pain.recorded_at),
            "valueInteger": pain.score,
        }
        if pain.note:
            observation["note"] = [{"text": pain.note}]
        entries.append(
            {
                "fullUrl": f"urn:uuid:{uuid.uuid5(FHIR_NAMESPACE, f'pain:{pain.pk}')}",
                "resource": observation,
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": entries,
    }
