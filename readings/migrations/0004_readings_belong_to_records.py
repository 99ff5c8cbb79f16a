"""Readings, targets and upload secrets belong to a health record, not to a login.

The records were made by patients.0002 with their logins' ids, so the stored key values
stay as they are: only what they point at (and the field's name, owner -> patient)
changes. The indexes and constraints that name the field are rebuilt around it. The
upload secret moves to the integrations app, keeping its table (integrations.0001).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("readings", "0003_device_and_covering_index"),
        ("patients", "0002_records_from_logins"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="reading", name="reading_unique_measurement"),
        migrations.RemoveConstraint(model_name="reading", name="reading_unique_external_id"),
        migrations.RemoveIndex(model_name="reading", name="reading_owner_taken_value"),
        migrations.AlterField(
            model_name="reading",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="readings",
                to="patients.patient",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="owner",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="target",
                to="patients.patient",
            ),
        ),
        migrations.AlterField(
            model_name="uploadsecret",
            name="owner",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="upload_secret",
                to="patients.patient",
            ),
        ),
        migrations.RenameField(model_name="reading", old_name="owner", new_name="patient"),
        migrations.RenameField(model_name="target", old_name="owner", new_name="patient"),
        migrations.RenameField(model_name="uploadsecret", old_name="owner", new_name="patient"),
        migrations.AddIndex(
            model_name="reading",
            index=models.Index(
                fields=["patient", "taken_at", "value_mgdl"], name="reading_patient_taken_value"
            ),
        ),
        migrations.AddConstraint(
            model_name="reading",
            constraint=models.UniqueConstraint(
                fields=("patient", "kind", "taken_at", "value_mgdl"),
                name="reading_unique_measurement",
                violation_error_message="This reading is already recorded.",
            ),
        ),
        migrations.AddConstraint(
            model_name="reading",
            constraint=models.UniqueConstraint(
                fields=("patient", "source", "external_id"),
                name="reading_unique_external_id",
                violation_error_message="A reading with this external id is already stored.",
            ),
        ),
        # The table stays; integrations.0001 takes the model over.
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="UploadSecret")],
        ),
    ]
