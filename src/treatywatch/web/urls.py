"""Public page addresses. These are stable: /treaties/<slug>, /states/<code>, /matrix, each with ?at=YYYY-MM-DD."""

from django.urls import path

from treatywatch.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("treaties/", views.treaty_list, name="treaties"),
    path("treaties.csv", views.treaty_list, {"fmt": "csv"}, name="treaties-csv"),
    path("treaties/<slug:slug>", views.treaty_detail, name="treaty"),
    path("treaties/<slug:slug>.csv", views.treaty_detail, {"fmt": "csv"}, name="treaty-csv"),
    path(
        "treaties/<slug:slug>/reservations.csv",
        views.treaty_reservations,
        {"fmt": "csv"},
        name="treaty-reservations-csv",
    ),
    path("states/", views.state_list, name="states"),
    path("states.csv", views.state_list, {"fmt": "csv"}, name="states-csv"),
    path("states/<str:code>.csv", views.state_detail, {"fmt": "csv"}, name="state-csv"),
    path("states/<str:code>", views.state_detail, name="state"),
    path("matrix", views.matrix, name="matrix"),
    path("matrix.csv", views.matrix, {"fmt": "csv"}, name="matrix-csv"),
    path("search", views.search, name="search"),
    path("static/<path:path>", views.static_file, name="static"),
]
