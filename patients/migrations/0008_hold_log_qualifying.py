"""Each hold keeps whether it lasted its prescription's target, and the patient-and-time
index carries what a report counts, so that counting needs neither the prescriptions nor
the table itself."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def judge_existing_holds(apps, schema_editor):
    HoldLog = apps.get_model("patients", "HoldLog")
    Prescription = apps.get_model("patients", "Prescription")
    reached = Prescription.objects.filter(
        pk=OuterRef("prescription_id"), target_seconds__lte=OuterRef("seconds")
    )
    HoldLog.objects.update(qualifying=Exists(reached))


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0007_clinician_is_staff"),
    ]

    operations = [
        migrations.AddField(
            model_name="holdlog",
            name="qualifying",
            field=models.BooleanField(default=False, editable=False),
            # False only until the next step judges each hold; new holds must say.
            preserve_default=False,
        ),
        migrations.RunPython(judge_existing_holds, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="holdlog",
            index=models.Index(
                fields=["patient", "performed_at"],
                include=("prescription", "side", "qualifying"),
                name="hold_log_patient_time",
            ),
        ),
        migrations.RemoveIndex(
            model_name="holdlog",
            name="patients_ho_patient_5fc176_idx",
        ),
    ]
