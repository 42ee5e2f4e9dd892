"""UNTC date cells: "24 Jan 1983 a", "[12 May 2004 a]", "16 Mar 1999" -> date, action kind, bracketed.

The marker suffix is case-sensitive (`a` accession, `A` acceptance, `AA` approval). Shared by every
UNTC parser (HTML pages, the 2015 scrape) so the marker table lives in one place.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from treatywatch.engine.events import EventKind

CONSENT_MARKERS: dict[str, EventKind] = {
    "": EventKind.RATIFICATION,
    "a": EventKind.ACCESSION,
    "A": EventKind.ACCEPTANCE,
    "AA": EventKind.APPROVAL,
    "c": EventKind.FORMAL_CONFIRMATION,
    "d": EventKind.SUCCESSION,
    "s": EventKind.DEFINITIVE_SIGNATURE,
    "P": EventKind.CONSENT_TO_BE_BOUND,
}

_CELL = re.compile(
    r"^(?P<open>\[)?\s*(?P<day>\d{1,2})\s+(?P<month>[A-Z][a-z]{2})[a-z]*\.?\s+(?P<year>\d{4})"
    r"\s*(?P<marker>[A-Za-z]{0,2})\s*(?P<close>\])?$"
)


class DateCellError(ValueError):
    """A cell that is not a UNTC date with a known marker; the message names the value."""


def parse_untc_date(text: str) -> date:
    """'24 Jan 1983' or '24 January 1983' -> date."""
    cleaned = " ".join(text.replace("\xa0", " ").split()).rstrip(".")
    for fmt in ("%d %b %Y", "%d %B %Y"):
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise DateCellError(f"not a UNTC date: {text!r}")


def parse_untc_date_cell(
    raw: str, markers: dict[str, EventKind] | None = None
) -> tuple[date, EventKind, bool]:
    """A consent cell -> (date, kind, bracketed). Brackets mean the action was later undone (withdrawn)."""
    text = " ".join(raw.replace("\xa0", " ").split())
    match = _CELL.match(text)
    if match is None:
        raise DateCellError(f"not a UNTC date cell: {raw!r}")
    if bool(match["open"]) != bool(match["close"]):
        raise DateCellError(f"unbalanced brackets in date cell: {raw!r}")
    table = CONSENT_MARKERS if markers is None else markers
    marker = match["marker"]
    if marker not in table:
        raise DateCellError(f"unknown action marker {marker!r} in date cell {raw!r}")
    on = parse_untc_date(f"{match['day']} {match['month']} {match['year']}")
    return on, table[marker], bool(match["open"])
