"""The only way views reach patient data.

A record that is not yours is a 404, exactly like a record that does not exist, so an id
reveals nothing about who else uses the portal.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from patients.models import HoldLog, PainScore, Patient, Prescription
from portal import roles


def patient_for_user(user):
    """The logged-in user's own patient record; 404 for anyone who is not a patient. No
    query on a request: the login backend reads the profile with the user."""
    if not user.is_authenticated:
        raise Http404
    try:
        return user.patient
    except Patient.DoesNotExist:
        raise Http404 from None


def patients_visible_to(user):
    """The patients whose records ``user`` may read as staff."""
    if user.is_superuser:
        return Patient.objects.all()
    if roles.is_clinician(user):
        return Patient.objects.filter(clinician=user)
    return Patient.objects.none()


def prescription_for_user(user, pk):
    """One of the logged-in patient's own prescriptions, with its level (one query); 404
    for anyone else's, and for anyone who is not a patient."""
    patient = patient_for_user(user)
    prescription = get_object_or_404(Prescription.objects.with_level(), patient=patient, pk=pk)
    prescription.patient = patient
    return prescription


def current_prescription_of(user, level, day):
    """The user's own prescription of ``level`` on ``day``, for the level page's Start
    button; None for anyone who is not a patient or is not doing that level."""
    if not roles.has_patient_profile(user):
        return None
    return Prescription.objects.filter(patient=user.patient, level=level).active_on(day).first()


def hold_log_for_patient(patient, pk):
    return get_object_or_404(
        HoldLog.objects.select_related("prescription__level__exercise"), patient=patient, pk=pk
    )


def pain_score_for_patient(patient, pk):
    return get_object_or_404(PainScore, patient=patient, pk=pk)


def require_clinical_staff(user):
    """Clinicians and administrators read patients' records; nobody else does."""
    if not (user.is_superuser or roles.is_clinician(user)):
        raise PermissionDenied("Only clinicians and administrators can see patients' records.")


def patient_for_staff(user, pk):
    """A patient of this clinician (any patient for an administrator), else 404."""
    require_clinical_staff(user)
    return get_object_or_404(patients_visible_to(user).with_people(), pk=pk)
