"""OHCHR dashboard "Underlying Data" exports (.xls): one row per state, Excel serial dates.

Row 1 holds the treaty title and "[Last Updated: dd/mm/yyyy ...]", the status date of the data (the
file name's date is only the download day); row 2 the column headers; then one row per state until
a blank row and the footer. The consent column merges ratification, accession and succession, so
those events are read as ratifications with a note saying so. What the procedure columns mean for
each treaty (a protocol's consent, or a declaration) is a lookup table in `source.yaml`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlrd

from treatywatch.engine.events import Event, EventKind
from treatywatch.knowledge.participants import ParticipantRegistry, UnknownParticipantError
from treatywatch.knowledge.treaties import TreatyCatalogue
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure, SourceMeta

META = SourceMeta.load(Path(__file__).parent)

COUNTRY = "Country"
SIGNATURE = "Date of Signature (dd/mm/yyyy)"
CONSENT = "Date of Ratification/Accession"
MERGED_NOTE = "OHCHR export merges ratification, accession and succession into one date: kind not stated"
_TITLE = re.compile(r"^(?P<title>.+?)\s*\[Last Updated:\s*(?P<day>\d{2}/\d{2}/\d{4})[^\]]*\]\s*$")


def parse(
    document: Document, *, participants: ParticipantRegistry, catalogue: TreatyCatalogue
) -> ParseResult:
    label = document.label
    try:
        book = xlrd.open_workbook(file_contents=document.content, logfile=io.StringIO())
    except (
        Exception
    ) as error:  # xlrd fails on damaged files with many error types (IndexError, struct.error ...)
        raise ParseError(label, f"not a legacy Excel workbook ({type(error).__name__}: {error})") from None
    sheet = book.sheet_by_index(0)
    if sheet.nrows < 3:
        raise SoftFailure(label, "export has no data rows")
    title_cell = str(sheet.cell_value(0, 0))
    match = _TITLE.match(title_cell)
    if match is None or match["title"] not in META.extra["treaties"]:
        raise ParseError(label, "unknown treaty title or no 'Last Updated' stamp", row=1, value=title_cell)
    spec: Mapping[str, Any] = META.extra["treaties"][match["title"]]
    as_of = datetime.strptime(match["day"], "%d/%m/%Y").date()
    headers = [str(v).strip() for v in sheet.row_values(1)]
    columns = _columns(headers, spec, label)
    events: list[Event] = []
    states: set[str] = set()
    for r in range(2, sheet.nrows):
        name = str(sheet.cell_value(r, 0)).strip()
        if not name:
            break  # the footer (definitions, source) follows a blank row
        try:
            state = participants.resolve(name, context=f"{label} row {r + 1}")
        except UnknownParticipantError:
            raise ParseError(label, "unknown participant", row=r + 1, value=name) from None
        if state in states:
            raise ParseError(label, f"participant {state} listed twice", row=r + 1, value=name)
        states.add(state)
        for c, (treaty, kind, text, note) in columns.items():
            on = _cell_date(sheet, r, c, book.datemode, label)
            if on is None:
                continue
            original = f"{name} | {headers[c]}: {sheet.cell_value(r, c)!r} (Excel serial date)"
            events.append(
                Event(
                    treaty=treaty,
                    state=state,
                    kind=kind,
                    date=on,
                    text=text,
                    note=note,
                    provenance=META.provenance(document, original),
                )
            )
    if not states:
        raise SoftFailure(label, "no state rows")  # counts outside the bounds are the sync gate's to judge
    return ParseResult(
        events=events,
        treaty=spec["slug"],
        as_of=as_of,
        notes=[
            f"{match['title']}: OHCHR data last updated {as_of}; exported with file {document.name or document.url}"
        ],
    )


def _columns(
    headers: list[str], spec: Mapping[str, Any], label: str
) -> dict[int, tuple[str, EventKind, str, str]]:
    """Column index -> (treaty, kind, text, note); every header must be known."""
    if headers[:3] != [COUNTRY, SIGNATURE, CONSENT]:
        raise ParseError(label, "unexpected headers", row=2, value=" | ".join(headers))
    slug = spec["slug"]
    columns = {1: (slug, EventKind.SIGNATURE, "", ""), 2: (slug, EventKind.RATIFICATION, "", MERGED_NOTE)}
    for c, header in enumerate(headers[3:], start=3):
        procedure = spec["procedures"].get(header)
        if procedure is None:
            raise ParseError(
                label, "unknown column for this treaty (add it to source.yaml)", row=2, value=header
            )
        kind = EventKind(procedure["kind"])
        note = MERGED_NOTE if kind == EventKind.RATIFICATION else f"OHCHR column: {header}"
        columns[c] = (procedure["treaty"], kind, procedure.get("text", ""), note)
    return columns


def _cell_date(sheet: xlrd.sheet.Sheet, r: int, c: int, datemode: int, label: str) -> date | None:
    kind, value = sheet.cell_type(r, c), sheet.cell_value(r, c)
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind != xlrd.XL_CELL_DATE:
        raise ParseError(label, f"expected an Excel date in column {c + 1}", row=r + 1, value=str(value))
    return xlrd.xldate_as_datetime(value, datemode).date()
