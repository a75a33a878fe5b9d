from django.conf import settings

from portal import roles


def clinic(request):
    return {"clinic_name": settings.PORTAL_CLINIC_NAME}


def user_roles(request):
    """Which menus to show, each worked out only when a page asks. The patient's menu
    follows the patient profile, which is what opens the patient pages; a patient's own
    pages have read it already, so they show their menu without a query."""
    user = request.user
    return {
        "is_patient": lambda: roles.has_patient_profile(user),
        "is_clinical_staff": lambda: user.is_superuser or roles.is_clinician(user),
    }
