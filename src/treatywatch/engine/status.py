"""Fold a participant's events through a treaty's clauses into a status timeline.

`status` vocabulary: none, signatory, consented (instrument deposited, not yet in force for that
state), party, withdrawing (notice given, with the date it takes effect), withdrawn.
Every answer carries the events and the articles that produced it, and the inconsistencies seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from treatywatch.engine.clauses import Clauses
from treatywatch.engine.events import Event, EventKind


class Status(StrEnum):
    NONE = "none"
    SIGNATORY = "signatory"
    CONSENTED = "consented"
    PARTY = "party"
    WITHDRAWING = "withdrawing"
    WITHDRAWN = "withdrawn"


# The depositary's own "Parties" count includes instruments deposited but not yet in force.
COUNTED_AS_PARTY = frozenset({Status.CONSENTED, Status.PARTY, Status.WITHDRAWING})

# Same-day order: a notice is given before a re-accession deposited with it (Trinidad and Tobago).
_SAME_DAY_ORDER = {
    EventKind.SIGNATURE: 0,
    EventKind.DENUNCIATION: 1,
    EventKind.CEASED_MEMBERSHIP: 1,
    EventKind.NOTICE_REVOKED: 2,
    EventKind.CONSENT_WITHDRAWN: 2,
}


@dataclass(slots=True)
class Notice:
    event: Event
    effective: date | None  # None: the treaty admits no denunciation, the notice has no effect
    revoked_by: Event | None = None


@dataclass(slots=True)
class Episode:
    """One period of consent: from an instrument's deposit until a notice ends it."""

    consent: Event
    in_force: date | None
    article: str
    notices: list[Notice] = field(default_factory=list)
    cancelled_by: Event | None = None  # instrument withdrawn before it took effect

    @property
    def deposit(self) -> date:
        assert self.consent.date is not None
        return self.consent.date

    @property
    def start(self) -> date:
        """When consent counts from: the deposit, or an earlier date of succession of States."""
        if self.consent.kind == EventKind.SUCCESSION and self.consent.effective_date:
            return min(self.deposit, self.consent.effective_date)
        return self.deposit

    def effective_notice(self) -> Notice | None:
        for notice in self.notices:
            if notice.revoked_by is None and notice.effective is not None:
                return notice
        return None

    def ended_on(self) -> date | None:
        notice = self.effective_notice()
        if notice is not None:
            return notice.effective
        return self.cancelled_by.date if self.cancelled_by else None


@dataclass(frozen=True, slots=True)
class StatusAnswer:
    """The status of one state in one treaty on one date, with its reasons."""

    state: str
    treaty: str
    at: date
    status: Status
    in_force_date: date | None = None
    consent_date: date | None = None
    consent_kind: str | None = None
    signature_date: date | None = None
    withdrawal_notice_date: date | None = None
    withdrawal_effective_date: date | None = None
    reasons: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def counts_as_party(self) -> bool:
        return self.status in COUNTED_AS_PARTY


@dataclass(frozen=True, slots=True)
class Period:
    status: Status
    start: date
    end: date | None  # exclusive; None = open-ended


class ParticipationHistory:
    """All a state's actions in one treaty, folded once; answers `status_at` for any date."""

    def __init__(self, clauses: Clauses, state: str, events: Iterable[Event]) -> None:
        self.clauses = clauses
        self.state = state
        self.flags: list[str] = []
        self.signatures: list[Event] = []
        self.not_to_become_party: list[Event] = []
        self.episodes: list[Episode] = []
        self.undated: list[Event] = []
        self.other: list[Event] = []
        self._fold(sorted((e for e in events if self._keep(e)), key=_event_order))

    def _keep(self, event: Event) -> bool:
        if event.treaty != self.clauses.slug or event.state != self.state:
            raise ValueError(f"event {event.event_id} is for {event.state}/{event.treaty}, not {self.state}/{self.clauses.slug}")
        if event.date is None:
            self.undated.append(event)
            self.flags.append(f"{event.kind} with no known date (source {event.provenance.source}): not applied")
            return False
        return True

    def _fold(self, events: Sequence[Event]) -> None:
        opened = self.clauses.opened
        for event in events:
            assert event.date is not None
            if event.is_consent or event.kind == EventKind.SIGNATURE:
                if opened and event.date < opened:
                    self.flags.append(f"{event.kind} dated {event.date} before the treaty was open ({opened})")
            match event.kind:
                case EventKind.SIGNATURE:
                    self.signatures.append(event)
                case EventKind.NOT_TO_BECOME_PARTY:
                    self.not_to_become_party.append(event)
                case kind if event.is_consent:
                    self._add_consent(event)
                    del kind
                case EventKind.DENUNCIATION | EventKind.CEASED_MEMBERSHIP:
                    self._add_notice(event)
                case EventKind.NOTICE_REVOKED:
                    self._revoke_notice(event)
                case EventKind.CONSENT_WITHDRAWN:
                    self._cancel_consent(event)
                case _:
                    self.other.append(event)

    def _open_episode(self, on: date) -> Episode | None:
        for episode in reversed(self.episodes):
            ended = episode.ended_on()
            if episode.start <= on and (ended is None or ended > on) and episode.cancelled_by is None:
                return episode
        return None

    def _add_consent(self, event: Event) -> None:
        assert event.date is not None
        current = self._open_episode(event.date)
        if current is not None and not any(n.revoked_by is None for n in current.notices):
            if event.kind != EventKind.SUCCESSION or current.consent.kind != EventKind.SUCCESSION:
                self.flags.append(
                    f"{event.kind} on {event.date} while already bound by the {current.consent.kind} of "
                    f"{current.deposit}: recorded, the earlier consent stands"
                )
            self.other.append(event)
            return
        start = event.date
        if event.kind == EventKind.SUCCESSION and event.effective_date:
            start = event.effective_date  # successions run from the date of succession of States
        elif event.kind == EventKind.SUCCESSION:
            self.flags.append(f"succession notified {event.date}: date of succession unknown, effect counted from the notification")
        in_force = self.clauses.in_force_date(start)
        if event.kind == EventKind.SUCCESSION and in_force and self.clauses.general_eif_date:
            in_force = max(start, self.clauses.general_eif_date)
        self.episodes.append(Episode(event, in_force, self.clauses.eif_article(start)))

    def _add_notice(self, event: Event) -> None:
        assert event.date is not None
        episode = self._open_episode(event.date)
        if episode is None:
            self.flags.append(f"{event.kind} notice of {event.date} while not bound: recorded, no effect")
            self.other.append(event)
            return
        effective = self.clauses.denunciation_effective_date(event.date, event.effective_date)
        if event.kind == EventKind.CEASED_MEMBERSHIP and event.effective_date:
            effective = event.effective_date
        if effective is None:
            self.flags.append(
                f"notice of {event.date} recorded but not effective: {self.clauses.title} has no "
                "denunciation clause (VCLT art 56)"
            )
        elif event.effective_date and effective != event.effective_date:
            self.flags.append(
                f"source states effect on {event.effective_date}, the treaty's clause gives {effective}"
            )
        years = self.clauses.earliest_notification_years
        if years and episode.in_force and event.date < episode.in_force.replace(year=episode.in_force.year + years):
            self.flags.append(f"notice of {event.date} given within {years} years of becoming bound")
        episode.notices.append(Notice(event, effective))

    def _revoke_notice(self, event: Event) -> None:
        assert event.date is not None
        for episode in reversed(self.episodes):
            for notice in episode.notices:
                if notice.revoked_by is None and notice.event.date and notice.event.date <= event.date:
                    if notice.effective and notice.effective <= event.date:
                        self.flags.append(f"revocation of {event.date} came after the notice took effect ({notice.effective})")
                        return
                    notice.revoked_by = event
                    return
        self.flags.append(f"revocation of {event.date} matches no pending notice")

    def _cancel_consent(self, event: Event) -> None:
        assert event.date is not None
        episode = self._open_episode(event.date)
        if episode is None:
            self.flags.append(f"withdrawal of instrument on {event.date} matches no pending consent")
            return
        if episode.in_force and episode.in_force <= event.date:
            self.flags.append(f"instrument withdrawn on {event.date} after it took effect: treated as a notice")
            self._add_notice(event)
            return
        episode.cancelled_by = event

    # -- questions ----------------------------------------------------------------------------------

    def change_dates(self) -> list[date]:
        dates: set[date] = {e.date for e in self.signatures + self.not_to_become_party if e.date}
        for episode in self.episodes:
            dates.add(episode.start)
            if episode.in_force:
                dates.add(episode.in_force)
            if episode.cancelled_by and episode.cancelled_by.date:
                dates.add(episode.cancelled_by.date)
            for notice in episode.notices:
                if notice.event.date:
                    dates.add(notice.event.date)
                if notice.effective:
                    dates.add(notice.effective)
                if notice.revoked_by and notice.revoked_by.date:
                    dates.add(notice.revoked_by.date)
        return sorted(dates)

    def timeline(self) -> list[Period]:
        """Consecutive periods of equal status, from the first action on."""
        periods: list[Period] = []
        for day in self.change_dates():
            status = self.status_at(day).status
            if periods and periods[-1].status == status:
                continue
            if periods:
                periods[-1] = Period(periods[-1].status, periods[-1].start, day)
            periods.append(Period(status, day, None))
        return periods

    def status_at(self, at: date) -> StatusAnswer:
        clauses = self.clauses
        reasons: list[str] = []
        articles: list[str] = []
        events: list[Event] = []
        signature = next((s for s in reversed(self.signatures) if s.date and s.date <= at), None)
        base = {
            "state": self.state,
            "treaty": clauses.slug,
            "at": at,
            "signature_date": signature.date if signature else None,
            "flags": tuple(self.flags),
        }
        started = [e for e in self.episodes if e.start <= at and (e.cancelled_by is None or (e.cancelled_by.date or at) > at)]
        live = [e for e in started if (e.ended_on() or date.max) > at]
        if live:
            bound = [e for e in live if e.in_force and e.in_force <= at]
            episode = bound[-1] if bound else live[-1]
            events.append(episode.consent)
            articles.append(f"art {episode.article}" if episode.article else "")
            consent = {
                "consent_date": episode.deposit,
                "consent_kind": str(episode.consent.kind),
                "in_force_date": episode.in_force,
            }
            pending = [
                n for n in episode.notices
                if _unrevoked(n, at) and n.event.date and n.event.date <= at and n.effective
            ]
            recorded = [n for n in episode.notices if n.event.date and n.event.date <= at]
            for notice in recorded:
                events.append(notice.event)
                if notice.revoked_by and notice.revoked_by.date and notice.revoked_by.date <= at:
                    events.append(notice.revoked_by)
                    reasons.append(f"notice of {notice.event.date} revoked on {notice.revoked_by.date}")
                elif notice.effective is None:
                    reasons.append(f"notice of {notice.event.date} has no legal effect: the treaty has no denunciation clause")
            if bound:
                reasons.append(
                    f"{episode.consent.kind} deposited {episode.deposit}; in force for the state since {episode.in_force}"
                    + (f" (art {episode.article})" if episode.article else "")
                )
                if pending:
                    notice = pending[0]
                    reasons.append(
                        f"notice received {notice.event.date}; takes effect {notice.effective}"
                        + (f" (art {clauses.denunciation_article})" if clauses.denunciation_article else "")
                    )
                    if clauses.denunciation_article:
                        articles.append(f"art {clauses.denunciation_article}")
                    if clauses.armed_conflict_suspension:
                        reasons.append(f"effect may be suspended: {clauses.armed_conflict_suspension}")
                    later = [e for e in live if e is not episode and e.deposit >= (notice.event.date or at)]
                    if later:
                        reasons.append(f"new {later[-1].consent.kind} deposited {later[-1].deposit}, in force {later[-1].in_force}")
                        events.append(later[-1].consent)
                    return StatusAnswer(
                        **base, **consent, status=Status.WITHDRAWING,
                        withdrawal_notice_date=notice.event.date, withdrawal_effective_date=notice.effective,
                        reasons=tuple(reasons), articles=_clean(articles), events=tuple(events),
                    )
                return StatusAnswer(
                    **base, **consent, status=Status.PARTY,
                    reasons=tuple(reasons), articles=_clean(articles), events=tuple(events),
                )
            if episode.in_force is None:
                reasons.append(f"{episode.consent.kind} deposited {episode.deposit}; the treaty is not in force")
            else:
                reasons.append(
                    f"{episode.consent.kind} deposited {episode.deposit}; takes effect {episode.in_force}"
                    + (f" (art {episode.article})" if episode.article else "")
                )
            return StatusAnswer(
                **base, **consent, status=Status.CONSENTED,
                reasons=tuple(reasons), articles=_clean(articles), events=tuple(events),
            )
        ended = [e for e in started if e.effective_notice() is not None]
        if ended:
            episode = ended[-1]
            notice = episode.effective_notice()
            assert notice is not None
            reasons.append(
                f"{episode.consent.kind} deposited {episode.deposit}; notice received {notice.event.date}; "
                f"ceased to be bound {notice.effective}"
                + (f" (art {clauses.denunciation_article})" if clauses.denunciation_article else "")
            )
            return StatusAnswer(
                **base, status=Status.WITHDRAWN, consent_date=episode.deposit,
                consent_kind=str(episode.consent.kind), in_force_date=episode.in_force,
                withdrawal_notice_date=notice.event.date, withdrawal_effective_date=notice.effective,
                reasons=tuple(reasons),
                articles=_clean([f"art {clauses.denunciation_article}" if clauses.denunciation_article else ""]),
                events=(episode.consent, notice.event),
            )
        if signature is not None:
            renounced = [n for n in self.not_to_become_party if n.date and signature.date and signature.date <= n.date <= at]
            if renounced:
                return StatusAnswer(
                    **base, status=Status.NONE,
                    reasons=(f"signed {signature.date}; notified on {renounced[-1].date} its intention not to become a party",),
                    events=(signature, renounced[-1]),
                )
            return StatusAnswer(
                **base, status=Status.SIGNATORY, reasons=(f"signed {signature.date}; no instrument of consent deposited",),
                events=(signature,),
            )
        return StatusAnswer(**base, status=Status.NONE, reasons=("no action recorded",))


def _unrevoked(notice: Notice, at: date) -> bool:
    return notice.revoked_by is None or (notice.revoked_by.date is not None and notice.revoked_by.date > at)


def _event_order(event: Event) -> tuple[date, int]:
    assert event.date is not None
    return event.date, _SAME_DAY_ORDER.get(event.kind, 3)


def _clean(articles: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a for a in articles if a))


def status_of(clauses: Clauses, state: str, events: Iterable[Event], at: date) -> StatusAnswer:
    """Convenience: one answer without keeping the folded history."""
    return ParticipationHistory(clauses, state, events).status_at(at)
