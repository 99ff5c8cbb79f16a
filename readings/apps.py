from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ReadingsConfig(AppConfig):
    name = "readings"
    verbose_name = "Readings"

    def ready(self):
        from bgt.sqlite import use_real_variable_limit

        # Bulk uploads of readings are the app's largest writes (see bgt/sqlite.py).
        connection_created.connect(use_real_variable_limit, dispatch_uid="bgt.sqlite.limit")
