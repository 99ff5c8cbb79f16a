"""The record's device upload secret on its sharing page: make (or replace) and revoke."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from integrations.nightscout import credentials
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
            title="Replace your device upload secret?",
            text=(
                "A new secret is made and the current one stops working at once: every "
                "uploader that uses it must be given the new one."
            ),
            button="Make a new secret",
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
            title="Revoke your device upload secret?",
            text="Uploaders that use it (xDrip+ and others) can no longer send readings.",
            button="Revoke the secret",
            cancel_url=reverse("patients:sharing"),
        )

    def post(self, request):
        credentials.upload_secret_revoke(patient=self.patient)
        messages.success(request, "Your device upload secret is revoked; uploads stopped.")
        return redirect("patients:sharing")
