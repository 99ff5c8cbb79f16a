"""Health records apart from logins: one Patient per patient login, with the login's id.

Every login that is a patient (in the Patients group) or that anything medical points at
(readings, targets, an upload secret, a medical profile, a physician's roster link, an
access-log entry) gets a record with the same UUID, the login's time zone and medical
profile, and an active ``self`` grant. Because the ids are equal, the readings', targets'
and upload secrets' foreign keys keep their stored values when the next migrations point
them at the record instead of the login, and ids already given out (the physician API's
patient ids) keep naming the same person.

Roster links become physician grants and access-log entries move to this app, both with
their own ids (URLs such as /clinic/links/<id>/end/ keep working). Written for both
databases: plain inserts through the historical models, no SQL.
"""

from django.db import migrations


def forward(apps, schema_editor):
    alias = schema_editor.connection.alias
    User = apps.get_model("accounts", "User")
    Group = apps.get_model("auth", "Group")
    MedicalProfile = apps.get_model("accounts", "MedicalProfile")
    Reading = apps.get_model("readings", "Reading")
    Target = apps.get_model("readings", "Target")
    UploadSecret = apps.get_model("readings", "UploadSecret")
    RosterLink = apps.get_model("clinic", "RosterLink")
    OldAccessLogEntry = apps.get_model("clinic", "AccessLogEntry")
    Patient = apps.get_model("patients", "Patient")
    PatientAccess = apps.get_model("patients", "PatientAccess")
    AccessLogEntry = apps.get_model("patients", "AccessLogEntry")

    patient_ids = set()
    group = Group.objects.using(alias).filter(name="Patients").first()
    if group is not None:
        patient_ids.update(
            User.groups.through.objects.using(alias)
            .filter(group_id=group.pk)
            .values_list("user_id", flat=True)
        )
    for model, column in (
        (Reading, "owner_id"),
        (Target, "owner_id"),
        (UploadSecret, "owner_id"),
        (MedicalProfile, "user_id"),
        (RosterLink, "patient_id"),
        (OldAccessLogEntry, "patient_id"),
    ):
        patient_ids.update(model.objects.using(alias).values_list(column, flat=True).distinct())

    profiles = {p.user_id: p for p in MedicalProfile.objects.using(alias).all()}
    existing = set(Patient.objects.using(alias).values_list("pk", flat=True))
    for user in User.objects.using(alias).filter(pk__in=list(patient_ids)).order_by("pk"):
        if user.pk in existing:
            continue  # a re-run after a crash part-way: this one is done
        profile = profiles.get(user.pk)
        name = f"{user.first_name} {user.last_name}".strip() or user.email
        Patient.objects.using(alias).create(
            id=user.pk,
            display_name=name,
            timezone=user.timezone or "UTC",
            date_of_birth=profile.date_of_birth if profile else None,
            diabetes_type=profile.diabetes_type if profile else "",
        )
        PatientAccess.objects.using(alias).create(
            user_id=user.pk,
            patient_id=user.pk,
            role="self",
            status="active",
            initiated_by="patient",
            created_at=user.date_joined,
            responded_at=user.date_joined,
        )

    copied = set(PatientAccess.objects.using(alias).values_list("pk", flat=True))
    for link in RosterLink.objects.using(alias).all():
        if link.pk in copied:
            continue
        PatientAccess.objects.using(alias).create(
            id=link.pk,
            user_id=link.physician_id,
            patient_id=link.patient_id,
            role="physician",
            status=link.status,
            initiated_by=link.initiated_by,
            mrn=link.mrn,
            created_at=link.created_at,
            responded_at=link.responded_at,
            ended_at=link.ended_at,
            ended_by=link.ended_by,
        )

    logged = set(AccessLogEntry.objects.using(alias).values_list("pk", flat=True))
    for entry in OldAccessLogEntry.objects.using(alias).all():
        if entry.pk in logged:
            continue
        AccessLogEntry.objects.using(alias).create(
            id=entry.pk,
            viewer_id=entry.viewer_id,
            viewer_name=entry.viewer_name,
            patient_id=entry.patient_id,
            what=entry.what,
            viewed_at=entry.viewed_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0001_initial"),
        ("accounts", "0003_medicalprofile"),
        ("auth", "0001_initial"),
        ("readings", "0003_device_and_covering_index"),
        ("clinic", "0001_initial"),
    ]

    # Forward only: the logins' old columns are dropped by the migrations that follow.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
