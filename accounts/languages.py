"""Which language a login reads BGT in: pages (UserLanguageMiddleware) and email
(in_language_of)."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from accounts.models import User


def stored_language(user) -> str:
    """The language ``user`` chose on the profile (or signed up in); "" when none (a blank
    setting, an anonymous visitor, or a code no longer in settings.LANGUAGES)."""
    language = getattr(user, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else ""


@contextmanager
def in_language_of(recipient: User | str | None):
    """Render what is inside (an email's subject and body) in ``recipient``'s stored
    language. ``recipient`` is a login or an address: an address that is no login's (an
    invitation to someone without an account) keeps the active language, the sender's."""
    if isinstance(recipient, str):
        recipient = User.objects.filter(email__iexact=recipient).only("language").first()
    language = stored_language(recipient)
    if not language:
        yield
        return
    with translation.override(language):
        yield


class UserLanguageMiddleware:
    """A signed-in user's stored language wins over the browser's.

    After AuthenticationMiddleware (it reads request.user) and LocaleMiddleware (which has
    chosen from the cookie or Accept-Language by then). The stored language, not a cookie
    set at sign-in, because the setting belongs to the login: it follows the user to every
    device and browser, cannot go stale when it is changed on another device, is gone for the
    next person on a shared computer once the user signs out, and is the same language the
    user's email is written in. The user row is loaded for the page anyway (the navigation).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (language := stored_language(user)):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
