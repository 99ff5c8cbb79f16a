from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from clinic.models import ClinicMembership
        from clinic.selectors import clinic_names
        from core.personal_data import Owner, register
        from patients.selectors import PHYSICIAN_AFFILIATIONS

        register(
            ClinicMembership,
            owner=Owner.LOGIN,
            owner_field="physician",
            section="clinic_memberships",
        )
        # The patient's sharing page names each physician's clinics.
        if clinic_names not in PHYSICIAN_AFFILIATIONS:
            PHYSICIAN_AFFILIATIONS.append(clinic_names)
