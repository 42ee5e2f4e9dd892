"""The pure rules engine: treaty clauses + depositary events -> legal status on any date.

No framework, database, clock or network imports (a test enforces it).
"""

from treatywatch.engine.clauses import Clauses, Dependency, Rule
from treatywatch.engine.events import CONSENT_KINDS, Event, EventKind, Provenance
from treatywatch.engine.status import COUNTED_AS_PARTY, ParticipationHistory, Status, StatusAnswer, status_of

__all__ = [
    "CONSENT_KINDS",
    "COUNTED_AS_PARTY",
    "Clauses",
    "Dependency",
    "Event",
    "EventKind",
    "ParticipationHistory",
    "Provenance",
    "Rule",
    "Status",
    "StatusAnswer",
    "status_of",
]
