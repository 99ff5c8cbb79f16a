"""URLs of CSV import and export, in the readings namespace (included by readings/urls.py)."""

from django.urls import path

from readings import transfer_views

urlpatterns = [
    path("readings/import/", transfer_views.ReadingImportView.as_view(), name="import"),
    path("readings/export.csv", transfer_views.ReadingExportView.as_view(), name="export"),
]
