"""API tokens: one per login, with a lifetime, replaced when the password changes.

A token reads every record its login may read, so it must not outlive the trust it was
issued under: it expires ``BGT_API_TOKEN_DAYS`` after it was issued (the client then asks
for a new one with the password), and changing or resetting the password revokes it at
once (someone who learned the old password may have taken a token with it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import User

EXPIRED = _("The token has expired: ask for a new one with your email address and password.")


def token_lifetime() -> timedelta:
    return timedelta(days=settings.BGT_API_TOKEN_DAYS)


def token_expires_at(token: Token) -> datetime:
    return token.created + token_lifetime()


def token_is_expired(token: Token, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


def token_for_user(*, user: User) -> Token:
    """The login's current token, or a new one when it has none or it has expired."""
    with transaction.atomic():
        token = Token.objects.filter(user=user).first()
        if token is not None and not token_is_expired(token):
            return token
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def tokens_revoke(*, user: User) -> int:
    """Delete the login's API tokens: every client using one must sign in again."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return deleted


def revoke_on_password_change(sender, request=None, user=None, **kwargs) -> None:
    """allauth's password_changed / password_reset / password_set signals."""
    if user is not None:
        tokens_revoke(user=user)


def enforce_token_lifetime() -> None:
    """Make DRF's TokenAuthentication refuse tokens past their lifetime (401), wherever it
    is used: the default authentication and views that name the class themselves (the
    Nightscout endpoints). Patching the one class, rather than a subclass in settings,
    leaves no view that accepts an expired token, and the OpenAPI schema one token scheme.
    Idempotent (AccountsConfig.ready)."""
    original = TokenAuthentication.authenticate_credentials
    if getattr(original, "checks_token_lifetime", False):
        return

    def authenticate_credentials(self, key):
        user, token = original(self, key)
        if token_is_expired(token):
            raise AuthenticationFailed(EXPIRED)
        return user, token

    authenticate_credentials.checks_token_lifetime = True
    TokenAuthentication.authenticate_credentials = authenticate_credentials
