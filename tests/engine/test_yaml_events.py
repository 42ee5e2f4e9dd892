"""The withdrawal cases recorded in the curated final-clauses file come out with the right dates."""

from datetime import date, timedelta

import pytest

from treatywatch.engine.status import ParticipationHistory, Status
from treatywatch.knowledge.treaties import load_catalogue

# (treaty, state, notified, effective as recorded) for every dated denunciation/withdrawal in the file.
CASES = [
    (t.slug, e["state"], e["notified"], e["effective"])
    for t in load_catalogue()
    for e in t.record.get("events", []) or []
    if e.get("action") in ("denunciation", "withdrawal") and e.get("notified") and e.get("effective")
]
# Recorded effective dates that the treaty's own clause does not give: the engine must flag them.
DISAGREE_WITH_CLAUSE = {
    ("echr", "Greece"): "1970-06-12",  # 6 months after 12 Dec 1969; the record says 13 June (unverified)
    ("achr", "Trinidad and Tobago"): "1999-05-26",  # the Court gives 28 May 1999; one year gives 26 May
}


def test_cases_were_found():
    assert len(CASES) >= 11


@pytest.mark.parametrize(
    ("treaty", "state", "notified", "effective"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_withdrawal_effective_dates(treaty, state, notified, effective, ev):
    clauses = load_catalogue().get(treaty).clauses
    consent_on = (clauses.opened or date(1950, 1, 1)).isoformat()
    events = [
        ev(treaty, state, "ratification", consent_on),
        ev(treaty, state, "denunciation", notified, effective),
    ]
    history = ParticipationHistory(clauses, state, events)
    expected = date.fromisoformat(DISAGREE_WITH_CLAUSE.get((treaty, state), effective))
    pending = history.status_at(date.fromisoformat(notified))
    assert pending.status == Status.WITHDRAWING
    assert pending.withdrawal_effective_date == expected
    assert history.status_at(expected - timedelta(days=1)).status == Status.WITHDRAWING
    assert history.status_at(expected).status == Status.WITHDRAWN
    if (treaty, state) in DISAGREE_WITH_CLAUSE:
        assert any("treaty's clause gives" in f for f in history.flags)
    else:
        assert history.flags == []
