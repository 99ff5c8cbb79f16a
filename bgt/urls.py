from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from bgt.views import TrustPageView, favicon, healthz, javascript_catalog
from integrations.nightscout import v2 as nightscout_v2

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("patients.urls")),
    path("", include("readings.urls")),
    path("", include("treatments.urls")),
    path("", include("reports.urls")),
    path("", include("integrations.files.urls")),
    path("", include("integrations.nightscout.urls")),
    path("", include("clinic.urls")),
    path("api/", include("bgt.api_urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The language switcher of signed-out visitors posts here (a cookie); signed-in users
    # choose theirs on the profile (accounts.languages).
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    # Browsers ask for /favicon.ico on pages without an icon link (Django admin, files).
    path("favicon.ico", favicon),
    # Nightscout's watch endpoint lives at the site root (GlucoDataHandler, watch faces).
    path("pebble", nightscout_v2.PebbleView.as_view(), name="nightscout-pebble"),
    # What the site stores and who sees it, its terms, and how to reach whoever runs it.
    path("privacy/", TrustPageView.as_view(template_name="trust/privacy.html"), name="privacy"),
    path("terms/", TrustPageView.as_view(template_name="trust/terms.html"), name="terms"),
    path("contact/", TrustPageView.as_view(template_name="trust/contact.html"), name="contact"),
]
