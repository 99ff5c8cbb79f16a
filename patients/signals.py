"""What the patients app does when the login layer below it tells of an event."""

from django.db.models.signals import pre_delete
from django.dispatch import Signal

from accounts import signals as account_signals
from accounts.models import User

# Sent by patients.services.patient_update after a record's time zone changed (its local days
# moved): apps above keep per-day data (readings' day summaries) and rebuild it.
record_zone_changed = Signal()  # kwargs: patient
# Sent by patients.services.patient_preset_set after a record's target preset changed: the
# figures apps above keep per window (readings' roster windows) are judged by it.
record_preset_changed = Signal()  # kwargs: patient


def _give_new_login_a_record(sender, *, user, timezone, own_record=True, **kwargs):
    """Every signup gets a health record of its own, unless the person signed up only to
    look after someone else's (DESIGN.md section 1)."""
    from patients.services import patient_create_for_self

    if own_record:
        patient_create_for_self(user=user, timezone_name=timezone or "UTC")


def _delete_records_only_they_kept(sender, *, instance, **kwargs):
    """However a login is deleted (its own page, Django admin, a shell), the records that
    only it looks after go with it, as account deletion promises (patients.data)."""
    from patients.data import record_delete, records_deleted_with

    doomed, _kept = records_deleted_with(instance)
    for patient in doomed:
        record_delete(patient=patient)


def connect() -> None:
    pre_delete.connect(
        _delete_records_only_they_kept,
        sender=User,
        dispatch_uid="patients.delete_records_with_login",
    )
    account_signals.signed_up.connect(
        _give_new_login_a_record, dispatch_uid="patients.record_for_new_login"
    )
