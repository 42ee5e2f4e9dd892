"""A treaty's final clauses as the engine needs them, and the calendar arithmetic they prescribe.

The rule kinds mirror `rule_kinds` in the curated final-clauses file; each function here is the
literal reading of one treaty formula ("first day of the sixth month after the month of deposit").
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta


class UnknownRuleError(ValueError):
    """A clause names a rule kind the engine does not know: refuse rather than guess."""


def add_months(d: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to the month's end (31 Aug + 3 months = 30 Nov).

    Month-end handling is an open question in the curated notes; clamping is the common reading.
    """
    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def add_years(d: date, years: int) -> date:
    return add_months(d, 12 * years)


def first_of_next_month(d: date) -> date:
    return add_months(d.replace(day=1), 1)


@dataclass(frozen=True, slots=True)
class Rule:
    """One entry-into-force or denunciation formula, e.g. {kind: days_after_deposit, days: 90}."""

    kind: str
    days: int = 0
    months: int = 0
    years: int = 0
    n: int = 0
    threshold: int | None = None
    counts: tuple[str, ...] = ()
    not_before_general_eif: bool = False
    later_date_if_specified: bool = False

    def apply(self, start: date) -> date:
        """The date this rule yields for an instrument deposited (or a notice received) on `start`."""
        match self.kind:
            case "on_deposit" | "on_threshold" | "when_threshold_reached":
                return start
            case "days_after_deposit":
                return start + timedelta(days=self.days)
            case "months_after_deposit":
                return add_months(start, self.months)
            case "years_after_deposit":
                return add_years(start, self.years)
            case "first_day_of_month_after_day_n":
                return first_of_next_month(start + timedelta(days=self.days))
            case "first_day_of_month_following_period_months":
                return first_of_next_month(add_months(start, self.months))
            case "first_day_of_nth_month_after_deposit_month":
                return add_months(start.replace(day=1), self.n)
            case "after_receipt" | "after_notification":
                return add_years(add_months(start, self.months), self.years) + timedelta(days=self.days)
            case "first_day_of_month_following_period_after_receipt":
                return first_of_next_month(add_years(add_months(start, self.months), self.years))
        raise UnknownRuleError(f"unknown rule kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class Dependency:
    """A prerequisite for some acts, e.g. ratifying a protocol requires being party to its parent."""

    for_kinds: tuple[str, ...]
    relation: str  # party_to, party_to_any, signatory_of, signatory_or_party_of(_any), member_of_organization
    treaties: tuple[str, ...] = ()
    organization: str = ""
    article: str = ""


@dataclass(frozen=True, slots=True)
class Clauses:
    """What the engine reads of one treaty. Articles are kept so every answer can cite its clause."""

    slug: str
    title: str
    opened: date | None  # adoption / opening for signature: consent before it is inconsistent
    general_eif_date: date | None  # None while the treaty is not in force
    general_eif_rule: Rule | None
    general_eif_article: str
    later_rule: Rule | None  # None: silent treaty, consent takes effect on deposit (VCLT art 24(3))
    later_applies_to: str  # after_threshold_instrument | after_general_eif
    later_article: str
    denunciation_allowed: bool
    denunciation_article: str | None
    denunciation_rule: Rule | None
    armed_conflict_suspension: str = ""  # the legal test, quoted in reasons when a notice is given
    earliest_notification_years: int | None = None
    dependencies: tuple[Dependency, ...] = ()
    verified: dict[str, bool] = field(default_factory=dict, compare=False)

    def in_force_date(self, deposit: date) -> date | None:
        """When an instrument deposited on `deposit` takes effect for that state (None: treaty not in force)."""
        if self.general_eif_date is None:
            return None
        if deposit < self.general_eif_date and (
            self.later_applies_to == "after_general_eif" or self.later_rule is None
        ):
            return self.general_eif_date
        individual = self.later_rule.apply(deposit) if self.later_rule else deposit
        return max(individual, self.general_eif_date)

    def eif_article(self, deposit: date) -> str:
        if self.general_eif_date is not None and deposit < self.general_eif_date:
            return self.general_eif_article
        return self.later_article or self.general_eif_article

    def denunciation_effective_date(self, notice: date, stated: date | None = None) -> date | None:
        """When a notice received on `notice` takes effect; None where the treaty admits no denunciation."""
        if not self.denunciation_allowed or self.denunciation_rule is None:
            return None
        computed = self.denunciation_rule.apply(notice)
        if stated and self.denunciation_rule.later_date_if_specified and stated > computed:
            return stated
        return computed
