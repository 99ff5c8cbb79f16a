from django.urls import path

from accounts import views
from accounts.data_urls import urlpatterns as data_urlpatterns

app_name = "accounts"

urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    *data_urlpatterns,  # data export and account deletion (accounts/data_urls.py)
]
