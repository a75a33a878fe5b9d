from django.conf import settings

from portal import roles


def clinic(request):
    return {"clinic_name": settings.PORTAL_CLINIC_NAME}


def user_roles(request):
    """Which menus to show. The checks are lazy, and share one query per request."""
    user = request.user
    return {
        "is_patient": lambda: roles.is_patient(user),
        "is_clinical_staff": lambda: user.is_superuser or roles.is_clinician(user),
    }
