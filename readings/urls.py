from django.urls import path

from readings import record_views, views

app_name = "readings"

urlpatterns = [
    path("readings/", views.ReadingListView.as_view(), name="list"),
    path("readings/new/", views.ReadingCreateView.as_view(), name="create"),
    path("readings/<uuid:pk>/edit/", views.ReadingUpdateView.as_view(), name="update"),
    path("readings/<uuid:pk>/delete/", views.ReadingDeleteView.as_view(), name="delete"),
    path("record/", record_views.RecordSettingsView.as_view(), name="record"),
]
