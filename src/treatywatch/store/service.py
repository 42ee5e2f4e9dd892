"""Status questions answered from the database: the one place web, API and command line ask."""

from __future__ import annotations

import gc
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max

from treatywatch.engine.dependencies import dependency_flags
from treatywatch.engine.events import TEXT_KINDS, Event
from treatywatch.engine.status import ParticipationHistory, Status, StatusAnswer
from treatywatch.knowledge.participants import UnknownParticipantError, load_registry
from treatywatch.knowledge.treaties import Treaty as TreatyInfo
from treatywatch.knowledge.treaties import UnknownTreatyError, load_catalogue
from treatywatch.store.convert import ENGINE_COLUMNS, event_from_values
from treatywatch.store.models import Event as EventRow
from treatywatch.store.models import Participant, Treaty


def resolve_state(value: str) -> str:
    """A code or any known spelling -> participant code; raises UnknownParticipantError."""
    registry = load_registry()
    upper = value.strip().upper()
    if upper in registry:
        return upper
    return registry.resolve(value, context="state")


def resolve_treaty(value: str) -> TreatyInfo:
    catalogue = load_catalogue()
    slug = value.strip().lower()
    if slug in catalogue:
        return catalogue.get(slug)
    try:
        return catalogue.by_untc_ref(value.strip().upper())
    except UnknownTreatyError:
        raise UnknownTreatyError(f"unknown treaty {value!r}") from None


def status_events(treaty: str | None = None, state: str | None = None) -> list[Event]:
    """The events that decide status (reservations and other texts never change it, so are not read)."""
    rows = EventRow.objects.deciding_status().exclude(kind__in=[str(k) for k in TEXT_KINDS])
    if treaty:
        rows = rows.filter(treaty_id=treaty)
    if state:
        rows = rows.filter(participant_id=state)
    return [event_from_values(v) for v in rows.values_list(*ENGINE_COLUMNS)]


def _group(events: Iterable[Event]) -> dict[tuple[str, str], list[Event]]:
    grouped: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for event in events:
        grouped[(event.treaty, event.state)].append(event)
    return grouped


@dataclass(frozen=True)
class TreatyData:
    """What a page or answer must say about the data behind a treaty's status."""

    data_as_of: date | None
    data_sources: list[str]
    coverage_note: str

    @classmethod
    def of(cls, slug: str) -> TreatyData:
        row = Treaty.objects.filter(slug=slug).values("data_as_of", "data_sources", "coverage_note").first()
        if row is None:
            return cls(None, [], "not loaded")
        return cls(row["data_as_of"], row["data_sources"], row["coverage_note"])

    @classmethod
    def every(cls) -> dict[str, TreatyData]:
        rows = Treaty.objects.values_list("slug", "data_as_of", "data_sources", "coverage_note")
        return {slug: cls(as_of, sources, note) for slug, as_of, sources, note in rows}


def data_version() -> str:
    """Changes whenever events are loaded, added, edited or deleted (deletions leave audit records)."""
    latest = EventRow.objects.aggregate(m=Max("id"))["m"]
    edited = EventRow.history.aggregate(m=Max("history_id"))["m"]
    treaties = Treaty.objects.aggregate(m=Max("data_as_of"))["m"]
    return f"{latest}-{edited}-{treaties}"


_recent_version: tuple[float, str] = (0.0, "")
_shared: dict[str, StatusService] = {}
_shared_lock = threading.Lock()


def recent_data_version(max_age: float = 1.0) -> str:
    """`data_version()`, re-read at most every `max_age` seconds per process.

    Hot paths key their caches on it: an edit shows within a second, and a cached answer then
    costs no database query at all.
    """
    global _recent_version
    checked, version = _recent_version
    now = time.monotonic()
    if now - checked >= max_age or not version:
        version = data_version()
        _recent_version = (now, version)
    return version


def _settle_heap() -> None:
    """Take the long-lived folded histories out of the cyclic garbage collector's sight.

    Otherwise every full collection walks every history: measured at 85-145 ms under load, a stall
    for every request in that process. Frozen objects are still freed by reference counting when the
    next data version replaces them; the one collection here first clears the old version's cycles.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class StatusService:
    """Folds stored events through the catalogue's clauses.

    A fresh instance loads lazily, one treaty at a time. `StatusService.current()` is one instance
    per process and data version with every event loaded and folded up front: after that it only
    reads its histories, so threads can share it, and a page pays for folding once, not per request.
    """

    @classmethod
    def current(cls, version: str | None = None) -> StatusService:
        version = version or recent_data_version()
        service = _shared.get(version)
        if service is not None:
            return service
        with _shared_lock:
            if version not in _shared:
                service = cls()
                service._load()
                _shared.clear()
                _shared[version] = service
                _settle_heap()
            return _shared[version]

    @classmethod
    def ready(cls, version: str) -> StatusService | None:
        """The shared instance if it is already built for `version`; never builds one (a cold
        request should not pay for folding every event)."""
        return _shared.get(version)

    def __init__(self) -> None:
        self.catalogue = load_catalogue()
        self._histories: dict[tuple[str, str], ParticipationHistory] = {}
        self._loaded_treaties: set[str] = set()
        self._loaded_states: set[str] = set()
        self._all_loaded = False
        self._treaty_data: dict[str, TreatyData] | None = None

    def _load(self, treaty: str | None = None, state: str | None = None) -> None:
        if (
            self._all_loaded
            or (treaty and treaty in self._loaded_treaties)
            or (state and state in self._loaded_states)
        ):
            return
        for (t, s), events in _group(status_events(treaty, state)).items():
            if (t, s) not in self._histories and t in self.catalogue:
                self._histories[(t, s)] = ParticipationHistory(self.catalogue.get(t).clauses, s, events)
        if treaty:
            self._loaded_treaties.add(treaty)
        elif state:
            self._loaded_states.add(state)
        else:
            self._all_loaded = True

    def history(self, state: str, treaty: str) -> ParticipationHistory:
        """A pair with no recorded action gets an empty history that is not kept, so loaded
        histories stay exactly the pairs with actions (and a shared instance is never mutated)."""
        found = self._histories.get((treaty, state))
        if found is None:
            self._load(treaty=treaty)
            found = self._histories.get((treaty, state))
        if found is None:
            found = ParticipationHistory(self.catalogue.get(treaty).clauses, state, [])
        return found

    def pair_status(self, state: str, treaty: str, at: date) -> StatusAnswer:
        """One answer from only that pair's events: two small queries, no treaty-wide load."""
        key = (treaty, state)
        if key not in self._histories:
            self._histories[key] = ParticipationHistory(
                self.catalogue.get(treaty).clauses, state, status_events(treaty, state)
            )
        return self.status(state, treaty, at)

    def status(self, state: str, treaty: str, at: date, *, with_dependencies: bool = True) -> StatusAnswer:
        answer = self.history(state, treaty).status_at(at)
        if with_dependencies and self.catalogue.get(treaty).clauses.dependencies:
            flags = dependency_flags(
                self.catalogue.get(treaty).clauses,
                answer,
                lambda other, on: (
                    self.history(state, other).status_at(on).status
                    if other in self.catalogue
                    else Status.NONE
                ),
            )
            if flags:
                answer = _with_flags(answer, flags)
        return answer

    def treaty_data(self, slug: str) -> TreatyData:
        """The data behind a treaty, read once per instance (so once per data version when shared;
        filling it is idempotent, so threads sharing the instance may race it)."""
        if self._treaty_data is None:
            self._treaty_data = TreatyData.every()
        return self._treaty_data.get(slug) or TreatyData(None, [], "not loaded")

    def participants_of(self, treaty: str) -> list[str]:
        self._load(treaty=treaty)
        return sorted(s for (t, s) in self._histories if t == treaty)

    def parties(self, treaty: str, at: date) -> list[StatusAnswer]:
        """Every participant counted as a party on `at` (consented, party or withdrawing)."""
        answers = [self.status(s, treaty, at, with_dependencies=False) for s in self.participants_of(treaty)]
        return [a for a in answers if a.counts_as_party]

    def all_statuses(self, treaty: str, at: date) -> list[StatusAnswer]:
        return [self.status(s, treaty, at, with_dependencies=False) for s in self.participants_of(treaty)]

    def matrix(self, at: date, treaties: Iterable[str] | None = None) -> dict[tuple[str, str], StatusAnswer]:
        """Status of every participant with any recorded action, in every (selected) treaty."""
        self._load()
        wanted = set(treaties) if treaties is not None else None
        return {
            (s, t): h.status_at(at) for (t, s), h in self._histories.items() if wanted is None or t in wanted
        }

    def matrix_statuses(
        self, at: date, treaties: Iterable[str] | None = None
    ) -> dict[tuple[str, str], Status]:
        """Just the status of every (state, treaty) cell: the cheap form for whole-matrix views."""
        self._load()
        wanted = set(treaties) if treaties is not None else None
        return {
            (s, t): h.status_code_at(at)
            for (t, s), h in self._histories.items()
            if wanted is None or t in wanted
        }

    def state_treaties(self, state: str, at: date) -> list[StatusAnswer]:
        self._load(state=state)
        return [self.status(state, t.slug, at) for t in self.catalogue]


def _with_flags(answer: StatusAnswer, flags: list[str]) -> StatusAnswer:
    from dataclasses import replace

    return replace(answer, flags=answer.flags + tuple(flags))


def answer_json(answer: StatusAnswer, data: TreatyData | None = None) -> dict[str, Any]:
    """The status answer in the shape the command line and API promise (a stable contract)."""
    data = data or TreatyData.of(answer.treaty)

    def iso(value: date | None) -> str | None:
        return value.isoformat() if value else None

    sources = []
    seen = set()
    for event in answer.events:
        p = event.provenance
        key = (p.source, p.url)
        if key in seen:
            continue
        seen.add(key)
        sources.append(
            {
                "source": p.source,
                "url": p.url,
                "retrieved_at": p.retrieved_at.isoformat() if p.retrieved_at else None,
                "original": p.original,
                "trust": p.trust,
            }
        )
    return {
        "state": answer.state,
        "treaty": answer.treaty,
        "at": iso(answer.at),
        "status": str(answer.status),
        "in_force_date": iso(answer.in_force_date),
        "signature_date": iso(answer.signature_date),
        "consent_date": iso(answer.consent_date),
        "consent_kind": answer.consent_kind,
        "withdrawal_notice_date": iso(answer.withdrawal_notice_date),
        "withdrawal_effective_date": iso(answer.withdrawal_effective_date),
        "data_as_of": iso(data.data_as_of),
        "data_sources": data.data_sources,
        "coverage_note": data.coverage_note,
        "reasons": list(answer.reasons),
        "articles": list(answer.articles),
        "flags": list(answer.flags),
        "events": [
            {
                "event_id": e.event_id,
                "kind": str(e.kind),
                "date": iso(e.date),
                "effective_date": iso(e.effective_date),
            }
            for e in answer.events
        ],
        "sources": sources,
    }


__all__ = [
    "Participant",
    "StatusService",
    "TreatyData",
    "UnknownParticipantError",
    "UnknownTreatyError",
    "answer_json",
    "resolve_state",
    "resolve_treaty",
]
