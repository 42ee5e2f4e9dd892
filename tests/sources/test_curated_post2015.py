"""Curated post-2015 actions: on top of the 2015 scrape they must give the counts published today."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from treatywatch.engine.events import Event, EventKind
from treatywatch.engine.status import COUNTED_AS_PARTY, ParticipationHistory, Status
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.sources.base import Document, ParseError
from treatywatch.sources.registry import get_source

REGISTRY, CATALOGUE = load_registry(), load_catalogue()
SOURCE = get_source("curated_post2015")
DOCUMENT = next(SOURCE.stored_documents())
EVENTS = SOURCE.parse(DOCUMENT, participants=REGISTRY, catalogue=CATALOGUE).events
OLD = {
    result.treaty: result.events
    for result in (
        get_source("untc_2015").parse(d, participants=REGISTRY, catalogue=CATALOGUE)
        for d in get_source("untc_2015").stored_documents()
        if d.name.rsplit("/", 1)[-1] in {"5-2.csv", "5-5.csv", "5-3.csv", "5-4.csv", "18-10.csv"}
    )
}
TODAY = date(2026, 11, 28)  # the compilation date the YAML header's counts are claimed for


def histories(slug: str) -> dict[str, ParticipationHistory]:
    by_state: dict[str, list[Event]] = defaultdict(list)
    for event in [*OLD[slug], *(e for e in EVENTS if e.treaty == slug)]:
        by_state[event.state].append(event)
    return {s: ParticipationHistory(CATALOGUE.get(slug).clauses, s, e) for s, e in by_state.items()}


def count(slug: str, at: date) -> int:
    return sum(h.status_at(at).status in COUNTED_AS_PARTY for h in histories(slug).values())


def imprecise_consents(slug: str) -> list[str]:
    return sorted(
        e.state
        for h in histories(slug).values()
        for ep in h.episodes
        if (e := ep.consent).date_precision != "day"
    )


@pytest.mark.parametrize(
    ("slug", "published", "imprecise"),
    [
        ("refugee-1951", 146, ["SSD"]),
        ("refugee-protocol-1967", 147, ["SSD"]),
        ("stateless-1954", 99, ["GNB", "MLI", "SLE"]),
        ("statelessness-1961", 81, ["GNB", "MLI", "SLE"]),
        ("rome-statute", 125, []),
    ],
)
def test_the_2015_data_plus_these_actions_gives_the_published_counts(slug, published, imprecise):
    # The accessions whose source gives only the year or month (South Sudan 2018; Mali, Sierra Leone 2016;
    # Guinea-Bissau September 2016) count from the period's last day, and say so in their flags.
    assert imprecise_consents(slug) == imprecise
    assert all(h.undated == [] for h in histories(slug).values())
    assert count(slug, TODAY) == published


def test_a_deposit_known_only_to_the_year_counts_from_that_years_last_day():
    south_sudan = histories("refugee-1951")["SSD"]
    assert south_sudan.status_code_at(date(2018, 12, 30)) == Status.NONE
    answer = south_sudan.status_at(date(2019, 1, 15))
    assert answer.status == Status.CONSENTED and answer.in_force_date == date(2019, 3, 31)  # + 90 days
    assert south_sudan.status_at(TODAY).status == Status.PARTY
    assert any("known only to the year" in flag for flag in answer.flags)


def test_rome_statute_running_count():
    assert count("rome-statute", date(2017, 10, 27)) == 123  # 122 + Palestine + El Salvador - Burundi
    assert (
        count("rome-statute", date(2019, 3, 17)) == 123
    )  # - Philippines + Malaysia's instrument, not yet withdrawn
    assert (
        count("rome-statute", date(2019, 4, 29)) == 122
    )  # Malaysia withdrew its instrument before it took effect
    assert count("rome-statute", date(2027, 7, 27)) == 120  # the five 2026 notices take effect


def test_rome_statute_withdrawals_and_revocations():
    h = histories("rome-statute")
    assert h["BDI"].status_at(date(2017, 10, 26)).status == Status.WITHDRAWING
    assert h["BDI"].status_at(date(2017, 10, 27)).status == Status.WITHDRAWN
    philippines = h["PHL"].status_at(date(2019, 1, 1))
    assert philippines.status == Status.WITHDRAWING
    assert (philippines.withdrawal_notice_date, philippines.withdrawal_effective_date) == (
        date(2018, 3, 17),
        date(2019, 3, 17),
    )
    assert h["PHL"].status_at(date(2019, 3, 17)).status == Status.WITHDRAWN
    assert h["HUN"].status_at(date(2026, 1, 1)).withdrawal_effective_date == date(2026, 6, 2)
    assert h["HUN"].status_at(date(2026, 6, 3)).status == Status.PARTY  # revoked on 29 May 2026
    assert h["ZAF"].status_at(TODAY).status == Status.PARTY
    assert h["MYS"].status_at(date(2019, 3, 10)).status == Status.CONSENTED
    assert h["MYS"].status_at(date(2019, 4, 29)).status == Status.NONE


def test_trust_verification_and_provenance():
    assert len(EVENTS) == 54
    revocation = next(e for e in EVENTS if e.state == "HUN" and e.kind == EventKind.NOTICE_REVOKED)
    assert revocation.verified is False and revocation.provenance.trust == "secondary"
    assert revocation.cn_symbol == "C.N.180.2026.TREATIES-XVIII.10"
    burundi = next(e for e in EVENTS if e.state == "BDI")
    assert burundi.kind == EventKind.DENUNCIATION and burundi.effective_date == date(2017, 10, 27)
    assert burundi.provenance.trust == "secondary"  # source_kind secondary
    palestine = next(e for e in EVENTS if e.state == "PSE")
    assert palestine.provenance.trust == "primary" and palestine.provenance.source == "curated_post2015"
    assert palestine.provenance.url.startswith("http") and palestine.provenance.original
    assert palestine.provenance.document_sha256 == DOCUMENT.sha256
    malaysia = [e.kind for e in EVENTS if e.state == "MYS"]
    assert malaysia == [EventKind.ACCESSION, EventKind.CONSENT_WITHDRAWN]
    south_sudan = next(e for e in EVENTS if e.state == "SSD" and e.treaty == "refugee-1951")
    assert south_sudan.date == date(2018, 12, 31) and south_sudan.date_precision == "year"
    assert "28 Sep 2018" in south_sudan.note


@pytest.mark.parametrize(
    ("old", "new", "row", "value"),
    [
        (
            b"action: withdrawal_of_instrument",
            b"action: withdrawl_of_instrument",
            44,
            "withdrawl_of_instrument_before",
        ),
        (b'deposit_or_notice_date: "2015-03-26"', b'deposit_or_notice_date: "2015-13-26"', 3, "2015-13-26"),
        (b"state: SSD", b"state: SSX", 1, "SSX"),
    ],
)
def test_a_malformed_record_rejects_the_whole_file(old, new, row, value):
    assert old in DOCUMENT.content
    broken = Document(
        DOCUMENT.source,
        DOCUMENT.url,
        DOCUMENT.content.replace(old, new, 1),
        DOCUMENT.retrieved_at,
        DOCUMENT.name,
    )
    with pytest.raises(ParseError) as failure:
        SOURCE.parse(broken, participants=REGISTRY, catalogue=CATALOGUE)
    assert failure.value.document == "curated/curated-events-post2015.yaml"
    assert failure.value.row == row and value in str(failure.value.value)
