"""Helpers to build events by hand for engine tests."""

from __future__ import annotations

from datetime import date

import pytest

from treatywatch.engine.events import Event, EventKind, Provenance
from treatywatch.knowledge.treaties import load_catalogue

PROVENANCE = Provenance(source="test", url="https://example.invalid/test", original="hand-built case")


def make_event(
    treaty: str, state: str, kind: EventKind | str, on: str | None, effective: str | None = None
) -> Event:
    return Event(
        treaty=treaty,
        state=state,
        kind=EventKind(kind),
        date=date.fromisoformat(on) if on else None,
        effective_date=date.fromisoformat(effective) if effective else None,
        provenance=PROVENANCE,
    )


@pytest.fixture(scope="session")
def ev():
    """Build an event by hand: ev(treaty, state, kind, date, effective=None)."""
    return make_event


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()
