"""Fold a participant's events through a treaty's clauses into a status timeline.

`status` vocabulary: none, signatory, consented (instrument deposited, not yet in force for that
state), party, withdrawing (notice given, with the date it takes effect), withdrawn.
Every answer carries the events and the articles that produced it, and the inconsistencies seen.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from treatywatch.engine.clauses import Clauses
from treatywatch.engine.events import CONSENT_KINDS, Event, EventKind


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
        self._changes: tuple[list[date], list[Status]] | None = None  # the timeline, built on first use
        self._fold(sorted([e for e in events if self._keep(e)], key=_event_order))

    def _keep(self, event: Event) -> bool:
        if event.treaty != self.clauses.slug or event.state != self.state:
            raise ValueError(
                f"event {event.event_id} is for {event.state}/{event.treaty}, not {self.state}/{self.clauses.slug}"
            )
        if event.date is None:
            self.undated.append(event)
            self.flags.append(
                f"{event.kind} with no known date (source {event.provenance.source}): not applied"
            )
            return False
        return True

    def _fold(self, events: Sequence[Event]) -> None:
        opened = self.clauses.opened
        handlers = {
            EventKind.SIGNATURE: self.signatures.append,
            EventKind.NOT_TO_BECOME_PARTY: self.not_to_become_party.append,
            EventKind.DENUNCIATION: self._add_notice,
            EventKind.CEASED_MEMBERSHIP: self._add_notice,
            EventKind.NOTICE_REVOKED: self._revoke_notice,
            EventKind.CONSENT_WITHDRAWN: self._cancel_consent,
        }
        for event in events:
            kind = event.kind
            consent = kind in CONSENT_KINDS
            if event.date_precision != "day":
                self.flags.append(
                    f"{kind} date known only to the {event.date_precision}: counted from {event.date}, "
                    "the latest day it can have been"
                )
            if opened and (consent or kind == EventKind.SIGNATURE) and event.date < opened:  # type: ignore[operator]
                self.flags.append(f"{kind} dated {event.date} before the treaty was open ({opened})")
            if consent:
                self._add_consent(event)
            else:
                handlers.get(kind, self.other.append)(event)

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
            self.flags.append(
                f"succession notified {event.date}: date of succession unknown, effect counted from the notification"
            )
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
        if (
            years
            and episode.in_force
            and event.date < episode.in_force.replace(year=episode.in_force.year + years)
        ):
            self.flags.append(f"notice of {event.date} given within {years} years of becoming bound")
        episode.notices.append(Notice(event, effective))

    def _revoke_notice(self, event: Event) -> None:
        assert event.date is not None
        for episode in reversed(self.episodes):
            for notice in episode.notices:
                if notice.revoked_by is None and notice.event.date and notice.event.date <= event.date:
                    if notice.effective and notice.effective <= event.date:
                        self.flags.append(
                            f"revocation of {event.date} came after the notice took effect ({notice.effective})"
                        )
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
            self.flags.append(
                f"instrument withdrawn on {event.date} after it took effect: treated as a notice"
            )
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
            status = self._resolve(day)[0]
            if periods and periods[-1].status == status:
                continue
            if periods:
                periods[-1] = Period(periods[-1].status, periods[-1].start, day)
            periods.append(Period(status, day, None))
        return periods

    def _resolve(self, at: date) -> tuple[Status, Episode | None, Notice | None, Event | None]:
        """The status on `at` and what decides it: the episode, the pending or effective notice, the signature.

        Kept free of formatting so whole-matrix questions stay cheap; `status_at` explains the result.
        """
        live: list[Episode] = []
        ended: Episode | None = None
        for episode in self.episodes:
            if episode.start > at:
                continue
            cancelled = episode.cancelled_by
            if cancelled is not None and (cancelled.date is None or cancelled.date <= at):
                continue
            end = episode.ended_on()
            if end is None or end > at:
                live.append(episode)
            elif episode.effective_notice() is not None:
                ended = episode
        if live:
            bound = [e for e in live if e.in_force is not None and e.in_force <= at]
            episode = bound[-1] if bound else live[-1]
            if not bound:
                return Status.CONSENTED, episode, None, None
            for notice in episode.notices:
                if (
                    notice.effective
                    and notice.event.date
                    and notice.event.date <= at
                    and _unrevoked(notice, at)
                ):
                    return Status.WITHDRAWING, episode, notice, None
            return Status.PARTY, episode, None, None
        if ended is not None:
            return Status.WITHDRAWN, ended, ended.effective_notice(), None
        signature = None
        for event in self.signatures:
            if event.date is not None and event.date <= at:
                signature = event
        if signature is None:
            return Status.NONE, None, None, None
        for renounced in self.not_to_become_party:
            if renounced.date and signature.date and signature.date <= renounced.date <= at:
                return Status.NONE, None, None, renounced
        return Status.SIGNATORY, None, None, signature

    def status_code_at(self, at: date) -> Status:
        """The status alone, read off the timeline by binary search.

        Status changes only on a change date (the property tests hold `timeline` to the point
        answers), so whole-matrix views pay for the fold once per pair, not once per cell and date.
        Building the timeline on first use is idempotent, so threads sharing a history may race it.
        """
        changes = self._changes
        if changes is None:
            periods = self.timeline()
            changes = self._changes = ([p.start for p in periods], [p.status for p in periods])
        starts, statuses = changes
        found = bisect_right(starts, at)
        return statuses[found - 1] if found else Status.NONE

    def status_at(self, at: date) -> StatusAnswer:
        """The status on `at` with the events, articles and reasons that produce it."""
        status, episode, notice, marker = self._resolve(at)
        clauses = self.clauses
        signature = next((s for s in reversed(self.signatures) if s.date and s.date <= at), None)
        base = {
            "state": self.state,
            "treaty": clauses.slug,
            "at": at,
            "status": status,
            "signature_date": signature.date if signature else None,
            "flags": tuple(self.flags),
        }
        if episode is None:
            if status == Status.SIGNATORY and signature is not None:
                return StatusAnswer(
                    **base,
                    reasons=(f"signed {signature.date}; no instrument of consent deposited",),
                    events=(signature,),
                )
            if marker is not None and signature is not None:
                return StatusAnswer(
                    **base,
                    reasons=(
                        f"signed {signature.date}; notified on {marker.date} its intention not to become a party",
                    ),
                    events=(signature, marker),
                )
            return StatusAnswer(**base, reasons=("no action recorded",))
        consent = episode.consent
        denunciation_article = f"art {clauses.denunciation_article}" if clauses.denunciation_article else ""
        eif_article = f"art {episode.article}" if episode.article else ""
        fields = {
            "consent_date": episode.deposit,
            "consent_kind": str(consent.kind),
            "in_force_date": episode.in_force,
        }
        if status == Status.WITHDRAWN:
            assert notice is not None
            return StatusAnswer(
                **base,
                **fields,
                withdrawal_notice_date=notice.event.date,
                withdrawal_effective_date=notice.effective,
                reasons=(
                    f"{consent.kind} deposited {episode.deposit}; notice received {notice.event.date}; "
                    f"ceased to be bound {notice.effective}"
                    + (f" ({denunciation_article})" if denunciation_article else ""),
                ),
                articles=_clean([denunciation_article]),
                events=(consent, notice.event),
            )
        reasons: list[str] = []
        events: list[Event] = [consent]
        articles = [eif_article]
        if status == Status.CONSENTED:
            reasons.append(
                f"{consent.kind} deposited {episode.deposit}; the treaty is not in force"
                if episode.in_force is None
                else f"{consent.kind} deposited {episode.deposit}; takes effect {episode.in_force}"
                + (f" ({eif_article})" if eif_article else "")
            )
        else:
            reasons.append(
                f"{consent.kind} deposited {episode.deposit}; in force for the state since {episode.in_force}"
                + (f" ({eif_article})" if eif_article else "")
            )
        for recorded in episode.notices:
            if not recorded.event.date or recorded.event.date > at:
                continue
            if recorded is not notice:
                events.append(recorded.event)
            revocation = recorded.revoked_by
            if revocation is not None and revocation.date and revocation.date <= at:
                events.append(revocation)
                reasons.append(f"notice of {recorded.event.date} revoked on {revocation.date}")
            elif recorded.effective is None:
                reasons.append(
                    f"notice of {recorded.event.date} has no legal effect: the treaty has no denunciation clause"
                )
        extra: dict[str, Any] = {}
        if status == Status.WITHDRAWING:
            assert notice is not None
            events.append(notice.event)
            articles.append(denunciation_article)
            reasons.append(
                f"notice received {notice.event.date}; takes effect {notice.effective}"
                + (f" ({denunciation_article})" if denunciation_article else "")
            )
            if clauses.armed_conflict_suspension:
                reasons.append(f"effect may be suspended: {clauses.armed_conflict_suspension}")
            for later in self.episodes:
                if later is not episode and notice.event.date and notice.event.date <= later.start <= at:
                    reasons.append(
                        f"new {later.consent.kind} deposited {later.deposit}, in force {later.in_force}"
                    )
                    events.append(later.consent)
            extra = {
                "withdrawal_notice_date": notice.event.date,
                "withdrawal_effective_date": notice.effective,
            }
        return StatusAnswer(
            **base, **fields, **extra, reasons=tuple(reasons), articles=_clean(articles), events=tuple(events)
        )


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
