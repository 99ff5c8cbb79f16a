from patients.selectors import own_record


def records(request):
    """Whether the signed-in person has a record of their own (navigation, profile)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_has_record": False}
    return {"user_has_record": own_record(user=user) is not None}
