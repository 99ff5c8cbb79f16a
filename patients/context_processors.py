from patients.mixins import chosen_record, working_records
from patients.models import PatientAccess


def records(request):
    """The records the signed-in person works on, for the navigation bar's switcher, and
    the one chosen (every page says whose data it shows)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_has_record": False}
    working = working_records(request)
    return {
        "user_has_record": bool(working),
        "user_has_own_record": any(r.grant.role == PatientAccess.Role.SELF for r in working),
        "working_records": working,
        "current_patient": chosen_record(request),
    }
