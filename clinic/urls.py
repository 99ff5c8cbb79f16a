from django.urls import path

from clinic import views

app_name = "clinic"

urlpatterns = [
    # Physicians
    path("clinic/", views.RosterView.as_view(), name="roster"),
    path("clinic/request/", views.AccessRequestView.as_view(), name="request"),
    path(
        "clinic/request/withdraw/",
        views.RequestWithdrawView.as_view(),
        name="request-withdraw",
    ),
    path(
        "clinic/offers/<uuid:pk>/accept/",
        views.OfferAnswerView.as_view(accept=True),
        name="offer-accept",
    ),
    path(
        "clinic/offers/<uuid:pk>/decline/",
        views.OfferAnswerView.as_view(accept=False),
        name="offer-decline",
    ),
    path("clinic/patients/<uuid:pk>/", views.PatientReportView.as_view(), name="patient"),
    path("clinic/links/<uuid:pk>/end/", views.PhysicianLinkEndView.as_view(), name="roster-end"),
    # Patients
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
    path(
        "sharing/upload-secret/rotate/",
        views.UploadSecretRotateView.as_view(),
        name="upload-secret-rotate",
    ),
    path(
        "sharing/upload-secret/revoke/",
        views.UploadSecretRevokeView.as_view(),
        name="upload-secret-revoke",
    ),
]
