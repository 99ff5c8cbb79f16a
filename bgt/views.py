from django.contrib.auth.models import Group
from django.db import DatabaseError
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


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
