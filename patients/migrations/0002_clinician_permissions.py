"""Give clinicians what they need in the admin: their patients and prescriptions, and a
read-only view of what patients log. Content editors get nothing here."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINICIAN_PERMISSIONS = [
    "view_patient",
    "add_patient",
    "change_patient",
    "view_prescription",
    "add_prescription",
    "change_prescription",
    "view_holdlog",
    "view_painscore",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("patients")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    clinicians, _ = Group.objects.get_or_create(name="Clinicians")
    clinicians.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="patients", codename__in=CLINICIAN_PERMISSIONS
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Clinicians"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="patients"))


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0001_initial"),
        ("portal", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
