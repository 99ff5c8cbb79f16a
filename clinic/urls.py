from django.urls import path

from clinic import views

app_name = "clinic"

urlpatterns = [
    path("clinic/", views.RosterView.as_view(), name="roster"),
    path("clinic/request/", views.AccessRequestView.as_view(), name="request"),
    path(
        "clinic/request/withdraw/",
        views.RequestWithdrawView.as_view(),
        name="request-withdraw",
    ),
    path(
        "clinic/offers/<uuid:pk>/accept/",
        views.OfferAnswerView.as_view(accept=True),
        name="offer-accept",
    ),
    path(
        "clinic/offers/<uuid:pk>/decline/",
        views.OfferAnswerView.as_view(accept=False),
        name="offer-decline",
    ),
    path("clinic/links/<uuid:pk>/end/", views.PhysicianLinkEndView.as_view(), name="roster-end"),
]
