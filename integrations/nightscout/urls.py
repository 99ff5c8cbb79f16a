from django.urls import path

from integrations.nightscout import credential_views

app_name = "nightscout"

urlpatterns = [
    path(
        "sharing/upload-secret/rotate/",
        credential_views.UploadSecretRotateView.as_view(),
        name="secret-rotate",
    ),
    path(
        "sharing/upload-secret/revoke/",
        credential_views.UploadSecretRevokeView.as_view(),
        name="secret-revoke",
    ),
    path(
        "sharing/access-tokens/new/",
        credential_views.AccessTokenCreateView.as_view(),
        name="token-create",
    ),
    path(
        "sharing/access-tokens/<uuid:token_id>/revoke/",
        credential_views.AccessTokenRevokeView.as_view(),
        name="token-revoke",
    ),
]
