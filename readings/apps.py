from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _rebuild_day_summaries(sender, *, patient, **kwargs):
    """A record's local days moved with its time zone: its day summaries follow."""
    from readings.day_summaries import day_summaries_rebuild

    day_summaries_rebuild(patient=patient)


def _refigure_windows(sender, *, patient, **kwargs):
    """A record's target preset changed: its roster windows' goals and range follow."""
    from readings.day_summaries import window_figures_refresh

    window_figures_refresh(patient=patient)


class ReadingsConfig(AppConfig):
    name = "readings"
    verbose_name = "Readings"

    def ready(self):
        from core.personal_data import Owner, exclude, register
        from core.sqlite import use_real_variable_limit
        from patients.signals import record_preset_changed, record_zone_changed
        from readings.models import DaySummary, Reading, ReadingsVersion, Target

        record_zone_changed.connect(_rebuild_day_summaries, dispatch_uid="readings.zone_changed")
        record_preset_changed.connect(_refigure_windows, dispatch_uid="readings.preset_changed")
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
        # Derived from the readings (the roster's per-day sums): medical, exported, deleted.
        register(
            DaySummary,
            owner=Owner.RECORD,
            owner_field="patient",
            section="day_summaries",
            medical=True,
            order_by="day",
        )
        exclude(
            ReadingsVersion,
            reason="A count of the record's reading writes, for the dashboard's poll: no "
            "value, time or detail of any reading; deleted with the record.",
        )
