"""Curated depositary actions after the 2015 data: one cited record per action -> one event.

The records already carry ISO codes, treaty slugs and ISO dates; the parser checks each against the
knowledge base rather than trusting it, maps the compilation's action words through `source.yaml`,
and lowers the trust of records that were not read in their cited source or only in secondary texts.
A record with no known day keeps `date=None` (the engine reports it), unless source.yaml's
`imprecise_dates` gives the year or month the source does state: then it is dated that period's
last day with `date_precision` year or month, so the state counts from the latest day it can have
joined and every answer flags the imprecision.
`parse_records` is shared with the other curated compilation (`curated_ihl_regional`).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from treatywatch.engine.events import Event, EventKind
from treatywatch.knowledge.participants import ParticipantRegistry
from treatywatch.knowledge.treaties import TreatyCatalogue
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure, SourceMeta

META = SourceMeta.load(Path(__file__).parent)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: 10x faster
_REQUIRED = ("treaty", "state", "action", "source_url", "source_kind", "verified")


def load_yaml(document: Document) -> Any:
    try:
        return yaml.load(document.content.decode("utf-8"), Loader=_LOADER)
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise ParseError(document.label, f"not readable YAML: {error}") from None


def parse_records(
    records: Sequence[Mapping[str, Any]],
    document: Document,
    meta: SourceMeta,
    *,
    date_field: str,
    participants: ParticipantRegistry,
    catalogue: TreatyCatalogue,
) -> list[Event]:
    """Every record -> one event, or a ParseError naming the record number and the offending value."""
    label = document.label
    actions: Mapping[str, str] = meta.extra["actions"]
    events: list[Event] = []
    for n, record in enumerate(records, start=1):
        missing = [key for key in (*_REQUIRED, date_field) if key not in record]
        if missing:
            raise ParseError(
                label, f"record lacks {', '.join(missing)}", row=n, value=str(record.get("state"))
            )
        if record["treaty"] not in catalogue:
            raise ParseError(label, "unknown treaty slug", row=n, value=str(record["treaty"]))
        if record["state"] not in participants:
            raise ParseError(label, "unknown participant code", row=n, value=str(record["state"]))
        if record["action"] not in actions:
            raise ParseError(
                label, "unknown action (add it to source.yaml `actions`)", row=n, value=str(record["action"])
            )
        verified = record["verified"]
        if not isinstance(verified, bool):
            raise ParseError(label, "`verified` must be true or false", row=n, value=str(verified))
        lower_trust = not verified or record["source_kind"] == "secondary"
        on, precision = _date(record[date_field], label, n), "day"
        period = meta.extra.get("imprecise_dates", {}).get(f"{record['treaty']} {record['state']}")
        if on is None and period:
            on, precision = _last_day(period, label, n)
        events.append(
            Event(
                treaty=record["treaty"],
                state=record["state"],
                kind=EventKind(actions[record["action"]]),
                date=on,
                date_precision=precision,
                effective_date=_date(record.get("effective_date"), label, n),
                cn_symbol=record.get("cn_symbol") or "",
                verified=verified,
                note=" ".join(str(record[k]).strip() for k in ("date_basis", "note") if record.get(k)),
                provenance=meta.provenance(
                    document,
                    str(record.get("quote") or ""),
                    url=record["source_url"],
                    trust="secondary" if lower_trust else None,
                ),
            )
        )
    return events


def parse(
    document: Document, *, participants: ParticipantRegistry, catalogue: TreatyCatalogue
) -> ParseResult:
    records = load_yaml(document)
    if not isinstance(records, list):
        raise ParseError(document.label, "expected a list of records at the top level")
    if not records:
        raise SoftFailure(document.label, "no records")
    events = parse_records(
        records,
        document,
        META,
        date_field="deposit_or_notice_date",
        participants=participants,
        catalogue=catalogue,
    )
    undated = [f"{e.treaty}/{e.state} {e.kind}" for e in events if e.date is None]
    notes = (
        [f"{len(undated)} records with no known day, kept undated: {', '.join(undated)}"] if undated else []
    )
    return ParseResult(events=events, notes=notes)


def _last_day(period: str, label: str, n: int) -> tuple[date, str]:
    """'2018' -> (2018-12-31, 'year'); '2016-09' -> (2016-09-30, 'month')."""
    try:
        if len(period) == 4:
            return date(int(period), 12, 31), "year"
        year, month = (int(part) for part in period.split("-"))
        return date(year, month, calendar.monthrange(year, month)[1]), "month"
    except ValueError:
        raise ParseError(label, "imprecise date is neither YYYY nor YYYY-MM", row=n, value=period) from None


def _date(value: object, label: str, n: int) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ParseError(label, "not an ISO date", row=n, value=str(value)) from None
