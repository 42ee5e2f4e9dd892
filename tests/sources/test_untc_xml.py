"""UNTC MTDSG XML, tested on a CONSTRUCTED fixture (needs_real_sample: true; see the fixture's PROVENANCE.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from treatywatch.engine.events import EventKind
from treatywatch.engine.status import ParticipationHistory, Status
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure
from treatywatch.sources.registry import get_source
from treatywatch.sources.untc_xml import parser as untc_xml_parser

REGISTRY, CATALOGUE = load_registry(), load_catalogue()
SOURCE = get_source("untc_xml")
FIXTURE = (Path(__file__).parent / "fixtures" / "untc_xml" / "XVIII-10.en.xml").read_bytes()
URL = "https://treaties.un.org/doc/Publication/MTDSG/Volume II/Chapter XVIII/XVIII-10.en.xml"
RETRIEVED = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def parse(content: bytes = FIXTURE) -> ParseResult:
    document = Document("untc_xml", URL, content, RETRIEVED, name="XVIII-10.en.xml")
    return SOURCE.parse(document, participants=REGISTRY, catalogue=CATALOGUE)


def test_marked_as_needing_a_real_sample_and_live_only():
    assert SOURCE.meta.extra["needs_real_sample"] is True
    assert "needs_real_sample: true" in (untc_xml_parser.__doc__ or "")
    assert SOURCE.meta.extra["documents"] == [] and list(SOURCE.stored_documents()) == []
    live = {entry["treaty"]: entry["url"] for entry in SOURCE.meta.extra["live_documents"]}
    assert live.keys() == {t.slug for t in CATALOGUE if t.untc_ref}
    assert live["refugee-1951"].endswith("/MTDSG/Volume I/Chapter V/V-2.en.xml")
    assert live["rome-statute"] == URL
    assert all(entry["live"] for entry in SOURCE.meta.extra["live_documents"])


def test_participants_table():
    result = parse()
    assert (result.treaty, result.as_of, result.printed_counts) == (
        "rome-statute",
        date(2026, 11, 28),
        {"signatories": 137, "parties": 125},
    )
    grid = {(e.state, e.kind): e.date for e in result.events}
    assert grid[("AFG", EventKind.ACCESSION)] == date(2003, 2, 10)
    assert grid[("MNE", EventKind.SUCCESSION)] == date(2006, 10, 23)  # footnote marker stripped from the name
    assert grid[("NLD", EventKind.ACCEPTANCE)] == date(2001, 7, 17)
    provenance = next(e for e in result.events if e.state == "AFG").provenance
    assert (provenance.source, provenance.url, provenance.retrieved_at) == ("untc_xml", URL, RETRIEVED)
    assert provenance.original == "Afghanistan |  | 10 Feb 2003 a"


def test_bracketed_consents_end_with_their_end_note():
    result = parse()
    burundi = ParticipationHistory(
        CATALOGUE.get("rome-statute").clauses, "BDI", [e for e in result.events if e.state == "BDI"]
    )
    assert burundi.status_at(date(2017, 10, 26)).status == Status.WITHDRAWING
    assert burundi.status_at(date(2017, 10, 27)).status == Status.WITHDRAWN
    notice = next(e for e in result.events if e.state == "PHL" and e.kind == EventKind.DENUNCIATION)
    assert (notice.date, notice.effective_date) == (date(2018, 3, 17), date(2019, 3, 17))
    united_states = [e.kind for e in result.events if e.state == "USA"]
    assert united_states == [EventKind.SIGNATURE, EventKind.NOT_TO_BECOME_PARTY]


def test_a_bracket_without_a_readable_note_is_reported_not_emitted():
    content = FIXTURE.replace(b"<EndNote><Number>2</Number>", b"<EndNote><Number>22</Number>")
    result = parse(content)
    assert not [e for e in result.events if e.state == "BDI" and e.kind != EventKind.SIGNATURE]
    assert (
        "row 4: bracketed ratification of 2004-09-21 with no readable withdrawal note: not emitted"
        in result.notes
    )


def test_texts_and_territorial_applications():
    result = parse()
    declaration = next(e for e in result.events if e.kind == EventKind.DECLARATION)
    assert declaration.state == "COL" and declaration.date == date(2002, 8, 5)  # implied: upon ratification
    assert "date implied" in declaration.note and declaration.text.startswith("None of the provisions")
    territorial = next(e for e in result.events if e.kind == EventKind.TERRITORIAL_APPLICATION)
    assert (territorial.state, territorial.date, territorial.territory) == (
        "NLD",
        date(2001, 7, 17),
        "Aruba (illustrative)",
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"[21 Sep\t 2004]", b"[21 Sept\t 2004", "row 4: unbalanced brackets in date cell"),
        (b"10 Feb\t 2003 a", b"10 Feb\t 2003 q", "row 2: unknown action marker 'q'"),
        (b"<Entry>Albania</Entry>", b"<Entry>Albanai</Entry>", "row 3: unknown participant ('Albanai')"),
    ],
)
def test_a_malformed_row_rejects_the_whole_document(old, new, message):
    assert old in FIXTURE
    with pytest.raises(ParseError) as failure:
        parse(FIXTURE.replace(old, new, 1))
    assert str(failure.value).startswith(f"XVIII-10.en.xml, {message}")


def test_broken_or_foreign_documents():
    with pytest.raises(ParseError, match="not well-formed XML"):
        parse(FIXTURE[:-40])
    with pytest.raises(SoftFailure, match="no <Treaty> element"):
        parse(b"<?xml version='1.0'?><html><body>Site under maintenance</body></html>")
