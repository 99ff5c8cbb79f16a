from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts import roles, signals
from accounts.languages import in_language_of


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # The language the signup page was shown in: the confirmation mail and every
        # page after the first sign-in use it until the profile says otherwise.
        language = translation.get_language()
        user.language = language if language in dict(settings.LANGUAGES) else ""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            # The signup form carries the browser's IANA time zone (timezone.js); the
            # patients app gives the new person a record of their own in that zone.
            wants_own = getattr(form, "wants_own_record", lambda: True)()
            signals.signed_up.send(
                sender=type(user),
                user=user,
                timezone=form.cleaned_data.get("timezone") or "",
                own_record=wants_own,
            )
        return user

    def confirm_email(self, request, email_address):
        """A verified signup becomes a patient (DESIGN.md section 1).

        Accounts that an administrator created with a role (physicians, administrators)
        keep just that role when their owner confirms the address.
        """
        confirmed = super().confirm_email(request, email_address)
        user = email_address.user
        if confirmed and not roles.role_names(user):
            roles.grant_role(user, roles.PATIENTS)
        return confirmed

    def get_login_redirect_url(self, request):
        """Each role lands where its work is: patients on their dashboard (the default),
        physicians on their roster, administrators in admin."""
        user = request.user
        if not roles.is_patient(user):
            if roles.is_physician(user):
                return reverse("clinic:roster")
            if roles.is_site_admin(user):
                return reverse("admin:index")
            return reverse("accounts:profile")
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix, email, context):
        """allauth's mail signs with the site's name and domain (settings BGT_SITE_NAME,
        BGT_SITE_DOMAIN; the domain the request came to when that is empty), never the
        development server's "127.0.0.1:8000" that allauth takes from the request without
        the Sites framework. Written in the recipient's stored language (accounts.languages),
        whichever language the request that sends it came in."""
        request = context.get("request") or allauth_context.request
        domain = settings.BGT_SITE_DOMAIN or (request.get_host() if request else "")
        site = SiteName(name=settings.BGT_SITE_NAME, domain=domain)
        with in_language_of(context.get("user") or email):
            super().send_mail(template_prefix, email, {**context, "current_site": site})


@dataclass(frozen=True)
class SiteName:
    """What account mail calls the site (allauth's templates read current_site.name and
    current_site.domain)."""

    name: str
    domain: str
