from django.conf import settings


def clinic(request):
    return {"clinic_name": settings.PORTAL_CLINIC_NAME}
