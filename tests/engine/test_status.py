from datetime import date

import pytest

from treatywatch.engine.status import ParticipationHistory, Status, status_of


def d(text: str) -> date:
    return date.fromisoformat(text)


def test_signatory_then_consented_then_party(catalogue, ev):
    clauses = catalogue.get("rome-statute").clauses
    events = [
        ev("rome-statute", "XXX", "signature", "1998-07-17"),
        ev("rome-statute", "XXX", "ratification", "2010-01-05"),
    ]
    history = ParticipationHistory(clauses, "XXX", events)
    assert history.status_at(d("1998-07-16")).status == Status.NONE
    assert history.status_at(d("2000-01-01")).status == Status.SIGNATORY
    pending = history.status_at(d("2010-02-01"))
    assert pending.status == Status.CONSENTED and pending.in_force_date == d("2010-04-01")
    party = history.status_at(d("2010-04-01"))
    assert party.status == Status.PARTY
    assert "art 126(2)" in party.articles
    assert [p.status for p in history.timeline()] == [Status.SIGNATORY, Status.CONSENTED, Status.PARTY]


def test_philippines_rome_statute_withdrawal_pending_then_effective(catalogue, ev):
    clauses = catalogue.get("rome-statute").clauses
    events = [
        ev("rome-statute", "PHL", "signature", "2000-12-28"),
        ev("rome-statute", "PHL", "ratification", "2011-08-30"),
        ev("rome-statute", "PHL", "denunciation", "2018-03-17"),
    ]
    answer = status_of(clauses, "PHL", events, d("2019-01-01"))
    assert answer.status == Status.WITHDRAWING
    assert answer.withdrawal_notice_date == d("2018-03-17")
    assert answer.withdrawal_effective_date == d("2019-03-17")
    assert answer.in_force_date == d("2011-11-01")
    assert answer.counts_as_party
    assert "art 127" in answer.articles
    after = status_of(clauses, "PHL", events, d("2019-03-17"))
    assert after.status == Status.WITHDRAWN and not after.counts_as_party


def test_revoked_notice_keeps_the_state_a_party(catalogue, ev):
    clauses = catalogue.get("rome-statute").clauses
    events = [
        ev("rome-statute", "ZAF", "ratification", "2000-11-27"),
        ev("rome-statute", "ZAF", "denunciation", "2016-10-19"),
        ev("rome-statute", "ZAF", "notice_revoked", "2017-03-07"),
    ]
    history = ParticipationHistory(clauses, "ZAF", events)
    assert history.status_at(d("2017-01-01")).status == Status.WITHDRAWING
    later = history.status_at(d("2018-01-01"))
    assert later.status == Status.PARTY
    assert any("revoked" in r for r in later.reasons)


def test_denounce_and_reaccede_the_same_day(catalogue, ev):
    """Trinidad and Tobago, ICCPR-OP1: denounced 26 May 1998 and re-acceded with a reservation that day."""
    clauses = catalogue.get("iccpr-op1").clauses
    events = [
        ev("iccpr-op1", "TTO", "accession", "1980-11-14"),
        ev("iccpr-op1", "TTO", "accession", "1998-05-26"),
        ev("iccpr-op1", "TTO", "denunciation", "1998-05-26"),
        ev("iccpr-op1", "TTO", "denunciation", "2000-03-27"),
    ]
    history = ParticipationHistory(clauses, "TTO", events)
    between = history.status_at(d("1998-07-01"))
    assert between.status == Status.WITHDRAWING and between.withdrawal_effective_date == d("1998-08-26")
    assert any("new accession" in r for r in between.reasons)
    assert history.status_at(d("1998-08-26")).status == Status.PARTY
    assert history.status_at(d("1998-08-26")).consent_date == d("1998-05-26")
    assert history.status_at(d("2000-05-01")).status == Status.WITHDRAWING
    assert history.status_at(d("2000-06-27")).status == Status.WITHDRAWN
    assert history.flags == []


def test_notice_under_treaty_without_denunciation_clause_is_recorded_not_effective(catalogue, ev):
    clauses = catalogue.get("iccpr").clauses
    events = [ev("iccpr", "PRK", "accession", "1981-09-14"), ev("iccpr", "PRK", "denunciation", "1997-08-25")]
    answer = status_of(clauses, "PRK", events, d("2020-01-01"))
    assert answer.status == Status.PARTY
    assert any("no denunciation clause" in f for f in answer.flags)
    assert any("no legal effect" in r for r in answer.reasons)


def test_succession_runs_from_the_date_of_succession(catalogue, ev):
    clauses = catalogue.get("refugee-1951").clauses
    events = [ev("refugee-1951", "SVN", "succession", "1992-07-06", effective="1991-06-25")]
    history = ParticipationHistory(clauses, "SVN", events)
    assert history.status_at(d("1991-07-01")).status == Status.PARTY
    assert history.status_at(d("1991-06-24")).status == Status.NONE


def test_succession_without_known_date_is_flagged(catalogue, ev):
    clauses = catalogue.get("refugee-1951").clauses
    answer = status_of(
        clauses, "SVN", [ev("refugee-1951", "SVN", "succession", "1992-07-06")], d("1993-01-01")
    )
    assert answer.status == Status.PARTY
    assert any("date of succession unknown" in f for f in answer.flags)


def test_consent_before_the_treaty_was_open_is_flagged(catalogue, ev):
    clauses = catalogue.get("att").clauses
    answer = status_of(clauses, "XXX", [ev("att", "XXX", "ratification", "2012-01-01")], d("2016-01-01"))
    assert any("before the treaty was open" in f for f in answer.flags)


def test_treaty_not_in_force_leaves_consent_pending(catalogue, ev):
    clauses = catalogue.get("ctbt").clauses
    answer = status_of(clauses, "XXX", [ev("ctbt", "XXX", "ratification", "2001-01-01")], d("2026-01-01"))
    assert answer.status == Status.CONSENTED and answer.in_force_date is None


def test_instrument_withdrawn_before_entry_into_force(catalogue, ev):
    clauses = catalogue.get("rome-statute").clauses
    events = [
        ev("rome-statute", "MYS", "accession", "2019-03-04"),
        ev("rome-statute", "MYS", "consent_withdrawn", "2019-04-29"),
    ]
    history = ParticipationHistory(clauses, "MYS", events)
    assert history.status_at(d("2019-04-01")).status == Status.CONSENTED
    assert history.status_at(d("2019-05-01")).status == Status.NONE


def test_signatory_notice_not_to_become_party(catalogue, ev):
    clauses = catalogue.get("att").clauses
    events = [
        ev("att", "USA", "signature", "2013-09-25"),
        ev("att", "USA", "not_to_become_party", "2019-07-18"),
    ]
    history = ParticipationHistory(clauses, "USA", events)
    assert history.status_at(d("2019-01-01")).status == Status.SIGNATORY
    assert history.status_at(d("2020-01-01")).status == Status.NONE


def test_undated_events_are_flagged_and_not_applied(catalogue, ev):
    clauses = catalogue.get("refugee-1951").clauses
    answer = status_of(clauses, "SSD", [ev("refugee-1951", "SSD", "accession", None)], d("2026-01-01"))
    assert answer.status == Status.NONE
    assert any("no known date" in f for f in answer.flags)


def test_earliest_notification_constraint_is_flagged(catalogue, ev):
    clauses = catalogue.get("icmw").clauses
    events = [
        ev("icmw", "XXX", "ratification", "2010-01-05"),
        ev("icmw", "XXX", "denunciation", "2012-01-01"),
    ]
    answer = status_of(clauses, "XXX", events, d("2012-06-01"))
    assert any("within 5 years" in f for f in answer.flags)


def test_events_of_another_state_are_refused(catalogue, ev):
    with pytest.raises(ValueError, match="not XXX"):
        ParticipationHistory(
            catalogue.get("cat").clauses, "XXX", [ev("cat", "YYY", "ratification", "2000-01-01")]
        )


def test_protocol_party_without_parent_is_flagged(catalogue, ev):
    from treatywatch.engine.dependencies import dependency_flags

    op = catalogue.get("iccpr-op1").clauses
    answer = status_of(op, "XXX", [ev("iccpr-op1", "XXX", "accession", "2000-01-01")], d("2001-01-01"))
    flags = dependency_flags(op, answer, lambda treaty, on: Status.NONE)
    assert flags and "party to iccpr" in flags[0]
    assert dependency_flags(op, answer, lambda treaty, on: Status.PARTY) == []
