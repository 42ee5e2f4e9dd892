"""Alert events, derived from deltas (never from ad-hoc re-diffing) and from the engine's schedule.

Rules that keep the alerts honest:
- the first sight of a document (a baseline delta) records facts but alerts nobody;
- only facts whose role is `status` alert users; cross-check sources never do;
- the same legal news seen twice (another source, a re-run) maps to the same alert key, so one alert;
- quarantines and discrepancies go to operators only;
- a withdrawal or entry into force still ahead is scheduled for its date, and cancelled if the engine
  no longer expects it (a notice revoked, a source corrected).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import Q

from treatywatch.engine.events import CONSENT_KINDS, Event, EventKind
from treatywatch.engine.status import ParticipationHistory, Status
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.monitor.models import Alert, Delta
from treatywatch.store.models import Discrepancy, SourceDocument
from treatywatch.store.service import status_events

Kind = Alert.Kind

# event kind -> (alert kind, urgent)
EVENT_ALERTS: dict[EventKind, tuple[str, bool]] = {
    EventKind.SIGNATURE: (Kind.SIGNATURE, False),
    **{kind: (Kind.CONSENT, False) for kind in CONSENT_KINDS},
    EventKind.RESERVATION: (Kind.RESERVATION, False),
    EventKind.DECLARATION: (Kind.DECLARATION, False),
    EventKind.OBJECTION: (Kind.OBJECTION, False),
    EventKind.RESERVATION_WITHDRAWN: (Kind.RESERVATION_WITHDRAWN, False),
    EventKind.TERRITORIAL_APPLICATION: (Kind.TERRITORIAL_APPLICATION, False),
    EventKind.DENUNCIATION: (Kind.DENUNCIATION, True),
    EventKind.CEASED_MEMBERSHIP: (Kind.DENUNCIATION, True),
    EventKind.CONSENT_WITHDRAWN: (Kind.DENUNCIATION, True),
    EventKind.NOT_TO_BECOME_PARTY: (Kind.NOT_TO_BECOME_PARTY, True),
    EventKind.NOTICE_REVOKED: (Kind.NOTICE_REVOKED, False),
}
SCHEDULED = (Kind.WITHDRAWAL_EFFECTIVE, Kind.ENTRY_INTO_FORCE)
_NOTICE_KINDS = (
    EventKind.DENUNCIATION,
    EventKind.CEASED_MEMBERSHIP,
    EventKind.NOTICE_REVOKED,
    EventKind.CONSENT_WITHDRAWN,
)


def _short_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:12]


def event_key(alert_kind: str, event: Event) -> str:
    """Same legal news, same key, whichever source or run reported it."""
    parts = [alert_kind, event.treaty, event.state, str(event.kind), str(event.date or ""), event.territory]
    if event.text:
        parts.append(_short_hash(event.text))
    return ":".join(parts)[:250]


def _history(treaty: str, state: str) -> ParticipationHistory | None:
    catalogue = load_catalogue()
    if treaty not in catalogue:
        return None
    return ParticipationHistory(catalogue.get(treaty).clauses, state, status_events(treaty, state))


def alerts_for_delta(
    delta: Delta, added: Iterable[Event], roles: dict[str, str], *, now: datetime, today: date
) -> list[Alert]:
    """User alerts for the status facts a delta added; then the schedule for the pairs it touched."""
    if delta.baseline:
        return []
    snapshot = delta.snapshot
    created: list[Alert] = []
    touched: set[tuple[str, str]] = set()
    for event in added:
        if roles.get(event.event_id) != "status" or event.kind not in EVENT_ALERTS:
            continue
        kind, urgent = EVENT_ALERTS[event.kind]
        effective = event.effective_date
        if event.kind in _NOTICE_KINDS or event.kind in CONSENT_KINDS:
            touched.add((event.treaty, event.state))
        if kind == Kind.DENUNCIATION:
            history = _history(event.treaty, event.state)
            answer = history.status_at(today) if history else None
            if answer and answer.withdrawal_notice_date == event.date and answer.withdrawal_effective_date:
                effective = answer.withdrawal_effective_date
        alert, was_new = Alert.objects.get_or_create(
            key=event_key(kind, event),
            defaults=dict(
                kind=kind,
                urgent=urgent,
                audience=Alert.Audience.USERS,
                treaty=event.treaty,
                state=event.state,
                event_id=event.event_id,
                event_kind=str(event.kind),
                legal_date=event.date,
                effective_date=effective,
                first_seen=now,
                detail=event.provenance.original or event.text[:2000],
                source=snapshot.source,
                document_url=snapshot.url,
                document_sha256=snapshot.sha256,
                delta=delta,
                created_at=now,
            ),
        )
        if was_new:
            created.append(alert)
    for data in delta.removed + [c["after"] for c in delta.changed]:
        if data["kind"] in _NOTICE_KINDS or data["kind"] in CONSENT_KINDS:
            touched.add((data["treaty"], data["state"]))
    created += schedule(touched, now=now, today=today, delta=delta)
    return created


def schedule(
    pairs: Iterable[tuple[str, str]], *, now: datetime, today: date, delta: Delta | None = None
) -> list[Alert]:
    """Scheduled alerts for what the engine expects ahead (withdrawals, entries into force) for `pairs`.

    Pending scheduled alerts the engine no longer expects are cancelled, never deleted.
    """
    created: list[Alert] = []
    for treaty, state in sorted(set(pairs)):
        history = _history(treaty, state)
        if history is None:
            continue
        answer = history.status_at(today)
        expected: dict[str, tuple[str, date, Event | None]] = {}
        if (
            answer.status == Status.WITHDRAWING
            and answer.withdrawal_effective_date
            and answer.withdrawal_effective_date > today
        ):
            notice = next((e for e in answer.events if e.kind in _NOTICE_KINDS), None)
            key = f"{Kind.WITHDRAWAL_EFFECTIVE}:{treaty}:{state}:{answer.withdrawal_effective_date}"
            expected[key] = (Kind.WITHDRAWAL_EFFECTIVE, answer.withdrawal_effective_date, notice)
        if answer.status == Status.CONSENTED and answer.in_force_date and answer.in_force_date > today:
            consent = answer.events[0] if answer.events else None
            key = f"{Kind.ENTRY_INTO_FORCE}:{treaty}:{state}:{answer.in_force_date}"
            expected[key] = (Kind.ENTRY_INTO_FORCE, answer.in_force_date, consent)
        stale = Alert.objects.filter(
            kind__in=SCHEDULED, treaty=treaty, state=state, due_on__gt=today, cancelled_at__isnull=True
        ).exclude(key__in=list(expected))
        stale.update(cancelled_at=now, cancel_reason="the sources no longer show this as pending")
        for key, (kind, due, event) in expected.items():
            alert, was_new = Alert.objects.get_or_create(
                key=key,
                defaults=dict(
                    kind=kind,
                    urgent=False,
                    audience=Alert.Audience.USERS,
                    treaty=treaty,
                    state=state,
                    event_id=event.event_id if event else "",
                    event_kind=str(event.kind) if event else "",
                    legal_date=event.date if event else None,
                    effective_date=due,
                    due_on=due,
                    first_seen=now,
                    detail="; ".join(answer.reasons),
                    source=event.provenance.source if event else "",
                    document_url=event.provenance.url if event else "",
                    delta=delta,
                    created_at=now,
                ),
            )
            if was_new:
                created.append(alert)
    return created


def schedule_pending(*, now: datetime, today: date) -> list[Alert]:
    """Schedule from every pending notice and consent already known (e.g. loaded with the bundle)."""
    from treatywatch.store.models import Event as EventRow

    recent = today.replace(year=today.year - 2)
    pairs = (
        EventRow.objects.deciding_status()
        .filter(
            Q(kind__in=[str(k) for k in _NOTICE_KINDS])
            | Q(kind__in=[str(k) for k in CONSENT_KINDS], date__gte=recent)
        )
        .values_list("treaty_id", "participant_id")
        .distinct()
    )
    scheduled = Alert.objects.filter(kind__in=SCHEDULED, due_on__gt=today, cancelled_at__isnull=True)
    return schedule(set(pairs) | set(scheduled.values_list("treaty", "state")), now=now, today=today)


def operator_alert(
    document: SourceDocument, reason: str, *, now: datetime, kind: str = Kind.QUARANTINE
) -> tuple[Alert, bool]:
    """One alert for operators per bad document (the same bytes failing again raise no second alert)."""
    return Alert.objects.get_or_create(
        key=f"{kind}:{document.source}:{document.url}:{document.sha256}"[:250],
        defaults=dict(
            kind=kind,
            urgent=True,
            audience=Alert.Audience.OPERATORS,
            treaty=document.treaty_id or "",
            first_seen=now,
            detail=reason,
            source=document.source,
            document_url=document.url,
            document_sha256=document.sha256,
            created_at=now,
        ),
    )


def discrepancy_alerts(*, now: datetime, first_run: bool) -> list[Alert]:
    """Operator alerts for open cross-source discrepancies not alerted before.

    Those present at the very first run are recorded as already known (a baseline), not sent.
    """
    by_key: dict[str, Discrepancy] = {}
    for d in Discrepancy.objects.filter(review=Discrepancy.Review.OPEN):
        key = (
            f"{Kind.DISCREPANCY}:{d.treaty_id}:{d.participant_id or ''}:{d.kind}:{_short_hash(d.description)}"
        )
        by_key[key[:250]] = d
    known = set(Alert.objects.filter(key__in=list(by_key)).values_list("key", flat=True))
    fresh = [
        Alert(
            key=key,
            kind=Kind.DISCREPANCY,
            urgent=False,
            audience=Alert.Audience.OPERATORS,
            treaty=d.treaty_id,
            state=d.participant_id or "",
            first_seen=now,
            detail=d.description,
            source=", ".join(str(s) for s in d.sources)[:40],
            created_at=now,
            planned_at=now if first_run else None,
            cancelled_at=now if first_run else None,
            cancel_reason="already open at the first run" if first_run else "",
        )
        for key, d in by_key.items()
        if key not in known
    ]
    Alert.objects.bulk_create(fresh)
    return [] if first_run else fresh
