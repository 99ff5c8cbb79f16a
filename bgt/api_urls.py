"""The REST API: /api/v1/... and the OpenAPI schema and docs (included under /api/)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.api import TokenView
from clinic.api import PatientListView, PatientReadingListView, PatientStatsView
from core.api.views import ApiNotFoundView
from integrations.nightscout import calibration_views as nightscout_cal
from integrations.nightscout import v1 as nightscout_v1
from integrations.nightscout import v1_treatments as nightscout_v1_treatments
from integrations.nightscout import v2 as nightscout_v2
from integrations.nightscout import v3 as nightscout_v3
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
    # BGT's own v1/treatments/ (trailing slash) stays the DRF endpoint; Nightscout's are
    # v1/treatments and v1/treatments.json, and v1/treatments/<id> without a slash.
    path(
        "v1/treatments",
        nightscout_v1_treatments.TreatmentsView.as_view(),
        name="nightscout-treatments",
    ),
    path("v1/treatments.json", nightscout_v1_treatments.TreatmentsView.as_view()),
    re_path(
        r"^v1/treatments/(?P<treatment_id>[^/.]{1,200})$",
        nightscout_v1_treatments.TreatmentDetailView.as_view(),
        name="nightscout-treatment",
    ),
    path(
        "v1/devicestatus", nightscout_v1.DeviceStatusView.as_view(), name="nightscout-devicestatus"
    ),
    path("v1/devicestatus/", nightscout_v1.DeviceStatusView.as_view()),
    path("v1/devicestatus.json", nightscout_v1.DeviceStatusView.as_view()),
    path("v1/profile", nightscout_v1.ProfileView.as_view(), name="nightscout-profile"),
    path("v1/profile/", nightscout_v1.ProfileView.as_view()),
    path("v1/profile.json", nightscout_v1.ProfileView.as_view()),
    path("v1/profile/current", nightscout_v1.ProfileCurrentView.as_view()),
    path("v1/profile/current.json", nightscout_v1.ProfileCurrentView.as_view()),
    path("v1/verifyauth", nightscout_v1.VerifyAuthView.as_view(), name="nightscout-verifyauth"),
    path("v1/experiments/test", nightscout_v1.ExperimentsTestView.as_view()),
    path("v2/properties", nightscout_v2.PropertiesView.as_view(), name="nightscout-properties"),
    path("v2/properties/", nightscout_v2.PropertiesView.as_view()),
    re_path(
        r"^v2/properties/(?P<names>[A-Za-z0-9_,]{1,200})$",
        nightscout_v2.PropertiesView.as_view(),
    ),
    path("v3/status", nightscout_v3.StatusView.as_view(), name="nightscout-v3-status"),
    path("v3/lastModified", nightscout_v3.LastModifiedView.as_view()),
    re_path(
        r"^v3/(?P<collection>entries|treatments|devicestatus|profile|food)$",
        nightscout_v3.CollectionView.as_view(),
        name="nightscout-v3-collection",
    ),
    re_path(
        r"^v3/(?P<collection>entries|treatments|devicestatus|profile|food)/history/(?P<since>[0-9]{1,16})$",
        nightscout_v3.HistoryView.as_view(),
    ),
    re_path(
        r"^v3/(?P<collection>entries|treatments|devicestatus|profile|food)/(?P<identifier>[^/]{1,200})$",
        nightscout_v3.DocumentView.as_view(),
    ),
    path(
        "v2/authorization/request/<str:access_token>",
        nightscout_v2.AuthorizationRequestView.as_view(),
        name="nightscout-authorization-request",
    ),
    path("v1/entries/cal.json", nightscout_cal.CalibrationEntriesView.as_view()),
    path("v1/entries/cal", nightscout_cal.CalibrationEntriesView.as_view()),
]

urlpatterns = [
    path("v1/auth/token/", TokenView.as_view(), name="token"),
    path("v1/me/", MeView.as_view(), name="me"),
    path("v1/stats/", StatsView.as_view(), name="stats"),
    path(
        "v1/treatments/",
        nightscout_v1_treatments.treatments_slash_view(
            TreatmentViewSet.as_view({"get": "list", "post": "create"})
        ),
        name="treatment-list",
    ),
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
