"""URLs of a patient's full data export and account deletion (included by accounts/urls.py)."""

from django.urls import path

from accounts import data_views

urlpatterns = [
    path("profile/data.json", data_views.AccountDataExportView.as_view(), name="data-export"),
    path("profile/delete/", data_views.AccountDeleteView.as_view(), name="delete"),
]
