import datetime
import secrets

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import patients.models


def give_each_patient_a_token(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    for patient in Patient.objects.filter(calendar_token__isnull=True):
        patient.calendar_token = secrets.token_urlsafe(32)
        patient.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0005_prescription_level_rules_trigger"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="reminders_on",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="patient",
            name="reminder_time",
            field=models.TimeField(default=datetime.time(18, 0)),
        ),
        migrations.AddField(
            model_name="patient",
            name="calendar_token",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(give_each_patient_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="patient",
            name="calendar_token",
            field=models.CharField(
                default=patients.models.new_calendar_token, max_length=64, unique=True
            ),
        ),
        migrations.CreateModel(
            name="ReminderSent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("patient", "Patient's daily reminder"),
                            ("digest", "Clinician's weekly digest"),
                        ],
                        max_length=7,
                    ),
                ),
                (
                    "day",
                    models.DateField(
                        help_text="The day (for a digest, the Monday of the week) it covers."
                    ),
                ),
                ("sent_at", models.DateTimeField(auto_now_add=True)),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-sent_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("recipient", "kind", "day"), name="reminder_once_per_day"
                    )
                ],
            },
        ),
    ]
