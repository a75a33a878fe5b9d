"""The audit trail: one event per create, change or deletion of a clinical record, and per
time staff view or export a patient's records.

Who and from where come from the request being served (set by AuditContextMiddleware);
what comes from the caller. Work done outside a request (the demo seed, a management
command) is recorded with no actor.
"""

from contextvars import ContextVar

from django.db import connection

from portal.client_address import client_address
from portal.clock import clinic_now
from portal.models import AuditEvent

_current = ContextVar("portal_audit_request", default=None)

_COLUMNS = "actor_id, patient_id, action, object_type, object_id, at, ip"
_SELECT = "SELECT %s, id, %s, 'Patient', CAST(id AS VARCHAR(40)), %s, %s"


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


def _who_and_where():
    request = _current.get()
    if request is None:
        return None, None
    user = request.user if request.user.is_authenticated else None
    return user, client_address(request)


def _event(action, obj, patient, actor, ip, object_type=None):
    return AuditEvent(
        actor=actor,
        patient=patient,
        action=action,
        object_type=object_type or (type(obj).__name__ if obj is not None else "Patient"),
        object_id=str(obj.pk) if obj is not None else str(patient.pk),
        ip=ip,
    )


def record(action, *, obj=None, patient, object_type=None):
    """One event about ``obj`` (or about the patient's record as a whole, or a part of it
    that ``object_type`` names)."""
    actor, ip = _who_and_where()
    _event(action, obj, patient, actor, ip, object_type).save()


def record_many(action, *, patients):
    """The same event about several patients' records (a report, an export).

    One INSERT ... SELECT, whatever the number of patients: a report of 2,000 patients
    must not cost 2,000 rows' worth of round trips.
    """
    ids = sorted({patient.pk for patient in patients})
    if not ids:
        return
    actor, ip = _who_and_where()
    table = AuditEvent._meta.db_table
    source = AuditEvent._meta.get_field("patient").related_model._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    # Table names come from the models; every value travels as a parameter.
    sql = f"INSERT INTO {table} ({_COLUMNS}) {_SELECT} FROM {source} WHERE id IN ({marks})"  # noqa: S608
    params = [actor.pk if actor else None, action, clinic_now()[0], ip, *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


Action = AuditEvent.Action
