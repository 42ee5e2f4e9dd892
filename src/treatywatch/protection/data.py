"""Reading and checking the files behind the refugee protection figures (pure: no Django, no network).

Every file is checked strictly on the way in: a missing column, a short row, a negative or non-integer
count, or a country code that the participants registry does not know stops the import with an error
naming the file, the row and the value. Nothing is guessed: UNHCR's ``UNK`` is "unknown origin" (not
Kosovo, as in some country lists), stateless and Tibetan origins are kept as explicit special origins.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from treatywatch.knowledge.participants import ParticipantRegistry, load_registry
from treatywatch.sources.base import ParseError

SOURCES_FILE = Path(__file__).with_name("sources.yaml")

# UNHCR's own codes for origins that are not countries: ISO-like code -> (UNHCR code that must go with it, meaning).
SPECIAL_ORIGINS: Mapping[str, tuple[str, str]] = {
    "UNK": ("UKN", "unknown origin"),
    "XXA": ("STA", "stateless"),
    "TIB": ("TIB", "Tibetan (no ISO country code)"),
}
SPECIAL_HOSTS: Mapping[str, tuple[str, str]] = {"UNK": ("UKN", "unknown country of asylum")}

# World Bank rows for economies that no longer exist and host no one in the UNHCR data.
IGNORED_WB_CODES: Mapping[str, str] = {
    "ANT": "Netherlands Antilles (dissolved 2010)",
    "YUGf": "former Yugoslavia",
}

INCOME_GROUPS = ("L", "LM", "UM", "H")
_CSV_INCOME = {
    "Low income": "L",
    "Lower middle income": "LM",
    "Upper middle income": "UM",
    "High income": "H",
    "Not classified": None,
    "": None,
}
_OCHA_INCOME = {"Low": "L", "Lower middle": "LM", "Upper middle": "UM", "High": "H", "": None}
_OGHIST_INCOME = {"L": "L", "LM": "LM", "UM": "UM", "H": "H", "..": None, None: None}
_WB_FILE = re.compile(r"^wb_income_FY(\d{4})\.csv$")


class ProtectionDataError(ParseError):
    """A protection data file is not what the import expects; nothing is loaded from it."""


class Flow(NamedTuple):
    """End-year stock of people from one origin in one country of asylum (a tuple: 140,000 are read)."""

    origin: str
    host: str
    refugees: int
    asylum_seekers: int
    oip: int  # other people in need of international protection
    idps: int
    stateless: int

    @property
    def in_need(self) -> int:
        """UNHCR's headline "refugees": refugees under its mandate plus other people in need of protection."""
        return self.refugees + self.oip


class Resettlement(NamedTuple):
    origin: str
    destination: str
    arrivals: int


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file the figures are computed from, with what a reader needs to cite and re-obtain it."""

    key: str
    path: str
    title: str
    publisher: str
    url: str
    licence: str
    citation: str
    vintage: str
    sha256: str

    def as_json(self) -> dict[str, str]:
        return {
            "key": self.key,
            "file": self.path,
            "title": self.title,
            "publisher": self.publisher,
            "url": self.url,
            "licence": self.licence,
            "citation": self.citation,
            "vintage": self.vintage,
            "sha256": self.sha256,
        }


@dataclass
class ProtectionData:
    """Everything the figures need, checked and keyed by participant code."""

    flows: dict[int, tuple[Flow, ...]]
    resettlement: dict[int, tuple[Resettlement, ...]]
    income: dict[int, dict[str, str]]  # World Bank fiscal year -> code -> L/LM/UM/H (absent = unclassified)
    neighbours: dict[str, frozenset[str]]
    names: dict[str, str]
    regions: dict[str, str | None]  # M49 region from the participants registry
    kinds: dict[str, str]  # participant kind (un_member, territory, ...)
    sources: tuple[SourceFile, ...]
    notes: list[str] = field(default_factory=list)

    @cached_property
    def years(self) -> list[int]:
        return sorted(self.flows)

    def name(self, code: str) -> str:
        if code in self.names:
            return self.names[code]
        special = SPECIAL_ORIGINS.get(code) or SPECIAL_HOSTS.get(code)
        return special[1] if special else code


def source_metadata(path: Path = SOURCES_FILE) -> dict[str, dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table(
    path: Path, required: tuple[str, ...], *, encoding: str = "utf-8"
) -> Iterator[tuple[int, list[str]]]:
    """CSV rows as lists ordered like ``required``, refusing a missing column or a short/long (truncated) row."""
    label = path.name
    if not path.exists():
        raise ProtectionDataError(label, "file missing", value=str(path))
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise ProtectionDataError(label, "empty file")
        header = [h.strip().lstrip("\ufeff") for h in header]
        missing = [c for c in required if c not in header]
        if missing:
            raise ProtectionDataError(label, "missing column", row=1, value=", ".join(missing))
        width = len(header)
        positions = [header.index(c) for c in required]
        for number, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != width:
                raise ProtectionDataError(
                    label,
                    f"row has {len(row)} fields, header has {width} (truncated file?)",
                    row=number,
                    value=",".join(row)[:80],
                )
            yield number, [row[i] for i in positions]


def _count(label: str, number: int, column: str, value: str) -> int:
    """A non-negative integer count; empty (R's NA) counts as 0."""
    if value == "":
        return 0
    if not value.isdigit():
        raise ProtectionDataError(
            label, f"column {column}: not a non-negative integer", row=number, value=value
        )
    return int(value)


def _year(label: str, number: int, value: str) -> int:
    if not (value.isdigit() and 1900 <= int(value) <= 2100):
        raise ProtectionDataError(label, "bad year", row=number, value=value)
    return int(value)


class _Codes:
    """Checks UNHCR (ISO, UNHCR-code) pairs once each; special codes must come with UNHCR's own code."""

    def __init__(
        self, registry: ParticipantRegistry, label: str, special: Mapping[str, tuple[str, str]]
    ) -> None:
        self.registry, self.label, self.special = registry, label, special
        self.checked: set[tuple[str, str]] = set()

    def __call__(self, number: int, iso: str, unhcr: str) -> str:
        if (iso, unhcr) in self.checked:
            return iso
        if iso in self.special:
            expected = self.special[iso][0]
            if unhcr != expected:
                raise ProtectionDataError(
                    self.label,
                    f"code {iso} with UNHCR code {unhcr!r}, expected {expected!r} ({self.special[iso][1]})",
                    row=number,
                    value=iso,
                )
        elif iso not in self.registry:
            raise ProtectionDataError(self.label, "unknown country code", row=number, value=iso)
        self.checked.add((iso, unhcr))
        return iso


POPULATION_COLUMNS = (
    "year",
    "coo",
    "coo_iso",
    "coa",
    "coa_iso",
    "refugees",
    "asylum_seekers",
    "oip",
    "idps",
    "stateless",
)
_FIGURES = POPULATION_COLUMNS[5:]


def read_population(path: Path, registry: ParticipantRegistry) -> dict[int, tuple[Flow, ...]]:
    label = path.name
    origin_code = _Codes(registry, label, SPECIAL_ORIGINS)
    host_code = _Codes(registry, label, SPECIAL_HOSTS)
    by_year: dict[int, list[Flow]] = defaultdict(list)
    years: dict[str, int] = {}
    for number, (year, coo, coo_iso, coa, coa_iso, *figures) in _table(path, POPULATION_COLUMNS):
        if year not in years:
            years[year] = _year(label, number, year)
        counts = [
            int(v) if v.isdigit() else _count(label, number, c, v)
            for c, v in zip(_FIGURES, figures, strict=True)
        ]
        by_year[years[year]].append(
            Flow(origin_code(number, coo_iso, coo), host_code(number, coa_iso, coa), *counts)
        )
    if not by_year:
        raise ProtectionDataError(label, "no data rows")
    return {y: tuple(f) for y, f in sorted(by_year.items())}


SOLUTIONS_COLUMNS = ("year", "coo", "coo_iso", "coa", "coa_iso", "resettlement")


def read_solutions(path: Path, registry: ParticipantRegistry) -> dict[int, tuple[Resettlement, ...]]:
    label = path.name
    origin_code = _Codes(registry, label, SPECIAL_ORIGINS)
    destination_code = _Codes(registry, label, SPECIAL_HOSTS)
    by_year: dict[int, list[Resettlement]] = defaultdict(list)
    for number, (year, coo, coo_iso, coa, coa_iso, resettled) in _table(path, SOLUTIONS_COLUMNS):
        arrivals = _count(label, number, "resettlement", resettled)
        origin = origin_code(number, coo_iso, coo)
        destination = destination_code(number, coa_iso, coa)
        if arrivals:
            by_year[_year(label, number, year)].append(Resettlement(origin, destination, arrivals))
    return {y: tuple(r) for y, r in sorted(by_year.items())}


def _wb_code(registry: ParticipantRegistry, label: str, number: int | str, code: str) -> str | None:
    if code in IGNORED_WB_CODES:
        return None
    if code not in registry:
        raise ProtectionDataError(label, "unknown country code", row=number, value=code)
    return code


def read_wb_csv(path: Path, registry: ParticipantRegistry) -> dict[str, str]:
    """One fiscal year's classification from the World Bank API country metadata (WDI cache layout)."""
    label = path.name
    groups: dict[str, str] = {}
    for number, (iso3c, region, income) in _table(path, ("iso3c", "region", "income")):
        if region == "Aggregates":
            continue
        if income not in _CSV_INCOME:
            raise ProtectionDataError(label, "unknown income group", row=number, value=income)
        code = _wb_code(registry, label, number, iso3c)
        if code and _CSV_INCOME[income]:
            groups[code] = _CSV_INCOME[income]
    if len(groups) < 150:
        raise ProtectionDataError(label, f"only {len(groups)} classified economies (expected about 215)")
    return groups


def read_ocha_income(path: Path, registry: ParticipantRegistry) -> dict[str, str]:
    """The FY2024 classification carried by the OCHA taxonomy (rows without an ISO code are sub-national)."""
    label = path.name
    code_col, income_col = "ISO 3166-1 Alpha 3-Codes", "World Bank Income Level"
    groups: dict[str, str] = {}
    for number, (iso3, income) in _table(path, (code_col, income_col)):
        if not iso3:
            continue
        if income not in _OCHA_INCOME:
            raise ProtectionDataError(label, "unknown income group", row=number, value=income)
        code = _wb_code(registry, label, number, iso3)
        if code and _OCHA_INCOME[income]:
            groups[code] = _OCHA_INCOME[income]
    return groups


def _fiscal_year(two_digits: int) -> int:
    return (1900 if two_digits >= 70 else 2000) + two_digits


def read_oghist(path: Path, registry: ParticipantRegistry) -> dict[int, dict[str, str]]:
    """The World Bank's historical classification sheet: one column per fiscal year (FY10 ...).

    Some header cells of the stored copy are unevaluated formulas; their fiscal year follows from the
    columns either side, and the import refuses the sheet unless the years then run without a gap.
    """
    import openpyxl

    label = path.name
    if not path.exists():
        raise ProtectionDataError(label, "file missing", value=str(path))
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises zipfile/KeyError/... for a damaged workbook
        raise ProtectionDataError(label, f"not a readable workbook ({type(error).__name__})") from None
    sheet_name = "Country Analytical History"
    if sheet_name not in book.sheetnames:
        raise ProtectionDataError(label, "missing sheet", value=sheet_name)
    rows = list(book[sheet_name].iter_rows(values_only=True))
    book.close()
    if not rows or not rows[0] or rows[0][0] != "Code":
        raise ProtectionDataError(label, "missing column", row=1, value="Code")
    header = rows[0]
    columns: dict[int, int | None] = {}
    for index in range(2, len(header)):
        cell = header[index]
        match = re.fullmatch(r"FY(\d{2})", str(cell).strip()) if cell is not None else None
        if match:
            columns[index] = _fiscal_year(int(match.group(1)))
        elif isinstance(cell, str) and cell.startswith("="):
            columns[index] = None
    anchors = [(i, fy) for i, fy in columns.items() if fy is not None]
    if not anchors:
        raise ProtectionDataError(label, "no fiscal-year columns (FYnn) in the header", row=1)
    first_index, first_fy = anchors[0]
    for index in list(columns):
        implied = first_fy + (index - first_index)
        if columns[index] is not None and columns[index] != implied:
            raise ProtectionDataError(
                label, "fiscal-year columns do not run without a gap", row=1, value=str(header[index])
            )
        columns[index] = implied
    history: dict[int, dict[str, str]] = {fy: {} for fy in columns.values() if fy is not None}
    for number, row in enumerate(rows[1:], start=2):
        raw_code = row[0]
        if raw_code is None:
            continue  # blank and footnote rows
        code = _wb_code(registry, label, number, str(raw_code).strip())
        if code is None:
            continue
        for index, fy in columns.items():
            value = row[index] if index < len(row) else None
            value = value.strip() if isinstance(value, str) else value
            if value not in _OGHIST_INCOME:
                raise ProtectionDataError(
                    label, f"unknown income code in FY{fy}", row=number, value=str(value)
                )
            if _OGHIST_INCOME[value]:
                history[fy][code] = _OGHIST_INCOME[value]
    return history


def _alpha3(countries: list[dict[str, Any]], label: str) -> dict[str, str]:
    """ISO alpha-2 -> participant code from mledoze's list (its Kosovo 'UNK' is our XKX)."""
    table = {}
    for country in countries:
        try:
            cca2, cca3 = country["cca2"], country["cca3"]
        except KeyError as error:
            raise ProtectionDataError(label, "missing field", value=str(error)) from None
        table[cca2] = "XKX" if cca3 == "UNK" else cca3
    return table


def read_borders(
    borders_path: Path, countries_path: Path, registry: ParticipantRegistry
) -> tuple[dict[str, frozenset[str]], list[str]]:
    """Land neighbours by participant code, and where the two border lists disagree.

    GeoDataSource is the list used; mledoze's ``borders`` field is the cross-check. GeoDataSource has no
    Kosovo, so Kosovo's land borders come from mledoze. UNHCR reports Kosovo within "Serbia and Kosovo:
    S/RES/1244 (1999)" (SRB), so SRB's neighbours include Kosovo's.
    """
    label = countries_path.name
    if not countries_path.exists():
        raise ProtectionDataError(label, "file missing", value=str(countries_path))
    try:
        countries = json.loads(countries_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ProtectionDataError(label, f"not valid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(countries, list) or len(countries) < 200:
        raise ProtectionDataError(label, "expected a list of about 250 countries")
    alpha3 = _alpha3(countries, label)

    def known(code: str, where: str, number: int | str) -> str:
        if code not in registry:
            raise ProtectionDataError(where, "unknown country code", row=number, value=code)
        return code

    pairs: set[tuple[str, str]] = set()
    border_label = borders_path.name
    seen_countries = 0
    for number, (code, border_code) in _table(
        borders_path, ("country_code", "country_border_code"), encoding="utf-8-sig"
    ):
        seen_countries += 1
        for value in (code, border_code):
            if value and value not in alpha3:
                raise ProtectionDataError(border_label, "unknown ISO alpha-2 code", row=number, value=value)
        if not border_code:
            continue
        a = known(alpha3[code], border_label, number)
        b = known(alpha3[border_code], border_label, number)
        pairs.add((a, b))
    if seen_countries < 200:
        raise ProtectionDataError(border_label, f"only {seen_countries} rows (expected about 728)")

    check: set[tuple[str, str]] = set()
    for country in countries:
        a = "XKX" if country["cca3"] == "UNK" else country["cca3"]
        for b in country.get("borders") or ():
            b = "XKX" if b == "UNK" else b
            if a in registry and b in registry:
                check.add((a, b))
    notes = []
    for a, b in sorted(check - pairs):
        if "XKX" in (a, b):
            pairs.update({(a, b), (b, a)})
        elif (b, a) not in check or a < b:
            notes.append(f"border {a}-{b} listed by mledoze/countries only; not used")
    for a, b in sorted(pairs - check):
        if "XKX" not in (a, b) and ((b, a) not in pairs - check or a < b):
            notes.append(f"border {a}-{b} listed by GeoDataSource only; used")
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        neighbours[a].add(b)
        neighbours[b].add(a)
    kosovo = neighbours.get("XKX", set()) - {"SRB"}
    neighbours["SRB"] |= kosovo
    for code in kosovo:
        neighbours[code].add("SRB")
    return {code: frozenset(n) for code, n in neighbours.items()}, notes


def _source_files(folder: Path, wb_files: list[Path]) -> tuple[SourceFile, ...]:
    meta = source_metadata()
    files = []
    for key, info in meta.items():
        paths = wb_files if "{fy}" in info["path"] else [folder / info["path"]]
        for path in paths:
            vintage = info["vintage"]
            if "{fy}" in info["path"]:
                vintage = f"FY{_WB_FILE.match(path.name).group(1)}"  # type: ignore[union-attr]
            files.append(
                SourceFile(
                    key=key,
                    path=str(path.relative_to(folder)),
                    title=info["title"],
                    publisher=info["publisher"],
                    url=info["url"],
                    licence=info["licence"],
                    citation=info["citation"],
                    vintage=vintage,
                    sha256=_sha256(path),
                )
            )
    return tuple(files)


def wb_fiscal_year_files(folder: Path) -> list[Path]:
    directory = folder / "wb-income-groups"
    return sorted(p for p in directory.glob("wb_income_FY*.csv") if _WB_FILE.match(p.name))


def load_dataset(folder: Path, registry: ParticipantRegistry | None = None) -> ProtectionData:
    """Read and check every file under ``folder`` (the layout of data/raw/); raises ProtectionDataError."""
    registry = registry or load_registry()
    meta = source_metadata()

    def path(key: str) -> Path:
        return folder / meta[key]["path"]

    # Small files first, so a broken one is reported before the large UNHCR tables are read.
    neighbours, notes = read_borders(path("borders"), path("countries"), registry)
    income = read_oghist(path("wb_income_history"), registry)
    income[2024] = read_ocha_income(path("wb_income_fy2024"), registry)
    wb_files = wb_fiscal_year_files(folder)
    if not wb_files:
        raise ProtectionDataError("wb-income-groups", "no wb_income_FY<year>.csv file", value=str(folder))
    for wb_file in wb_files:
        fy = int(_WB_FILE.match(wb_file.name).group(1))  # type: ignore[union-attr]
        groups = read_wb_csv(wb_file, registry)
        if fy in income:
            differing = sorted(
                c for c in groups.keys() | income[fy].keys() if groups.get(c) != income[fy].get(c)
            )
            if differing:
                notes.append(
                    f"FY{fy}: {wb_file.name} and the history sheet differ for {', '.join(differing)}; file used"
                )
        income[fy] = groups
    flows = read_population(path("unhcr_population"), registry)
    resettlement = read_solutions(path("unhcr_solutions"), registry)
    codes = {f.origin for fs in flows.values() for f in fs} | {f.host for fs in flows.values() for f in fs}
    codes |= {r.destination for rs in resettlement.values() for r in rs}
    known = [registry.get(c) for c in codes if c in registry]
    return ProtectionData(
        flows=flows,
        resettlement=resettlement,
        income=income,
        neighbours=neighbours,
        names={p.code: p.name for p in known},
        regions={p.code: p.region for p in known},
        kinds={p.code: p.kind for p in known},
        sources=_source_files(folder, wb_files),
        notes=notes,
    )
