"""The 2015 UNTC scrape: real files, counts folded through the engine, and malformed files."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from treatywatch.engine.events import Event, EventKind
from treatywatch.engine.status import COUNTED_AS_PARTY, ParticipationHistory
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.sources.base import Document, ParseError, ParseResult
from treatywatch.sources.registry import get_source

SOURCE = get_source("untc_2015")
REGISTRY, CATALOGUE = load_registry(), load_catalogue()
FIXTURES = Path(__file__).parent / "fixtures" / "untc_2015"
DOCUMENTS = {Path(d.name).stem: d for d in SOURCE.stored_documents()}


def parse(document: Document) -> ParseResult:
    return SOURCE.parse(document, participants=REGISTRY, catalogue=CATALOGUE)


def variant(stem: str, content: bytes) -> Document:
    original = DOCUMENTS[stem]
    return Document(original.source, original.url, content, original.retrieved_at, original.name)


def parties(events: list[Event], slug: str, at: date) -> set[str]:
    by_state: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_state[event.state].append(event)
    clauses = CATALOGUE.get(slug).clauses
    return {
        s
        for s, e in by_state.items()
        if ParticipationHistory(clauses, s, e).status_at(at).status in COUNTED_AS_PARTY
    }


def test_every_listed_file_is_a_catalogue_treaty_and_parses():
    assert len(DOCUMENTS) == 34
    results = {stem: parse(doc) for stem, doc in DOCUMENTS.items()}
    assert {r.treaty for r in results.values()} == {
        t.slug
        for t in CATALOGUE
        if t.untc_ref and t.untc_ref != "XXVI-9"  # the TPNW post-dates the scrape
    }
    assert all(r.events for r in results.values())


@pytest.mark.parametrize(
    ("stem", "slug", "as_of", "count"),
    [
        ("5-2", "refugee-1951", date(2013, 7, 6), 145),
        ("5-5", "refugee-protocol-1967", date(2014, 1, 27), 146),
        (
            "5-3",
            "stateless-1954",
            date(2015, 3, 14),
            85,
        ),  # 86 dated rows, less Madagascar's denounced accession
        ("5-4", "statelessness-1961", date(2015, 3, 14), 63),
        ("18-10", "rome-statute", date(2014, 1, 27), 122),
    ],
)
def test_party_counts_on_each_files_own_date(stem, slug, as_of, count):
    result = parse(DOCUMENTS[stem])
    assert (result.treaty, result.as_of) == (slug, as_of)
    assert len(parties(result.events, slug, as_of)) == count


def test_madagascars_lost_brackets_are_reported_not_counted():
    result = parse(DOCUMENTS["5-3"])
    assert not [e for e in result.events if e.state == "MDG"]
    assert len(result.notes) == 1
    assert (
        "Madagascar" in result.notes[0]
        and "20 Feb 1962 a" in result.notes[0]
        and "no notice date" in result.notes[0]
    )


def test_dates_markers_and_provenance():
    document = DOCUMENTS["5-2"]
    events = {(e.state, e.kind): e for e in parse(document).events}
    afghanistan = events[("AFG", EventKind.ACCESSION)]
    assert afghanistan.date == date(2005, 8, 30)
    assert events[("DZA", EventKind.SUCCESSION)].date == date(1963, 2, 21)
    assert events[("BRA", EventKind.SIGNATURE)].date == date(1952, 7, 15)
    assert events[("BRA", EventKind.RATIFICATION)].date == date(1960, 11, 16)
    provenance = afghanistan.provenance
    assert provenance.source == "untc_2015" and provenance.trust == "primary"
    assert provenance.original == "Afghanistan,,30 Aug 2005 a"
    assert (
        provenance.url
        == "https://github.com/zmjones/untreaties/blob/003ce1309cc2a27a5a3909f39b7e6634550bf173/treaties/5-2.csv"
    )
    assert provenance.document_sha256 == document.sha256
    assert provenance.retrieved_at == document.retrieved_at


def test_column_headers_decide_what_a_marker_means():
    op1 = parse(DOCUMENTS["4-5"]).events
    successions_to_signature = [
        e for e in op1 if e.kind == EventKind.SIGNATURE and e.note == "succession to signature"
    ]
    assert len(successions_to_signature) == 2
    att = [e for e in parse(DOCUMENTS["26-8"]).events if e.kind == EventKind.DECLARATION]
    assert len(att) == 19 and {e.text for e in att} == {"Provisional application under article 23"}
    ccw_protocol_v = parse(DOCUMENTS["26-2-d"]).events
    assert {e.kind for e in ccw_protocol_v} == {EventKind.CONSENT_TO_BE_BOUND}
    netherlands = [
        e for e in parse(DOCUMENTS["18-10"]).events if e.state == "NLD" and e.kind == EventKind.ACCEPTANCE
    ]
    assert [e.date for e in netherlands] == [date(2001, 7, 17)]


def test_bracketed_actions_are_noted_and_not_emitted():
    result = parse(variant("18-10", (FIXTURES / "18-10-bracketed.csv").read_bytes()))
    assert {(e.state, e.kind) for e in result.events} == {
        ("AFG", EventKind.ACCESSION),
        ("BDI", EventKind.SIGNATURE),
    }
    assert result.notes == [
        "row 3 Burundi: ratification of 2004-09-21 ('[21 Sep 2004]') was later undone (bracketed); the scrape gives "
        "no notice date, so neither the action nor its end is emitted"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"Afghanistan,,30 Aug 2005 a", b"Afghanistan,,30 Aug 2005 x", "row 2: unknown action marker 'x'"),
        (b"Afghanistan,,30 Aug 2005 a", b"Afghanistan,,30 Agu 2005 a", "row 2: not a UNTC date"),
        (b"Afghanistan,,30 Aug 2005 a", b"Afghanistan,,30 Aug 2005 AA", "row 2: unknown action marker 'AA'"),
        (b"Afghanistan,,30 Aug 2005 a", b"Afghanistan,,30 Aug 2005 a,", "row 2: expected 3 cells, found 4"),
        (b"Afghanistan,,", b"Afghanistaan,,", "row 2: unknown participant"),
        (b"Succession(d)", b"Inheritance(d)", "row 1: unknown column label 'Inheritance(d)'"),
    ],
)
def test_a_malformed_row_rejects_the_whole_file(old, new, message):
    content = DOCUMENTS["5-2"].content
    assert old in content
    with pytest.raises(ParseError) as failure:
        parse(variant("5-2", content.replace(old, new, 1)))
    assert str(failure.value).startswith(f"untc-zmjones-2015/treaties/5-2.csv, {message}")
    assert failure.value.document == "untc-zmjones-2015/treaties/5-2.csv"


def test_a_file_for_a_treaty_outside_the_catalogue_is_refused():
    document = Document(
        "untc_2015", "x", b"Participant,Signature\n", DOCUMENTS["5-2"].retrieved_at, "treaties/3-1.csv"
    )
    with pytest.raises(ParseError, match="no catalogue treaty"):
        parse(document)
