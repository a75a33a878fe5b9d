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
from django.template.loader import render_to_string
from django_tasks import task

from portal import invitations, mail, roles
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
    answer on the page, in the same time: the request only queues the address, and the
    worker looks it up (password_reset_mail)."""

    submit_label = "Send me a link"
    subject_template_name = "registration/reset_subject.txt"
    email_template_name = "registration/reset_email.txt"

    def save(self, **kwargs):
        """Queue the address; whatever the view passes is decided here, by the worker."""
        password_reset_mail.enqueue(email=self.cleaned_data["email"])

    def deliver(self):
        """Send what the address is owed; False if a message did not leave. The link is
        built from PORTAL_SITE_URL, never from the Host the request named (which whoever
        sends the request chooses)."""
        self.delivered = True
        for user in self.never_signed_in(self.cleaned_data["email"]):
            invitations.invitation_send(
                user=user, clinician=user.patient.clinician, by=None, now=clinic_now()[0]
            )
        site = urlsplit(settings.PORTAL_SITE_URL)
        super().save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            subject_template_name=self.subject_template_name,
            email_template_name=self.email_template_name,
            extra_email_context={"clinic_name": settings.PORTAL_CLINIC_NAME},
        )
        return self.delivered

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = " ".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        self.delivered &= mail.deliver(mail.message(to=to_email, subject=subject, body=body))

    def never_signed_in(self, email):
        accounts = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return [
            user
            for user in accounts.select_related("patient__clinician")
            if not user.has_usable_password() and roles.has_patient_profile(user)
        ]


@task()
def password_reset_mail(*, email, attempt=1):
    """The worker's half of a reset request (ResetRequestForm)."""
    form = ResetRequestForm({"email": email})
    if form.is_valid() and not form.deliver():
        mail.again_later(password_reset_mail, attempt=attempt, email=email)


class ChoosePasswordForm(CrispyMixin, SetPasswordForm):
    submit_label = "Save my password"


class ChangePasswordForm(CrispyMixin, PasswordChangeForm):
    submit_label = "Change my password"
