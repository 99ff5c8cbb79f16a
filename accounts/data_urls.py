"""URLs of a patient's full data export and account deletion (included by accounts/urls.py)."""

urlpatterns = []
