"""CSV import and streamed CSV export of the record being worked on."""

from django.urls import path

from integrations.files import views

app_name = "files"

urlpatterns = [
    path("readings/import/", views.ReadingImportView.as_view(), name="import"),
    path("readings/import/<uuid:pk>/", views.ImportJobView.as_view(), name="job"),
    path(
        "readings/import/<uuid:pk>/discard/", views.ImportJobDiscardView.as_view(), name="discard"
    ),
    path("readings/export.csv", views.ReadingExportView.as_view(), name="export"),
]
