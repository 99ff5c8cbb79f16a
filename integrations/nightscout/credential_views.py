"""The record's Nightscout credentials on its sharing page: the device upload secret (the
API secret: make or replace, revoke) and named access tokens (make, revoke)."""

from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from integrations.models import AccessToken, TokenRole
from integrations.nightscout import credentials, tokens
from patients.access import Action
from patients.mixins import RecordMixin
from patients.views import base_url, confirm_page


class UploadSecretRotateView(RecordMixin, View):
    """GET: confirm (when a secret exists, since rotating stops the old one); POST: make a
    new device upload secret and show it once. The page is not cached anywhere."""

    record_action = Action.SHARE

    def get(self, request):
        if credentials.upload_secret_of(patient=self.patient) is None:
            return redirect("patients:sharing")
        return confirm_page(
            request,
            title=_("Replace your device upload secret?"),
            text=_(
                "A new secret is made and the current one stops working at once: every "
                "uploader that uses it must be given the new one."
            ),
            button=_("Make a new secret"),
            cancel_url=reverse("patients:sharing"),
        )

    def post(self, request):
        secret = credentials.upload_secret_rotate(patient=self.patient)
        site_url = base_url(request)
        site = urlsplit(site_url)
        response = render(
            request,
            "integrations/upload_secret_created.html",
            {
                "secret": secret,
                "site_url": site_url,
                "patient": self.patient,
                # xDrip+ takes the secret as the user part of its base URL.
                "xdrip_url": f"{site.scheme}://{secret}@{site.netloc}/api/v1/",
            },
        )
        response["Cache-Control"] = "no-store"
        return response


class UploadSecretRevokeView(RecordMixin, View):
    """GET: confirm; POST: delete the device upload secret (uploads stop at once)."""

    record_action = Action.SHARE

    def get(self, request):
        if credentials.upload_secret_of(patient=self.patient) is None:
            return redirect("patients:sharing")
        return confirm_page(
            request,
            title=_("Revoke your device upload secret?"),
            text=_("Uploaders that use it (xDrip+ and others) can no longer send readings."),
            button=_("Revoke the secret"),
            cancel_url=reverse("patients:sharing"),
        )

    def post(self, request):
        credentials.upload_secret_revoke(patient=self.patient)
        messages.success(request, _("Your device upload secret is revoked; uploads stopped."))
        return redirect("patients:sharing")


class AccessTokenForm(forms.Form):
    name = forms.CharField(
        max_length=50,
        help_text=gettext_lazy("Who or what uses it, e.g. “Mum's phone (Nightguard)”."),
    )
    role = forms.ChoiceField(choices=TokenRole.choices, initial=TokenRole.READABLE)


class AccessTokenCreateView(RecordMixin, View):
    """POST: make a named access token with a role, and show it once (never cached)."""

    record_action = Action.SHARE

    def post(self, request):
        form = AccessTokenForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the token a name and a role."))
            return redirect("patients:sharing")
        token, text = tokens.access_token_create(
            patient=self.patient, name=form.cleaned_data["name"], role=form.cleaned_data["role"]
        )
        site_url = base_url(request)
        response = render(
            request,
            "integrations/access_token_created.html",
            {
                "token": token,
                "text": text,
                "site_url": site_url,
                "patient": self.patient,
                "token_url": f"{site_url.rstrip('/')}/?token={text}",
            },
        )
        response["Cache-Control"] = "no-store"
        return response


class AccessTokenRevokeView(RecordMixin, View):
    """GET: confirm; POST: delete the token (it, and any JWT made from it, stop at once)."""

    record_action = Action.SHARE

    def get_token(self, token_id):
        try:
            return tokens.access_token_get(patient=self.patient, token_id=token_id)
        except AccessToken.DoesNotExist:
            raise Http404(_("No such access token.")) from None

    def get(self, request, token_id):
        token = self.get_token(token_id)
        return confirm_page(
            request,
            title=_("Revoke the access token “%(name)s”?") % {"name": token.name},
            text=_("Apps that use it can no longer read or send data for this record."),
            button=_("Revoke the token"),
            cancel_url=reverse("patients:sharing"),
        )

    def post(self, request, token_id):
        token = self.get_token(token_id)
        name = token.name
        tokens.access_token_revoke(token=token)
        messages.success(request, _("The access token “%(name)s” is revoked.") % {"name": name})
        return redirect("patients:sharing")
