"""The dated `events` recorded beside the final clauses in `knowledge/data/treaties.yaml`.

Participants are written in English there ("Russian Federation"), so each is resolved through the
participants table. Notice dates and effective dates stay apart; a date given only to the month
("2017-03") is kept as its first day and the note says so. A domestic step with no depositary act
(`withdrawal_initiated`) becomes a note, never an event that could change a status.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from treatywatch.engine.events import Event, EventKind
from treatywatch.knowledge.participants import ParticipantRegistry, UnknownParticipantError
from treatywatch.knowledge.treaties import Treaty, TreatyCatalogue
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure, SourceMeta

META = SourceMeta.load(Path(__file__).parent)

CEASED_TO_BE_PARTY = "ceased_to_be_party"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: 10x faster


def parse(
    document: Document, *, participants: ParticipantRegistry, catalogue: TreatyCatalogue
) -> ParseResult:
    label = document.label
    try:
        records = yaml.load(document.content.decode("utf-8"), Loader=_LOADER)["treaties"]
    except (UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError) as error:
        raise ParseError(label, f"not a final-clauses file with a `treaties` list ({error})") from None
    events: list[Event] = []
    notes: list[str] = []
    for record in records:
        if not record.get("events"):
            continue
        if record.get("id") not in catalogue:
            raise ParseError(label, "treaty not in the catalogue", value=str(record.get("id")))
        treaty = catalogue.get(record["id"])
        reader = _TreatyEvents(document, treaty, participants)
        for n, item in enumerate(record["events"], start=1):
            reader.read(n, item)
        events += reader.finish()
        notes += reader.notes
    if not events:
        raise SoftFailure(label, "no dated events")
    return ParseResult(events=events, notes=notes)


class _TreatyEvents:
    """Reads one treaty's `events` list; holds the ceased-membership events until their effect is known."""

    def __init__(self, document: Document, treaty: Treaty, participants: ParticipantRegistry) -> None:
        self.document, self.treaty, self.participants = document, treaty, participants
        self.events: list[Event] = []
        self.ceased: dict[str, Event] = {}
        self.effects: dict[str, tuple[date, str]] = {}
        self.notes: list[str] = []

    def where(self, n: int) -> str:
        return f"{self.treaty.slug} event {n}"

    def read(self, n: int, item: Mapping[str, Any]) -> None:
        label, row = self.document.label, self.where(n)
        try:
            state = self.participants.resolve(str(item.get("state")), context=f"{label} {row}")
        except UnknownParticipantError:
            raise ParseError(label, "unknown participant", row=row, value=str(item.get("state"))) from None
        action = item.get("action")
        original = yaml.safe_dump(
            dict(item), default_flow_style=True, allow_unicode=True, width=10_000
        ).strip()
        if action == CEASED_TO_BE_PARTY:
            self.effects[state] = (self._date(item, "effective", n, required=True)[0], original)
            return
        table: Mapping[str, str | None] = META.extra["actions"]
        if action not in table:
            raise ParseError(
                label, "unknown action (add it to source.yaml `actions`)", row=row, value=str(action)
            )
        if table[action] is None:
            self.notes.append(
                f"{row} {item['state']}: {action} {item.get('date') or ''} (not a depositary act): "
                f"{item.get('note') or ''}".strip()
            )
            return
        kind = EventKind(table[action])
        lower = item.get("basis") == "secondary" or not item.get("verified", False)
        sources = [self.treaty.sources[k].url for k in item.get("src") or [] if k in self.treaty.sources]
        provenance = META.provenance(
            self.document, original, url=sources[0] if sources else None, trust="secondary" if lower else None
        )
        common = {
            "treaty": self.treaty.slug,
            "state": state,
            "provenance": provenance,
            "verified": bool(item.get("verified", False)),
        }
        note = str(item.get("note") or "")
        if kind == EventKind.NOTICE_REVOKED:
            if item.get("notified"):
                on, precision = self._date(item, "notified", n, required=True)
                self.events.append(
                    Event(kind=EventKind.DENUNCIATION, date=on, note=_join(precision, note), **common)
                )
            on, precision = self._date(item, "revoked", n, required=True)
            self.events.append(Event(kind=kind, date=on, note=_join(precision, note), **common))
            return
        on, precision = self._date(item, "notified" if "notified" in item else "date", n, required=False)
        effective = self._date(item, "effective", n, required=False)[0]
        event = Event(kind=kind, date=on, effective_date=effective, note=_join(precision, note), **common)
        if kind == EventKind.CEASED_MEMBERSHIP:
            self.ceased[state] = event
        else:
            self.events.append(event)

    def finish(self) -> list[Event]:
        for state, (effective, original) in self.effects.items():
            if state not in self.ceased:
                raise ParseError(
                    self.document.label,
                    f"{CEASED_TO_BE_PARTY} with no ceased-membership event",
                    row=self.treaty.slug,
                    value=state,
                )
            event = self.ceased[state]
            self.ceased[state] = Event(
                treaty=event.treaty,
                state=state,
                kind=event.kind,
                date=event.date,
                effective_date=effective,
                verified=event.verified,
                note=_join(event.note, f"effect read from: {original}"),
                provenance=event.provenance,
            )
        return self.events + list(self.ceased.values())

    def _date(self, item: Mapping[str, Any], key: str, n: int, *, required: bool) -> tuple[date | None, str]:
        """A date field -> (date, note about its precision)."""
        value = item.get(key)
        if value is None:
            if required:
                raise ParseError(self.document.label, f"missing `{key}`", row=self.where(n), value=str(item))
            return None, ""
        if isinstance(value, date):
            return value, ""
        text = str(value)
        try:
            if len(text) == 7:
                return date.fromisoformat(
                    f"{text}-01"
                ), f"{key} known to the month only ({text}): first day used"
            return date.fromisoformat(text), ""
        except ValueError:
            raise ParseError(
                self.document.label, f"`{key}` is not an ISO date", row=self.where(n), value=text
            ) from None


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
