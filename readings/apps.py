from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ReadingsConfig(AppConfig):
    name = "readings"
    verbose_name = "Readings"

    def ready(self):
        from core.personal_data import Owner, register
        from core.sqlite import use_real_variable_limit
        from readings.models import Reading, Target

        # Bulk uploads of readings are the app's largest writes (see core/sqlite.py).
        connection_created.connect(use_real_variable_limit, dispatch_uid="core.sqlite.limit")
        register(Target, owner=Owner.RECORD, owner_field="patient", section="targets", medical=True)
        register(
            Reading,
            owner=Owner.RECORD,
            owner_field="patient",
            section="readings",
            medical=True,
            stream=True,
            order_by="taken_at",
        )
