"""Curated events for treaties with no bulk data: OAU 1969, Kampala, ACHR, ECHR, Istanbul, Geneva law.

A separate compilation from `curated_post2015` (other depositaries, other methods), so a separate source;
the record format is the same and so is the record parser. The file's other lists (declarations that
are not participation events, printed and derived counts) are not events: they go to the notes.
"""

from __future__ import annotations

from pathlib import Path

from treatywatch.knowledge.participants import ParticipantRegistry
from treatywatch.knowledge.treaties import TreatyCatalogue
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure, SourceMeta
from treatywatch.sources.curated_post2015.parser import load_yaml, parse_records

META = SourceMeta.load(Path(__file__).parent)


def parse(
    document: Document, *, participants: ParticipantRegistry, catalogue: TreatyCatalogue
) -> ParseResult:
    data = load_yaml(document)
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise ParseError(document.label, "expected a mapping with a `records` list")
    if not data["records"]:
        raise SoftFailure(document.label, "no records")
    events = parse_records(
        data["records"], document, META, date_field="date", participants=participants, catalogue=catalogue
    )
    notes = [
        f"not a participation event: {item.get('treaty')}/{item.get('state')} {item.get('event')} "
        f"{item.get('date')} ({item.get('source_url')})"
        for item in data.get("other_depositary_events") or []
    ]
    notes += [
        f"{kind} count {item.get('treaty')}: {item.get('count')} as of {item.get('as_of')}"
        f" ({item.get('source_url') or item.get('basis')})"
        for kind in ("printed", "derived")
        for item in data.get(f"{kind}_counts") or []
    ]
    return ParseResult(events=events, notes=notes)
