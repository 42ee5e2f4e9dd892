"""Conversions between stored rows and the engine's pure events."""

from __future__ import annotations

from typing import Any

from treatywatch.engine.events import Event, EventKind, Provenance
from treatywatch.store.models import Event as EventRow

# The columns the engine needs, read with values_list: much cheaper than model instances.
ENGINE_COLUMNS = (
    "event_id",
    "treaty_id",
    "participant_id",
    "kind",
    "date",
    "effective_date",
    "territory",
    "text",
    "cn_symbol",
    "verified",
    "note",
    "source",
    "url",
    "retrieved_at",
    "original",
    "trust",
    "date_precision",
)


def event_from_values(values: tuple[Any, ...]) -> Event:
    (
        event_id,
        treaty,
        state,
        kind,
        on,
        effective,
        territory,
        text,
        cn,
        verified,
        note,
        source,
        url,
        retrieved_at,
        original,
        trust,
        precision,
    ) = values
    return Event(
        treaty=treaty,
        state=state,
        kind=EventKind(kind),
        date=on,
        effective_date=effective,
        territory=territory,
        text=text,
        cn_symbol=cn,
        verified=verified,
        note=note,
        date_precision=precision,
        provenance=Provenance(
            source=source, url=url, retrieved_at=retrieved_at, original=original, trust=trust
        ),
        event_id=event_id,
    )


def event_from_row(row: EventRow) -> Event:
    return event_from_values(tuple(getattr(row, column) for column in ENGINE_COLUMNS))


def row_fields(event: Event, role: str = EventRow.Role.STATUS) -> dict[str, Any]:
    """Model field values for an engine event (the inverse of `event_from_row`)."""
    p = event.provenance
    return {
        "event_id": event.event_id,
        "treaty_id": event.treaty,
        "participant_id": event.state,
        "kind": str(event.kind),
        "date": event.date,
        "date_precision": event.date_precision,
        "effective_date": event.effective_date,
        "territory": event.territory,
        "text": event.text,
        "cn_symbol": event.cn_symbol,
        "verified": event.verified,
        "note": event.note,
        "role": role,
        "source": p.source,
        "url": p.url,
        "retrieved_at": p.retrieved_at,
        "original": p.original,
        "trust": p.trust,
    }


def event_to_json(event: Event, role: str = EventRow.Role.STATUS) -> dict[str, Any]:
    """The bundle's and the exports' JSON shape of an event (dates as ISO strings)."""
    fields = row_fields(event, role)
    data = {
        k.removesuffix("_id") if k in ("treaty_id", "participant_id") else k: v for k, v in fields.items()
    }
    data["state"] = data.pop("participant")
    data["document_sha256"] = event.provenance.document_sha256
    for key in ("date", "effective_date", "retrieved_at"):
        if data[key] is not None:
            data[key] = data[key].isoformat()
    return data


def event_from_json(data: dict[str, Any]) -> Event:
    from datetime import date, datetime

    return Event(
        treaty=data["treaty"],
        state=data["state"],
        kind=EventKind(data["kind"]),
        date=date.fromisoformat(data["date"]) if data.get("date") else None,
        effective_date=date.fromisoformat(data["effective_date"]) if data.get("effective_date") else None,
        territory=data.get("territory", ""),
        text=data.get("text", ""),
        cn_symbol=data.get("cn_symbol", ""),
        verified=data.get("verified", True),
        note=data.get("note", ""),
        date_precision=data.get("date_precision", "day"),
        provenance=Provenance(
            source=data["source"],
            url=data["url"],
            retrieved_at=datetime.fromisoformat(data["retrieved_at"]) if data.get("retrieved_at") else None,
            original=data.get("original", ""),
            document_sha256=data.get("document_sha256", ""),
            trust=data.get("trust", "primary"),
        ),
        event_id=data.get("event_id", ""),
    )
