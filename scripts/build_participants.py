"""Build ``participants.yaml`` and the seen-names test fixture from the raw reference data.

Run from the repository root: ``.venv/bin/python scripts/build_participants.py``. Reads
``../shared/data`` (read-only); the product itself only ever reads the generated YAML.
"""

from __future__ import annotations

import copy
import csv
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import xlrd
import yaml
from selectolax.lexbor import LexborHTMLParser as HTMLParser

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RAW = SHARED / "raw"
sys.path.insert(0, str(ROOT / "src"))  # share clean_name with the product instead of duplicating it

from treatywatch.knowledge.participants import clean_name  # noqa: E402

EXPECTED_UNTC_FILES = Counter({"untc-mgaldino-2026": 30, "untc-zmjones-2015": 324})

Seen = Iterator[tuple[str, str]]  # (raw spelling, source file relative to shared/data)


def _rel(path: Path) -> str:
    return path.relative_to(SHARED).as_posix()


def _untc_html() -> Seen:
    """First cell of every row of the UNTC participation grid, footnote numbers included."""
    for path in sorted(RAW.glob("untc-mgaldino-2026/*/html/*.html")):
        tree = HTMLParser(path.read_text(encoding="utf-8"))
        tables = [t for t in tree.css("table") if "tblgrid" in (t.attributes.get("id") or "")]
        if not tables:
            raise SystemExit(f"no tblgrid table in {path}")
        for table in tables:
            for row in table.css("tr")[1:]:
                cells = row.css("td")
                if not cells:
                    continue
                yield cells[0].text(), _rel(path)  # keeps the <sup> footnote numbers, as a scraper sees them


def _untc_2015() -> Seen:
    for path in sorted(RAW.glob("untc-zmjones-2015/treaties/*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                yield row["Participant"], _rel(path)


def _dicts(node: object) -> Iterator[dict[str, Any]]:
    """Every mapping nested anywhere in a parsed YAML document."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _dicts(item)


CURATED_YAML = (
    "curated-events-post2015.yaml",
    "curated-events-ihl-regional.yaml",
    "treaty-final-clauses.yaml",
)


def _yaml_states() -> Seen:
    """``state``/``state_name`` values of the curated YAML files (ISO3 codes and English names)."""
    for name in CURATED_YAML:
        path = SHARED / name
        for mapping in _dicts(yaml.safe_load(path.read_text(encoding="utf-8"))):
            for field in ("state", "state_name"):
                if isinstance(mapping.get(field), str):
                    yield mapping[field], _rel(path)


def _icrc() -> Seen:
    path = RAW / "icrc-jsonapi-fixture" / "365.json"
    for item in json.loads(path.read_text(encoding="utf-8")).get("included", []):
        if item["type"] == "taxonomy_term--cit_countries_information":
            yield item["attributes"]["name"], _rel(path)


_SENTENCE = re.compile(
    r"^(.*?) (?:signed|ratified|acceded|withdrew|joined|inherited|accepted|approved|succeeded) "
)


def _survivalscores() -> Seen:
    index = RAW / "survivalscores-untc-2026" / "index.html"
    for cell in HTMLParser(index.read_text(encoding="utf-8")).css("td.row_header"):
        text = cell.text().strip()
        if text and not re.match(r"^[\d,/]+$", text):
            yield text, _rel(index)
    timeline = RAW / "survivalscores-untc-2026" / "timeline.html"
    for row in HTMLParser(timeline.read_text(encoding="utf-8")).css("tr"):
        cells = row.css("td")
        if cells and (match := _SENTENCE.match(cells[-1].text().strip())):
            yield match.group(1), _rel(timeline)


def _ohchr() -> Seen:
    for path in sorted(RAW.glob("ohchr-dashboard-exports/*.xls")):
        sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
        for r in range(2, sheet.nrows):
            value = str(sheet.cell_value(r, 0)).strip()
            if value and not value.startswith(("Definitions", "Source:")):  # footer rows
                yield value, _rel(path)


def _au() -> Seen:
    for path in sorted(RAW.glob("au-treaty-status-attpv2/*.json")):
        for row in json.loads(path.read_text(encoding="utf-8"))["entry"]["status_list"]["member_states"]:
            yield row["country"], _rel(path)


def _oas() -> Seen:
    for path in sorted(RAW.glob("oas-b32-achr-status-excerpt/*.psv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                yield line.split("|")[0], _rel(path)


def _csv_columns(pattern: str, columns: tuple[str, ...], skip: dict[str, str] | None = None) -> Seen:
    for path in sorted(RAW.glob(pattern)):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if skip and any(row.get(k) == v for k, v in skip.items()):
                    continue
                for column in columns:
                    if row.get(column):
                        yield row[column], _rel(path)


def collect_seen_names() -> list[tuple[str, str]]:
    """Every distinct (spelling, file) pair from the sources whose participant names must resolve."""
    sources = [
        _untc_html(),
        _untc_2015(),
        _yaml_states(),
        _icrc(),
        _survivalscores(),
        _ohchr(),
        _au(),
        _oas(),
        _csv_columns("wpdl-hr-ratification-2022/*.csv", ("member",)),
        _csv_columns("unhcr-popstats/countries.csv", ("iso_code", "name")),
        _csv_columns("unhcr-popstats/*.csv*", ("coo_name", "coa_name", "coo_iso", "coa_iso")),
        _csv_columns("wb-income-groups/*.csv", ("iso3c", "country"), skip={"region": "Aggregates"}),
        _csv_columns("borders-geodatasource/*.CSV", ("country_name", "country_border_name")),
        _csv_columns("nhri-ganhri-status/*.csv", ("iso3", "country")),
    ]
    seen: dict[tuple[str, str], None] = {}
    for source in sources:
        for raw, where in source:
            seen[raw.strip(), where] = None
    files = Counter(
        where.split("/")[1] for where in {where for _, where in seen} if where.startswith("raw/untc-")
    )
    if files != EXPECTED_UNTC_FILES:  # the brief: all 30 pages of 2026 and all 324 files of 2015
        raise SystemExit(f"UNTC files read: {dict(files)}, expected {EXPECTED_UNTC_FILES}")
    return list(seen)


# --------------------------------------------------------------------------- curated decisions
# Every choice below is documented in src/treatywatch/knowledge/data/PARTICIPANTS.md.

OBSERVER_STATES = {"VAT", "PSE"}
# ESH: the curated AU data uses ESH for the Sahrawi Arab Democratic Republic, an AU member state.
NON_MEMBER_STATES = {"COK", "NIU", "XKX", "ESH"}

HISTORICAL_STATES: list[dict[str, Any]] = [
    {
        "code": "SUN",
        "name": "Union of Soviet Socialist Republics",
        "un_member_since": 1945,
        "iso_numeric": "810",
        "region": "Europe",
        "subregion": "Eastern Europe",
        "successors": ["RUS", "ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "MDA", "TJK", "TKM", "UKR", "UZB"],
        "valid_from": "1922-12-30",
        "valid_to": "1991-12-26",
        "aliases": ["USSR", "Soviet Union"],
    },
    {
        "code": "YUG",
        "name": "Socialist Federal Republic of Yugoslavia",
        "un_member_since": 1945,
        "iso_numeric": "890",
        "region": "Europe",
        "subregion": "Southern Europe",
        "successors": ["BIH", "HRV", "MKD", "SVN", "SCG"],
        "valid_from": "1945-11-29",
        "valid_to": "1992-04-27",
        "aliases": ["SFRY", "Yugoslavia (Socialist Federal Republic of)"],
    },
    {
        "code": "SCG",
        "name": "Serbia and Montenegro",
        "un_member_since": 2000,
        "iso_numeric": "891",
        "region": "Europe",
        "subregion": "Southern Europe",
        "successors": ["SRB", "MNE"],
        "valid_from": "1992-04-27",
        "valid_to": "2006-06-03",
        "aliases": ["Federal Republic of Yugoslavia", "FRY"],
    },
    {
        "code": "CSK",
        "name": "Czechoslovakia",
        "un_member_since": 1945,
        "iso_numeric": "200",
        "region": "Europe",
        "subregion": "Eastern Europe",
        "successors": ["CZE", "SVK"],
        "valid_from": "1918-10-28",
        "valid_to": "1993-01-01",
        "aliases": ["Czech and Slovak Federal Republic", "Czechoslovak Socialist Republic"],
    },
    {
        "code": "DDR",
        "name": "German Democratic Republic",
        "un_member_since": 1973,
        "iso_numeric": "278",
        "region": "Europe",
        "subregion": "Western Europe",
        "successors": ["DEU"],
        "valid_from": "1949-10-07",
        "valid_to": "1990-10-03",
        "aliases": ["GDR", "East Germany"],
    },
    {
        "code": "YMD",
        "name": "Democratic Yemen",
        "un_member_since": 1967,
        "iso_numeric": "720",
        "region": "Asia",
        "subregion": "Western Asia",
        "successors": ["YEM"],
        "valid_from": "1967-11-30",
        "valid_to": "1990-05-22",
        "aliases": ["People's Democratic Republic of Yemen", "Yemen, Democratic"],
    },
]

# Own codes for organisations, from the ISO 3166 user-assigned range X.. (never given to a country),
# except EUE for the European Union (no ISO alpha-3 exists; "EU" is only exceptionally reserved alpha-2).
ORGANIZATIONS: dict[str, tuple[str, dict[str, str]]] = {
    "EUE": ("European Union", {"fr": "Union européenne", "es": "Unión Europea"}),
    "XAN": ("Andean Community", {}),
    "XCC": ("Caribbean Community", {}),
    "XCE": ("Council of Europe", {}),
    "XCM": ("Common Market for Eastern and Southern Africa", {}),
    "XCT": ("Preparatory Commission for the Comprehensive Nuclear-Test-Ban Treaty Organization", {}),
    "XEA": ("East African Community", {}),
    "XEC": ("Economic Community of West African States", {}),
    "XEE": ("Eurasian Economic Community", {}),
    "XFA": ("Food and Agriculture Organization of the United Nations", {}),
    "XIA": ("International Atomic Energy Agency", {}),
    "XIC": ("International Civil Aviation Organization", {}),
    "XIL": ("International Labour Organisation", {}),
    "XIM": ("International Maritime Organization", {}),
    "XIP": ("International Criminal Police Organization", {}),
    "XIT": ("International Telecommunication Union", {}),
    "XOA": ("Organization of African Unity", {}),
    "XOP": ("Organisation for the Prohibition of Chemical Weapons", {}),
    "XSD": ("Southern African Development Community", {}),
    "XUE": ("United Nations Educational Scientific and Cultural Organization", {}),
    "XUI": ("United Nations Industrial Development Organization", {}),
    "XUN": ("United Nations", {}),
    "XUP": ("Universal Postal Union", {}),
    "XWA": ("West African Economic and Monetary Union", {}),
    "XWH": ("World Health Organization", {}),
    "XWI": ("World Intellectual Property Organization", {}),
    "XWM": ("World Meteorological Organization", {}),
}

# Spellings with no code next to them in their source (UNTC, OHCHR, AU, OAS, survivalscores,
# treaty-final-clauses) that the coded tables do not already give, plus former names of the same state.
MANUAL_ALIASES: dict[str, list[str]] = {
    "BHS": ["Bahamas (The)"],
    "BRN": ["Brunei"],
    "COD": ["Zaire", "Republic of Zaire", "Congo, Democratic Republic of the"],
    "COG": ["Congo, Republic of the"],
    "KOR": ["Korea, South"],
    "LBY": ["Libyan Arab Jamahiriya"],
    "PRK": ["Korea, North"],
    "VAT": ["Vatican City"],
    "BLR": ["Byelorussian SSR", "Byelorussian Soviet Socialist Republic"],
    "CZE": ["Czech Republic"],
    "DEU": ["Federal Republic of Germany"],
    "GBR": ["United Kingdom"],
    "HTI": ["Haití"],
    "KHM": ["Democratic Kampuchea"],
    "KNA": ["St. Kitts and Nevis", "St. Kitts & Nevis"],
    "LCA": ["St. Lucia"],
    "MEX": ["México"],
    "MKD": ["The former Yugoslav Republic of Macedonia", "Macedonia, North"],
    "MMR": ["Burma"],
    "PAN": ["Panamá"],
    "PER": ["Perú"],
    "SWZ": ["Swaziland"],
    "TTO": ["Trinidad & Tobago", "Trinidad y Tobago"],
    "TUR": ["Turkey"],
    "UKR": ["Ukrainian SSR", "Ukrainian Soviet Socialist Republic"],
    "VCT": ["St. Vincent and the Grenadines", "St. Vincent & Grenadines"],
    "ATG": ["Antigua y Barbuda"],
}

# Non-ISO alpha-2 values in the wpdl files: withdrawn "TP" (East Timor) and a truncated "SS".
WPDL_ALPHA2 = {"TP": "TLS", "S": "SSD"}

# Values seen in the sources that are deliberately NOT participants (the test checks they raise).
NOT_PARTICIPANTS: dict[str, str] = {
    "Unknown": "UNHCR: origin unknown",
    "Unknown/other": "UNHCR: origin unknown",
    "UNK": "UNHCR ISO-like code for unknown origin; other lists use UNK for Kosovo (ambiguous)",
    "UKN": "UNHCR code for unknown origin",
    "XXX": "UNHCR: unknown",
    "Stateless": "UNHCR: stateless persons, not a place",
    "STA": "UNHCR code for stateless",
    "XXA": "UNHCR ISO-like code for stateless",
    "Tibetan": "UNHCR: a population group, no territory code",
    "TIB": "UNHCR code for Tibetans",
    "Palestinian": "UNRWA demonym for Palestine refugees; join on coo_iso (PSE) instead",
    "Abyei Area": "IDMC area claimed by Sudan and South Sudan (ambiguous)",
    "AB9": "IDMC code for Abyei Area (ambiguous)",
    "CRB": "UNHCR code with no name and no ISO code in countries.csv (meaning not documented)",
    "CUR": "UNHCR code with no name and no ISO code in countries.csv (Curaçao? not documented; not guessed)",
}


# --------------------------------------------------------------------------- reference tables


def _read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def _ocha() -> dict[str, dict[str, str]]:
    rows = _read_csv(RAW / "ocha-countries-taxonomy" / "ocha_countries_territories_taxonomy.csv")
    out = {}
    for row in rows:
        code = row["ISO 3166-1 Alpha 3-Codes"] or row["x Alpha3 codes"]
        if code and row["Deprecated"] != "Y":
            out[code] = row
    return out


def _pycountry() -> dict[str, dict[str, str]]:
    data = json.loads((RAW / "country-codes-pypi" / "pycountry_iso3166-1.json").read_text(encoding="utf-8"))
    return {row["alpha_3"]: row for row in data["3166-1"]}


def _converter() -> dict[str, dict[str, str]]:
    rows = _read_csv(RAW / "country-codes-pypi" / "country_converter_country_data.tsv", delimiter="\t")
    return {row["ISO3"]: row for row in rows}


def _coded_spellings(iso2_to_3: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(code, spelling) pairs from tables that print a code next to each name."""
    for code, row in _pycountry().items():
        for field in ("name", "official_name", "common_name"):
            if row.get(field):
                yield code, row[field]
    for code, row in _converter().items():
        yield code, row["name_short"]
        yield code, row["name_official"]
    ocha_fields = (
        "Preferred Term",
        "English Short",
        "M49 English",
        "ISO Alt Term",
        "DGACM Alt Term",
        "HPC Tools Alt Term",
        "RW Short Name",
        "RW API Alt Term",
    )
    for code, row in _ocha().items():
        for field in ocha_fields:
            if row[field]:
                yield code, row[field]
    for row in _read_csv(RAW / "unhcr-popstats" / "countries.csv"):
        yield row["iso_code"], row["name"]
    for path in sorted(RAW.glob("unhcr-popstats/*.csv*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for side in ("coo", "coa"):
                    if row.get(f"{side}_iso") and row.get(f"{side}_name"):
                        yield row[f"{side}_iso"], row[f"{side}_name"]
    for path in sorted(RAW.glob("wb-income-groups/*.csv")):
        for row in _read_csv(path):
            if row["region"] != "Aggregates":
                yield row["iso3c"], row["country"]
    for row in _read_csv(RAW / "nhri-ganhri-status" / "nhri_paris_principles_status_2000_2025.csv"):
        yield row["iso3"], row["country"]
    for path in sorted(RAW.glob("wpdl-hr-ratification-2022/*.csv")):
        for row in _read_csv(path):
            yield iso2_to_3[row["iso2"]], row["member"]
    for row in _read_csv(RAW / "borders-geodatasource" / "GEODATASOURCE-COUNTRY-BORDERS.CSV"):
        yield iso2_to_3[row["country_code"]], row["country_name"]
        if row["country_border_code"]:
            yield iso2_to_3[row["country_border_code"]], row["country_border_name"]
    icrc = json.loads((RAW / "icrc-jsonapi-fixture" / "365.json").read_text(encoding="utf-8"))
    for item in icrc.get("included", []):
        if item["type"] == "taxonomy_term--cit_countries_information":
            attrs = item["attributes"]
            yield iso2_to_3[attrs["field_citf_iso2_code"]], attrs["name"]
            yield iso2_to_3[attrs["field_citf_iso2_code"]], attrs["field_citf_official_name"]
    for name in CURATED_YAML:
        for mapping in _dicts(yaml.safe_load((SHARED / name).read_text(encoding="utf-8"))):
            if mapping.get("state") and mapping.get("state_name"):
                yield mapping["state"], mapping["state_name"]


# --------------------------------------------------------------------------- building

Record = dict[str, Any]


def _blank(code: str, name: str, kind: str) -> Record:
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "names": {},
        "formal_name": None,
        "un_member_since": None,
        "iso_numeric": None,
        "m49": None,
        "region": None,
        "subregion": None,
        "successors": [],
        "predecessors": [],
        "valid_from": None,
        "valid_to": None,
        "aliases": [],
    }


def _m49(value: str) -> str | None:
    return f"{int(value):03d}" if value else None


def _country_record(
    code: str, kind: str, ocha: dict[str, str], iso: dict[str, str], conv: dict[str, str]
) -> Record:
    """UN (OCHA/M49) names first, ISO names only where the UN tables have none."""
    name = ocha.get("English Short") or ocha.get("M49 English") or iso.get("name") or conv["name_short"]
    record = _blank(code, name.replace("\u2019", "'"), kind)
    for lang, label in (("fr", "French"), ("es", "Spanish")):
        if value := ocha.get(f"{label} Short") or ocha.get(f"M49 {label}"):
            record["names"][lang] = value
    formal = (ocha.get("English Formal") or "").removeprefix("the ") or iso.get("official_name")
    record["formal_name"] = formal.replace("\u2019", "'") if formal else None
    record["un_member_since"] = int(conv["UNmember"]) if kind == "un_member" else None
    record["iso_numeric"] = iso.get("numeric")
    record["m49"] = _m49(ocha.get("m49 numerical code", "")) or _m49(conv["UNcode"])
    record["region"] = ocha.get("Region Name") or None
    record["subregion"] = ocha.get("Sub-region Name") or None
    return record


def build_records() -> dict[str, Record]:
    """Participants from the ISO/M49/OCHA tables plus the curated historical states and organisations."""
    ocha, iso, converter = _ocha(), _pycountry(), _converter()
    records: dict[str, Record] = {}
    for code in [*iso, "XKX", "CHI"]:
        conv = converter[code]
        if code in OBSERVER_STATES:
            kind = "observer_state"
        elif code in NON_MEMBER_STATES:
            kind = "non_member_state"
        elif conv["UNmember"]:
            kind = "un_member"
        else:
            kind = "territory"
        records[code] = _country_record(code, kind, ocha.get(code, {}), iso.get(code, {}), conv)
    for spec in HISTORICAL_STATES:
        record = _blank(spec["code"], spec["name"], "historical_state")
        record.update(copy.deepcopy(spec))
        record["valid_from"] = date.fromisoformat(spec["valid_from"])
        record["valid_to"] = date.fromisoformat(spec["valid_to"])
        records[record["code"]] = record
    for spec in HISTORICAL_STATES:
        for successor in spec["successors"]:
            records[successor]["predecessors"].append(spec["code"])
    for code, (name, names) in ORGANIZATIONS.items():
        records[code] = _blank(code, name, "organization")
        records[code]["names"] = dict(names)
    return records


def _key(spelling: str) -> str:
    """Comparison key, identical to the one the registry uses."""
    return clean_name(spelling).casefold()


def assign_aliases(records: dict[str, Record], seen: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Attach every unambiguous spelling to its record; return (spelling, file, reason) left unresolved."""
    iso2_to_3 = {row["alpha_2"]: code for code, row in _pycountry().items()} | WPDL_ALPHA2
    excluded = {_key(s) for s in NOT_PARTICIPANTS}
    candidates: dict[str, dict[str, str]] = {}  # key -> {code: first spelling}

    def add(code: str, spelling: str) -> None:
        spelling = clean_name(spelling)
        if code in records and spelling and _key(spelling) not in excluded:
            candidates.setdefault(_key(spelling), {}).setdefault(code, spelling)

    for code, record in records.items():
        for spelling in [record["name"], *record.pop("aliases")]:
            add(code, spelling)
        record["aliases"] = []
    for code, spelling in _coded_spellings(iso2_to_3):
        add(code, spelling)
    for code, spellings in MANUAL_ALIASES.items():
        for spelling in spellings:
            add(code, spelling)

    for k, codes in sorted(candidates.items()):
        if len(codes) > 1:
            print(f"ambiguous, left out: {k!r} -> {sorted(codes)}", file=sys.stderr)
            continue
        ((code, spelling),) = codes.items()
        record = records[code]
        if k not in (_key(record["name"]), _key(code)):
            record["aliases"].append(spelling)
    resolvable = {_key(c) for c in records} | {k for k, codes in candidates.items() if len(codes) == 1}

    reasons = {_key(s): why for s, why in NOT_PARTICIPANTS.items()}
    unresolved = [
        (raw, where, reasons.get(_key(raw), "")) for raw, where in seen if _key(raw) not in resolvable
    ]
    if missing := sorted({f"{raw!r} ({where})" for raw, where, why in unresolved if not why}):
        raise SystemExit("add to MANUAL_ALIASES or NOT_PARTICIPANTS:\n  " + "\n  ".join(missing))
    return unresolved


HEADER = """\
# TreatyWatch participants table: states, historical states, organisations and territories.
# GENERATED by scripts/build_participants.py from ../shared/data (see PARTICIPANTS.md for sources,
# own codes and every curated decision). Edit the script, not this file, then re-run it.
"""


def _fixture_line(*fields: str) -> str:
    return "\t".join(" ".join(f.replace("\t", " ").splitlines()) for f in fields)


def main() -> None:
    seen = collect_seen_names()
    records = build_records()
    unresolved = assign_aliases(records, seen)
    ordered = sorted(records.values(), key=lambda r: (r["kind"] == "territory", r["code"]))
    for record in ordered:
        record["aliases"] = sorted(record["aliases"], key=str.casefold)
    body = yaml.safe_dump({"participants": ordered}, allow_unicode=True, sort_keys=False, width=120)
    (ROOT / "src/treatywatch/knowledge/data/participants.yaml").write_text(HEADER + body, encoding="utf-8")

    fixtures = ROOT / "tests/knowledge/fixtures"
    fixtures.mkdir(parents=True, exist_ok=True)
    skipped = {raw for raw, _, _ in unresolved}
    first_file: dict[str, str] = {}
    for raw, where in seen:
        if raw not in skipped:
            first_file.setdefault(raw, where)
    lines = [_fixture_line(raw, where) for raw, where in sorted(first_file.items())]
    (fixtures / "seen_names.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reasons = {raw: (where, why) for raw, where, why in unresolved}
    lines = [_fixture_line(raw, where, why) for raw, (where, why) in sorted(reasons.items())]
    (fixtures / "unresolved_names.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = dict(Counter(r["kind"] for r in ordered))
    print(f"{len(ordered)} participants {counts}; {len(first_file)} spellings; {len(reasons)} left out")


if __name__ == "__main__":
    main()
