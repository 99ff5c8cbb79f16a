"""Writes to a user's own account data."""

from datetime import date

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import MedicalProfile, User


def user_update_preferences(
    *, user: User, first_name: str, last_name: str, unit: str, timezone: str
) -> User:
    """Names, glucose unit and IANA time zone; validated before saving."""
    user.first_name, user.last_name, user.unit, user.timezone = (
        first_name,
        last_name,
        unit,
        timezone,
    )
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=["first_name", "last_name", "unit", "timezone"])
    return user


def medical_profile_get(*, user: User) -> MedicalProfile:
    """The user's medical profile (unsaved and empty until they fill it in)."""
    return MedicalProfile.objects.filter(user=user).first() or MedicalProfile(user=user)


def medical_profile_set(
    *, user: User, date_of_birth: date | None, diabetes_type: str
) -> MedicalProfile:
    profile = medical_profile_get(user=user)
    profile.date_of_birth, profile.diabetes_type = date_of_birth, diabetes_type
    profile.full_clean(validate_unique=False)
    profile.save()
    return profile


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
