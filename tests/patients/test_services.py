"""Writes to patient records: a repeat is answered with the stored row, and any other
refusal by the database is raised, with nothing saved."""

import uuid

import pytest
from django.db import IntegrityError

from patients.models import HoldLog
from portal.models import AuditEvent
from tests.factories import log_hold

pytestmark = pytest.mark.django_db


def test_a_repeat_gets_the_stored_hold_back(alice_rx):
    token = uuid.uuid4()
    first, created = log_hold(alice_rx, token=token)
    again, created_again = log_hold(alice_rx, token=token, seconds=45)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.seconds == 30
    assert HoldLog.objects.count() == 1
    assert AuditEvent.objects.filter(action="create").count() == 1


def test_another_refusal_is_raised_and_nothing_is_saved(alice_rx):
    with pytest.raises(IntegrityError):
        log_hold(alice_rx, token=uuid.uuid4(), seconds=0)
    assert HoldLog.objects.count() == 0
    assert not AuditEvent.objects.filter(action="create").exists()


def test_the_same_token_from_another_patient_is_another_hold(alice_rx, bob_rx):
    token = uuid.uuid4()
    log_hold(alice_rx, token=token)
    _, created = log_hold(bob_rx, token=token)
    assert created
    assert HoldLog.objects.count() == 2
