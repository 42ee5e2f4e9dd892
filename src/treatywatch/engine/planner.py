"""Campaign planning questions answered from the clauses alone ("what if a state deposits today?")."""

from __future__ import annotations

from datetime import date, timedelta

from treatywatch.engine.clauses import Clauses


class DenunciationNotAllowedError(ValueError):
    """The treaty has no denunciation clause, so a notice can never take effect."""


def in_force_date_for_deposit(clauses: Clauses, deposit: date) -> date | None:
    """When the treaty would enter into force for a state depositing on `deposit` (None: not in force)."""
    return clauses.in_force_date(deposit)


def notice_effective_date(clauses: Clauses, notice: date) -> date:
    effective = clauses.denunciation_effective_date(notice)
    if effective is None:
        where = f"art {clauses.denunciation_article}" if clauses.denunciation_article else "its final clauses"
        raise DenunciationNotAllowedError(
            f"{clauses.title} admits no denunciation or withdrawal ({where} contain no such clause; VCLT art 56)"
        )
    return effective


def latest_deposit_for_party_by(clauses: Clauses, target: date) -> date | None:
    """The last deposit date that still makes a state a party on `target`.

    Entry into force is non-decreasing in the deposit date, so a binary search over days is exact.
    None when no deposit can achieve it (treaty not in force by then).
    """
    low = clauses.opened or date(1900, 1, 1)
    if low > target:
        return None
    first = clauses.in_force_date(low)
    if first is None or first > target:
        return None
    lo, hi = 0, (target - low).days
    while lo < hi:
        mid = (lo + hi + 1) // 2
        in_force = clauses.in_force_date(low + timedelta(days=mid))
        if in_force is not None and in_force <= target:
            lo = mid
        else:
            hi = mid - 1
    return low + timedelta(days=lo)
