"""The portal's roles. A role is a Django group, created by a data migration.

Clinicians and content editors are staff accounts in their group, which is also what puts
them behind the staff two-step login: a member of their group who is not staff holds
neither role. A patient is an account with a patient profile (DESIGN), which is what
opens the patient pages.

Views ask these helpers instead of checking group names themselves, so the names live
in one place.
"""

PATIENTS = "Patients"
CLINICIANS = "Clinicians"
CONTENT_EDITORS = "Content editors"

ROLE_NAMES = (PATIENTS, CLINICIANS, CONTENT_EDITORS)


def role_names(user):
    """The names of the roles a user holds, looked up once per request."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_portal_role_names"):
        names = user.groups.filter(name__in=ROLE_NAMES).values_list("name", flat=True)
        user._portal_role_names = frozenset(names)
    return user._portal_role_names


def has_patient_profile(user):
    """Whether the patient pages open for this user: a patient is a user with a Patient
    profile. No query once an access helper has read the profile in this request."""
    return user.is_authenticated and hasattr(user, "patient")


def clinicians():
    """Every account that holds the clinician role."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=CLINICIANS, is_staff=True)


def is_clinician(user):
    return user.is_staff and CLINICIANS in role_names(user)


def is_content_editor(user):
    return user.is_staff and CONTENT_EDITORS in role_names(user)
