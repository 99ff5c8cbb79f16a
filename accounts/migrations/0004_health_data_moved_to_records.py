"""The time zone and the medical profile belong to the health record now (copied into
patients.Patient by patients.0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_medicalprofile"),
        ("patients", "0002_records_from_logins"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="timezone"),
        migrations.DeleteModel(name="MedicalProfile"),
    ]
