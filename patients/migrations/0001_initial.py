import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import core.localtime


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Patient",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("display_name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "date_of_birth",
                    models.DateField(blank=True, null=True, verbose_name="date of birth"),
                ),
                (
                    "diabetes_type",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("type_1", "Type 1"),
                            ("type_2", "Type 2"),
                            ("gestational", "Gestational"),
                            ("lada", "LADA"),
                            ("mody", "MODY"),
                            ("other", "Other"),
                        ],
                        max_length=12,
                        verbose_name="diabetes type",
                    ),
                ),
                (
                    "timezone",
                    models.CharField(
                        default="UTC",
                        help_text="Days and hours of the day in reports are counted in this time zone.",
                        max_length=64,
                        validators=[core.localtime.validate_timezone],
                        verbose_name="time zone",
                    ),
                ),
                (
                    "target_preset",
                    models.CharField(
                        choices=[("standard", "Type 1 and type 2 diabetes (standard)")],
                        default="standard",
                        max_length=20,
                        verbose_name="target preset",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={"ordering": ["display_name"]},
        ),
        migrations.CreateModel(
            name="PatientAccess",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("self", "Patient"),
                            ("caregiver", "Caregiver"),
                            ("follower", "Follower"),
                            ("physician", "Physician"),
                        ],
                        max_length=10,
                        verbose_name="role",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("active", "Active"),
                            ("declined", "Declined"),
                            ("revoked", "Revoked"),
                        ],
                        default="pending",
                        max_length=8,
                        verbose_name="status",
                    ),
                ),
                (
                    "initiated_by",
                    models.CharField(
                        choices=[("physician", "Physician"), ("patient", "Patient")],
                        help_text="Who asked: the physician (a request) or the patient's side (an offer).",
                        max_length=13,
                        verbose_name="initiated by",
                    ),
                ),
                ("mrn", models.CharField(blank=True, max_length=64, verbose_name="MRN")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "responded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="responded"),
                ),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended")),
                (
                    "ended_by",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("physician", "Physician"),
                            ("patient", "Patient"),
                            ("administrator", "Administrator"),
                        ],
                        max_length=13,
                        verbose_name="ended by",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="accesses",
                        to="patients.patient",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="patient_accesses",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "access grant",
                "verbose_name_plural": "access grants",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["user", "status"], name="access_user_status"),
                    models.Index(fields=["patient", "status"], name="access_patient_status"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status__in", ["pending", "active"])),
                        fields=("user", "patient"),
                        name="access_one_open_per_pair",
                        violation_error_message="This person already has a pending or active grant on this record.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("role", "self"), ("status", "active")),
                        fields=("patient",),
                        name="access_one_self_per_record",
                        violation_error_message="This record already has its own login.",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AccessLogEntry",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("viewer_name", models.CharField(max_length=300, verbose_name="viewer")),
                ("what", models.CharField(max_length=100, verbose_name="what was viewed")),
                (
                    "viewed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="viewed at"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="access_log",
                        to="patients.patient",
                    ),
                ),
                (
                    "viewer",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="access_log_as_viewer",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "access log entry",
                "verbose_name_plural": "access log entries",
                "ordering": ["-viewed_at"],
                "indexes": [
                    models.Index(fields=["patient", "-viewed_at"], name="access_log_patient_time")
                ],
            },
        ),
    ]
