"""allauth's pages say "refused" with a 4xx status, not only in words.

allauth renders a refused sign-in, signup or reset form, a bad reset link and an unknown
confirmation key as an ordinary page (200). The page stays the same (people read the
error on it); its status becomes 400, so clients, logs and the proxy's rate limiting
can tell a refusal from a success, as they can for the API's token endpoint.
"""

from __future__ import annotations

from django.urls import reverse


def _refused(response) -> bool:
    context = getattr(response, "context_data", None) or {}
    form = context.get("form")
    if form is not None and form.is_bound and form.errors:
        return True
    if context.get("token_fail"):  # a password-reset link that is wrong or used
        return True
    # The email confirmation page without a confirmation: an unknown or used key.
    return "confirmation" in context and context["confirmation"] is None


class RefusedAccountFormsAre400:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        if self.prefix is None:
            self.prefix = reverse("account_login").rsplit("login/", 1)[0]  # "/accounts/"
        if (
            response.status_code == 200
            and request.path.startswith(self.prefix)
            and hasattr(response, "context_data")
            and _refused(response)
        ):
            response.status_code = 400
        return response
