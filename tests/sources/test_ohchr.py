"""OHCHR dashboard exports: a cross-check source with one merged consent date per state."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from treatywatch.engine.events import EventKind
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.sources.base import Document, ParseError, ParseResult
from treatywatch.sources.registry import RAW_DIR, get_source

REGISTRY, CATALOGUE = load_registry(), load_catalogue()
SOURCE = get_source("ohchr")
DOCUMENTS = {Path(d.name).name.split("_")[1]: d for d in SOURCE.stored_documents()}


def parse(document: Document) -> ParseResult:
    return SOURCE.parse(document, participants=REGISTRY, catalogue=CATALOGUE)


def test_three_exports_with_their_last_updated_dates():
    results = {name: parse(d) for name, d in DOCUMENTS.items()}
    assert {name: (r.treaty, r.as_of) for name, r in results.items()} == {
        "ICESCR": ("icescr", date(2025, 10, 10)),
        "CAT": ("cat", date(2023, 2, 21)),
        "ICCPR": ("iccpr", date(2023, 2, 21)),
    }


def test_consents_are_ratifications_that_say_the_export_merges_kinds():
    events = parse(DOCUMENTS["ICCPR"]).events
    consents = [e for e in events if e.treaty == "iccpr" and e.kind == EventKind.RATIFICATION]
    assert len(consents) == 173
    assert all("merges ratification, accession and succession" in e.note for e in consents)
    assert (
        len([e for e in events if e.treaty == "iccpr-op1"]) == 117
    )  # the communications column is OP1 consent


def test_iccpr_dates_agree_with_the_2015_depositary_scrape():
    untc = get_source("untc_2015")
    scrape = next(d for d in untc.stored_documents() if d.name.endswith("/4-4.csv"))
    old = {
        e.state: e.date
        for e in untc.parse(scrape, participants=REGISTRY, catalogue=CATALOGUE).events
        if e.is_consent
    }
    new = {e.state: e.date for e in parse(DOCUMENTS["ICCPR"]).events if e.treaty == "iccpr" and e.is_consent}
    assert {s: new[s] for s in old} == old  # all 168 parties of 2015, same day
    assert sorted(set(new) - set(old)) == ["ATG", "FJI", "MHL", "QAT", "STP"]  # joined 2017-2019


def test_cat_procedures_are_declarations_and_provenance():
    document = DOCUMENTS["CAT"]
    afghanistan = {
        e.kind: e for e in parse(document).events if e.state == "AFG" and e.kind != EventKind.DECLARATION
    }
    assert afghanistan[EventKind.SIGNATURE].date == date(1985, 2, 4)
    assert afghanistan[EventKind.RATIFICATION].date == date(1987, 4, 1)
    inquiry = [e for e in parse(document).events if e.state == "AFG" and e.kind == EventKind.DECLARATION]
    assert [(e.date, e.text[:24]) for e in inquiry] == [(date(2018, 4, 17), "Inquiry procedure of art")]
    provenance = afghanistan[EventKind.RATIFICATION].provenance
    assert provenance.source == "ohchr" and provenance.trust == "secondary"
    assert provenance.url.startswith("https://github.com/bkey15/dissertation/blob/4c4b0b0")
    assert provenance.original == "Afghanistan | Date of Ratification/Accession: 31868.0 (Excel serial date)"
    assert provenance.document_sha256 == document.sha256


def test_the_unlisted_icescr_export_holds_the_same_facts():
    listed = DOCUMENTS["ICESCR"]
    other = RAW_DIR / "ohchr-dashboard-exports" / "UnderlyingData_ICESCR_OHCHR_23_04_2026.xls"
    assert other.read_bytes() != listed.content
    twin = Document("ohchr", listed.url, other.read_bytes(), listed.retrieved_at, other.name)
    assert [e.event_id for e in parse(twin).events] == [e.event_id for e in parse(listed).events]


def test_a_malformed_row_rejects_the_whole_file():
    document = DOCUMENTS["CAT"]
    content = document.content.replace(
        b"Afghanistan", b"Afghanistax", 1
    )  # BIFF8 keeps ASCII strings as bytes
    with pytest.raises(ParseError) as failure:
        parse(Document(document.source, document.url, content, document.retrieved_at, document.name))
    assert str(failure.value) == (
        "ohchr-dashboard-exports/UnderlyingData_CAT_OHCHR_26_11_2024.xls, row 3: unknown participant ('Afghanistax')"
    )


def test_a_truncated_file_is_refused():
    document = DOCUMENTS["ICCPR"]
    with pytest.raises(ParseError, match="not a legacy Excel workbook"):
        parse(
            Document(
                document.source, document.url, document.content[:4000], document.retrieved_at, document.name
            )
        )
