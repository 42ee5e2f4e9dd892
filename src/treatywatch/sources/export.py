"""Bulk exports of the stored data: events with their provenance, derived status, sources' terms.

Three formats carry the same tables: `events`, `status` (every participant x treaty on one date),
`treaties`, `participants`, `sources` (licence and citation of each source) and `documents` (the
stored documents the events were read from):
  csv     a folder of CSV files beside LICENSE-SOURCES.txt (the sources' licences and citations)
  ndjson  one file; the first record is a header with the licences and citations
  sqlite  one database with the tables above, a `metadata` table, indexes on (state, treaty); the
          file Datasette serves for comparisons
Reads the database (the bundled dataset plus editors' entries); needs Django set up.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

FORMATS = ("csv", "ndjson", "sqlite")
EXPORT_FORMAT_VERSION = 1
LICENCE_FILE = "LICENSE-SOURCES.txt"

EVENT_COLUMNS = (
    "event_id",
    "treaty",
    "state",
    "kind",
    "date",
    "date_precision",
    "effective_date",
    "territory",
    "text",
    "cn_symbol",
    "verified",
    "note",
    "role",
    "source",
    "url",
    "retrieved_at",
    "original",
    "trust",
    "document_sha256",
    "first_seen",
    "last_seen",
    "entered_by",
)
# export column -> model field, where they differ
_EVENT_FIELDS = {"treaty": "treaty_id", "state": "participant_id", "document_sha256": "document__sha256"}
STATUS_COLUMNS = (
    "state",
    "treaty",
    "at",
    "status",
    "counts_as_party",
    "consent_date",
    "consent_kind",
    "in_force_date",
    "signature_date",
    "withdrawal_notice_date",
    "withdrawal_effective_date",
    "reasons",
    "articles",
    "flags",
    "sources",
    "data_as_of",
)
TREATY_COLUMNS = (
    "slug",
    "title",
    "short_title",
    "category",
    "untc_ref",
    "data_as_of",
    "data_sources",
    "coverage_note",
    "printed_counts",
)
PARTICIPANT_COLUMNS = (
    "code",
    "name",
    "kind",
    "name_fr",
    "name_es",
    "iso_numeric",
    "m49",
    "region",
    "subregion",
)
SOURCE_COLUMNS = ("id", "title", "publisher", "url_pattern", "licence", "citation", "trust", "documents")
DOCUMENT_COLUMNS = ("source", "url", "sha256", "retrieved_at", "as_of", "treaty", "archive_path")


class ExportError(RuntimeError):
    """The export cannot be written (unknown format, unwritable path)."""


@dataclass(slots=True)
class ExportData:
    at: date
    generated_at: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def sources(self) -> list[dict[str, Any]]:
        return self.tables["sources"]


COLUMNS = {
    "events": EVENT_COLUMNS,
    "status": STATUS_COLUMNS,
    "treaties": TREATY_COLUMNS,
    "participants": PARTICIPANT_COLUMNS,
    "sources": SOURCE_COLUMNS,
    "documents": DOCUMENT_COLUMNS,
}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _json_field(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def collect(at: date) -> ExportData:
    """Read everything an export holds from the database, the status folded on `at`."""
    from django.utils import timezone

    from treatywatch.sources.registry import all_sources
    from treatywatch.store.models import Event, Participant, SourceDocument, Treaty
    from treatywatch.store.service import StatusService

    rows = Event.objects.order_by("treaty_id", "participant_id", "date", "kind", "event_id").values(
        *(_EVENT_FIELDS.get(column, column) for column in EVENT_COLUMNS)
    )
    events = [
        {column: _iso(row[_EVENT_FIELDS.get(column, column)]) for column in EVENT_COLUMNS}
        | {"document_sha256": row["document__sha256"] or ""}
        for row in rows
    ]
    treaties = list(Treaty.objects.order_by("slug").values(*[c for c in TREATY_COLUMNS]))
    for row in treaties:
        row["data_as_of"] = _iso(row["data_as_of"])
        row["data_sources"] = _json_field(row["data_sources"])
        row["printed_counts"] = _json_field(row["printed_counts"])
    participants = [
        {
            "code": p.code,
            "name": p.name,
            "kind": p.kind,
            "name_fr": p.names.get("fr", ""),
            "name_es": p.names.get("es", ""),
            "iso_numeric": p.iso_numeric,
            "m49": p.m49,
            "region": p.region,
            "subregion": p.subregion,
        }
        for p in Participant.objects.order_by("code")
    ]
    documents = [
        {k: _iso(v) for k, v in row.items()}
        for row in SourceDocument.objects.order_by("source", "url", "sha256").values(
            *DOCUMENT_COLUMNS[:5], "treaty_id", "archive_path"
        )
    ]
    for row in documents:
        row["treaty"] = row.pop("treaty_id")
    data_as_of = {t["slug"]: t["data_as_of"] for t in treaties}
    answers = StatusService().matrix(at)
    status = []
    for treaty in (t["slug"] for t in treaties):
        for participant in participants:
            state = participant["code"]
            answer = answers.get((state, treaty))
            status.append(_status_row(state, treaty, at, answer, data_as_of.get(treaty)))
    used = {row["source"] for row in events}
    registered = all_sources()
    document_counts: dict[str, int] = {}
    for row in documents:
        document_counts[row["source"]] = document_counts.get(row["source"], 0) + 1
    sources = []
    for source_id in sorted(used | set(registered)):
        meta = registered[source_id].meta if source_id in registered else None
        sources.append(
            {
                "id": source_id,
                "title": meta.title if meta else "",
                "publisher": meta.publisher if meta else "",
                "url_pattern": meta.url_pattern if meta else "",
                "licence": meta.licence if meta else "unknown: entered by an editor; see each event's url",
                "citation": meta.citation if meta else "",
                "trust": meta.trust if meta else "",
                "documents": document_counts.get(source_id, 0),
            }
        )
    return ExportData(
        at=at,
        generated_at=timezone.now().replace(microsecond=0).isoformat(),
        tables={
            "events": events,
            "status": status,
            "treaties": treaties,
            "participants": participants,
            "sources": sources,
            "documents": documents,
        },
    )


def _status_row(state: str, treaty: str, at: date, answer: Any, data_as_of: str | None) -> dict[str, Any]:
    if answer is None:
        return {
            "state": state,
            "treaty": treaty,
            "at": at.isoformat(),
            "status": "none",
            "counts_as_party": False,
            "consent_date": None,
            "consent_kind": None,
            "in_force_date": None,
            "signature_date": None,
            "withdrawal_notice_date": None,
            "withdrawal_effective_date": None,
            "reasons": "no action recorded" if data_as_of else "no participation data for this treaty",
            "articles": "",
            "flags": "",
            "sources": "",
            "data_as_of": data_as_of,
        }
    return {
        "state": state,
        "treaty": treaty,
        "at": at.isoformat(),
        "status": str(answer.status),
        "counts_as_party": answer.counts_as_party,
        "consent_date": _iso(answer.consent_date),
        "consent_kind": answer.consent_kind,
        "in_force_date": _iso(answer.in_force_date),
        "signature_date": _iso(answer.signature_date),
        "withdrawal_notice_date": _iso(answer.withdrawal_notice_date),
        "withdrawal_effective_date": _iso(answer.withdrawal_effective_date),
        "reasons": "; ".join(answer.reasons),
        "articles": "; ".join(answer.articles),
        "flags": "; ".join(answer.flags),
        "sources": " ".join(sorted({e.provenance.url for e in answer.events})),
        "data_as_of": data_as_of,
    }


def licence_text(data: ExportData) -> str:
    """The plain-text terms shipped with every export: one block per source."""
    lines = [
        "TreatyWatch data export",
        f"Generated {data.generated_at}; status derived for {data.at.isoformat()}.",
        "",
        "Every event names its source (column `source`), the address it was read from (`url`), when it was",
        "retrieved and the original text. Each source's own terms apply to the facts taken from it:",
        "",
    ]
    for source in data.sources:
        lines += [
            f"== {source['id']}: {source['title']}".rstrip(": "),
            f"Publisher: {source['publisher']}",
            f"Licence: {source['licence']}",
            f"Cite as: {source['citation']}",
            "",
        ]
    lines.append(
        "The derived status (status table) is computed by TreatyWatch from these events and the treaties'"
    )
    lines.append("final clauses; cite TreatyWatch and the sources above.")
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def write_csv(data: ExportData, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for table, columns in COLUMNS.items():
        with (out / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([_cell(row.get(c)) for c in columns] for row in data.tables[table])
    (out / LICENCE_FILE).write_text(licence_text(data), encoding="utf-8")
    return out


def write_ndjson(data: ExportData, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        header = {
            "record": "header",
            "format": EXPORT_FORMAT_VERSION,
            "generated_at": data.generated_at,
            "at": data.at.isoformat(),
            "tables": list(COLUMNS),
            "sources": data.sources,
            "licence": licence_text(data),
        }
        handle.write(json.dumps(header, ensure_ascii=False, sort_keys=True) + "\n")
        for table in COLUMNS:
            if table == "sources":
                continue  # already in the header
            record = table.removesuffix("s") if table != "status" else "status"
            for row in data.tables[table]:
                handle.write(json.dumps({"record": record, **row}, ensure_ascii=False, sort_keys=True) + "\n")
    return out


def write_sqlite(data: ExportData, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = out.with_name(out.name + ".tmp")
    staged.unlink(missing_ok=True)
    connection = sqlite3.connect(staged)
    try:
        for table, columns in COLUMNS.items():
            key = {"events": "event_id", "treaties": "slug", "participants": "code", "sources": "id"}.get(
                table
            )
            definition = ", ".join(f"[{c}]" + (" PRIMARY KEY" if c == key else "") for c in columns)
            connection.execute(f"CREATE TABLE [{table}] ({definition})")
            connection.executemany(
                f"INSERT INTO [{table}] VALUES ({', '.join('?' for _ in columns)})",
                ([row.get(c) for c in columns] for row in data.tables[table]),
            )
        connection.execute("CREATE INDEX events_state_treaty ON events (state, treaty)")
        connection.execute("CREATE INDEX status_state_treaty ON status (state, treaty)")
        connection.execute("CREATE INDEX status_treaty_status ON status (treaty, status)")
        connection.execute("CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT)")
        connection.executemany(
            "INSERT INTO metadata VALUES (?, ?)",
            [
                ("format", str(EXPORT_FORMAT_VERSION)),
                ("generated_at", data.generated_at),
                ("status_at", data.at.isoformat()),
                ("licence", licence_text(data)),
            ],
        )
        connection.commit()
    finally:
        connection.close()
    staged.replace(out)
    return out


WRITERS = {"csv": write_csv, "ndjson": write_ndjson, "sqlite": write_sqlite}
DEFAULT_OUT = {
    "csv": Path("treatywatch-export"),
    "ndjson": Path("treatywatch-export.ndjson"),
    "sqlite": Path("treatywatch-export.sqlite"),
}


def export(fmt: str, out: Path | None, at: date) -> Path:
    if fmt not in WRITERS:
        raise ExportError(f"unknown export format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return WRITERS[fmt](collect(at), out or DEFAULT_OUT[fmt])
