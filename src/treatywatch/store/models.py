"""What TreatyWatch stores: participants, treaties, source documents and the events read from them.

Events keep deposit and effective dates apart and carry statement-level provenance. Status is never
stored: it is derived by the engine from the events whose `role` is `status`.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from treatywatch.engine.events import EventKind


class Participant(models.Model):
    code = models.CharField(primary_key=True, max_length=8)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32)
    names = models.JSONField(default=dict, blank=True)  # {"fr": ..., "es": ...}
    formal_name = models.CharField(max_length=300, blank=True)
    iso_numeric = models.CharField(max_length=3, blank=True)
    m49 = models.CharField(max_length=3, blank=True)
    region = models.CharField(max_length=100, blank=True)
    subregion = models.CharField(max_length=100, blank=True)
    un_member_since = models.IntegerField(null=True, blank=True)
    successors = models.JSONField(default=list, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def localized_name(self, lang: str) -> str:
        return self.names.get(lang) or self.name


class Treaty(models.Model):
    slug = models.SlugField(primary_key=True, max_length=64)
    title = models.CharField(max_length=400)
    short_title = models.CharField(max_length=200)
    category = models.CharField(max_length=40)
    subcategory = models.CharField(max_length=40, blank=True)
    untc_ref = models.CharField(max_length=20, blank=True)
    names = models.JSONField(default=dict, blank=True)  # translated titles where known
    data_as_of = models.DateField(null=True, blank=True)
    data_sources = models.JSONField(default=list, blank=True)  # source ids whose events make the status
    coverage_note = models.TextField(blank=True)  # gaps, said plainly ("no participation data")
    printed_counts = models.JSONField(
        default=dict, blank=True
    )  # {"parties": n, "signatories": n, "as_of": ...}

    class Meta:
        ordering = ["slug"]
        verbose_name_plural = "treaties"

    def __str__(self) -> str:
        return self.short_title


class SourceDocument(models.Model):
    """One fetched or stored document, archived with its hash so any parse can be re-run."""

    class State(models.TextChoices):
        PARSED = "parsed"
        QUARANTINED = "quarantined"  # parsed but implausible: kept out of publication
        FAILED = "failed"  # could not be parsed

    source = models.CharField(max_length=40)
    url = models.URLField(max_length=500)
    retrieved_at = models.DateTimeField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    archive_path = models.CharField(max_length=500, blank=True)
    treaty = models.ForeignKey(Treaty, null=True, blank=True, on_delete=models.SET_NULL)
    as_of = models.DateField(null=True, blank=True)  # the status date the document itself prints
    state = models.CharField(max_length=12, choices=State.choices, default=State.PARSED)
    error = models.TextField(blank=True)
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["source", "url"])]

    def __str__(self) -> str:
        return f"{self.source}: {self.url} ({self.sha256[:8]})"


class EventQuerySet(models.QuerySet):
    def deciding_status(self) -> EventQuerySet:
        """The facts the engine folds: status-role events, less any an editor's correction supersedes.

        The superseded fact stays stored as its source gave it, so a sync or a reload of the bundle that
        brings it back changes nothing, and deleting the correction restores it.
        """
        superseded = Event.objects.exclude(supersedes="").values("supersedes")
        return self.filter(role=Event.Role.STATUS).exclude(event_id__in=superseded)


class Event(models.Model):
    class Role(models.TextChoices):
        STATUS = "status"  # feeds the engine
        CROSSCHECK = "crosscheck"  # compared against the status sources, shown as a second opinion

    event_id = models.CharField(max_length=40, unique=True)
    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="events")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32, choices=[(k.value, k.value.replace("_", " ")) for k in EventKind])
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(
        max_length=5, default="day", choices=[("day", "day"), ("month", "month"), ("year", "year")]
    )
    effective_date = models.DateField(null=True, blank=True)
    territory = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    cn_symbol = models.CharField(max_length=80, blank=True)
    verified = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.STATUS)
    # provenance
    source = models.CharField(max_length=40)
    url = models.URLField(max_length=500)
    retrieved_at = models.DateTimeField(null=True, blank=True)
    original = models.TextField(blank=True)
    trust = models.CharField(max_length=12, default="primary")
    document = models.ForeignKey(SourceDocument, null=True, blank=True, on_delete=models.SET_NULL)
    # record time: when a source first and last showed this fact
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    entered_by = models.CharField(max_length=150, blank=True)  # an editor's hand entry
    # an editor's correction names the source's fact it replaces (that fact's event_id)
    supersedes = models.CharField(max_length=40, blank=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["last_seen"])

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["treaty", "participant"]),
            models.Index(fields=["participant", "treaty"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["role", "treaty"]),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.kind} {self.treaty_id} {self.date}"


class Discrepancy(models.Model):
    """Two sources disagree: a person reviews it; nothing is silently overwritten."""

    class Review(models.TextChoices):
        OPEN = "open"
        CONFIRMED = "confirmed"  # the status source is right
        CORRECTED = "corrected"  # the status data was corrected by hand
        DISMISSED = "dismissed"

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE)
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=40)
    description = models.TextField()
    sources = models.JSONField(default=list)
    review = models.CharField(max_length=12, choices=Review.choices, default=Review.OPEN)
    reviewed_by = models.CharField(max_length=150, blank=True)
    review_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "discrepancies"
        indexes = [models.Index(fields=["treaty", "review"])]

    def __str__(self) -> str:
        return f"{self.treaty_id}/{self.participant_id}: {self.kind}"
