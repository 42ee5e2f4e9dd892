"""Reading an existing signatory list (published letter text, CSV, OSDI JSON) and checking it.

Published lists are messier than their headline: the 2025 open letter says 267 organisations and
numbers 271 entries, among them a person ("Advocate Sunil Kumar Manchanda") and placeholders
("Personal", "US Citizen"). The importer reports all of that (`summary`) before anything is stored,
and `apply` stores a list in one transaction: a bad file changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from treatywatch.campaigns import dedupe

_NUMBERED = re.compile(r"^\s*(?:[-*\u2022]\s*)?(\d{1,5})\s*[.)]\s+(.+?)\s*$")
_STATED = re.compile(
    r"\b(\d{1,3}(?:,\d{3})*|\d+)\s+(?:[\w'\u2019-]+,?\s+){0,8}?"
    r"(?:organi[sz]ations|organismes|organisations|organizaciones|groups|signatories|signataires|firmantes)\b",
    re.IGNORECASE,
)
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CSV_COLUMNS = {  # accepted header spellings -> our field (OSDI names first)
    "organization": "organization",
    "organisation": "organization",
    "org": "organization",
    "organization name": "organization",
    "organisation name": "organization",
    "name": "organization",
    "signatory": "organization",
    "entity": "organization",
    "given_name": "given_name",
    "first name": "given_name",
    "first_name": "given_name",
    "family_name": "family_name",
    "last name": "family_name",
    "last_name": "family_name",
    "surname": "family_name",
    "email": "email",
    "e-mail": "email",
    "email_address": "email",
    "email address": "email",
    "country": "country",
    "type": "organization_type",
    "organization_type": "organization_type",
    "organisation type": "organization_type",
    "website": "website",
    "url": "website",
    "number": "number",
    "no": "number",
    "#": "number",
    "consent_public": "consent_public",
    "public": "consent_public",
    "list publicly": "consent_public",
}


class ImportFileError(ValueError):
    """The file cannot be read as a signatory list; the message names the file, line or value."""


def clean_text(value: str) -> str:
    """One line of text: no control characters, single spaces. Markup is kept as text, escaped on output."""
    return " ".join(_CONTROL.sub(" ", value).split())


@dataclass
class Entry:
    number: int | None
    line: int
    name: str
    kind: str = "organisation"  # organisation | individual | placeholder
    flags: list[dict[str, str]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)  # extra columns (CSV, OSDI)

    def flag(self, code: str, reason: str) -> None:
        self.flags.append({"code": code, "reason": reason})


@dataclass
class ParsedList:
    path: str
    format: str
    sha256: str
    entries: list[Entry]
    stated_count: int | None = None
    stated_text: str | None = None
    preamble: str = ""


# --- parsing ------------------------------------------------------------------------------------


def read(path: Path) -> ParsedList:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"{path}: cannot read ({error.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"{path}: not UTF-8 text (byte {error.start}); save the list as UTF-8"
        ) from None
    return parse(text, name=str(path), sha256=hashlib.sha256(raw).hexdigest())


def parse(text: str, *, name: str, sha256: str | None = None) -> ParsedList:
    digest = sha256 or hashlib.sha256(text.encode()).hexdigest()
    lower = name.lower()
    if lower.endswith(".json"):
        parsed = _parse_osdi(text, name, digest)
    elif lower.endswith(".csv"):
        parsed = _parse_csv(text, name, digest)
    else:
        parsed = _parse_text(text, name, digest)
    if not parsed.entries:
        raise ImportFileError(
            f"{name}: no signatories found (expected a numbered list, one name per line, "
            "a CSV with an organisation column, or OSDI signatures)"
        )
    for entry in parsed.entries:
        classify(entry)
    return parsed


def _list_start(lines: list[str]) -> int:
    markers = set(dedupe.lookups()["list_markers"])
    for index, line in enumerate(lines):
        if line.strip().casefold() in markers:
            return index + 1
    return 0


def _parse_text(text: str, name: str, digest: str) -> ParsedList:
    lines = text.splitlines()
    start = _list_start(lines)
    preamble = "\n".join(lines[:start])
    numbered = [(i, m) for i, line in enumerate(lines[start:], start + 1) if (m := _NUMBERED.match(line))]
    if numbered:
        entries = [Entry(int(m.group(1)), i, clean_text(m.group(2))) for i, m in numbered]
    else:
        entries = [
            Entry(None, i, clean_text(line))
            for i, line in enumerate(lines[start:], start + 1)
            if clean_text(line)
        ]
    stated = _STATED.search(preamble) if start else None
    return ParsedList(
        name,
        "text",
        digest,
        entries,
        stated_count=int(stated.group(1).replace(",", "")) if stated else None,
        stated_text=clean_text(stated.group(0)) if stated else None,
        preamble=preamble,
    )


def _parse_csv(text: str, name: str, digest: str) -> ParsedList:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = {h: CSV_COLUMNS.get(h.strip().casefold()) for h in (reader.fieldnames or [])}
    if "organization" not in headers.values() and "family_name" not in headers.values():
        raise ImportFileError(
            f"{name}: no organisation or name column in header {list(headers)!r} "
            f"(accepted: {', '.join(sorted(set(CSV_COLUMNS)))})"
        )
    entries = []
    for line, row in enumerate(reader, start=2):
        values = {ours: clean_text(row.get(theirs) or "") for theirs, ours in headers.items() if ours}
        number = values.pop("number", "")
        if number and not number.isdigit():
            raise ImportFileError(f"{name}, line {line}: number {number!r} is not a whole number")
        organisation = values.pop("organization", "")
        person = clean_text(f"{values.get('given_name', '')} {values.get('family_name', '')}")
        if not organisation and not person:
            continue
        entry = Entry(int(number) if number else None, line, organisation or person, fields=values)
        if not organisation:
            entry.kind = "individual"
            entry.flag("individual", "no organisation given: signs as an individual")
        entries.append(entry)
    return ParsedList(name, "csv", digest, entries)


def _parse_osdi(text: str, name: str, digest: str) -> ParsedList:
    from treatywatch.campaigns.osdi import signature_fields

    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"{name}, line {error.lineno}: invalid JSON ({error.msg})") from None
    if isinstance(data, dict):
        data = data.get("osdi:petition", data)
        data = data.get("_embedded", {}).get("osdi:signatures", data.get("osdi:signatures"))
    if not isinstance(data, list):
        raise ImportFileError(f"{name}: expected OSDI signatures (a list, or _embedded.osdi:signatures)")
    entries = []
    for index, record in enumerate(data, start=1):
        try:
            values = signature_fields(record)
        except (KeyError, TypeError, ValueError) as error:
            raise ImportFileError(f"{name}: signature {index}: {error}") from None
        organisation = values.pop("organization", "")
        person = clean_text(f"{values.get('given_name', '')} {values.get('family_name', '')}")
        if not organisation and not person:
            raise ImportFileError(
                f"{name}: signature {index} has neither an organisation nor a person's name"
            )
        entry = Entry(values.pop("number", None) or index, index, organisation or person, fields=values)
        if not organisation:
            entry.kind = "individual"
            entry.flag("individual", "no organisation given: signs as an individual")
        entries.append(entry)
    return ParsedList(name, "osdi", digest, entries)


# --- screening ----------------------------------------------------------------------------------


def classify(entry: Entry) -> None:
    """Flag entries that are not organisations: placeholders and people."""
    if entry.kind != "organisation":
        return
    data = dedupe.lookups()
    folded = dedupe.fold(entry.name).strip(" .,;:")
    if not folded:
        entry.kind = "placeholder"
        entry.flag("empty", "empty entry")
        return
    if folded in data["placeholders"] or re.fullmatch(data["citizen_pattern"], folded):
        entry.kind = "placeholder"
        entry.flag("placeholder", f"{entry.name!r} names no organisation")
        return
    words = re.findall(r"[\w'.-]+", entry.name)
    folded_words = [dedupe.fold(w).strip(".") for w in words]
    org_words = set(data["organisation_words"])
    if any(marker in folded for marker in data["individual_markers"]):
        entry.kind = "individual"
        entry.flag("individual", f"{entry.name!r} signs in a personal capacity")
    elif (
        folded_words
        and folded_words[0] in data["honorifics"]
        and 2 <= len(words) - 1 <= 5
        and all(w[:1].isupper() for w in words[1:])
        and not org_words & set(folded_words)
    ):
        entry.kind = "individual"
        entry.flag("individual", f"{entry.name!r} names a person (title {words[0]!r}), not an organisation")


def numbering(entries: list[Entry]) -> dict[str, Any]:
    numbers = [e.number for e in entries if e.number is not None]
    if not numbers:
        return {"numbered": False}
    seen: set[int] = set()
    repeated = sorted({n for n in numbers if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    missing = sorted(set(range(min(numbers), max(numbers) + 1)) - seen)
    return {
        "numbered": True,
        "first": min(numbers),
        "last": max(numbers),
        "missing": missing,
        "repeated": repeated,
    }


def summary(parsed: ParsedList) -> dict[str, Any]:
    """What the list holds and what is wrong with it, before (or without) storing anything."""
    entries = parsed.entries
    kinds = {k: sum(e.kind == k for e in entries) for k in ("organisation", "individual", "placeholder")}
    pairs = dedupe.find_pairs([e.name for e in entries])

    def ref(entry: Entry) -> dict[str, Any]:
        return {"number": entry.number, "line": entry.line, "name": entry.name}

    def pair(p: dedupe.Pair) -> dict[str, Any]:
        return {
            "first": ref(entries[p.first]),
            "second": ref(entries[p.second]),
            "relation": p.match.relation,
            "score": round(p.match.score, 1),
            "reason": p.match.reason,
        }

    result: dict[str, Any] = {
        "file": parsed.path,
        "format": parsed.format,
        "sha256": parsed.sha256,
        "entries": len(entries),
        "stated_count": parsed.stated_count,
        "stated_text": parsed.stated_text,
        "organisations": kinds["organisation"],
        "individuals": kinds["individual"],
        "placeholders": kinds["placeholder"],
        "numbering": numbering(entries),
        "flagged": [dict(ref(e), code=f["code"], reason=f["reason"]) for e in entries for f in e.flags],
        "duplicates": [pair(p) for p in pairs if p.match.relation == dedupe.SAME],
        "related": [pair(p) for p in pairs if p.match.relation == dedupe.RELATED],
    }
    result["count_check"] = count_check(result)
    return result


def count_check(result: dict[str, Any]) -> str | None:
    """One sentence on whether the stated count matches the list; None when the text states none."""
    stated = result["stated_count"]
    if stated is None:
        return None
    breakdown = (
        f"{result['organisations']} organisations, {result['individuals']} individuals, "
        f"{result['placeholders']} placeholders"
    )
    if stated == result["entries"] == result["organisations"]:
        return f"the text states {stated} and the list has {stated} organisations"
    return (
        f"mismatch: the text states {stated} but the list has {result['entries']} entries ({breakdown}; "
        f"{len(result['duplicates'])} probable duplicates)"
    )


# --- storing ------------------------------------------------------------------------------------


def apply(letter: Any, parsed: ParsedList, *, dry_run: bool = False) -> dict[str, Any]:
    """Store the list's new entries in one transaction (none on a dry run); report what happened.

    Imported organisations count as confirmed and publicly listed (the list was already published or
    gathered by another tool) unless a consent column says otherwise; flagged entries are held for a
    coordinator. An entry whose name is already on the letter is not stored twice, so re-importing
    the same file changes nothing.
    """
    from treatywatch.campaigns import services
    from treatywatch.campaigns.models import Signature

    result = summary(parsed)
    present = set(
        letter.signatures.exclude(status=Signature.Status.REJECTED).values_list("name_key", "email")
    )
    present_names = {key for key, _ in present}
    new, already = [], []
    for entry in parsed.entries:
        key = dedupe.name_key(entry.name)
        email = str(entry.fields.get("email", "")).lower()
        if (key, email) in present or (not email and key in present_names):
            already.append({"number": entry.number, "line": entry.line, "name": entry.name})
            continue
        present.add((key, email))
        new.append((entry, key, email))
    result.update(letter=letter.slug, dry_run=dry_run, already_present=already, created=0)
    if dry_run:
        result["would_create"] = len(new)
        return result

    def work() -> int:
        rows = [_signature(letter, entry, key, email, parsed) for entry, key, email in new]
        Signature.objects.bulk_create(rows, batch_size=500)
        return len(rows)

    result["created"] = services.run_write(work)
    if result["created"]:
        result["duplicate_candidates_recorded"] = services.rescan(letter)
    return result


def _signature(letter: Any, entry: Entry, key: str, email: str, parsed: ParsedList) -> Any:
    from django.utils import timezone

    from treatywatch.campaigns.models import Signature

    fields = entry.fields
    individual = entry.kind == "individual"
    consent = str(fields.get("consent_public", "yes")).strip().casefold() not in {"no", "false", "0", "n"}
    given, family = fields.get("given_name", ""), fields.get("family_name", "")
    if individual and not (given or family):  # a person listed under the organisation column
        given, _, family = entry.name.rpartition(" ")
    org_type = fields.get("organization_type", "")
    return Signature(
        letter=letter,
        kind=Signature.Kind.INDIVIDUAL if individual else Signature.Kind.ORGANISATION,
        status=Signature.Status.HELD if entry.flags else Signature.Status.CONFIRMED,
        organization="" if individual else entry.name[:300],
        organization_type=org_type if org_type in Signature.OrgType.values else "",
        given_name=given[:150],
        family_name=family[:150],
        email=email,
        country=str(fields.get("country", ""))[:8].upper(),
        website=str(fields.get("website", ""))[:300],
        on_behalf=not individual,
        consent_public=consent,
        name_key=key,
        source=Signature.Source.IMPORT,
        import_file=f"{Path(parsed.path).name} sha256:{parsed.sha256[:12]}"[:300],
        import_number=entry.number,
        flags=entry.flags,
        confirmed_at=None if entry.flags else timezone.now(),
    )


# --- a whole letter as published text ----------------------------------------------------------


@dataclass
class LetterDocument:
    title: str
    body: str
    asks: list[str]
    stated_count: int | None


def read_letter(path: Path) -> LetterDocument:
    """Title, text and asks of a letter published as plain text (its signatory list excluded)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFileError(f"{path}: cannot read as UTF-8 text ({error})") from None
    lines = text.splitlines()
    start = _list_start(lines)
    head = lines[: start - 1] if start else lines
    content = [ln for ln in head if ln.strip()]
    if not content:
        raise ImportFileError(f"{path}: no letter text found")
    title = clean_text(content[0])
    body_lines = head[head.index(content[0]) + 1 :]
    body = _MARKDOWN_LINK.sub(r"\1", "\n".join(body_lines)).strip()
    body = re.sub(r"\n{3,}", "\n\n", body)
    asks = [clean_text(ln.lstrip()[2:]) for ln in body.splitlines() if ln.lstrip().startswith(("- ", "* "))]
    stated = _STATED.search("\n".join(head))
    return LetterDocument(title, body, asks, int(stated.group(1).replace(",", "")) if stated else None)
