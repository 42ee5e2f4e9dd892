"""Addresses under /alerts/: the alert list, feeds, and subscriptions (login required)."""

from django.urls import path

from treatywatch.monitor import feeds, views

app_name = "monitor"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>", views.detail, name="detail"),
    path("feeds/treaties/<slug:slug>.atom", feeds.TreatyFeed(), name="treaty-feed"),
    path("feeds/states/<str:code>.atom", feeds.StateFeed(), name="state-feed"),
    path("feeds/subscriptions/<str:token>.atom", feeds.SubscriptionFeed(), name="subscription-feed"),
    path("subscriptions", views.subscriptions, name="subscriptions"),
    path("subscriptions/<int:pk>/", views.subscription, name="subscription"),
    path("subscriptions/<int:pk>/delete", views.delete_subscription, name="delete-subscription"),
]
