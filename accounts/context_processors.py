from accounts import roles


def navigation(request):
    """Role flags for the navigation bar (one query per request, see accounts.roles)."""
    user = getattr(request, "user", None)
    return {
        "user_is_patient": roles.is_patient(user),
        "user_is_physician": roles.is_physician(user),
        "user_is_site_admin": roles.is_site_admin(user),
    }
