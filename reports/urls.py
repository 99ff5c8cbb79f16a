from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/data.json", views.dashboard_data, name="dashboard-data"),
    path("readings/version.json", views.readings_version, name="version"),
    path("clinic/patients/<uuid:pk>/", views.PatientReportView.as_view(), name="patient"),
]
