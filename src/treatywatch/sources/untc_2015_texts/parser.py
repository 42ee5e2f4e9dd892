"""Reservations and declarations from the 2015 UNTC scrape: one text file per MTDSG number (`5-2.txt`).

Each participant's block starts with a line `#<name as printed by UNTC>` and runs to the next one; a
block may be empty (UNTC lists the state without a text). The scrape joined the page's paragraphs
without a break and kept no dates, so each block becomes one undated text event whose kind is read
from its wording: an objection to another state's reservation, the withdrawal of a reservation, a
reservation, or else a declaration. The full text is kept, so a reader can always check the kind.
"""

from __future__ import annotations

import re
from pathlib import Path

from treatywatch.engine.events import Event, EventKind
from treatywatch.knowledge.participants import ParticipantRegistry, UnknownParticipantError
from treatywatch.knowledge.treaties import TreatyCatalogue
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure, SourceMeta
from treatywatch.sources.untc_2015.parser import as_of, file_treaty, utf8_text

META = SourceMeta.load(Path(__file__).parent)

# a paragraph break the scrape dropped: "citizens.The Government" -> "citizens. The Government"
_JOINED = re.compile(r"(?<=[a-z0-9)\]”\"])([.:;])(?=[A-Z(“\"])")
_OBJECTS = re.compile(r"\bobject(?:s|ion)\b[^.]{0,200}\breservations?\b", re.I)
_WITHDRAWS = re.compile(
    r"\bwithdr[a-z]*\s+(?:of\s+)?(?:its\s+|the\s+|their\s+)?(?:\w+\s+){0,3}reservations?\b", re.I
)
_RESERVES = re.compile(
    r"\breserv(?:e|es|ed|ing|ation|ations)\b|\bnot\s+consider\s+(?:itself|themselves)\s+bound\b", re.I
)
NOTE = "text as printed by UNTC in 2013-2015 (scraped); the scrape keeps no date"


def kind_of(text: str) -> EventKind:
    """The kind a block's wording shows; a text that only declares is a declaration."""
    opening = text[:600]
    if _OBJECTS.search(opening):
        return EventKind.OBJECTION
    if _WITHDRAWS.search(opening):
        return EventKind.RESERVATION_WITHDRAWN
    if _RESERVES.search(text):
        return EventKind.RESERVATION
    return EventKind.DECLARATION


def blocks(text: str) -> list[tuple[int, str, str]]:
    """(line number, name, text) per `#name` block, in file order; raises ValueError on text before the first."""
    found: list[tuple[int, str, list[str]]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#"):
            found.append((n, line[1:].strip(), []))
        elif line.strip():
            if not found:
                raise ValueError(f"line {n}: text before the first #participant line")
            found[-1][2].append(line.strip())
    return [(n, name, _JOINED.sub(r"\1 ", " ".join(lines)).strip()) for n, name, lines in found]


def parse(
    document: Document, *, participants: ParticipantRegistry, catalogue: TreatyCatalogue
) -> ParseResult:
    label = document.label
    stem, treaty = file_treaty(document, catalogue)
    try:
        found = blocks(utf8_text(document))
    except ValueError as error:
        raise ParseError(label, str(error)) from None
    if not found:
        raise SoftFailure(label, "no #participant blocks (not a declarations file?)")
    events: list[Event] = []
    seen: set[str] = set()
    for n, name, text in found:
        try:
            state = participants.resolve(name, context=f"{label} line {n}")
        except UnknownParticipantError:
            raise ParseError(
                label, "unknown participant (add the spelling to participants.yaml)", row=n, value=name
            ) from None
        if state in seen:
            raise ParseError(label, f"participant {state} has two blocks", row=n, value=name)
        seen.add(state)
        if not text:
            continue
        events.append(
            Event(
                treaty=treaty,
                state=state,
                kind=kind_of(text),
                date=None,
                text=text,
                note=NOTE,
                provenance=META.provenance(document, f"#{name}"),
            )
        )
    return ParseResult(events=events, treaty=treaty, as_of=as_of(META, stem))
