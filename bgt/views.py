from django.conf import settings
from django.contrib.auth.models import Group
from django.db import DatabaseError
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import last_modified, require_safe
from django.views.generic import TemplateView
from django.views.i18n import JavaScriptCatalog


@never_cache
@require_safe  # GET or HEAD: load balancers probe with either
def healthz(request):
    """Liveness and database reachability for load balancers: 200 or 503, JSON."""
    try:
        Group.objects.exists()  # one cheap round trip, on SQLite and MongoDB alike
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def favicon(request):
    """Browsers ask for /favicon.ico on pages without an icon link (Django admin, files)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the site's styled 403 page (templates/403_csrf.html), with the
    navigation and a link back to the form when the browser said where it came from (on
    this site only). Django's own view renders its template without the request."""
    referer = request.headers.get("referer", "")
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return render(request, "403_csrf.html", {"back_url": referer if same_site else ""}, status=403)


class TrustPageView(TemplateView):
    """The privacy notice, terms and contact page, with who runs the site and how to reach
    them (settings BGT_OPERATOR, BGT_CONTACT_EMAIL, BGT_CONTACT_ADDRESS)."""

    def get_context_data(self, **kwargs):
        contact = {
            "operator": settings.BGT_OPERATOR,
            "email": settings.BGT_CONTACT_EMAIL,
            "address": settings.BGT_CONTACT_ADDRESS,
        }
        return {**super().get_context_data(**kwargs), "contact": contact}


# The catalogs change only with a deploy, which restarts the server.
_CATALOGS_LOADED = timezone.now()
_javascript_catalog = JavaScriptCatalog.as_view()


@require_safe
@last_modified(lambda request: _CATALOGS_LOADED)
def javascript_catalog(request):
    """Django's JavaScript catalog (gettext() and interpolate() for static/js), loaded by
    base.html as a static script (the CSP allows no inline one).

    base.html names the page's language in the URL (?language=de) and the catalog is
    served in it: a browser then keeps one copy per language, and revalidates it with
    If-Modified-Since (304) rather than reusing a German catalog after a switch to French.
    """
    language = request.GET.get("language", "")
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
    return _javascript_catalog(request)
