"""Dated events beside the curated final clauses, read through a `package_path` document."""

from __future__ import annotations

from datetime import date

import pytest

from treatywatch.engine.events import EventKind
from treatywatch.engine.status import ParticipationHistory, Status
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.sources.base import Document, ParseError
from treatywatch.sources.registry import get_source

REGISTRY, CATALOGUE = load_registry(), load_catalogue()
SOURCE = get_source("final_clauses")
DOCUMENTS = list(SOURCE.stored_documents())
RESULT = SOURCE.parse(DOCUMENTS[0], participants=REGISTRY, catalogue=CATALOGUE)
EVENTS = {(e.treaty, e.state, e.kind): e for e in RESULT.events}


def test_the_document_is_the_packaged_final_clauses_file():
    assert [d.name for d in DOCUMENTS] == ["treatywatch/knowledge/data/treaties.yaml"]
    assert DOCUMENTS[0].content.startswith(b"# Final clauses")


def test_notice_and_effective_dates_stay_apart():
    belarus = EVENTS[("iccpr-op1", "BLR", EventKind.DENUNCIATION)]
    assert (belarus.date, belarus.effective_date) == (date(2022, 11, 8), date(2023, 2, 8))
    russia = EVENTS[("echr", "RUS", EventKind.CEASED_MEMBERSHIP)]
    assert (russia.date, russia.effective_date) == (date(2022, 3, 16), date(2022, 9, 16))
    assert "ceased_to_be_party" in russia.note
    united_states = EVENTS[("att", "USA", EventKind.NOT_TO_BECOME_PARTY)]
    assert united_states.date == date(2019, 7, 18) and united_states.verified is False


def test_revocations_and_month_precision():
    notice = EVENTS[("rome-statute", "ZAF", EventKind.DENUNCIATION)]
    revocation = EVENTS[("rome-statute", "ZAF", EventKind.NOTICE_REVOKED)]
    assert notice.date == date(2016, 10, 21)
    assert revocation.date == date(2017, 3, 1) and "known to the month only (2017-03)" in revocation.note
    assert ("rome-statute", "GMB", EventKind.DENUNCIATION) not in EVENTS  # the record gives no notice date
    assert EVENTS[("rome-statute", "GMB", EventKind.NOTICE_REVOKED)].date == date(2017, 2, 1)


def test_domestic_steps_are_notes_not_events():
    assert not [e for e in RESULT.events if e.treaty == "ottawa" and e.state in {"UKR", "FIN", "POL"}]
    assert [n.split(":")[0] for n in RESULT.notes] == [
        "ottawa event 4 Ukraine",
        "ottawa event 5 Finland",
        "ottawa event 6 Poland",
    ]


def test_trust_follows_the_basis_and_provenance_cites_the_treaty_sources():
    assert (
        EVENTS[("iccpr-op1", "BLR", EventKind.DENUNCIATION)].provenance.trust == "secondary"
    )  # basis secondary
    philippines = EVENTS[("rome-statute", "PHL", EventKind.DENUNCIATION)]
    assert philippines.provenance.trust == "primary"  # basis depositary_record
    assert philippines.provenance.url == CATALOGUE.get("rome-statute").sources["s8"].url
    assert philippines.provenance.original.startswith("{action: withdrawal")
    jamaica = EVENTS[("iccpr-op1", "JAM", EventKind.DENUNCIATION)]
    assert (
        jamaica.provenance.trust == "secondary" and jamaica.provenance.url == DOCUMENTS[0].url
    )  # cites nothing


def test_with_the_2015_consents_the_engine_ends_participation():
    untc = get_source("untc_2015")
    op1 = next(d for d in untc.stored_documents() if d.name.endswith("/4-5.csv"))
    consents = untc.parse(op1, participants=REGISTRY, catalogue=CATALOGUE).events
    clauses = CATALOGUE.get("iccpr-op1").clauses
    for state, effective in (("BLR", date(2023, 2, 8)), ("JAM", date(1998, 1, 23))):
        events = [e for e in [*consents, *RESULT.events] if e.treaty == "iccpr-op1" and e.state == state]
        history = ParticipationHistory(clauses, state, events)
        assert history.status_at(effective).status == Status.WITHDRAWN


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            b"{state: Belarus, action: denunciation",
            b"{state: Belarusia, action: denunciation",
            "row iccpr-op1 event 1: unknown participant ('Belarusia')",
        ),
        (
            b"{state: Belarus, action: denunciation",
            b"{state: Belarus, action: renunciation",
            "row iccpr-op1 event 1: unknown action (add it to source.yaml `actions`) ('renunciation')",
        ),
        (
            b'notified: "2022-11-08"',
            b'notified: "2022-11-31"',
            "row iccpr-op1 event 1: `notified` is not an ISO date",
        ),
    ],
)
def test_a_malformed_event_rejects_the_whole_file(old, new, message):
    document = DOCUMENTS[0]
    assert old in document.content
    broken = Document(
        document.source,
        document.url,
        document.content.replace(old, new, 1),
        document.retrieved_at,
        document.name,
    )
    with pytest.raises(ParseError) as failure:
        SOURCE.parse(broken, participants=REGISTRY, catalogue=CATALOGUE)
    assert str(failure.value).startswith(f"treatywatch/knowledge/data/treaties.yaml, {message}")
