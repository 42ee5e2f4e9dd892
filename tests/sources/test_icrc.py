"""The ICRC IHL database JSON:API response (real, trimmed upstream to three state-party entries)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from treatywatch.engine.events import EventKind
from treatywatch.engine.status import ParticipationHistory, Status
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.sources.base import Document, ParseError, ParseResult
from treatywatch.sources.registry import get_source

REGISTRY, CATALOGUE = load_registry(), load_catalogue()
SOURCE = get_source("icrc")
DOCUMENT = next(SOURCE.stored_documents())


def parse(document: Document) -> ParseResult:
    return SOURCE.parse(document, participants=REGISTRY, catalogue=CATALOGUE)


def edited(change) -> Document:
    payload = json.loads(DOCUMENT.content)
    change(payload)
    return Document(
        DOCUMENT.source, DOCUMENT.url, json.dumps(payload).encode(), DOCUMENT.retrieved_at, DOCUMENT.name
    )


def test_geneva_convention_i_entries():
    result = parse(DOCUMENT)
    assert (result.treaty, result.as_of) == ("gc1", date(2026, 3, 26))
    assert [(e.state, e.kind, e.date) for e in result.events] == [
        ("BRB", EventKind.ACCESSION, date(1968, 9, 10)),
        ("BRB", EventKind.DECLARATION, date(1968, 9, 10)),
        ("BRB", EventKind.SUCCESSION, date(1968, 9, 10)),
    ]
    declaration = result.events[1]
    assert declaration.text.startswith('Declaration made upon succession:\n"The Government of Barbados notes')
    assert "UNTS, Vol.653" in declaration.text


def test_provenance_points_at_each_entry():
    accession = parse(DOCUMENT).events[0]
    assert accession.provenance.url == (
        "https://ihl-databases.icrc.org/en/jsonapi/paragraph/treaty_participant/"
        "558fdf94-5b1f-4fbd-87f5-4beadd6c2b5d?resourceVersion=id%3A2828868"
    )
    assert json.loads(accession.provenance.original) == {
        "country": "Barbados",
        "action": "accession",
        "date_notif": "1968-09-10",
    }
    assert accession.provenance.document_sha256 == DOCUMENT.sha256 and accession.provenance.source == "icrc"


def test_the_engine_reads_the_entries():
    history = ParticipationHistory(CATALOGUE.get("gc1").clauses, "BRB", parse(DOCUMENT).events)
    assert history.status_at(date(1969, 6, 1)).status == Status.PARTY


def _unknown_action(payload: dict) -> None:
    payload["included"][11]["attributes"]["field_participant_action"] = "ratifcation"


def _bad_date(payload: dict) -> None:
    payload["included"][12]["attributes"]["field_participant_date_notif"] = "10.09.1968"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            _unknown_action,
            "row state party 1: unknown action (add it to source.yaml `actions`) ('ratifcation')",
        ),
        (_bad_date, "row state party 2: no ISO notification date ('10.09.1968')"),
    ],
)
def test_a_malformed_entry_rejects_the_whole_response(change, message):
    assert DOCUMENT.name == "icrc-jsonapi-fixture/365.json"
    with pytest.raises(ParseError) as failure:
        parse(edited(change))
    assert str(failure.value) == f"icrc-jsonapi-fixture/365.json, {message}"


def test_a_treaty_number_must_match_the_catalogue_treaty():
    def renumber(payload: dict) -> None:
        payload["data"][0]["attributes"]["field_treaty_number"] = (
            470  # AP I, adopted 1977: the dates disagree
        )

    with pytest.raises(ParseError, match="adopted on 1949-08-12, not on ap1's adoption date"):
        parse(edited(renumber))
