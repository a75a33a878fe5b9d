from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # People type their address in whatever case; the login must not care.
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in: patient, clinician, content editor or administrator.

    People log in with their e-mail address; the role comes from the user's group
    (see portal.roles).
    """

    username = None
    email = models.EmailField("e-mail address", unique=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message="A user with this e-mail address already exists.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()


class AuditEventQuerySet(models.QuerySet):
    """Append-only: events are written once and never changed or removed."""

    def update(self, **kwargs):
        raise PermissionError("Audit events cannot be changed.")

    def delete(self):
        raise PermissionError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what to which patient's record, when and from where.

    It names the record (its kind and id), never what the record says: no pain scores,
    notes or seconds, and no secrets.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"

    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=6, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["patient", "at"])]

    def __str__(self):
        return f"{self.actor or 'system'} {self.get_action_display().lower()} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")


class EnrolmentLinkQuerySet(models.QuerySet):
    def usable(self, *, now, valid_for):
        return self.filter(used_at__isnull=True, created__gt=now - valid_for)


class EnrolmentLink(models.Model):
    """A one-time link, e-mailed to a staff account's own address, that opens the
    set-up of a second factor: the password alone never does. Only the SHA-256 of the
    link's secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"Two-factor set-up link for {self.user}"


class InvitationQuerySet(models.QuerySet):
    def newest_of(self, user):
        return self.filter(user=user).order_by("-sent_at", "-pk").first()


class Invitation(models.Model):
    """An e-mail with a link for a new patient to choose a password. Only the newest
    invitation of an account has a link that works (portal/invitations.py); each row
    says when it was sent, by whom, and when its link was first opened."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["user", "sent_at"])]

    def __str__(self):
        return f"Invitation for {self.user} sent {self.sent_at:%Y-%m-%d}"


class ClinicContact(models.Model):
    """How patients reach the clinic, as an administrator sets it in the admin: one row,
    shown on the patients' pages and with every severe-pain message."""

    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True, validators=[MaxLengthValidator(500)])
    hours = models.CharField(
        max_length=200, blank=True, help_text="Opening hours, as patients should read them."
    )
    changed = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic contact details"
        verbose_name_plural = "clinic contact details"

    def __str__(self):
        return "The clinic's contact details"

    @classmethod
    def current(cls):
        """The clinic's details (empty ones until an administrator fills them in)."""
        return cls.objects.order_by("pk").first() or cls()

    @property
    def phone_link(self):
        """The number as a tel: link wants it: digits and a leading +."""
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
