from urllib.parse import urlsplit

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from portal import invitations, roles
from portal.clock import clinic_now


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    keep_signed_in = forms.BooleanField(
        label="Keep me signed in on this device",
        required=False,
        help_text="Only on a phone or computer of your own. Staff accounts are never kept.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Log in", css_class="btn-lg w-100"))


class ConfirmPasswordForm(forms.Form):
    """The password again, before what matters most (portal/sessions.py)."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", "Continue", css_class="btn-lg"))

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        # Through authenticate(), so that the lockout counts wrong passwords here too.
        confirmed = authenticate(self.request, username=user.email, password=password)
        if confirmed is None or confirmed.pk != user.pk:
            raise forms.ValidationError("That password is not right.")
        return password


class CrispyMixin:
    submit_label = "Save"
    form_tag = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = self.form_tag
        self.helper.add_input(Submit("submit", self.submit_label, css_class="btn-lg"))


class ResetRequestForm(CrispyMixin, PasswordResetForm):
    """A link to choose a new password; for a patient who never chose one, a fresh
    invitation instead (a reset has nothing to reset). Every address gets the same
    answer on the page."""

    submit_label = "Send me a link"

    def save(self, **kwargs):
        """The link in the e-mail is built from PORTAL_SITE_URL, never from the Host the
        request named (which whoever sends the request chooses)."""
        for user in self.never_signed_in(self.cleaned_data["email"]):
            invitations.invitation_send(
                user=user, clinician=user.patient.clinician, by=None, now=clinic_now()[0]
            )
        site = urlsplit(settings.PORTAL_SITE_URL)
        kwargs["domain_override"] = site.netloc
        kwargs["use_https"] = site.scheme == "https"
        return super().save(**kwargs)

    def never_signed_in(self, email):
        accounts = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return [
            user
            for user in accounts.select_related("patient__clinician")
            if not user.has_usable_password() and roles.has_patient_profile(user)
        ]


class ChoosePasswordForm(CrispyMixin, SetPasswordForm):
    submit_label = "Save my password"


class ChangePasswordForm(CrispyMixin, PasswordChangeForm):
    submit_label = "Change my password"
