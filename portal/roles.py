"""The portal's roles. A role is a Django group, created by a data migration.

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


def is_patient(user):
    return PATIENTS in role_names(user)


def is_clinician(user):
    return CLINICIANS in role_names(user)


def is_content_editor(user):
    return CONTENT_EDITORS in role_names(user)
