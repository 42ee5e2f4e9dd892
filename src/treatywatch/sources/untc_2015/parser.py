"""The 2015 CSV scrape of UNTC status tables: one file per MTDSG number (`5-2.csv` = V-2).

Each file has the header `Participant,Signature,<consent column header>`; the consent header lists the
action markers the column uses ("Accession(a), Succession(d), Ratification"), so the markers a file may
use are read from its own header and checked against the shared UNTC marker table. Bracketed dates
(actions later undone) carry no notice date in this scrape, so they are reported in the notes and not
emitted: a consent without its end would count a former party as a party.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from treatywatch.engine.events import CONSENT_KINDS, Event, EventKind
from treatywatch.knowledge.participants import ParticipantRegistry, UnknownParticipantError
from treatywatch.knowledge.treaties import TreatyCatalogue, UnknownTreatyError
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure, SourceMeta
from treatywatch.sources.untc_dates import CONSENT_MARKERS, DateCellError, parse_untc_date_cell

META = SourceMeta.load(Path(__file__).parent)

_ROMAN = (
    "",
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
    "XXI",
    "XXII",
    "XXIII",
    "XXIV",
    "XXV",
    "XXVI",
    "XXVII",
    "XXVIII",
    "XXIX",
)
_STEM = re.compile(r"^(?P<chapter>\d{1,2})-(?P<rest>\d+(?:-[a-z])?)$")
_MARKER = re.compile(r"\d{4}\s*(?P<marker>[A-Za-z]{0,2})\s*\]?\s*$")
_TOKEN = re.compile(r"^(?P<label>[A-Za-z][A-Za-z0-9 ]*?)\s*(?:\((?P<marker>[A-Za-z]{1,2})\))?$")

CONSENT_LABELS: dict[str, EventKind] = {
    "Ratification": EventKind.RATIFICATION,
    "Acceptance": EventKind.ACCEPTANCE,
    "Approval": EventKind.APPROVAL,
    "Accession": EventKind.ACCESSION,
    "Succession": EventKind.SUCCESSION,
    "Formal confirmation": EventKind.FORMAL_CONFIRMATION,
    "Definitive signature": EventKind.DEFINITIVE_SIGNATURE,
    "Consent to be bound": EventKind.CONSENT_TO_BE_BOUND,
}


@dataclass(frozen=True, slots=True)
class Action:
    """What a marker means in one column."""

    kind: EventKind
    text: str = ""
    note: str = ""


def untc_ref(stem: str) -> str:
    """File stem -> UNTC reference: '4-11-b' -> 'IV-11-b'."""
    match = _STEM.match(stem)
    if match is None or not 0 < int(match["chapter"]) < len(_ROMAN):
        raise ValueError(f"not an MTDSG file name: {stem!r}")
    return f"{_ROMAN[int(match['chapter'])]}-{match['rest']}"


def column_actions(header: str) -> dict[str, Action]:
    """A column header -> marker table; raises ValueError on a label this parser does not know."""
    actions: dict[str, Action] = {}
    for token in (t.strip() for t in header.split(",")):
        match = _TOKEN.match(token)
        if match is None:
            raise ValueError(f"unreadable column label {token!r}")
        label, marker = match["label"], match["marker"] or ""
        if label == "Signature":
            action = Action(EventKind.SIGNATURE)
        elif label == "Succession to signature":
            action = Action(EventKind.SIGNATURE, note="succession to signature")
        elif label.lower().startswith("provisional application"):
            # `n` (CCM art 18, ATT art 23): a declaration applying parts of the treaty before it binds.
            action = Action(EventKind.DECLARATION, text=label)
        elif label in CONSENT_LABELS:
            action = Action(CONSENT_LABELS[label])
            if CONSENT_MARKERS.get(marker) != action.kind:
                raise ValueError(f"column label {token!r} disagrees with the UNTC marker table")
        else:
            raise ValueError(f"unknown column label {token!r}")
        if marker in actions:
            raise ValueError(f"marker {marker!r} used twice in {header!r}")
        actions[marker] = action
    return actions


def read_cell(cell: str, actions: dict[str, Action]) -> tuple[date, Action, bool]:
    """A date cell of a column -> (date, what its marker means there, bracketed); raises DateCellError."""
    on, _, bracketed = parse_untc_date_cell(cell, {m: a.kind for m, a in actions.items()})
    return (
        on,
        actions[_MARKER.search(cell)["marker"]],
        bracketed,
    )  # the cell parsed: its marker is in the table


def file_treaty(document: Document, catalogue: TreatyCatalogue) -> tuple[str, str]:
    """The file's MTDSG stem (`5-2`) and the catalogue treaty it holds; a ParseError names a file with none."""
    stem = PurePosixPath(document.name or document.url).stem
    try:
        return stem, catalogue.by_untc_ref(untc_ref(stem)).slug
    except (ValueError, UnknownTreatyError) as error:
        raise ParseError(document.label, f"no catalogue treaty for this file: {error}", value=stem) from None


def utf8_text(document: Document) -> str:
    try:
        return document.content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(document.label, f"not UTF-8 text ({error.reason})") from None


def as_of(meta: SourceMeta, stem: str) -> date:
    """The status date of one file of the scrape (`as_of` in source.yaml: files were refreshed apart)."""
    table = meta.extra["as_of"]
    return date.fromisoformat(str(table.get(stem, table["default"])))


def parse(
    document: Document, *, participants: ParticipantRegistry, catalogue: TreatyCatalogue
) -> ParseResult:
    label = document.label
    stem, treaty = file_treaty(document, catalogue)
    lines = utf8_text(document).splitlines()
    if not lines:
        raise SoftFailure(label, "empty file")
    header = next(csv.reader([lines[0]]))
    if header[0] != "Participant" or len(header) < 2:
        raise ParseError(label, "unexpected header", row=1, value=lines[0])
    columns: list[dict[str, Action]] = []
    for cell in header[1:]:
        try:
            columns.append(column_actions(cell))
        except ValueError as error:
            raise ParseError(label, str(error), row=1, value=cell) from None
    undone = META.extra.get("lost_brackets", {}).get(stem, {})
    events: list[Event] = []
    notes: list[str] = []
    seen: set[str] = set()
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        row = next(csv.reader([line]))
        if len(row) != len(header):
            raise ParseError(label, f"expected {len(header)} cells, found {len(row)}", row=n, value=line)
        try:
            state = participants.resolve(row[0], context=f"{label} row {n}")
        except UnknownParticipantError:
            raise ParseError(
                label, "unknown participant (add the spelling to participants.yaml)", row=n, value=row[0]
            ) from None
        if state in seen:
            raise ParseError(label, f"participant {state} listed twice", row=n, value=row[0])
        seen.add(state)
        for cell, actions in zip(row[1:], columns, strict=True):
            if not cell.strip():
                continue
            try:
                on, action, bracketed = read_cell(cell, actions)
            except DateCellError as error:
                raise ParseError(label, str(error), row=n, value=cell) from None
            kind = action.kind
            lost = kind in CONSENT_KINDS and state in undone
            if bracketed or lost:
                why = f"printed without its brackets: {undone[state].strip()}" if lost else "bracketed"
                notes.append(
                    f"row {n} {row[0]}: {kind} of {on} ({cell!r}) was later undone ({why}); the scrape gives no "
                    "notice date, so neither the action nor its end is emitted"
                )
                continue
            events.append(
                Event(
                    treaty=treaty,
                    state=state,
                    kind=kind,
                    date=on,
                    text=action.text,
                    note=action.note,
                    provenance=META.provenance(document, line),
                )
            )
    if not seen:
        raise SoftFailure(label, "no participant rows")
    return ParseResult(events=events, treaty=treaty, as_of=as_of(META, stem), notes=notes)
