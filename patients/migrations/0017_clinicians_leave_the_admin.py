"""Clinicians work in the clinic workspace (/clinic/), so they keep no permission in the
admin, which is left to content editors (the library) and administrators: neither the
patient records that 0002 gave them nor the read-only library of portal 0002. Going back
gives both again."""

from importlib import import_module

from django.db import migrations

PATIENT_GRANTS = import_module("patients.migrations.0002_clinician_permissions")
LIBRARY = [("exercises", f"view_{model}") for model in ("exercise", "level", "step")]


def library_permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in LIBRARY
    ]


def leave(apps, schema_editor):
    PATIENT_GRANTS.revoke(apps, schema_editor)
    for group in apps.get_model("auth", "Group").objects.filter(name="Clinicians"):
        group.permissions.remove(*library_permissions(apps))


def come_back(apps, schema_editor):
    PATIENT_GRANTS.grant(apps, schema_editor)
    for group in apps.get_model("auth", "Group").objects.filter(name="Clinicians"):
        group.permissions.add(*library_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0016_prescription_pause_lengths"),
        ("portal", "0002_roles"),
    ]

    operations = [migrations.RunPython(leave, come_back)]
