"""Addresses of the Protection section (mounted at /protection/)."""

from django.urls import path

from treatywatch.protection import views

app_name = "protection"

urlpatterns = [
    path("", views.index, name="index"),
    path("hosting.csv", views.series_csv, name="series_csv"),
    path("hosts-<int:year>.csv", views.hosts_csv, name="hosts_csv"),
]
