"""Writes to a user's own account data."""

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User


def user_update_preferences(
    *, user: User, first_name: str, last_name: str, unit: str, language: str = ""
) -> User:
    """Names, glucose unit and language ("" for the browser's); validated before saving."""
    user.first_name, user.last_name, user.unit = first_name, last_name, unit
    user.language = language
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=["first_name", "last_name", "unit", "language"])
    return user


def user_email_change_request(*, user: User, email: str, request) -> EmailAddress:
    """An administrator typed ``email`` as ``user``'s new address.

    Nothing changes yet: the account keeps signing in, and receiving reset links, at its
    current address. ``email`` becomes a pending address and gets a confirmation link;
    when its owner follows it, allauth (ACCOUNT_CHANGE_EMAIL) makes it the account's
    address, removes the old one and tells the old one. The old address is told now too,
    so an account cannot be moved to someone else's mailbox without its owner knowing.
    """
    old_email = user.email
    with transaction.atomic():
        # One pending change at a time: a newer request replaces an unconfirmed one.
        EmailAddress.objects.filter(user=user, verified=False).exclude(
            email__iexact=old_email
        ).delete()
        address = EmailAddress.objects.create(user=user, email=email, primary=False)
    address.send_confirmation(request)
    get_adapter(request).send_mail(
        "accounts/email/email_change_requested",
        old_email,
        {"user": user, "from_email": old_email, "to_email": email},
    )
    return address
