"""The admin refuses list filters on secret fields, which would read a secret a
character at a time (?calendar_token__startswith=a)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from portal.admin import HardenedAdminMixin

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changelist", "lookup"),
    [
        ("admin:patients_patient_changelist", "calendar_token__startswith"),
        ("admin:patients_patient_changelist", "user__password__startswith"),
        ("admin:portal_user_changelist", "password__startswith"),
        ("admin:otp_totp_totpdevice_changelist", "key__startswith"),
        ("admin:patients_painscore_changelist", "patient__calendar_token__startswith"),
    ],
)
def test_a_lookup_on_a_secret_is_refused(client, ada, alice_rx, changelist, lookup):
    client.force_login(ada)
    response = client.get(reverse(changelist), {lookup: "a"})
    assert response.status_code == 400


def test_ordinary_filters_still_work(client, ada, alice_rx):
    client.force_login(ada)
    response = client.get(
        reverse("admin:patients_patient_changelist"),
        {"clinician__id__exact": alice_rx.patient.clinician_id},
    )
    assert response.status_code == 200


def test_every_admin_is_hardened():
    plain = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, HardenedAdminMixin)
    ]
    assert plain == []


@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("admin:patients_painscore_changelist", "export_csv"),
        ("admin:patients_holdlog_changelist", "export_csv"),
        ("admin:portal_user_changelist", "delete_selected"),
        ("admin:exercises_level_changelist", "delete_selected"),
        ("admin:auth_group_changelist", "delete_selected"),
        ("admin:otp_totp_totpdevice_changelist", "delete_selected"),
        ("admin:axes_accessattempt_changelist", "delete_selected"),
    ],
)
def test_an_action_on_a_selection_that_is_not_ids_is_a_400(client, ada, changelist, action):
    client.force_login(ada)
    response = client.post(reverse(changelist), {"action": action, "_selected_action": ["abc"]})
    assert response.status_code == 400
