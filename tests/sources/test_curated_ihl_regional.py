"""Curated IHL and regional events: AU party lists, European and American withdrawals."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from treatywatch.engine.events import Event, EventKind, Provenance
from treatywatch.engine.status import COUNTED_AS_PARTY, ParticipationHistory, Status
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.sources.base import Document, ParseError
from treatywatch.sources.registry import get_source

REGISTRY, CATALOGUE = load_registry(), load_catalogue()
SOURCE = get_source("curated_ihl_regional")
DOCUMENT = next(SOURCE.stored_documents())
RESULT = SOURCE.parse(DOCUMENT, participants=REGISTRY, catalogue=CATALOGUE)


def history(slug: str, state: str, extra: tuple[Event, ...] = ()) -> ParticipationHistory:
    events = [e for e in RESULT.events if e.treaty == slug and e.state == state]
    return ParticipationHistory(CATALOGUE.get(slug).clauses, state, [*events, *extra])


def parties(slug: str, at: date) -> set[str]:
    by_state: dict[str, list[Event]] = defaultdict(list)
    for event in RESULT.events:
        if event.treaty == slug:
            by_state[event.state].append(event)
    clauses = CATALOGUE.get(slug).clauses
    return {
        s
        for s, e in by_state.items()
        if ParticipationHistory(clauses, s, e).status_at(at).status in COUNTED_AS_PARTY
    }


def test_oau_1969_party_list_is_the_au_list_plus_the_un_record_conflicts():
    oau = parties("oau-refugee-1969", date(2019, 5, 16))
    au_list = "https://github.com/stephendonkor003/ATTPv2/"  # the cited extraction of the AU status list
    from_au_list = {
        e.state
        for e in RESULT.events
        if e.treaty == "oau-refugee-1969" and e.is_consent and e.provenance.url.startswith(au_list)
    }
    assert len(oau) == 48
    assert oau - from_au_list == {"MAR", "MUS"}  # UN registration No. 14691; the AU list disagrees (flagged)
    assert len(oau & from_au_list) == 46  # the compilation's derived count for the AU list
    assert "derived count oau-refugee-1969: 46 as of 2019-05-16" in " ".join(RESULT.notes)


def test_kampala_party_list():
    assert len(parties("kampala", date(2024, 7, 8))) == 34
    assert len(parties("kampala", date(2012, 12, 6))) >= 15  # in force after the 15th instrument


def test_istanbul_turkiye_2021():
    turkiye = history("istanbul", "TUR")
    assert turkiye.status_at(date(2021, 3, 19)).status == Status.PARTY
    assert turkiye.status_at(date(2021, 3, 20)).status == Status.WITHDRAWING
    assert turkiye.status_at(date(2021, 7, 1)).status == Status.WITHDRAWN


def test_american_convention_denunciations():
    venezuela = history("achr", "VEN")
    assert venezuela.status_at(date(2013, 9, 9)).status == Status.WITHDRAWING
    assert venezuela.status_at(date(2013, 9, 10)).status == Status.WITHDRAWN
    trinidad = history("achr", "TTO")
    assert trinidad.status_at(date(1999, 5, 25)).status == Status.WITHDRAWING
    assert trinidad.status_at(date(1999, 5, 26)).status == Status.WITHDRAWN
    assert len(parties("achr", date(2026, 1, 1))) == 23  # 25 deposits less the two denunciations


def test_russia_echr_2022():
    ceased = next(e for e in RESULT.events if e.treaty == "echr" and e.state == "RUS")
    assert (ceased.kind, ceased.date, ceased.effective_date) == (
        EventKind.CEASED_MEMBERSHIP,
        date(2022, 3, 16),
        date(2022, 9, 16),
    )
    # This compilation does not record Russia's 1998 ratification, so on its own the cessation ends nothing:
    alone = history("echr", "RUS")
    assert alone.status_at(date(2022, 1, 1)).status == Status.NONE and "while not bound" in alone.flags[0]
    # With a ratification from any other source (here a test event), it ends party status on 16 Sep 2022.
    ratification = Event("echr", "RUS", EventKind.RATIFICATION, date(1998, 5, 5), Provenance("test", "test"))
    combined = history("echr", "RUS", (ratification,))
    assert combined.status_at(date(2022, 3, 15)).status == Status.PARTY
    assert combined.status_at(date(2022, 3, 16)).status == Status.WITHDRAWING
    assert combined.status_at(date(2022, 9, 16)).status == Status.WITHDRAWN


def test_trust_and_provenance():
    au_record = next(e for e in RESULT.events if e.treaty == "kampala" and e.is_consent)
    assert au_record.provenance.trust == "secondary" and au_record.provenance.url.startswith(
        "https://github.com/"
    )
    greece = next(e for e in RESULT.events if e.treaty == "echr" and e.state == "GRC" and e.is_consent)
    assert greece.verified is False and greece.provenance.trust == "secondary"
    venezuela = next(
        e
        for e in RESULT.events
        if e.treaty == "achr" and e.state == "VEN" and e.kind == EventKind.DENUNCIATION
    )
    assert venezuela.provenance.trust == "primary" and venezuela.provenance.original
    assert venezuela.provenance.document_sha256 == DOCUMENT.sha256
    assert len(RESULT.events) == 229


def test_a_malformed_record_rejects_the_whole_file():
    content = DOCUMENT.content.replace(b"state: DZA", b"state: ALG", 1)
    broken = Document(DOCUMENT.source, DOCUMENT.url, content, DOCUMENT.retrieved_at, DOCUMENT.name)
    with pytest.raises(ParseError) as failure:
        SOURCE.parse(broken, participants=REGISTRY, catalogue=CATALOGUE)
    assert (
        str(failure.value)
        == "curated/curated-events-ihl-regional.yaml, row 1: unknown participant code ('ALG')"
    )
