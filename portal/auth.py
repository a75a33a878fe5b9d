from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def login_username(request, credentials):
    """The e-mail address a login attempt is for, as stored: lockouts must not be dodged by
    typing the same address in other letter case."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return raw.strip().lower()


class PortalBackend(ModelBackend):
    """Django's model backend, which also reads a logged-in user's patient profile in the
    query that loads them on each request.

    Every page asks whether its visitor is a patient (for the menu), and every page of a
    patient's own needs their profile, so the profile comes with the user instead of in a
    query of its own. A user without one has that fact kept as well.
    """

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("patient").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
