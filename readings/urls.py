from django.urls import path

from readings import views
from readings.transfer_urls import urlpatterns as transfer_urlpatterns

app_name = "readings"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/data.json", views.dashboard_data, name="dashboard-data"),
    path("readings/", views.ReadingListView.as_view(), name="list"),
    path("readings/new/", views.ReadingCreateView.as_view(), name="create"),
    path("readings/<uuid:pk>/edit/", views.ReadingUpdateView.as_view(), name="update"),
    path("readings/<uuid:pk>/delete/", views.ReadingDeleteView.as_view(), name="delete"),
    path("readings/version.json", views.readings_version, name="version"),
    *transfer_urlpatterns,  # import and export (readings/transfer_urls.py)
]
