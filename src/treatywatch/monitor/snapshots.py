"""Snapshots, deltas and record time: applying one parsed document, and asking what a source showed.

`apply_document` is the only writer of a source document's events after the bundle load: it compares
the events parsed from a new retrieval with the ones stored for the same (source, address), writes the
versioned snapshot and its delta, and keeps every removed fact in `RemovedFact`. It runs inside the
caller's transaction so a failure leaves the previous data current.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from treatywatch.engine.events import Event
from treatywatch.monitor.models import Delta, RemovedFact, Snapshot, SyncRun
from treatywatch.store.convert import (
    ENGINE_COLUMNS,
    event_from_json,
    event_from_values,
    event_to_json,
    row_fields,
)
from treatywatch.store.models import Event as EventRow
from treatywatch.store.models import SourceDocument

# Provenance of the retrieval, not content: a fact re-read from a new retrieval is the same fact.
_NOT_CONTENT = ("retrieved_at", "document_sha256")


def fingerprint(data: dict[str, Any]) -> str:
    content = {k: v for k, v in data.items() if k not in _NOT_CONTENT}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class Applied:
    """The outcome of applying one document: its delta and the engine events it added."""

    delta: Delta
    added: list[Event]
    roles: dict[str, str]


def current_rows(source: str, url: str):
    """The stored events a document currently stands for (hand entries are never the source's)."""
    return EventRow.objects.filter(source=source, url=url, entered_by="")


def apply_document(
    *,
    document: SourceDocument,
    events: Iterable[Event],
    role_of: Callable[[Event], str],
    now: datetime,
    run: SyncRun | None = None,
    treaty: str | None = None,
) -> Applied:
    """Make `events` the current facts of `document`'s (source, url); returns the delta. Call in a transaction."""
    source, url = document.source, document.url
    parsed = {e.event_id: e for e in events}
    stored = {row.event_id: row for row in current_rows(source, url)}
    previous = Snapshot.objects.filter(source=source, url=url).order_by("-version").first()
    baseline = previous is None and not stored
    taken_elsewhere = set(
        EventRow.objects.filter(event_id__in=[i for i in parsed if i not in stored]).values_list(
            "event_id", flat=True
        )
    )

    added_events = [e for i, e in parsed.items() if i not in stored and i not in taken_elsewhere]
    roles = {e.event_id: role_of(e) for e in added_events}
    added_rows = [
        EventRow(**row_fields(e, roles[e.event_id]), document=document, first_seen=now, last_seen=now)
        for e in added_events
    ]
    bulk_create_with_history(added_rows, EventRow, batch_size=1000)

    changed: list[dict[str, Any]] = []
    for event_id in parsed.keys() & stored.keys():
        row = stored[event_id]
        before = event_to_json(event_from_values(tuple(getattr(row, c) for c in ENGINE_COLUMNS)), row.role)
        fields = row_fields(parsed[event_id], row.role)
        fields.pop("retrieved_at")  # provenance of the first retrieval; last_seen says when it was last shown
        after = {
            **before,
            **event_to_json(parsed[event_id], row.role),
            "retrieved_at": before["retrieved_at"],
        }
        if fingerprint(before) != fingerprint(after):
            for name, value in fields.items():
                setattr(row, name, value)
            row.save()  # through the model, so simple_history keeps the previous version
            changed.append({"before": before, "after": after})
    EventRow.objects.filter(event_id__in=list(parsed.keys() & stored.keys())).update(
        last_seen=now, document=document
    )

    removed: list[dict[str, Any]] = []
    removed_facts: list[RemovedFact] = []
    for event_id in stored.keys() - parsed.keys():
        row = stored[event_id]
        data = event_to_json(event_from_values(tuple(getattr(row, c) for c in ENGINE_COLUMNS)), row.role)
        data.update(first_seen=_iso(row.first_seen), removed_at=now.isoformat())
        removed.append(data)
        removed_facts.append(
            RemovedFact(
                event_id=event_id,
                treaty=row.treaty_id,
                state=row.participant_id,
                kind=row.kind,
                role=row.role,
                source=source,
                url=url,
                data=data,
                first_seen=row.first_seen,
                removed_at=now,
            )
        )
    for row in (stored[event_id] for event_id in stored.keys() - parsed.keys()):
        row.delete()  # simple_history records the deletion; RemovedFact keeps the valid-to

    version = previous.version + 1 if previous else 1
    snapshot = Snapshot.objects.create(
        run=run,
        source=source,
        url=url,
        version=version,
        treaty=treaty or "",
        sha256=document.sha256,
        document=document,
        taken_at=now,
        facts={i: fingerprint(event_to_json(e)) for i, e in sorted(parsed.items())},
    )
    delta = Delta.objects.create(
        snapshot=snapshot,
        previous=previous,
        baseline=baseline,
        added=[{**event_to_json(e, roles[e.event_id]), "first_seen": now.isoformat()} for e in added_events],
        changed=changed,
        removed=removed,
        created_at=now,
    )
    for fact in removed_facts:
        fact.delta = delta
    RemovedFact.objects.bulk_create(removed_facts)
    return Applied(delta=delta, added=added_events, roles=roles)


def as_moment(known_at: date | datetime) -> datetime:
    """A date means the end of that day (UTC): "what did the source show on 1 January"."""
    if isinstance(known_at, datetime):
        return known_at if timezone.is_aware(known_at) else timezone.make_aware(known_at, UTC)
    return datetime.combine(known_at, time.max, tzinfo=UTC)


def events_known_at(
    treaty: str | None, state: str | None, known_at: date | datetime, *, role: str = EventRow.Role.STATUS
) -> list[Event]:
    """The events the sources showed at `known_at` (record time), for the engine to fold as usual.

    Current facts first seen by then, plus facts since removed that were showing at that moment.
    """
    moment = as_moment(known_at)
    rows = EventRow.objects.filter(role=role).filter(Q(first_seen__lte=moment) | Q(first_seen__isnull=True))
    removed = RemovedFact.objects.filter(role=role, removed_at__gt=moment).filter(
        Q(first_seen__lte=moment) | Q(first_seen__isnull=True)
    )
    if treaty:
        rows, removed = rows.filter(treaty_id=treaty), removed.filter(treaty=treaty)
    if state:
        rows, removed = rows.filter(participant_id=state), removed.filter(state=state)
    events = [event_from_values(values) for values in rows.values_list(*ENGINE_COLUMNS)]
    events += [event_from_json(data) for data in removed.values_list("data", flat=True)]
    return events
