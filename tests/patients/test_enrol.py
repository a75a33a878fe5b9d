"""Enrolling a patient with a first program in one save, and inviting them again."""

import re

import pytest
from django.urls import reverse

from patients.models import Patient, Prescription
from portal.models import AuditEvent, Invitation, User
from tests.factories import make_exercise, make_level

pytestmark = pytest.mark.django_db

ENROL = reverse("patients:enrol")


@pytest.fixture
def calf(db):
    return make_level(
        make_exercise(name="Calf stretch"), 1, hold_min_seconds=20, hold_max_seconds=40
    )


def program(*rows):
    """The program rows of the form: (level, holds, seconds, sessions, note) each."""
    data = {"program-TOTAL_FORMS": "3", "program-INITIAL_FORMS": "0"}
    for index, (level, holds, seconds, sessions, note) in enumerate(rows):
        data |= {
            f"program-{index}-level": str(level.pk) if level else "",
            f"program-{index}-holds_per_side": str(holds),
            f"program-{index}-target_seconds": str(seconds or ""),
            f"program-{index}-sessions_per_day": str(sessions),
            f"program-{index}-notes": note,
        }
    return data


def nina(clinician, **changes):
    return {
        "first_name": "Nina",
        "last_name": "Novak",
        "email": "Nina@Example.com",
        "phone": "+1 416 555 0142",
        "clinician": str(clinician.pk),
    } | changes


class TestEnrolling:
    def test_one_save_makes_the_account_the_record_the_program_and_the_invitation(
        self,
        carol_client,
        carol,
        level_1,
        calf,
        today,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        data = nina(carol) | program(
            (level_1, 3, 45, 2, "Breathe out into it."), (calf, 2, None, 1, "")
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = carol_client.post(ENROL, data)
        patient = Patient.objects.get(user__email="nina@example.com")
        assert response.url == reverse("patients:patient-detail", args=[patient.pk])
        assert (patient.clinician, patient.phone) == (carol, "+1 416 555 0142")
        assert not patient.user.has_usable_password()
        first, second = Prescription.objects.filter(patient=patient).order_by(
            "level__exercise__name"
        )
        assert (second.level, second.holds_per_side, second.target_seconds) == (level_1, 3, 45)
        assert (second.sessions_per_day, second.notes, second.start_date) == (
            2,
            "Breathe out into it.",
            today,
        )
        assert (first.level, first.target_seconds) == (calf, 20)
        assert Invitation.objects.get(user=patient.user).sent_by == carol
        (mail,) = mailoutbox
        assert mail.to == ["nina@example.com"]
        assert "/accounts/welcome/" in mail.body
        created = AuditEvent.objects.filter(patient=patient, action=AuditEvent.Action.CREATE)
        assert created.count() == 3

    def test_the_form_starts_with_the_clinician_themselves(self, carol_client, carol, dave):
        page = carol_client.get(ENROL).content.decode()
        assert re.search(rf'<option value="{carol.pk}"[^>]*selected', page)

    def test_a_used_address_is_refused_and_nothing_is_saved(
        self, carol_client, carol, alice, level_1, mailoutbox
    ):
        data = nina(carol, email="ALICE@example.com") | program((level_1, 2, None, 1, ""))
        response = carol_client.post(ENROL, data)
        assert response.status_code == 400
        assert "already has an account" in response.content.decode()
        assert not Patient.objects.exists()
        assert not mailoutbox

    def test_a_hold_outside_the_levels_range_is_refused_with_its_range(
        self, carol_client, carol, calf
    ):
        response = carol_client.post(ENROL, nina(carol) | program((calf, 2, 90, 1, "")))
        assert response.status_code == 400
        assert "Choose a hold of 20–40 seconds for this level." in response.content.decode()
        assert not User.objects.filter(email="nina@example.com").exists()

    def test_one_exercise_twice_is_refused(self, carol_client, carol, level_1, level_2):
        data = nina(carol) | program((level_1, 2, None, 1, ""), (level_2, 2, None, 1, ""))
        response = carol_client.post(ENROL, data)
        assert response.status_code == 400
        assert "Choose each exercise once" in response.content.decode()
        assert not Patient.objects.exists()

    def test_a_patient_may_be_enrolled_before_their_program(self, carol_client, carol):
        response = carol_client.post(ENROL, nina(carol) | program())
        assert response.status_code == 302
        assert Patient.objects.get().prescriptions.count() == 0

    def test_a_patient_enrolled_for_a_colleague_lands_the_clinician_on_the_report(
        self, carol_client, dave, level_1
    ):
        response = carol_client.post(ENROL, nina(dave) | program((level_1, 2, None, 1, "")))
        assert response.url == reverse("patients:report")
        assert Patient.objects.get().clinician == dave

    @pytest.mark.parametrize("phone", ["call me", "12", "+1 416 555 0142 ext. 9"])
    def test_a_phone_number_that_is_not_one_is_refused(self, carol_client, carol, phone):
        response = carol_client.post(ENROL, nina(carol, phone=phone) | program())
        assert response.status_code == 400
        assert "Use digits, spaces and + ( ) - only" in response.content.decode()


class TestInvitingAgain:
    def test_the_record_shows_where_the_invitation_stands_and_sends_a_new_one(
        self, carol_client, carol, level_1, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            carol_client.post(ENROL, nina(carol) | program((level_1, 2, None, 1, "")))
        patient = Patient.objects.get()
        record = reverse("patients:patient-detail", args=[patient.pk])
        page = carol_client.get(record).content.decode()
        assert "Account not set up" in page
        assert "not opened yet" in page
        old_link = re.search(r"https?://\S+", mailoutbox[0].body).group(0)
        with django_capture_on_commit_callbacks(execute=True):
            response = carol_client.post(reverse("patients:invitation-resend", args=[patient.pk]))
        assert response.url == record
        assert Invitation.objects.filter(user=patient.user).count() == 2
        carol_client.logout()
        stale = carol_client.get(old_link, follow=True).content.decode()
        assert "This link no longer works" in stale

    def test_the_report_shows_who_has_not_set_up_their_account(
        self, carol_client, carol, alice_rx, level_1
    ):
        carol_client.post(ENROL, nina(carol) | program((level_1, 2, None, 1, "")))
        page = carol_client.get(reverse("patients:report")).content.decode()
        assert page.count("not opened yet") == 1
        row = page[page.index(">Nina Novak<") :]
        assert row.index("not opened yet") < row.index("</th>")

    def test_an_active_account_is_not_invited_again(self, carol_client, alice_patient, mailoutbox):
        url = reverse("patients:invitation-resend", args=[alice_patient.pk])
        assert carol_client.post(url).status_code == 302
        assert not Invitation.objects.exists()
        assert (
            "Account not set up"
            not in carol_client.get(
                reverse("patients:patient-detail", args=[alice_patient.pk])
            ).content.decode()
        )

    def test_another_clinicians_patient_is_a_404(self, client, dave, alice_patient):
        client.force_login(dave)
        url = reverse("patients:invitation-resend", args=[alice_patient.pk])
        assert client.post(url).status_code == 404
        assert not Invitation.objects.exists()
