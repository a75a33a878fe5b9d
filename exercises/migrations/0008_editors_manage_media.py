"""Content editors manage the levels' pictures and videos, as they do the levels."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("levelimage", "levelvideo")
CODENAMES = [
    f"{action}_{model}" for model in MODELS for action in ("view", "add", "change", "delete")
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("exercises")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Content editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="exercises", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Content editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="exercises", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0007_psoas_safety_wording"),
        ("portal", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
