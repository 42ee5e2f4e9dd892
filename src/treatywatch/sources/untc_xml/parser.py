"""UNTC per-treaty MTDSG XML: `.../MTDSG/Volume {I|II}/Chapter {ROMAN}/{mtdsg_no}.en.xml`.

needs_real_sample: true. No real document has been captured; this parser follows the structure public
code reads from these files (Treaty/Header/ExternalData with Titlesect and Status/Signatories|Parties;
Treaty/Participants/Table/TGroup/Thead|Tbody/Rows/Row/Entry; footnote markers as escaped
`<superscript>` text; tabs inside dates) and models the text sections on the HTML status page. Check it
against a real download before trusting it.

Bracketed consent dates are emitted only with the withdrawal their end note states (notice and effect);
a bracket with no readable note is reported and not emitted, as a consent without its end would count
a former party as a party. The XML prints no status date, so the retrieval day is the `as_of`.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path, PurePosixPath

from lxml import etree

from treatywatch.engine.events import CONSENT_KINDS, Event, EventKind
from treatywatch.knowledge.participants import ParticipantRegistry, UnknownParticipantError, clean_name
from treatywatch.knowledge.treaties import TreatyCatalogue, UnknownTreatyError
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure, SourceMeta
from treatywatch.sources.untc_2015.parser import column_actions, read_cell
from treatywatch.sources.untc_dates import DateCellError, parse_untc_date

META = SourceMeta.load(Path(__file__).parent)

_SUPERSCRIPT = re.compile(r"<superscript>\s*([\d,\s]+)\s*</superscript>")
_DAY = r"\d{1,2}\s+[A-Z][a-z]+\s+\d{4}"
_WITHDRAWAL = re.compile(
    rf"On (?P<notice>{_DAY}), the Secretary-General received a notification by the Government of (?P<who>[^.]+?) "
    rf"of its decision to (?:withdraw|denounce)[^.]*\.(?:\s*The (?:withdrawal|denunciation) (?:took|takes|will take) "
    rf"effect on (?P<effect>{_DAY}))?"
)
_NOT_TO_BECOME_PARTY = re.compile(
    rf"received on (?P<day>{_DAY}), the Government of .+? does not intend to become a party"
)
_SECTION_KINDS = {"Declarations": EventKind.DECLARATION, "Objections": EventKind.OBJECTION}
_TERRITORY_HEADER = ["Participant", "Date of receipt of the notification", "Territories"]


def parse(
    document: Document, *, participants: ParticipantRegistry, catalogue: TreatyCatalogue
) -> ParseResult:
    label = document.label
    mtdsg_no = PurePosixPath(document.name or document.url).name.removesuffix(".en.xml")
    try:
        slug = catalogue.by_untc_ref(mtdsg_no).slug
    except UnknownTreatyError:
        raise ParseError(label, "no catalogue treaty for this MTDSG number", value=mtdsg_no) from None
    try:
        root = etree.fromstring(document.content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise ParseError(label, f"not well-formed XML ({error})") from None
    treaty = root.find("Treaty")
    if treaty is None:
        raise SoftFailure(label, "no <Treaty> element: an error or maintenance page?")
    reader = _Reader(document, slug, participants)
    notes = {
        n.findtext("Number", "").strip(): " ".join(n.findtext("Text", "").split())
        for n in treaty.iter("EndNote")
    }
    reader.participants_table(treaty.find("Participants/Table/TGroup"), notes)
    for section, kind in _SECTION_KINDS.items():
        for block in treaty.findall(f"{section}/*"):
            reader.text_block(block, kind, section)
    territories = treaty.find("TerritorialApplications/Table/TGroup")
    if territories is not None:
        reader.territories(territories)
    if not reader.states:
        raise SoftFailure(label, "the participants table is empty")
    status = treaty.find("Header/ExternalData/Status")
    counts = {}
    for key, tag in (("signatories", "Signatories"), ("parties", "Parties")):
        text = status.findtext(tag, "").strip() if status is not None else ""
        if text.isdigit():
            counts[key] = int(text)
    return ParseResult(
        events=reader.events,
        treaty=slug,
        as_of=document.retrieved_at.date(),
        printed_counts=counts,
        notes=[
            *reader.notes,
            "needs_real_sample: parsed with a parser written against a constructed fixture",
        ],
    )


class _Reader:
    def __init__(self, document: Document, slug: str, participants: ParticipantRegistry) -> None:
        self.document, self.slug, self.participants = document, slug, participants
        self.events: list[Event] = []
        self.notes: list[str] = []
        self.states: set[str] = set()
        self.consented: dict[str, date] = {}  # texts without a date were made upon the instrument of consent

    def rows(
        self, group: etree._Element, expected: list[str] | None = None
    ) -> tuple[list[str], list[list[str]]]:
        header = [" ".join((e.text or "").split()) for e in group.findall("Thead/Row/Entry")]
        if expected is not None and header != expected:
            raise ParseError(self.document.label, "unexpected table header", row=1, value=" | ".join(header))
        rows = [[e.text or "" for e in row.findall("Entry")] for row in group.findall("Tbody/Rows/Row")]
        for n, row in enumerate(rows, start=2):
            if len(row) != len(header):
                raise ParseError(
                    self.document.label, f"expected {len(header)} entries", row=n, value=" | ".join(row)
                )
        return header, rows

    def state(self, raw: str, row: int | str) -> tuple[str, list[str]]:
        """An entry's participant code and the end-note numbers its superscripts point to."""
        refs = [n.strip() for m in _SUPERSCRIPT.finditer(raw) for n in m.group(1).split(",") if n.strip()]
        name = clean_name(_SUPERSCRIPT.sub("", raw))
        try:
            return self.participants.resolve(name, context=f"{self.document.label} row {row}"), refs
        except UnknownParticipantError:
            raise ParseError(self.document.label, "unknown participant", row=row, value=name) from None

    def add(self, state: str, kind: EventKind, original: str, **fields: object) -> None:
        self.events.append(
            Event(
                treaty=self.slug,
                state=state,
                kind=kind,
                provenance=META.provenance(self.document, original),
                **fields,  # type: ignore[arg-type]
            )
        )

    def participants_table(self, group: etree._Element | None, notes: dict[str, str]) -> None:
        if group is None:
            raise SoftFailure(self.document.label, "no participants table")
        header, rows = self.rows(group)
        if not header or header[0] != "Participant":
            raise ParseError(
                self.document.label, "unexpected participants header", row=1, value=" | ".join(header)
            )
        try:
            columns = [column_actions(h) for h in header[1:]]
        except ValueError as error:
            raise ParseError(self.document.label, str(error), row=1, value=" | ".join(header)) from None
        for n, row in enumerate(rows, start=2):
            state, refs = self.state(row[0], n)
            self.states.add(state)
            for cell, actions in zip(row[1:], columns, strict=True):
                if not cell.strip():
                    continue
                try:
                    on, action, bracketed = read_cell(cell, actions)
                except DateCellError as error:
                    raise ParseError(self.document.label, str(error), row=n, value=cell) from None
                kind = action.kind
                original = " | ".join(" ".join(c.split()) for c in row)
                ended = [m for r in refs if (m := _WITHDRAWAL.search(notes.get(r, "")))]
                if bracketed and kind in CONSENT_KINDS and not ended:
                    self.notes.append(
                        f"row {n}: bracketed {kind} of {on} with no readable withdrawal note: not emitted"
                    )
                    continue
                self.add(state, kind, original, date=on, text=action.text, note=action.note)
                if kind in CONSENT_KINDS:
                    self.consented[state] = on
                if bracketed and kind in CONSENT_KINDS:
                    notice = ended[0]
                    self.add(
                        state,
                        EventKind.DENUNCIATION,
                        notice.group(0),
                        date=parse_untc_date(notice["notice"]),
                        effective_date=parse_untc_date(notice["effect"]) if notice["effect"] else None,
                        note="read from the end note of a bracketed consent",
                    )
            for ref in refs:
                if match := _NOT_TO_BECOME_PARTY.search(notes.get(ref, "")):
                    self.add(
                        state,
                        EventKind.NOT_TO_BECOME_PARTY,
                        match.group(0),
                        date=parse_untc_date(match["day"]),
                    )

    def text_block(self, block: etree._Element, kind: EventKind, section: str) -> None:
        name = block.findtext("Participant", "")
        state, _ = self.state(name, f"{section}: {name}")
        heading = " ".join(block.findtext("Heading", "").split())
        text = " ".join(block.findtext("Text", "").split())
        if not text:
            raise ParseError(self.document.label, f"{section} entry without text", row=section, value=name)
        if kind == EventKind.DECLARATION and "reservation" in heading.lower():
            kind = EventKind.RESERVATION
        day = block.findtext("Date")
        try:
            on = parse_untc_date(day) if day else None
        except DateCellError:
            raise ParseError(self.document.label, f"not a date in {section}", row=name, value=day) from None
        if on is None and state in self.consented:
            on, heading = (
                self.consented[state],
                f"{heading} (date implied: made upon the instrument of consent)",
            )
        self.add(
            state, kind, f"{section} | {name} | {heading}".rstrip(" |"), date=on, text=text, note=heading
        )

    def territories(self, group: etree._Element) -> None:
        _, rows = self.rows(group, _TERRITORY_HEADER)
        for n, (name, day, territories) in enumerate(rows, start=2):
            state, _ = self.state(name, f"territorial applications row {n}")
            try:
                on = parse_untc_date(day)
            except DateCellError:
                raise ParseError(
                    self.document.label, "not a date in the territorial applications", row=n, value=day
                ) from None
            self.add(
                state,
                EventKind.TERRITORIAL_APPLICATION,
                f"{name} | {' '.join(day.split())} | {territories}",
                date=on,
                territory=territories.strip(),
                text=territories.strip(),
            )
