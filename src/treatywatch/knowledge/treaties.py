"""Typed access to the curated final-clauses files (treaties.yaml and its companions).

The YAML stays the single place where a clause and its citation live; this module turns each
record into the engine's `Clauses` plus the metadata pages show (titles, article citations, sources).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from treatywatch.engine.clauses import Clauses, Dependency, Rule

DATA_DIR = Path(__file__).parent / "data"
TREATY_FILES = ("treaties.yaml", "treaties-arms-xxvi.yaml")
CATEGORIES = (
    "refugee",
    "statelessness",
    "human_rights",
    "humanitarian",
    "international_criminal",
    "disarmament",
    "regional",
)
# The campaign treaties of the coalition's letter: refugee, statelessness, core human rights, IHL, ICC.
CAMPAIGN_CATEGORIES = ("refugee", "statelessness", "human_rights", "humanitarian", "international_criminal")


class UnknownTreatyError(LookupError):
    """A treaty slug or reference that the knowledge base does not hold."""


@dataclass(frozen=True, slots=True)
class SourceRef:
    key: str
    url: str
    supports: str = ""
    lang: str = ""


@dataclass(frozen=True, slots=True)
class Treaty:
    slug: str
    title: str
    short_title: str
    category: str
    subcategory: str
    untc_ref: str | None
    adoption_date: date | None
    depositary: str
    clauses: Clauses
    sources: Mapping[str, SourceRef]
    record: Mapping[str, Any] = field(repr=False, compare=False)  # the curated record, for display

    @property
    def parent(self) -> str | None:
        """The treaty a protocol depends on, when it names exactly one."""
        for dependency in self.clauses.dependencies:
            if dependency.treaties and "party" in dependency.relation:
                return dependency.treaties[0]
        return None

    def block_verified(self, block: str) -> bool | None:
        value = self.record.get(block)
        return value.get("verified") if isinstance(value, dict) else None

    def cited_sources(self, block: Mapping[str, Any]) -> list[SourceRef]:
        return [self.sources[key] for key in block.get("src", []) if key in self.sources]

    def key_clauses(self) -> list[dict[str, Any]]:
        """The final clauses a reader needs, each with its article, verification flag and sources."""
        record = self.record
        eif = record.get("entry_into_force", {})
        rows = []
        for label, block in (
            ("Entry into force", eif.get("general")),
            ("Entry into force for later states", eif.get("later_states")),
            ("Denunciation or withdrawal", record.get("denunciation")),
            ("Reservations", record.get("reservations")),
        ):
            if not block:
                continue
            text = (
                block.get("condition")
                or block.get("detail")
                or block.get("form")
                or block.get("regime")
                or ""
            )
            if label.startswith("Denunciation") and block.get("allowed") is False:
                text = block.get("detail") or "No denunciation clause."
            elif label.startswith("Denunciation") and block.get("effect"):
                effect = block["effect"]
                delay = ", ".join(f"{effect[k]} {k}" for k in ("years", "months", "days") if effect.get(k))
                text = f"{text} Effective {delay} after receipt.".strip()
            rows.append(
                {
                    "label": label,
                    "text": text,
                    "article": block.get("article"),
                    "verified": block.get("verified"),
                    "basis": block.get("basis"),
                    "sources": self.cited_sources(block),
                }
            )
        return rows


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    text = str(value)
    if len(text) == 7:  # "2017-03": month precision is kept as its first day
        text += "-01"
    return date.fromisoformat(text)


def _rule(raw: Mapping[str, Any] | None, **extra: Any) -> Rule | None:
    if not raw or "kind" not in raw:
        return None
    return Rule(
        kind=raw["kind"],
        days=int(raw.get("days", 0)),
        months=int(raw.get("months", 0)),
        years=int(raw.get("years", 0)),
        n=int(raw.get("n", 0)),
        threshold=raw.get("threshold"),
        counts=tuple(raw.get("counts", ())),
        not_before_general_eif=bool(raw.get("not_before_general_eif", False)),
        later_date_if_specified=bool(raw.get("later_date_if_specified", False)),
        **extra,
    )


def _dependencies(raw: Mapping[str, Any] | None) -> tuple[Dependency, ...]:
    if not raw:
        return ()
    return tuple(
        Dependency(
            for_kinds=tuple(req.get("for", ())),
            relation=req.get("relation", ""),
            treaties=tuple(req.get("treaties", ())),
            organization=req.get("organization", ""),
            article=str(raw.get("article") or ""),
        )
        for req in raw.get("requires", []) or []
    )


def _suspension(denunciation: Mapping[str, Any]) -> str:
    raw = denunciation.get("armed_conflict_suspension")
    if not raw:
        return ""
    if isinstance(raw, str):
        return raw
    test = raw.get("test") or raw.get("situation") or "armed conflict"
    until = raw.get("deferred_until")
    return (
        f"{test}" + (f", deferred until {until}" if until else "") + f" (art {denunciation.get('article')})"
    )


def treaty_from_record(record: Mapping[str, Any]) -> Treaty:
    eif = record.get("entry_into_force", {})
    general = eif.get("general", {}) or {}
    later = eif.get("later_states", {}) or {}
    denunciation = record.get("denunciation", {}) or {}
    earliest = denunciation.get("earliest_notification") or {}
    adoption = record.get("adoption", {}) or {}
    untc = record.get("untc") or {}
    clauses = Clauses(
        slug=record["id"],
        title=record["title"],
        opened=_date(adoption.get("date")),
        general_eif_date=_date(general.get("date")),
        general_eif_rule=_rule(general.get("rule")),
        general_eif_article=str(general.get("article") or ""),
        later_rule=_rule(later.get("rule")),
        later_applies_to=later.get("applies_to") or "after_threshold_instrument",
        later_article=str(later.get("article") or ""),
        denunciation_allowed=bool(denunciation.get("allowed", False)),
        denunciation_article=denunciation.get("article"),
        denunciation_rule=_rule(denunciation.get("effect")),
        armed_conflict_suspension=_suspension(denunciation),
        earliest_notification_years=earliest.get("years_after_own_eif")
        if isinstance(earliest, dict)
        else None,
        dependencies=_dependencies(record.get("dependencies")),
        verified={
            name: bool((record.get(name) or {}).get("verified", False))
            for name in ("consent", "denunciation", "reservations")
        },
    )
    sources = {
        key: SourceRef(
            key=key, url=value.get("url", ""), supports=value.get("supports", ""), lang=value.get("lang", "")
        )
        for key, value in (record.get("sources") or {}).items()
    }
    depositary = record.get("depositary") or {}
    return Treaty(
        slug=record["id"],
        title=record["title"],
        short_title=record.get("short_title") or record["title"],
        category=record.get("category", ""),
        subcategory=record.get("subcategory", ""),
        untc_ref=untc.get("ref"),
        adoption_date=_date(adoption.get("date")),
        depositary=depositary.get("name", "") if isinstance(depositary, dict) else str(depositary),
        clauses=clauses,
        sources=sources,
        record=record,
    )


class TreatyCatalogue:
    """All treaties the knowledge base holds, by slug and by UNTC reference."""

    def __init__(self, treaties: list[Treaty]) -> None:
        self._by_slug = {t.slug: t for t in treaties}
        if len(self._by_slug) != len(treaties):
            raise ValueError("duplicate treaty slug in the curated files")
        self._by_untc = {t.untc_ref: t for t in treaties if t.untc_ref}

    def get(self, slug: str) -> Treaty:
        try:
            return self._by_slug[slug]
        except KeyError:
            raise UnknownTreatyError(f"unknown treaty {slug!r}") from None

    def by_untc_ref(self, ref: str) -> Treaty:
        try:
            return self._by_untc[ref]
        except KeyError:
            raise UnknownTreatyError(f"no treaty with UNTC reference {ref!r}") from None

    def __iter__(self) -> Iterator[Treaty]:
        return iter(self._by_slug.values())

    def __len__(self) -> int:
        return len(self._by_slug)

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug


def load_records(files: tuple[Path, ...] | None = None) -> list[dict[str, Any]]:
    paths = files or tuple(DATA_DIR / name for name in TREATY_FILES)
    records: list[dict[str, Any]] = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            records.extend(
                yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["treaties"]
            )
    return records


@functools.lru_cache(maxsize=1)
def load_catalogue() -> TreatyCatalogue:
    return TreatyCatalogue([treaty_from_record(r) for r in load_records()])
