"""survivalscores.org pages: Rome Statute participation derived from a daily UNTC scrape (lower trust)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from treatywatch.engine.events import Event, EventKind
from treatywatch.engine.status import COUNTED_AS_PARTY, ParticipationHistory
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.sources.base import Document, ParseError
from treatywatch.sources.registry import get_source
from treatywatch.sources.survivalscores import parser

REGISTRY, CATALOGUE = load_registry(), load_catalogue()
SOURCE = get_source("survivalscores")
DOCUMENTS = {Path(d.name).name: d for d in SOURCE.stored_documents()}
INDEX = SOURCE.parse(DOCUMENTS["index.html"], participants=REGISTRY, catalogue=CATALOGUE)
TIMELINE = SOURCE.parse(DOCUMENTS["timeline.html"], participants=REGISTRY, catalogue=CATALOGUE)
DATA_DATE = date(2026, 8, 22)


def parties(events: list[Event], at: date) -> set[str]:
    by_state: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_state[event.state].append(event)
    clauses = CATALOGUE.get("rome-statute").clauses
    return {
        s
        for s, e in by_state.items()
        if ParticipationHistory(clauses, s, e).status_at(at).status in COUNTED_AS_PARTY
    }


def test_index_participation_and_printed_count():
    assert (INDEX.treaty, INDEX.as_of, INDEX.printed_counts) == (
        "rome-statute",
        DATA_DATE,
        {"members_shown": 120},
    )
    burundi = {e.kind: e for e in INDEX.events if e.state == "BDI"}
    assert burundi[EventKind.SIGNATURE].date == date(1999, 1, 13)
    assert burundi[EventKind.RATIFICATION].date == date(2004, 9, 21)
    assert {e.state for e in INDEX.events if e.kind == EventKind.SUCCESSION} == {"MNE"}
    assert {e.state for e in INDEX.events if e.kind == EventKind.ACCEPTANCE} == {"NLD"}


def test_withdrawals_keep_the_shown_effect_and_a_notice_day_derived_by_the_treaty_rule():
    withdrawals = {e.state: e for e in INDEX.events if e.kind == EventKind.DENUNCIATION}
    assert {s: e.effective_date for s, e in withdrawals.items()} == {
        "BDI": date(2017, 10, 27),
        "PHL": date(2019, 3, 17),
        "NER": date(2027, 6, 18),
        "BFA": date(2027, 6, 24),
        "MLI": date(2027, 6, 24),
        "VEN": date(2027, 7, 24),
        "TCD": date(2027, 7, 27),
    }
    # art 127(1): one year after receipt; the depositary's own notice days for these two agree
    assert (withdrawals["BDI"].date, withdrawals["PHL"].date) == (date(2016, 10, 27), date(2018, 3, 17))
    assert all("notice date derived" in e.note for e in withdrawals.values())


def test_a_rule_that_is_not_whole_years_leaves_the_notice_undated():
    ottawa = CATALOGUE.get("ottawa").clauses  # six months: the pages' effect alone does not fix a notice day
    assert parser._notice_for(ottawa, date(2025, 12, 27)) is None
    assert parser._notice_for(CATALOGUE.get("rome-statute").clauses, date(2017, 10, 27)) == date(2016, 10, 27)


def test_counts_on_the_data_date_and_after_the_pending_withdrawals():
    assert len({e.state for e in INDEX.events if e.is_consent}) == 127  # members and former members
    assert len(parties(INDEX.events, DATA_DATE)) == 125  # without Burundi and the Philippines, as UNTC counts
    assert len(parties(INDEX.events, date(2027, 7, 27))) == 120


def test_timeline_adds_only_the_signatures_the_index_hides():
    assert {e.kind for e in TIMELINE.events} == {EventKind.SIGNATURE}
    signed = {e.state: e.date for e in TIMELINE.events}
    assert len(signed) == 29 and signed["USA"] == date(2000, 12, 31) and signed["RUS"] == date(2000, 9, 13)
    assert not signed.keys() & {e.state for e in INDEX.events}
    assert not {e.event_id for e in TIMELINE.events} & {e.event_id for e in INDEX.events}


def test_derived_trust_and_label():
    event = INDEX.events[0]
    assert event.provenance.trust == "derived" and event.provenance.source == "survivalscores"
    assert "derived from a daily UNTC scrape (lower trust)" in event.note
    assert INDEX.notes == ["derived from a daily UNTC scrape (lower trust)"]
    assert event.provenance.url.startswith(
        "https://github.com/arthuredelstein/survivalscores.org/blob/b7cc254"
    )
    burundi = next(e for e in INDEX.events if e.state == "BDI" and e.is_consent)
    assert burundi.provenance.original == (
        "Burundi signed the International Criminal Court on 1999-01-13 and ratified it on 2004-09-21, "
        "but withdrew on 2017-10-27."
    )
    assert event.provenance.document_sha256 == DOCUMENTS["index.html"].sha256


@pytest.mark.parametrize(
    ("name", "old", "new", "value"),
    [
        (
            "index.html",
            "Chad signed the International Criminal Court on 1999-10-20",
            "Chad sat on the International Criminal Court on 1999-10-20",
            "Chad sat on the International",
        ),
        (
            "timeline.html",
            "Chad withdrew from the International Criminal Court.",
            "Chad quit the International Criminal Court.",
            "Chad quit the International Criminal Court.",
        ),
    ],
)
def test_an_unreadable_sentence_rejects_the_whole_page(name, old, new, value):
    document = DOCUMENTS[name]
    assert old.encode() in document.content
    content = document.content.replace(old.encode(), new.encode(), 1)
    with pytest.raises(ParseError) as failure:
        SOURCE.parse(
            Document(document.source, document.url, content, document.retrieved_at, document.name),
            participants=REGISTRY,
            catalogue=CATALOGUE,
        )
    assert failure.value.document == f"survivalscores-untc-2026/{name}"
    assert isinstance(failure.value.row, int) and str(failure.value.value).startswith(value)
