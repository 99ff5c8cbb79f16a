"""A login's data export (JSON download) and account deletion, linked from /profile/."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView

from patients import data
from patients.selectors import own_record


class AccountDataExportView(LoginRequiredMixin, View):
    """GET: everything the site holds about the signed-in user, as a JSON attachment."""

    def get(self, request, *args, **kwargs):
        user = request.user
        response = StreamingHttpResponse(
            data.account_data_export(user=user), content_type="application/json; charset=utf-8"
        )
        record = own_record(user=user)
        day = timezone.localdate(timezone=record.tzinfo if record else None).isoformat()
        response["Content-Disposition"] = f'attachment; filename="bgt-account-data-{day}.json"'
        response["Cache-Control"] = "no-store"  # health data: never kept by a shared cache
        return response


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("That is not your password; nothing was deleted."), code="wrong_password"
            )
        return password


class AccountDeleteView(LoginRequiredMixin, FormView):
    """GET: what deleting removes, and a password box. POST: delete, sign out, say so."""

    template_name = "accounts/account_delete.html"
    form_class = AccountDeleteForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "summary": data.account_summary(user=user),
            "refused": self._refusal(),
        }

    def _refusal(self) -> str:
        if self.request.user.is_superuser:
            # The last superuser deleting themselves could lock everyone out of admin.
            return (
                "Superuser accounts cannot be deleted from here; ask another administrator "
                "to delete this account in the admin."
            )
        return ""

    def post(self, request, *args, **kwargs):
        if self._refusal():
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data.account_delete(user=self.request.user)
        logout(self.request)
        messages.success(
            self.request,
            "Your account and all its data have been deleted. Thank you for using BGT.",
        )
        return redirect("home")
