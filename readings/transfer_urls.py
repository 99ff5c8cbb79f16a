"""URLs of CSV import and export, in the readings namespace (included by readings/urls.py)."""

urlpatterns = []
