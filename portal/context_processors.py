from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal import roles
from portal.models import ClinicContact


def clinic(request):
    """The clinic's name, and its contact details for the pages that show them (read
    only by a page that does)."""
    return {
        "clinic_name": settings.PORTAL_CLINIC_NAME,
        "clinic_contact": SimpleLazyObject(ClinicContact.current),
    }


def user_roles(request):
    """Which menus to show, each worked out only when a page asks. The patient's menu
    follows the patient profile, which is what opens the patient pages; a patient's own
    pages have read it already, so they show their menu without a query."""
    user = request.user
    return {
        "is_patient": lambda: roles.has_patient_profile(user),
        "is_clinical_staff": lambda: user.is_superuser or roles.is_clinician(user),
        # Clinicians work in the clinic workspace; the admin is the library's and the
        # administrator's.
        "uses_the_admin": lambda: user.is_superuser or roles.is_content_editor(user),
    }
