"""Filling the database: reference data from the knowledge base, and the bundled dataset.

Bundle layout (written by `treatywatch build-dataset`, read here), in `data/bundle/`:
  manifest.json        built_at, sources (metadata, licence, citation, documents), treaties (data_as_of,
                       data_sources, coverage_note, printed_counts)
  events.ndjson.gz     one event per line (see convert.event_to_json) with its `role`
  discrepancies.ndjson.gz  cross-source disagreements for review
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from treatywatch.engine.events import Event
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.store.convert import event_from_json, row_fields
from treatywatch.store.models import Discrepancy, Participant, SourceDocument, Treaty
from treatywatch.store.models import Event as EventRow

MANIFEST = "manifest.json"
EVENTS = "events.ndjson.gz"
DISCREPANCIES = "discrepancies.ndjson.gz"


class BundleError(RuntimeError):
    """The bundled dataset is missing or malformed."""


def sync_reference_data() -> None:
    """Upsert participants and treaties from the curated knowledge files (idempotent)."""
    for p in load_registry().treaty_participants():
        Participant.objects.update_or_create(
            code=p.code,
            defaults={
                "name": p.name,
                "kind": p.kind,
                "names": dict(p.names),
                "formal_name": p.formal_name or "",
                "iso_numeric": p.iso_numeric or "",
                "m49": p.m49 or "",
                "region": p.region or "",
                "subregion": p.subregion or "",
                "un_member_since": p.un_member_since,
                "successors": list(p.successors),
                "valid_from": p.valid_from,
                "valid_to": p.valid_to,
            },
        )
    for t in load_catalogue():
        Treaty.objects.update_or_create(
            slug=t.slug,
            defaults={
                "title": t.title,
                "short_title": t.short_title,
                "category": t.category,
                "subcategory": t.subcategory or "",
                "untc_ref": t.untc_ref or "",
            },
        )


def read_ndjson(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise BundleError(f"{path.name} line {number}: {error}") from None


def write_ndjson(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    # mtime=0 keeps the compressed bytes reproducible across builds
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for row in rows:
            gz.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode())
            count += 1
    return count


def read_manifest(bundle: Path) -> dict[str, Any]:
    path = bundle / MANIFEST
    if not path.exists():
        raise BundleError(f"no dataset at {bundle}: run `treatywatch build-dataset` first")
    return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def load_bundle(bundle: Path) -> dict[str, int]:
    """Replace the database's source data with the bundle's; hand-entered events are kept."""
    manifest = read_manifest(bundle)
    sync_reference_data()
    now = timezone.now()
    documents: dict[str, SourceDocument] = {}
    SourceDocument.objects.all().delete()
    for source in manifest.get("sources", []):
        for doc in source.get("documents", []):
            documents[doc["sha256"]] = SourceDocument.objects.create(
                source=source["id"],
                url=doc["url"],
                retrieved_at=_datetime(doc.get("retrieved_at")),
                sha256=doc["sha256"],
                archive_path=doc.get("archive_path", ""),
                treaty_id=doc.get("treaty"),
                as_of=_date(doc.get("as_of")),
                state=doc.get("state", SourceDocument.State.PARSED),
                error=doc.get("error", ""),
                meta={k: v for k, v in doc.items() if k not in {"url", "sha256", "retrieved_at"}},
            )
    for slug, meta in manifest.get("treaties", {}).items():
        Treaty.objects.filter(slug=slug).update(
            data_as_of=_date(meta.get("data_as_of")),
            data_sources=meta.get("data_sources", []),
            coverage_note=meta.get("coverage_note", ""),
            printed_counts=meta.get("printed_counts", {}),
        )
    EventRow.objects.filter(entered_by="").delete()
    rows = []
    for data in read_ndjson(bundle / EVENTS):
        event = event_from_json(data)
        fields = row_fields(event, data.get("role", EventRow.Role.STATUS))
        rows.append(
            EventRow(
                **fields,
                document=documents.get(event.provenance.document_sha256),
                first_seen=_datetime(data.get("first_seen")) or event.provenance.retrieved_at or now,
                last_seen=event.provenance.retrieved_at or now,
            )
        )
    EventRow.objects.bulk_create(rows, batch_size=2000)
    Discrepancy.objects.filter(review=Discrepancy.Review.OPEN).delete()
    discrepancies = [
        Discrepancy(
            treaty_id=d["treaty"],
            participant_id=d.get("state"),
            kind=d["kind"],
            description=d["description"],
            sources=d.get("sources", []),
        )
        for d in read_ndjson(bundle / DISCREPANCIES)
    ]
    Discrepancy.objects.bulk_create(discrepancies, batch_size=2000)
    return {"documents": len(documents), "events": len(rows), "discrepancies": len(discrepancies)}


def store_events(events: Iterable[Event], role: str = EventRow.Role.STATUS, entered_by: str = "") -> int:
    """Insert events not yet stored (by content id); returns how many were new."""
    events = list(events)
    existing = set(
        EventRow.objects.filter(event_id__in=[e.event_id for e in events]).values_list("event_id", flat=True)
    )
    now = timezone.now()
    new = [
        EventRow(**row_fields(e, role), first_seen=now, last_seen=now, entered_by=entered_by)
        for e in events
        if e.event_id not in existing
    ]
    EventRow.objects.bulk_create(new)
    return len(new)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
