"""Invariants of the status fold, over random histories in every treaty of the catalogue."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from treatywatch.engine.events import Event, EventKind, Provenance
from treatywatch.engine.status import ParticipationHistory, Status
from treatywatch.knowledge.treaties import load_catalogue

TREATIES = [t.clauses for t in load_catalogue()]
KINDS = [
    EventKind.SIGNATURE,
    EventKind.RATIFICATION,
    EventKind.ACCESSION,
    EventKind.SUCCESSION,
    EventKind.DENUNCIATION,
    EventKind.NOTICE_REVOKED,
    EventKind.CONSENT_WITHDRAWN,
]
PROVENANCE = Provenance(source="hypothesis", url="https://example.invalid/")
dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2035, 12, 31))


@st.composite
def histories(draw):
    clauses = draw(st.sampled_from(TREATIES))
    events = [
        Event(
            treaty=clauses.slug,
            state="XXX",
            kind=draw(st.sampled_from(KINDS)),
            date=draw(dates),
            effective_date=draw(st.none() | dates),
            provenance=PROVENANCE,
        )
        for _ in range(draw(st.integers(min_value=0, max_value=7)))
    ]
    return clauses, events


def consent_starts(history: ParticipationHistory) -> list[date]:
    return [episode.start for episode in history.episodes]


@settings(max_examples=300, deadline=None)
@given(histories(), dates)
def test_answers_are_internally_consistent(case, at):
    clauses, events = case
    answer = ParticipationHistory(clauses, "XXX", events).status_at(at)
    if answer.status == Status.PARTY:
        assert answer.in_force_date is not None and answer.in_force_date <= at
    if answer.status == Status.CONSENTED:
        # a succession counts from the date of succession, which may precede its notification
        assert answer.consent_date is not None
        assert answer.consent_date <= at or answer.consent_kind == EventKind.SUCCESSION
        assert answer.in_force_date is None or answer.in_force_date > at
    if answer.status == Status.WITHDRAWING:
        assert answer.withdrawal_notice_date <= at < answer.withdrawal_effective_date
        assert answer.in_force_date is not None and answer.in_force_date <= at
    if answer.status == Status.WITHDRAWN:
        assert answer.withdrawal_effective_date is not None and answer.withdrawal_effective_date <= at
    if answer.status == Status.SIGNATORY:
        assert answer.signature_date is not None and answer.signature_date <= at
    if answer.status != Status.NONE:
        assert answer.events, "every status other than none names the events behind it"
    assert answer.reasons


@settings(max_examples=300, deadline=None)
@given(histories())
def test_no_return_from_withdrawn_without_a_new_consent(case):
    clauses, events = case
    history = ParticipationHistory(clauses, "XXX", events)
    timeline = history.timeline()
    starts = consent_starts(history)
    for before, after in zip(timeline, timeline[1:], strict=False):
        assert before.end == after.start
        if before.status == Status.WITHDRAWN and after.status in (
            Status.CONSENTED,
            Status.PARTY,
            Status.WITHDRAWING,
        ):
            assert any(before.start <= s <= after.start for s in starts), (before, after)


@settings(max_examples=200, deadline=None)
@given(histories())
def test_timeline_agrees_with_status_at(case):
    clauses, events = case
    history = ParticipationHistory(clauses, "XXX", events)
    for period in history.timeline():
        assert history.status_at(period.start).status == period.status
        if period.end is not None:
            assert history.status_at(period.end - timedelta(days=1)).status == period.status


@settings(max_examples=200, deadline=None)
@given(histories(), st.lists(st.dates(date(1940, 1, 1), date(2040, 12, 31)), min_size=1, max_size=20))
def test_status_code_read_off_the_timeline_equals_the_full_answer(case, days):
    """The whole-matrix shortcut (binary search over the timeline) never disagrees with a full fold."""
    clauses, events = case
    history = ParticipationHistory(clauses, "XXX", events)
    change_days = history.change_dates()
    for day in [*days, *change_days, *(d - timedelta(days=1) for d in change_days)]:
        assert history.status_code_at(day) == history.status_at(day).status, day


@settings(max_examples=200, deadline=None)
@given(histories())
def test_nothing_before_the_first_action(case):
    clauses, events = case
    dated = [e.date for e in events if e.date] + [
        e.effective_date for e in events if e.kind == EventKind.SUCCESSION and e.effective_date
    ]
    if dated:
        first = min(dated)
        assert (
            ParticipationHistory(clauses, "XXX", events).status_at(first - timedelta(days=1)).status
            == Status.NONE
        )
