from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patient records"

    def ready(self):
        from core.personal_data import Owner, on_login_delete_health_data, register
        from patients import signals
        from patients.models import AccessLogEntry, Invitation, Patient, PatientAccess

        signals.connect()
        on_login_delete_health_data(_deletes_records)
        register(
            Patient,
            owner=Owner.RECORD,
            owner_field="pk",
            section="record",
            medical_fields=("date_of_birth", "diabetes_type", "target_preset"),
        )
        register(
            PatientAccess,
            owner=Owner.RECORD,
            owner_field="patient",
            section="access_grants",
            medical_fields=("mrn",),
            order_by="created_at",
            # The record's own unanswered offers: the UI does not list them either (they
            # would tell whether an email is a physician's).
            export_exclude=(("status", "pending"), ("initiated_by", "patient")),
        )
        register(
            PatientAccess,
            owner=Owner.LOGIN,
            owner_field="user",
            section="grants_held",
            medical_fields=("mrn",),
            order_by="created_at",
            # A physician's unanswered requests: they would tell whether an email is a
            # BGT patient's (a request to an unknown email makes no grant).
            export_exclude=(("status", "pending"), ("initiated_by", "physician")),
        )
        register(
            Invitation,
            owner=Owner.RECORD,
            owner_field="patient",
            section="invitations",
            secret_fields=("token_digest",),
            order_by="created_at",
        )
        register(
            AccessLogEntry,
            owner=Owner.RECORD,
            owner_field="patient",
            section="access_log",
            medical=True,
            order_by="viewed_at",
        )
        register(
            AccessLogEntry,
            owner=Owner.LOGIN,
            owner_field="viewer",
            section="access_log_as_viewer",
            medical=True,
            order_by="viewed_at",
            delete=False,  # stays in the patients' logs, with the name as written then
        )


def _deletes_records(login) -> bool:
    from patients.data import records_deleted_with

    return bool(records_deleted_with(login)[0])
