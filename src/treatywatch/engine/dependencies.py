"""Consistency checks that span treaties: a protocol's parties must be parties to its parent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from treatywatch.engine.clauses import Clauses
from treatywatch.engine.status import COUNTED_AS_PARTY, Status, StatusAnswer

StatusLookup = Callable[[str, date], Status]  # (treaty slug, date) -> the same state's status there

_SIGNED = COUNTED_AS_PARTY | {Status.SIGNATORY}


def dependency_flags(clauses: Clauses, answer: StatusAnswer, lookup: StatusLookup) -> list[str]:
    """Flags for acts done without the prerequisite the treaty requires (checked on the act's date)."""
    flags: list[str] = []
    acts: list[tuple[str, date]] = []
    if answer.signature_date:
        acts.append(("signature", answer.signature_date))
    if answer.consent_kind and answer.consent_date:
        acts.append((answer.consent_kind, answer.consent_date))
    for dependency in clauses.dependencies:
        if not dependency.treaties:
            continue  # membership of an organisation: no data to check against
        for kind, on in acts:
            if kind not in dependency.for_kinds and not (
                kind == "succession" and "accession" in dependency.for_kinds
            ):
                continue
            statuses = [lookup(t, on) for t in dependency.treaties]
            needed = _SIGNED if "signatory" in dependency.relation else COUNTED_AS_PARTY
            satisfied = (
                any(s in needed for s in statuses)
                if dependency.relation.endswith("_any")
                else all(s in needed for s in statuses)
            )
            if not satisfied:
                where = f" (art {dependency.article})" if dependency.article else ""
                flags.append(
                    f"{kind} of {on} requires being {dependency.relation.replace('_', ' ')} "
                    f"{', '.join(dependency.treaties)}{where}; status there was {', '.join(statuses)}"
                )
    return flags
