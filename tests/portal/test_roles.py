"""Who holds which role, and the menus each role sees."""

from django.urls import reverse

from portal import roles
from tests.factories import make_patient, make_user

REPORT_URL = reverse("patients:report")
TODAY_URL = reverse("patients:today")


def test_a_clinician_is_a_staff_member_of_the_clinicians_group(carol, unstaffed_clinician):
    assert roles.is_clinician(carol)
    assert not roles.is_clinician(unstaffed_clinician)


def test_a_content_editor_is_a_staff_member_of_the_editors_group(erin):
    unstaffed = make_user("words@example.com", role=roles.CONTENT_EDITORS, is_staff=False)
    assert roles.is_content_editor(erin)
    assert not roles.is_content_editor(unstaffed)


def test_a_clinicians_group_member_who_is_not_staff_reads_no_records(
    client, unstaffed_clinician, alice_patient
):
    # Not staff means no staff two-step login either, so no patient records.
    client.force_login(unstaffed_clinician)
    assert client.get(REPORT_URL).status_code == 403
    detail = reverse("patients:patient-detail", args=[alice_patient.pk])
    assert client.get(detail).status_code == 403
    assert client.get(reverse("home")).url == reverse("exercises:library")


def test_a_patient_profile_is_what_makes_a_patient(alice, alice_patient, bob):
    assert roles.has_patient_profile(alice)
    # Bob is in the patients' group but has no profile yet: the patient pages are not his.
    assert not roles.has_patient_profile(bob)


def menu(client):
    page = client.get(reverse("exercises:library")).content.decode()
    return {
        "patient": f'href="{TODAY_URL}"' in page,
        "report": f'href="{REPORT_URL}"' in page,
    }


def test_the_menu_offers_the_patient_pages_only_to_a_patient_with_a_profile(
    client, alice_patient, bob
):
    client.force_login(alice_patient.user)
    assert menu(client) == {"patient": True, "report": False}
    client.force_login(bob)
    assert menu(client) == {"patient": False, "report": False}


def test_the_menu_offers_the_report_to_clinical_staff_only(client, carol, ada, erin):
    for person, sees_report in ((carol, True), (ada, True), (erin, False)):
        client.force_login(person)
        assert menu(client) == {"patient": False, "report": sees_report}


def test_the_menu_follows_the_pages_of_a_staff_member_who_is_also_a_patient(client, carol, dave):
    make_patient(carol, dave)
    client.force_login(carol)
    assert menu(client) == {"patient": True, "report": True}
    assert client.get(TODAY_URL).status_code == 200


def test_a_patients_own_page_needs_no_query_for_its_menu(
    client, alice_patient, django_assert_max_num_queries
):
    client.force_login(alice_patient.user)
    with django_assert_max_num_queries(7) as queries:
        assert client.get(TODAY_URL).status_code == 200
    assert not any("auth_group" in query["sql"] for query in queries.captured_queries)
