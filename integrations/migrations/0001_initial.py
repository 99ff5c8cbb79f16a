"""The device upload secret, moved here from the readings app with its table."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("patients", "0002_records_from_logins"),
        ("readings", "0004_readings_belong_to_records"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="UploadSecret",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("digest", models.CharField(max_length=64, unique=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "patient",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="upload_secret",
                                to="patients.patient",
                            ),
                        ),
                    ],
                    options={"db_table": "readings_uploadsecret"},
                ),
            ],
        ),
    ]
