"""Writes to a user's own account data."""

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User


def user_update_preferences(*, user: User, first_name: str, last_name: str, unit: str) -> User:
    """Names and glucose unit; validated before saving."""
    user.first_name, user.last_name, user.unit = first_name, last_name, unit
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=["first_name", "last_name", "unit"])
    return user


def user_email_replace(*, user: User, email: str) -> EmailAddress:
    """Make ``email`` (already saved on the user) the only address allauth knows for them.

    The old address stops signing in and receiving password-reset links at once: its
    mailbox may no longer be theirs. The new one is unverified until its owner confirms
    it, which allauth asks for at their next sign-in (mandatory verification). An address
    they already had and confirmed stays confirmed.
    """
    with transaction.atomic():
        EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
        address = EmailAddress.objects.filter(user=user).first()
        if address is None:
            return EmailAddress.objects.create(user=user, email=email, primary=True)
        address.email, address.primary = email, True
        address.save(update_fields=["email", "primary"])
        return address
