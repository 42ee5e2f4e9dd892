"""Operators review runs, quarantined documents' alerts, subscriptions and deliveries in the admin."""

from django.contrib import admin

from treatywatch.monitor.models import Alert, Delivery, Organisation, Snapshot, Subscription, SyncRun


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "origin", "state", "finished_at"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["source", "url", "version", "treaty", "taken_at"]
    list_filter = ["source"]
    exclude = ["facts"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "urgent", "audience", "state", "treaty", "due_on", "cancelled_at"]
    list_filter = ["audience", "kind", "urgent"]
    search_fields = ["state", "treaty", "detail", "document_url"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "email"]
    filter_horizontal = ["members"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "organisation", "active", "webhook_enabled", "webhook_failures"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "alert", "subscription", "channel", "state", "attempts"]
    list_filter = ["channel", "state"]
