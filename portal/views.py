from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import roles


def home(request):
    """Each role's starting page."""
    user = request.user
    if roles.is_patient(user) and hasattr(user, "patient"):
        return redirect("patients:today")
    if user.is_superuser or roles.is_clinician(user):
        return redirect("patients:report")
    if roles.is_content_editor(user):
        return redirect("admin:index")
    return redirect("exercises:library")


@login_not_required
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the real one."""
    return redirect(static("favicon.svg"), permanent=True)


@login_not_required
@require_GET
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
