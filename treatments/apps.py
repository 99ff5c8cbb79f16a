from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments"

    def ready(self):
        from core.personal_data import Owner, register
        from treatments.models import Treatment

        register(
            Treatment,
            owner=Owner.RECORD,
            owner_field="patient",
            section="treatments",
            medical=True,
            stream=True,
            order_by="taken_at",
        )
