from django.urls import path

from patients import data_views, views

app_name = "patients"

urlpatterns = [
    path("sharing/", views.SharingView.as_view(), name="sharing"),
    path("sharing/offer/", views.AccessOfferView.as_view(), name="offer"),
    path("sharing/offer/withdraw/", views.OfferWithdrawView.as_view(), name="offer-withdraw"),
    path(
        "sharing/requests/<uuid:pk>/accept/",
        views.RequestAnswerView.as_view(accept=True),
        name="request-accept",
    ),
    path(
        "sharing/requests/<uuid:pk>/decline/",
        views.RequestAnswerView.as_view(accept=False),
        name="request-decline",
    ),
    path("sharing/links/<uuid:pk>/end/", views.PatientLinkEndView.as_view(), name="sharing-end"),
    # The login's data: everything the site holds about it, and deleting it.
    path("profile/data.json", data_views.AccountDataExportView.as_view(), name="data-export"),
    path("profile/delete/", data_views.AccountDeleteView.as_view(), name="account-delete"),
]
