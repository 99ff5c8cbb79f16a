from django.urls import path

from treatments import views

app_name = "treatments"

urlpatterns = [
    path("treatments/", views.TreatmentListView.as_view(), name="list"),
    path("treatments/new/", views.TreatmentCreateView.as_view(), name="create"),
    path("treatments/<uuid:pk>/edit/", views.TreatmentUpdateView.as_view(), name="update"),
    path("treatments/<uuid:pk>/delete/", views.TreatmentDeleteView.as_view(), name="delete"),
]
