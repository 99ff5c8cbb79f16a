from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        from core.personal_data import Owner, register
        from core.signals import record_data_deleted
        from integrations.models import (
            AccessToken,
            DeletedRecord,
            ImportChunk,
            ImportJob,
            NightscoutDocument,
            UploadSecret,
        )
        from integrations.nightscout.deletions import deletion_record

        record_data_deleted.connect(deletion_record, dispatch_uid="integrations.deletion_record")

        register(
            UploadSecret,
            owner=Owner.RECORD,
            owner_field="patient",
            section="device_upload_secret",
            medical=True,
            secret_fields=("digest",),
        )
        register(
            NightscoutDocument,
            owner=Owner.RECORD,
            owner_field="patient",
            section="nightscout_documents",
            medical=True,
        )
        register(
            AccessToken,
            owner=Owner.RECORD,
            owner_field="patient",
            section="nightscout_access_tokens",
            medical=True,
            secret_fields=("digest",),
        )
        # That a reading or treatment was deleted (its identifier, no value or time).
        register(
            DeletedRecord,
            owner=Owner.RECORD,
            owner_field="patient",
            section="nightscout_deletions",
            medical=True,
        )
        # A file being imported (integrations.files.jobs): the record's readings waiting
        # to be stored, for a day at most; deleted with the record or the uploader's login.
        register(
            ImportJob,
            owner=Owner.RECORD,
            owner_field="patient",
            section="unfinished_imports",
            medical=True,
        )
        register(
            ImportChunk,
            owner=Owner.RECORD,
            owner_field="patient",
            section="unfinished_import_rows",
            medical=True,
        )
