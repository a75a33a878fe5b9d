import axes.admin  # noqa: F401  -- registers its pages first, so that they can be hardened
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseBadRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from portal import audit, passkeys, two_factor
from portal.models import AuditEvent, ClinicContact, User

admin.site.site_header = f"{settings.PORTAL_CLINIC_NAME}: administration"
admin.site.site_title = settings.PORTAL_CLINIC_NAME
admin.site.index_title = "Portal administration"


# Fields whose values are secrets. The admin lets a URL filter a list on any field of
# its own model (?calendar_token__startswith=a), which would read a secret a character
# at a time: such lookups are refused (a 400) wherever one of these is named.
SECRET_FIELDS = frozenset({"password", "calendar_token", "key", "token", "token_hash"})


class HardenedAdminMixin:
    """What every admin of the portal does beyond Django's: no list filter on a secret
    field, and a 400 (not a 500) for an action on a selection that is not ids."""

    def lookup_allowed(self, lookup, value, request=None):
        if SECRET_FIELDS.intersection(lookup.split(LOOKUP_SEP)):
            return False
        return super().lookup_allowed(lookup, value, request)

    def response_action(self, request, queryset):
        pk = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                pk.to_python(value)
        except ValidationError:
            return HttpResponseBadRequest(
                "The selection was not understood. Reload the list and choose again."
            )
        return super().response_action(request, queryset)


class ReadOnlyAdmin(HardenedAdminMixin, admin.ModelAdmin):
    """Records that only the portal writes: staff may read them here, never add, change
    or delete them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")
        field_classes = {"email": forms.EmailField}


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": forms.EmailField}


@admin.register(User)
class UserAdmin(HardenedAdminMixin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "first_name", "last_name", "password1", "password2"],
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_staff" in form.changed_data and obj.is_staff:
            passkeys.staff_access_granted(user=obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._record_patient_view(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._record_patient_view(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def _record_patient_view(self, request, object_id):
        """A patient's account is part of their record: opening it is audited."""
        user = self.get_object(request, object_id)
        patient = getattr(user, "patient", None) if user is not None else None
        if patient is not None and request.method == "GET":
            audit.record(audit.Action.VIEW, patient=patient)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(HardenedAdminMixin, DjangoGroupAdmin):
    pass


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail, for administrators: read it, filter it, never edit it."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "patient", "ip"]
    list_filter = ["action", "object_type", "at"]
    list_select_related = ["actor", "patient__user"]
    search_fields = ["actor__email", "patient__user__email", "object_id", "ip"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(ClinicContact)
class ClinicContactAdmin(HardenedAdminMixin, admin.ModelAdmin):
    """One row, for administrators: how patients reach the clinic."""

    fields = ["phone", "email", "address", "hours"]
    list_display = ["__str__", "phone", "email", "changed"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser and not ClinicContact.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class SecondFactorAdmin(HardenedAdminMixin, admin.ModelAdmin):
    """Second factors and passkeys, for administrators: who has which, and removing one
    (the owner is told by e-mail). Never a key, a QR code or a recovery code: this
    admin shows no field of a device beyond its owner, name and dates."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.tell_owner(obj)

    def delete_queryset(self, request, queryset):
        removed = list(queryset.select_related("user"))
        super().delete_queryset(request, queryset)
        for device in removed:
            self.tell_owner(device)

    def tell_owner(self, device):
        if isinstance(device, WebAuthnCredential):
            passkeys.tell_removed(user=device.user, name=device.name, by_administrator=True)
        else:
            two_factor.second_factor_removed(user=device.user, name=device.name)


# django-axes's pages of sign-in attempts, with the same hardening as every other admin.
for model, model_admin in list(admin.site._registry.items()):
    if model._meta.app_label == "axes" and not isinstance(model_admin, HardenedAdminMixin):
        admin.site.unregister(model)
        admin.site.register(
            model,
            type(
                f"Hardened{type(model_admin).__name__}", (HardenedAdminMixin, type(model_admin)), {}
            ),
        )


# django-otp's own admin pages show a device's key and its QR code, and
# django-otp-webauthn's a passkey's public key: replaced by the above. The portal's admin
# loads first (the portal comes first in INSTALLED_APPS), and django-otp's skips a model
# that is registered already; a test keeps it so.
for device_model in (TOTPDevice, StaticDevice, WebAuthnCredential):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)
    admin.site.register(device_model, SecondFactorAdmin)


# The task queue (portal/mail.py), for the administrator who wonders where an e-mail is:
# what the library shows, read-only and hardened like every admin of the portal. Its
# arguments name the people written to, so only administrators see it.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(HardenedAdminMixin, DBTaskResultAdmin):
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
