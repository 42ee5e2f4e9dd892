"""The UNTC status-page parser on the 30 real pages of 3 Feb 2026, and on corrupted copies of them.

Accuracy is judged against the page itself: the events, folded by the rules engine with the treaty's
own clauses, must give the "Parties" and "Signatories" counts UNTC prints on the page's status date.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import replace
from datetime import date

import pytest

from treatywatch.engine.events import EventKind
from treatywatch.engine.status import COUNTED_AS_PARTY, ParticipationHistory, Status, StatusAnswer
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure
from treatywatch.sources.registry import RAW_DIR, get_source

SOURCE = get_source("untc_html")
PARTICIPANTS = load_registry()
CATALOGUE = load_catalogue()
DOCUMENTS = {doc.name.rsplit("/", 1)[-1].removesuffix(".html"): doc for doc in SOURCE.stored_documents()}
AS_OF = date(2026, 2, 3)


def parse(document: Document) -> ParseResult:
    return SOURCE.parse(document, participants=PARTICIPANTS, catalogue=CATALOGUE)


@functools.cache
def parsed(page: str) -> ParseResult:
    return parse(DOCUMENTS[page])


def answers(page: str, at: date) -> dict[str, StatusAnswer]:
    result = parsed(page)
    assert result.treaty is not None
    clauses = CATALOGUE.get(result.treaty).clauses
    by_state = defaultdict(list)
    for event in result.events:
        by_state[event.state].append(event)
    return {
        state: ParticipationHistory(clauses, state, events).status_at(at)
        for state, events in by_state.items()
    }


def corrupted(page: str, old: str, new: str, count: int = 1) -> Document:
    document = DOCUMENTS[page]
    text = document.content.decode("utf-8")
    assert old in text, f"test setup: {old!r} not in {page}"
    return replace(document, content=text.replace(old, new, count).encode("utf-8"))


def test_all_thirty_pages_are_stored_with_their_official_address() -> None:
    assert len(DOCUMENTS) == 30
    for document in DOCUMENTS.values():
        assert re.fullmatch(
            r"https://treaties\.un\.org/Pages/ViewDetails\.aspx\?src=TREATY&mtdsg_no=[IVX]+-\d+(-[a-z])?&chapter=\d+&clang=_en",
            document.url,
        )


@pytest.mark.parametrize("page", sorted(DOCUMENTS))
def test_engine_counts_equal_the_printed_counts(page: str) -> None:
    result = parsed(page)
    assert result.as_of == AS_OF
    assert result.treaty == CATALOGUE.by_untc_ref(re.search(r"mtdsg_no=([^&]+)", DOCUMENTS[page].url)[1]).slug
    status = answers(page, result.as_of)
    parties = sum(1 for a in status.values() if a.status in COUNTED_AS_PARTY)
    assert parties == result.printed_counts["parties"]
    if "signatories" in result.printed_counts:
        # UNTC stops counting a signatory once its participation ended (its signature is then bracketed)
        signatories = sum(1 for a in status.values() if a.signature_date and a.status != Status.WITHDRAWN)
        assert signatories == result.printed_counts["signatories"]


@pytest.mark.parametrize("page", sorted(DOCUMENTS))
def test_every_event_carries_its_provenance(page: str) -> None:
    document = DOCUMENTS[page]
    for event in parsed(page).events:
        p = event.provenance
        assert (p.source, p.url, p.retrieved_at, p.document_sha256) == (
            "untc_html",
            document.url,
            document.retrieved_at,
            document.sha256,
        )
        assert p.original, event
        assert event.state in PARTICIPANTS


@pytest.mark.parametrize(
    ("state", "notice", "effective", "status"),
    [
        ("EST", date(2025, 6, 27), date(2025, 12, 27), Status.WITHDRAWN),
        ("LVA", date(2025, 6, 27), date(2025, 12, 27), Status.WITHDRAWN),
        ("LTU", date(2025, 6, 27), date(2025, 12, 27), Status.WITHDRAWN),
        ("FIN", date(2025, 7, 10), date(2026, 1, 10), Status.WITHDRAWN),
        ("POL", date(2025, 8, 20), date(2026, 2, 20), Status.WITHDRAWING),
    ],
)
def test_ottawa_withdrawals_of_2025(state: str, notice: date, effective: date, status: Status) -> None:
    answer = answers("ottawa", AS_OF)[state]
    assert (answer.status, answer.withdrawal_notice_date, answer.withdrawal_effective_date) == (
        status,
        notice,
        effective,
    )
    assert not [f for f in answer.flags if "clause gives" in f]  # the note's date agrees with article 20(3)
    notices = [e for e in parsed("ottawa").events if e.state == state and e.kind == EventKind.DENUNCIATION]
    assert [(e.date, e.effective_date) for e in notices] == [(notice, effective)]
    assert notices[0].cn_symbol.startswith("C.N.")


def test_cluster_munitions_lithuania() -> None:
    answer = answers("ccm", AS_OF)["LTU"]
    assert (answer.status, answer.withdrawal_notice_date, answer.withdrawal_effective_date) == (
        Status.WITHDRAWN,
        date(2024, 9, 6),
        date(2025, 3, 6),
    )
    assert answers("ccm", date(2025, 3, 5))["LTU"].status == Status.WITHDRAWING


def test_iccpr_op1_denunciations_and_reaccessions() -> None:
    now = answers("iccpr_op1", AS_OF)
    assert now["JAM"].status == Status.WITHDRAWN
    # the note gives no effective date: three months after receipt, art 12(1)
    assert now["JAM"].withdrawal_effective_date == date(1998, 1, 23)
    assert now["BLR"].withdrawal_effective_date == date(2023, 2, 8)
    assert now["GUY"].status == Status.PARTY and now["GUY"].consent_date == date(1999, 1, 5)
    assert now["TTO"].status == Status.WITHDRAWN and now["TTO"].withdrawal_effective_date == date(2000, 6, 27)
    # Trinidad and Tobago denounced and re-acceded the same day: withdrawing, and bound again from 26 Aug 1998
    mid_1998 = answers("iccpr_op1", date(1998, 6, 1))["TTO"]
    assert (mid_1998.status, mid_1998.withdrawal_effective_date) == (Status.WITHDRAWING, date(1998, 8, 26))
    assert answers("iccpr_op1", date(1999, 1, 1))["TTO"].consent_date == date(1998, 5, 26)
    assert answers("iccpr_op1", date(1999, 2, 1))["GUY"].status == Status.WITHDRAWING
    assert answers("iccpr_op1", date(1995, 1, 1))["GUY"].consent_date == date(1993, 5, 10)


def test_a_notice_under_a_treaty_without_denunciation_clause_is_kept_but_has_no_effect() -> None:
    answer = answers("iccpr", AS_OF)["PRK"]
    assert answer.status == Status.PARTY
    assert any("no denunciation clause" in flag for flag in answer.flags)


def test_ccw_protocol_headers_are_mapped_to_consent_to_be_bound() -> None:
    kinds = {e.kind for e in parsed("ccw_p4").events}
    assert EventKind.CONSENT_TO_BE_BOUND in kinds and EventKind.SIGNATURE not in kinds
    assert parsed("ccw_p4").printed_counts == {"parties": 111}


def test_texts_of_declarations_objections_and_territories() -> None:
    cat = parsed("cat").events
    withdrawn = [e for e in cat if e.state == "POL" and e.kind == EventKind.RESERVATION_WITHDRAWN]
    assert [e.date for e in withdrawn] == [date(2025, 12, 19)]
    assert "withdraws its reservation to Article 30" in withdrawn[0].text
    assert any(
        e.kind == EventKind.OBJECTION and e.state == "AUS" and e.date == date(2011, 6, 28) for e in cat
    )
    territories = [e for e in parsed("cat_op").events if e.kind == EventKind.TERRITORIAL_APPLICATION]
    assert [(e.state, e.date, e.territory) for e in territories] == [
        ("GBR", date(2014, 2, 24), "Isle of Man")
    ]
    uk = next(
        e for e in parsed("iccpr").events if e.kind == EventKind.TERRITORIAL_APPLICATION and e.state == "GBR"
    )
    assert len(uk.territory) <= 200 and uk.territory.endswith("more (full list in text)")
    assert uk.text.startswith("Belize, Bermuda") and uk.text.endswith("Tuvalu")
    provisional = [e for e in parsed("att").events if e.kind == EventKind.PROVISIONAL_APPLICATION]
    assert len(provisional) >= 20 and all(e.date for e in provisional)


def test_a_page_for_a_treaty_outside_the_catalogue_is_a_clear_error() -> None:
    path = RAW_DIR / "icrc-jsonapi-fixture" / "untc-synthetic-XXIII-1.html"
    document = Document("untc_html", "", path.read_bytes(), DOCUMENTS["ottawa"].retrieved_at, name=path.name)
    with pytest.raises(ParseError, match=r"untc-synthetic-XXIII-1\.html.*unknown treaty.*'XXIII-1'"):
        parse(document)


def test_truncated_page_is_rejected() -> None:
    document = DOCUMENTS["ottawa"]
    truncated = replace(document, content=document.content[: len(document.content) // 3])
    with pytest.raises((ParseError, SoftFailure), match=re.escape(document.name)):
        parse(truncated)


def test_page_cut_inside_the_grid_is_quarantined() -> None:
    text = DOCUMENTS["ottawa"].content.decode()
    cut = text.index("<td>Eswatini")  # after Estonia's bracketed row, whose note would be lost too
    document = replace(DOCUMENTS["ottawa"], content=text[:cut].encode())
    with pytest.raises((ParseError, SoftFailure), match="ottawa.html"):
        parse(document)


def test_empty_grid_is_a_soft_failure() -> None:
    text = DOCUMENTS["ottawa"].content.decode()
    emptied = re.sub(r'<tr class="trB(?:White|GGrey)">.*?</tr>', "", text, flags=re.S)
    with pytest.raises(SoftFailure, match="ottawa.html.*grid has no participant rows"):
        parse(replace(DOCUMENTS["ottawa"], content=emptied.encode()))


def test_unknown_marker_names_file_row_and_value() -> None:
    document = corrupted("ottawa", "11 Sep\t 2002 a", "11 Sep\t 2002 x")
    with pytest.raises(ParseError, match=r"ottawa\.html, row Afghanistan: .*'x'.*'11 Sep 2002 x'"):
        parse(document)


def test_marker_not_declared_in_the_column_header_is_rejected() -> None:
    # formal confirmation (c) is a known marker, but not one Ottawa's consent column declares
    document = corrupted("ottawa", "11 Sep\t 2002 a", "11 Sep\t 2002 c")
    with pytest.raises(ParseError, match=r"row Afghanistan.*'c'"):
        parse(document)


def test_unknown_participant_name_names_the_value() -> None:
    document = corrupted("ottawa", "<td>Afghanistan<br></td>", "<td>Atlantis<br></td>")
    with pytest.raises(ParseError, match=r"ottawa\.html, row 2: unknown participant name \('Atlantis'\)"):
        parse(document)


def test_unknown_consent_header_is_rejected() -> None:
    document = corrupted("ottawa", "Ratification, Acceptance(A)", "Ratification, Adhesion(h)")
    with pytest.raises(
        ParseError, match=r"ottawa\.html, row 1: unknown grid column header \('Adhesion\(h\)'\)"
    ):
        parse(document)


def test_bracketed_consent_without_a_withdrawal_note_is_rejected() -> None:
    document = corrupted(
        "ottawa",
        "Estonia <SUP><A onclick='ShowNoteAll()' href='#1' class='noteIndex'>1</A> </SUP>",
        "Estonia",
    )
    with pytest.raises(
        ParseError, match=r"ottawa\.html, row EST: consent shown in brackets but no withdrawal notice"
    ):
        parse(document)


def test_missing_status_date_is_rejected() -> None:
    with pytest.raises(ParseError, match="ottawa.html: no 'STATUS AS AT' date"):
        parse(corrupted("ottawa", "STATUS AS AT", "STATUS"))
