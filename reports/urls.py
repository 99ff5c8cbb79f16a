from django.urls import path, re_path

from reports import day_views, meal, report_views, views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/data.json", views.dashboard_data, name="dashboard-data"),
    path("dashboard/now.json", views.now_data, name="now"),
    path("readings/version.json", views.readings_version, name="version"),
    path("clinic/patients/<uuid:pk>/", views.PatientReportView.as_view(), name="patient"),
    path(
        "clinic/patients/<uuid:pk>/preset/",
        views.PatientPresetView.as_view(),
        name="patient-preset",
    ),
    path("day/", day_views.DayView.as_view(), name="today"),
    re_path(r"^day/(?P<day>\d{4}-\d{2}-\d{2})/$", day_views.DayView.as_view(), name="day"),
    path("meal/new/", meal.MealCreateView.as_view(), name="meal"),
    path("report/", report_views.AgpReportView.as_view(), name="agp"),
    path("report.pdf", report_views.AgpReportView.as_view(pdf=True), name="agp-pdf"),
    path(
        "clinic/patients/<uuid:pk>/report/",
        report_views.PhysicianAgpReportView.as_view(),
        name="patient-agp",
    ),
    path(
        "clinic/patients/<uuid:pk>/report.pdf",
        report_views.PhysicianAgpReportView.as_view(pdf=True),
        name="patient-agp-pdf",
    ),
]
