"""Monitoring records: sync runs, snapshots and deltas, alerts, subscriptions and their deliveries.

Record time lives here. Each sync of a source document writes a versioned `Snapshot` (the event ids
it showed and a fingerprint of each) and a `Delta` against the previous version; a fact the source
stops showing is kept in `RemovedFact` with the time it disappeared, so "what did the source show on
date X" stays answerable. Alerts are derived from deltas only; a `Delivery` row per (alert,
subscription, channel) makes every channel idempotent.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SyncRun(models.Model):
    """One `treatywatch sync` (or watch) run: what it read and what came of it."""

    class State(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    origin = models.CharField(max_length=500)  # "live", "live via <base url>" or "dir <path>"
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]


class Snapshot(models.Model):
    """What one source document showed at one retrieval: event id -> fingerprint of its content."""

    run = models.ForeignKey(
        SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="snapshots"
    )
    source = models.CharField(max_length=40)
    url = models.URLField(max_length=500)
    version = models.PositiveIntegerField()
    treaty = models.CharField(max_length=64, blank=True)
    sha256 = models.CharField(max_length=64)
    # SET_NULL: reloading the bundle replaces SourceDocument rows, the snapshot history stays
    document = models.ForeignKey("store.SourceDocument", null=True, blank=True, on_delete=models.SET_NULL)
    taken_at = models.DateTimeField()
    facts = models.JSONField(default=dict)

    class Meta:
        ordering = ["source", "url", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["source", "url", "version"], name="snapshot_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.url} v{self.version}"


class Delta(models.Model):
    """Facts added, changed and removed between a document's previous snapshot and this one."""

    snapshot = models.OneToOneField(Snapshot, on_delete=models.CASCADE, related_name="delta")
    previous = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    baseline = models.BooleanField(default=False)  # first sight of a document: recorded, never alerted
    added = models.JSONField(default=list)  # event JSON (convert.event_to_json) + first_seen
    changed = models.JSONField(default=list)  # {"before": {...}, "after": {...}}
    removed = models.JSONField(default=list)  # event JSON + first_seen + removed_at
    created_at = models.DateTimeField()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


class RemovedFact(models.Model):
    """A fact a source used to show: its valid-to in record time. History is never deleted."""

    event_id = models.CharField(max_length=40)
    treaty = models.CharField(max_length=64)
    state = models.CharField(max_length=8)
    kind = models.CharField(max_length=32)
    role = models.CharField(max_length=12)
    source = models.CharField(max_length=40)
    url = models.URLField(max_length=500)
    data = models.JSONField()  # the event as it was (convert.event_to_json)
    first_seen = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField()
    delta = models.ForeignKey(Delta, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [models.Index(fields=["treaty", "state"]), models.Index(fields=["removed_at"])]


class Alert(models.Model):
    """Something a subscriber (or an operator) should hear about, derived from a delta."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", _("new signature")
        CONSENT = "consent", _("new consent to be bound")
        ENTRY_INTO_FORCE = "entry_into_force", _("entry into force for a state")
        RESERVATION = "reservation", _("new reservation")
        DECLARATION = "declaration", _("new declaration")
        OBJECTION = "objection", _("objection")
        RESERVATION_WITHDRAWN = "reservation_withdrawn", _("withdrawal of a reservation")
        TERRITORIAL_APPLICATION = "territorial_application", _("territorial application")
        DENUNCIATION = "denunciation", _("notice of denunciation or withdrawal")
        NOT_TO_BECOME_PARTY = "not_to_become_party", _("intention not to become a party")
        NOTICE_REVOKED = "notice_revoked", _("revocation of a withdrawal notice")
        WITHDRAWAL_EFFECTIVE = "withdrawal_effective", _("withdrawal taking effect")
        DISCREPANCY = "discrepancy", _("source discrepancy")
        QUARANTINE = "quarantine", _("document quarantined")

    class Audience(models.TextChoices):
        USERS = "users"
        OPERATORS = "operators"

    key = models.CharField(max_length=250, unique=True)  # the same news never makes two alerts
    kind = models.CharField(max_length=32, choices=Kind.choices)
    urgent = models.BooleanField(default=False)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.USERS)
    treaty = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=8, blank=True)
    event_id = models.CharField(max_length=40, blank=True)
    event_kind = models.CharField(max_length=32, blank=True)
    legal_date = models.DateField(null=True, blank=True)  # valid time: deposit / notice date
    effective_date = models.DateField(null=True, blank=True)  # valid time: when it takes effect
    first_seen = models.DateTimeField()  # record time: when a source first showed it
    due_on = models.DateField(null=True, blank=True)  # scheduled alerts are released on this date
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    detail = models.TextField(blank=True)  # the reason (operators) or the source's own words
    source = models.CharField(max_length=40, blank=True)
    document_url = models.URLField(max_length=500, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    delta = models.ForeignKey(Delta, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    planned_at = models.DateTimeField(null=True, blank=True)  # deliveries were created for it
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["treaty", "created_at"]),
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["planned_at", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.state} {self.treaty}".strip()

    def released(self, today: date) -> bool:
        return self.cancelled_at is None and (self.due_on is None or self.due_on <= today)


class Organisation(models.Model):
    """An organisation account: its members manage the subscriptions it owns."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    email = models.EmailField(blank=True)  # where notices about its subscriptions go
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="alert_organisations", blank=True)

    def __str__(self) -> str:
        return self.name


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    """What to hear about (states, treaties, categories, alert kinds; empty = all) and how."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_subscriptions",
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    name = models.CharField(max_length=200)
    states = models.JSONField(default=list, blank=True)
    treaties = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    kinds = models.JSONField(default=list, blank=True)
    operator_alerts = models.BooleanField(default=False)  # staff only: quarantines and discrepancies
    language = models.CharField(max_length=5, default="en")
    email = models.EmailField(blank=True)
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret = models.CharField(max_length=80, default=new_token)
    webhook_enabled = models.BooleanField(default=True)
    webhook_failures = models.PositiveIntegerField(default=0)  # consecutive failed deliveries
    feed_token = models.CharField(max_length=64, unique=True, default=new_token)
    active = models.BooleanField(default=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(organisation__isnull=True))
                | (Q(user__isnull=True) & Q(organisation__isnull=False)),
                name="subscription_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def owner_email(self) -> str:
        if self.email:
            return self.email
        if self.user_id:
            return self.user.email
        return self.organisation.email if self.organisation_id else ""


class Delivery(models.Model):
    """One alert sent (or to be sent) to one subscription over one channel; unique, so never twice."""

    class Channel(models.TextChoices):
        EMAIL = "email"
        WEBHOOK = "webhook"

    class State(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"  # claimed by a run: never picked up again, even after a crash
        SENT = "sent"
        ABANDONED = "abandoned"  # retries spent, or the channel was disabled

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "subscription", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [models.Index(fields=["channel", "state"])]
