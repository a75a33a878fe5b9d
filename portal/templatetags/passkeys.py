from django import template
from django.conf import settings

from portal import passkeys

register = template.Library()


@register.inclusion_tag("registration/_passkey_sign_in.html", takes_context=True)
def passkey_sign_in(context, label, keep_field=""):
    """The "sign in with a passkey" button of the login, confirmation and code pages, or
    where passkeys work when this page is at another address."""
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "label": label,
        "keep_field": keep_field,
        "next": context.get("next") or "",
        "passkey_origin": settings.PORTAL_PASSKEY_ORIGIN,
        "at_passkey_origin": passkeys.is_at_passkey_origin(request),
    }
