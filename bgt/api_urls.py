"""The REST API: /api/v1/... and the OpenAPI schema and docs (included under /api/)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.api import TokenView
from clinic.api import PatientListView, PatientReadingListView, PatientStatsView
from core.api.views import ApiNotFoundView
from integrations.nightscout import views as nightscout
from readings.api.me import MeView
from readings.api.views import ReadingViewSet, StatsView
from treatments.api.views import TreatmentViewSet

app_name = "api"

router = SimpleRouter()
router.register("v1/readings", ReadingViewSet, basename="reading")
router.register("v1/treatments", TreatmentViewSet, basename="treatment")

# Nightscout uploaders and clients call these exact paths, with or without ".json".
nightscout_urlpatterns = [
    path("v1/entries", nightscout.EntriesView.as_view(), name="nightscout-entries"),
    path("v1/entries/", nightscout.EntriesView.as_view()),
    path("v1/entries.json", nightscout.EntriesView.as_view()),
    path("v1/entries/current.json", nightscout.CurrentEntryView.as_view()),
    path("v1/entries/current", nightscout.CurrentEntryView.as_view()),
    re_path(
        r"^v1/entries/(?P<entry_type>sgv|mbg)\.json$",
        nightscout.EntriesOfTypeView.as_view(),
        name="nightscout-entries-type",
    ),
    re_path(r"^v1/entries/(?P<entry_type>sgv|mbg)$", nightscout.EntriesOfTypeView.as_view()),
    path("v1/status.json", nightscout.StatusView.as_view(), name="nightscout-status"),
    path("v1/status", nightscout.StatusView.as_view()),
]

urlpatterns = [
    path("v1/auth/token/", TokenView.as_view(), name="token"),
    path("v1/me/", MeView.as_view(), name="me"),
    path("v1/stats/", StatsView.as_view(), name="stats"),
    *router.urls,
    path("v1/patients/", PatientListView.as_view(), name="patient-list"),
    path(
        "v1/patients/<uuid:patient_id>/readings/",
        PatientReadingListView.as_view(),
        name="patient-readings",
    ),
    path("v1/patients/<uuid:patient_id>/stats/", PatientStatsView.as_view(), name="patient-stats"),
    *nightscout_urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/ is a JSON 404, not the site's HTML error page.
    re_path(r"^[\s\S]*$", ApiNotFoundView.as_view()),  # [\s\S]: paths with a newline too
]
