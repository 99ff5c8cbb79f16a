from django.urls import path

from patients import data_views, invitation_views, record_views, views

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
    path("sharing/invite/", invitation_views.InviteView.as_view(), name="invite"),
    path("sharing/hand-over/", invitation_views.HandOverView.as_view(), name="hand-over"),
    path(
        "sharing/invitations/<uuid:pk>/withdraw/",
        invitation_views.InvitationWithdrawView.as_view(),
        name="invitation-withdraw",
    ),
    path(
        "sharing/access/<uuid:pk>/remove/",
        invitation_views.GrantRevokeView.as_view(),
        name="grant-revoke",
    ),
    path("invitations/<str:token>/", invitation_views.InvitationView.as_view(), name="invitation"),
    path("records/new/", record_views.RecordCreateView.as_view(), name="record-create"),
    path("records/own/", record_views.OwnRecordCreateView.as_view(), name="record-own"),
    path("records/switch/", record_views.RecordSwitchView.as_view(), name="record-switch"),
    path("record/delete/", record_views.RecordDeleteView.as_view(), name="record-delete"),
    # The login's data: everything the site holds about it, and deleting it.
    path("profile/data.json", data_views.AccountDataExportView.as_view(), name="data-export"),
    path("profile/delete/", data_views.AccountDeleteView.as_view(), name="account-delete"),
]
