"""The protection figures as the site, the API and the command line show them (Django side).

Reads the checked dataset once per process (re-read when a refresh replaces the files) and joins it
to treaty status from the rules engine via ``StatusService`` (1951 Convention or 1967 Protocol, on 31
December of the data year). Without loaded treaty events the join says so instead of guessing.
"""

from __future__ import annotations

import os
import threading
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings

from treatywatch.engine.status import COUNTED_AS_PARTY
from treatywatch.protection.data import ProtectionData, load_dataset, source_metadata
from treatywatch.protection.hosting import (
    INCOME_LABELS,
    HostingFigures,
    TreatySplit,
    all_years,
    fiscal_year_for,
    hosting_figures,
    state_series,
    treaty_split,
)

REFUGEE_TREATIES = ("refugee-1951", "refugee-protocol-1967")
MANIFEST = "manifest.json"
METHOD_DOC = "docs/protection-method.md"


def data_dir() -> Path:
    """The refreshed copy in var/protection/ once a refresh wrote one, else the bundled data/raw/."""
    override = os.environ.get("TREATYWATCH_PROTECTION_DIR")
    if override:
        return Path(override)
    refreshed = Path(settings.VAR_DIR) / "protection"
    if (refreshed / MANIFEST).exists():
        return refreshed
    return Path(settings.BASE_DIR) / "data" / "raw"


_lock = threading.Lock()
_cache: dict[str, Any] = {}


def _fingerprint(folder: Path) -> tuple:
    paths = [folder / info["path"] for info in source_metadata().values() if "{fy}" not in info["path"]]
    paths += sorted((folder / "wb-income-groups").glob("wb_income_FY*.csv"))
    return (str(folder), *((p.name, p.stat().st_mtime_ns) if p.exists() else (p.name, None) for p in paths))


def dataset() -> ProtectionData:
    """The checked dataset (cached; re-read when a file changes)."""
    folder = data_dir()
    key = _fingerprint(folder)
    with _lock:
        if _cache.get("key") != key:
            data = load_dataset(folder)
            _cache.clear()
            _cache.update(key=key, data=data, figures={f.year: f for f in all_years(data)})
        return _cache["data"]


def _figures(year: int) -> HostingFigures:
    dataset()
    return _cache["figures"][year]


def latest_year() -> int:
    return dataset().years[-1]


@dataclass(frozen=True)
class RefugeeTreatyStatus:
    """Party periods per state for the 1951 Convention and 1967 Protocol, folded once by the engine."""

    periods: dict[str, list[tuple[date, date | None]]]
    data_as_of: dict[str, str | None]
    available: bool

    @classmethod
    def load(cls) -> RefugeeTreatyStatus:
        from treatywatch.store.service import StatusService, TreatyData

        service = StatusService()
        periods: dict[str, list[tuple[date, date | None]]] = {}
        available = True
        as_of = {}
        for slug in REFUGEE_TREATIES:
            states = service.participants_of(slug)
            available = available and bool(states)
            as_of[slug] = (lambda d: d.isoformat() if d else None)(TreatyData.of(slug).data_as_of)
            for state in states:
                for period in service.history(state, slug).timeline():
                    if period.status in COUNTED_AS_PARTY:
                        periods.setdefault(state, []).append((period.start, period.end))
        return cls(periods, as_of, available)

    def is_party(self, code: str, at: date) -> bool:
        return any(start <= at and (end is None or at < end) for start, end in self.periods.get(code, ()))


def treaty_status() -> RefugeeTreatyStatus:
    return RefugeeTreatyStatus.load()


def year_end(year: int) -> date:
    return date(year, 12, 31)


def split_for(year: int, status: RefugeeTreatyStatus) -> TreatySplit | None:
    if not status.available:
        return None
    at = year_end(year)
    data = dataset()
    return treaty_split(data.flows[year], data, at, lambda code: status.is_party(code, at))


def sources_json() -> list[dict[str, str]]:
    data = dataset()
    registry = {
        "key": "participants",
        "file": "src/treatywatch/knowledge/data/participants.yaml",
        "title": "Country codes, names and UN M49 regions (TreatyWatch participants registry)",
        "publisher": "UN Statistics Division (M49), curated by TreatyWatch",
        "url": "https://unstats.un.org/unsd/methodology/m49/",
        "licence": "UN terms of use",
        "citation": "UNSD, Standard country or area codes for statistical use (M49)",
        "vintage": "current",
        "sha256": "",
    }
    return [s.as_json() for s in data.sources] + [registry]


def treaty_note(status: RefugeeTreatyStatus) -> str:
    if not status.available:
        return (
            "Treaty status unavailable: no 1951 Convention / 1967 Protocol events are loaded in the database "
            "(run `treatywatch load-dataset`)."
        )
    dates = ", ".join(f"{slug} data as of {d or 'unknown'}" for slug, d in status.data_as_of.items())
    return (
        f"Party = party (or consented) to the 1951 Convention or the 1967 Protocol on 31 December; {dates}."
    )


def hosting_report(year: int | None = None, *, status: RefugeeTreatyStatus | None = None) -> dict[str, Any]:
    """Everything about one data year, JSON-ready; raises KeyError for a year not in the data."""
    data = dataset()
    year = latest_year() if year is None else year
    if year not in data.flows:
        raise KeyError(f"no UNHCR data for {year} (data covers {data.years[0]}-{data.years[-1]})")
    status = status or treaty_status()
    figures = _figures(year)
    split = split_for(year, status)
    report = figures.as_json()
    report["treaty"] = _split_json(split)
    report["treaty_note"] = treaty_note(status)
    report["non_party_hosts"] = report["treaty"]["largest_non_party_hosts"] if split else []
    report["income_rule"] = (
        f"World Bank classification FY{fiscal_year_for(year)} (released 1 July {year}, "
        f"based on {year - 1} GNI per capita), in force on 31 December {year}"
    )
    report["years_available"] = [data.years[0], data.years[-1]]
    report["sources"] = sources_json()
    report["notes"] = list(data.notes)
    report["method"] = METHOD_DOC
    return report


def _split_json(split: TreatySplit | None) -> dict[str, Any] | None:
    if split is None:
        return None
    data = asdict(split)
    data["at"] = split.at.isoformat()
    total = split.in_party_states + split.in_non_party_states + split.not_assessed
    data["in_party_states_share"] = split.in_party_states / total if total else None
    data["in_non_party_states_share"] = split.in_non_party_states / total if total else None
    return data


SERIES_COLUMNS = (
    "data_year",
    "refugees_total",
    "neighbouring_share",
    "low_middle_income_share",
    "income_fiscal_year",
    "unclassified_share",
    "developing_regions_share",
    "in_party_states",
    "in_non_party_states",
    "not_assessed",
)


def series(*, status: RefugeeTreatyStatus | None = None) -> list[dict[str, Any]]:
    """One row per data year for the chart, the table and the CSV download."""
    data = dataset()
    status = status or treaty_status()
    rows = []
    for year in data.years:
        figures = _figures(year)
        split = split_for(year, status)
        rows.append(
            {
                "data_year": year,
                "refugees_total": figures.refugees_total,
                "neighbouring_share": figures.neighbouring_share,
                "low_middle_income_share": figures.low_middle_income_share,
                "income_fiscal_year": figures.income.fiscal_year if figures.income.available else None,
                "unclassified_share": figures.unclassified_share,
                "developing_regions_share": figures.developing_regions_share,
                "in_party_states": split.in_party_states if split else None,
                "in_non_party_states": split.in_non_party_states if split else None,
                "not_assessed": split.not_assessed if split else None,
            }
        )
    return rows


def hosts_table(year: int, *, status: RefugeeTreatyStatus | None = None) -> list[dict[str, Any]]:
    """Every host in ``year``: refugees, from neighbouring countries, income group, treaty status."""
    data = dataset()
    status = status or treaty_status()
    figures = hosting_figures(data, year, top=10_000)
    at = year_end(year)
    rows = []
    for host in figures.largest_hosts:
        if not status.available or data.kinds.get(host.code) in (None, "territory"):
            party = None
        else:
            party = status.is_party(host.code, at)
        rows.append(
            {
                "data_year": year,
                "code": host.code,
                "name": host.name,
                "refugees": host.refugees,
                "from_neighbouring_country": host.neighbouring,
                "income_group": INCOME_LABELS[host.income_group] if figures.income.available else None,
                "party_1951_or_1967": party,
            }
        )
    return rows


def state_protection_context(code: str) -> dict[str, Any]:
    """Hosting and resettlement figures for one state, for the state page's protection panel."""
    data = dataset()
    code = code.upper()
    status = treaty_status()
    rows = state_series(data, code)
    year = data.years[-1]
    latest = next((r for r in reversed(rows) if r.year == year), None)
    hosts = hosts_table(year, status=status)
    rank = next((i for i, h in enumerate(hosts, 1) if h["code"] == code), None)
    row = hosts[rank - 1] if rank else None
    return {
        "code": code,
        "name": data.name(code),
        "data_year": year,
        "latest": asdict(latest) if latest else None,
        "host_rank": rank,
        "hosts_ranked": len(hosts),
        "from_neighbouring_country": row["from_neighbouring_country"] if row else 0,
        "income_group": row["income_group"] if row else None,
        "income_fiscal_year": fiscal_year_for(year),
        "party_1951_or_1967": (
            status.is_party(code, year_end(year))
            if status.available and data.kinds.get(code) not in (None, "territory")
            else None
        ),
        "treaty_note": treaty_note(status),
        "series": [asdict(r) for r in rows],
        "recent": [asdict(r) for r in rows if r.year > year - 10],
        "sources": [s for s in sources_json() if s["key"] in ("unhcr_population", "unhcr_solutions")],
    }
