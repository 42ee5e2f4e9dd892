"""UN Treaty Collection status pages (MTDSG, HTML) -> depositary events.

A page holds five things we read: the participation grid (signature and consent dates with
case-sensitive action markers), the printed counts and "STATUS AS AT" date, the numbered end notes
(the only place where withdrawal notices and their effective dates appear), the declarations,
reservations and objections, and the territorial-application table.

The parser is strict: an unknown column header, action marker or participant name rejects the page
(ParseError naming file, row and value); an implausible page (empty grid, consents fewer than the
printed parties) is quarantined (SoftFailure). It never fetches anything.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from treatywatch.engine.events import Event, EventKind, Provenance
from treatywatch.knowledge.participants import ParticipantRegistry, UnknownParticipantError, clean_name
from treatywatch.knowledge.treaties import TreatyCatalogue, UnknownTreatyError
from treatywatch.sources.base import Bounds, Document, ParseError, ParseResult, SoftFailure, SourceMeta
from treatywatch.sources.untc_dates import DateCellError, parse_untc_date, parse_untc_date_cell

SOURCE_ID = "untc_html"
PAGE_URL = (
    "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={ref}&chapter={chapter}&clang=_en"
)
_ID = "ContentPlaceHolderInnerPage_"
TERRITORY_LABEL_MAX = 200  # store.models.Event.territory

# Every component seen in a grid column header, mapped explicitly: (column role, marker, kind).
# Headers list their components in varying order ("Ratification, Accession(a), Succession(d)",
# "Consent to be bound(P), Succession(d)"); a component not listed here rejects the page.
HEADER_COMPONENTS: dict[str, tuple[str, str, EventKind]] = {
    "Signature": ("signature", "", EventKind.SIGNATURE),
    "Succession to signature(d)": ("signature", "d", EventKind.SIGNATURE),
    "Ratification": ("consent", "", EventKind.RATIFICATION),
    "Acceptance(A)": ("consent", "A", EventKind.ACCEPTANCE),
    "Approval(AA)": ("consent", "AA", EventKind.APPROVAL),
    "Accession(a)": ("consent", "a", EventKind.ACCESSION),
    "Succession(d)": ("consent", "d", EventKind.SUCCESSION),
    "Formal confirmation(c)": ("consent", "c", EventKind.FORMAL_CONFIRMATION),
    "Consent to be bound(P)": ("consent", "P", EventKind.CONSENT_TO_BE_BOUND),
    "Definitive signature(s)": ("consent", "s", EventKind.DEFINITIVE_SIGNATURE),
    # Provisional application is not consent to be bound: its own kind, never counted as consent.
    "Provisional application(n)": ("provisional", "n", EventKind.PROVISIONAL_APPLICATION),
    "Provisional application under article 23(n)": ("provisional", "n", EventKind.PROVISIONAL_APPLICATION),
}

_MONTH_DATE = r"\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{4}"
_STATUS_AS_AT = re.compile(r"STATUS AS AT\s*:\s*(\d{2})-(\d{2})-(\d{4})")
_MTDSG = re.compile(r"mtdsg_no=([IVXL]+-\d+(?:-[a-z])?)\b")
_XML_REF = re.compile(r"/([IVXL]+-\d+(?:-[a-z])?)\.en\.xml")
_NAME_REF = re.compile(r"(?:^|[-_ ])([IVXL]+-\d+(?:-[a-z])?)$")
_COUNT = {
    "signatories": re.compile(r"Signatories\s*:\s*(\d+)"),
    "parties": re.compile(r"Parties\s*:\s*(\d+)"),
}
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]])\.\s+(?=[A-Z])")
_ON_DATE = re.compile(
    rf"\b[Oo]n\s+(?:(?P<date>{_MONTH_DATE})|(?P<same>that same date|the same date|the same day))"
)
_NOTICE = re.compile(r"notification of withdrawal|\bdenounce\b|denunciation of the|\bwithdraw from\b", re.I)
_NOTICE_VERB = re.compile(r"\b(?:deposited|notified|informed|received)\b")
_NOT_ABOUT_TREATY = re.compile(r"reservation|declaration|objection|ILO|Convention No\.", re.I)
_EFFECT_SAME_SENTENCE = re.compile(rf"with effect from\s+({_MONTH_DATE})")
_EFFECT_SENTENCE = re.compile(
    rf"(?:withdrawal|denunciation)\s+(?:took|will take|shall take)\s+effect\b.*?\bon\s+({_MONTH_DATE})"
)
_ACCESSION = re.compile(rf"\b(?P<re>re-)?acceded to the\b[^.]*?(?:\bon\s+(?P<date>{_MONTH_DATE}))?", re.I)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


def chapter_number(ref: str) -> int:
    """'XXVI-5' -> 26: the `chapter` query parameter of the page's official address."""
    roman = ref.split("-")[0]
    total = 0
    for i, char in enumerate(roman):
        value = _ROMAN[char]
        total += -value if i + 1 < len(roman) and _ROMAN[roman[i + 1]] > value else value
    return total


def page_url(ref: str) -> str:
    return PAGE_URL.format(ref=ref, chapter=chapter_number(ref))


def _text(node: LexborNode | None, separator: str = " ") -> str:
    if node is None:
        return ""
    return " ".join(node.text(separator=separator).replace("\xa0", " ").split())


@dataclass(slots=True)
class _Column:
    role: str  # participant | signature | consent | provisional
    header: str
    markers: dict[str, EventKind] = field(default_factory=dict)


@dataclass(slots=True)
class _Row:
    name: str
    code: str
    notes: tuple[int, ...]
    cells: list[tuple[_Column, str]]


class _Page:
    """One page being read; collects events with the provenance common to all of them."""

    def __init__(self, document: Document, participants: ParticipantRegistry, catalogue: TreatyCatalogue):
        self.document = document
        self.participants = participants
        self.html = document.text()
        self.tree = LexborHTMLParser(self.html)
        self.ref = self._treaty_ref()
        try:
            self.treaty = catalogue.by_untc_ref(self.ref).slug
        except UnknownTreatyError:
            raise ParseError(
                document.label, "unknown treaty: no catalogue entry has this UNTC reference", value=self.ref
            ) from None
        self.url = page_url(self.ref)
        self.sha256 = document.sha256  # hashed once: the property rehashes the whole page on each call
        self.events: list[Event] = []
        self.notes: list[str] = []
        self.consent_dates: dict[str, date] = {}
        self.signature_dates: dict[str, date] = {}

    @property
    def label(self) -> str:
        return self.document.label

    def _treaty_ref(self) -> str:
        for pattern, text in (
            (_MTDSG, self.html),
            (_XML_REF, self.html),
            (_MTDSG, self.document.url),
            (_NAME_REF, self.document.label.rsplit("/", 1)[-1].removesuffix(".html")),
        ):
            match = pattern.search(text)
            if match:
                return match.group(1)
        raise ParseError(self.label, "cannot tell which treaty the page is about (no mtdsg_no reference)")

    def node(self, suffix: str) -> LexborNode | None:
        return self.tree.css_first(f'[id$="{_ID}{suffix}"]')

    def resolve(self, raw_name: str, row: str | int) -> str:
        try:
            return self.participants.resolve(raw_name, context=f"{self.label}, row {row}")
        except UnknownParticipantError:
            code = _page_aliases().get(clean_name(raw_name))
            if code is None:
                raise ParseError(self.label, "unknown participant name", row=row, value=raw_name) from None
            return self.participants.get(code).code

    def add(
        self,
        state: str,
        kind: EventKind,
        on: date | None,
        original: str,
        *,
        effective: date | None = None,
        text: str = "",
        territory: str = "",
        note: str = "",
        cn_symbol: str = "",
    ) -> None:
        self.events.append(
            Event(
                treaty=self.treaty,
                state=state,
                kind=kind,
                date=on,
                effective_date=effective,
                territory=territory,
                text=text,
                note=note,
                cn_symbol=cn_symbol,
                provenance=Provenance(
                    source=SOURCE_ID,
                    url=self.url,
                    retrieved_at=self.document.retrieved_at,
                    original=original,
                    document_sha256=self.sha256,
                    trust="primary",
                ),
            )
        )

    # -- page header ------------------------------------------------------------------------------

    def as_of(self) -> date:
        match = _STATUS_AS_AT.search(self.html)
        if match is None:
            raise ParseError(self.label, "no 'STATUS AS AT' date: truncated or not a status page")
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)

    def printed_counts(self) -> dict[str, int]:
        status = _text(self.node("tcStatus"))
        counts = {name: int(m.group(1)) for name, pattern in _COUNT.items() if (m := pattern.search(status))}
        if "parties" not in counts:
            raise ParseError(
                self.label, "no printed 'Parties' count in the Status line", value=status or None
            )
        return counts

    # -- participation grid -----------------------------------------------------------------------

    def grid_rows(self) -> list[_Row]:
        grid = self.tree.css_first('table[id*="tblgrid"]')
        if grid is None:
            raise ParseError(
                self.label, "no participation grid (table id containing 'tblgrid'): truncated page?"
            )
        rows = grid.css("tr")
        if not rows:
            raise SoftFailure(self.label, "the participation grid is empty")
        columns = [self._column(_text(cell)) for cell in rows[0].css("td")]
        if not columns or columns[0].role != "participant":
            raise ParseError(self.label, "the grid does not start with a Participant column", row=1)
        parsed: list[_Row] = []
        seen: dict[str, str] = {}
        for number, row in enumerate(rows[1:], 2):
            cells = row.css("td")
            if len(cells) != len(columns):
                raise ParseError(
                    self.label,
                    f"grid row has {len(cells)} cells, the header {len(columns)}",
                    row=number,
                    value=_text(row),
                )
            name_cell = cells[0]
            notes = tuple(
                int(a.attributes["href"].lstrip("#"))
                for a in name_cell.css("sup a[href]")
                if (a.attributes.get("href") or "").lstrip("#").isdigit()
            )
            for sup in name_cell.css("sup"):
                sup.decompose()
            name = _text(name_cell)
            code = self.resolve(name, number)
            if code in seen:
                raise ParseError(
                    self.label, f"participant listed twice (also as {seen[code]!r})", row=number, value=name
                )
            seen[code] = name
            parsed.append(
                _Row(
                    name,
                    code,
                    notes,
                    [
                        (col, " ".join(c.text().replace("\xa0", " ").split()))
                        for col, c in zip(columns[1:], cells[1:], strict=True)
                    ],
                )
            )
        if not parsed:
            raise SoftFailure(self.label, "the participation grid has no participant rows")
        return parsed

    def _column(self, header: str) -> _Column:
        cleaned = re.sub(r"[\d,\s]+$", "", header)
        if cleaned == "Participant":
            return _Column("participant", header)
        parts = [p.strip() for p in re.split(r",\s*(?![^()]*\))", header) if p.strip()]
        roles = set()
        column = _Column("", header)
        for part in parts:
            if part not in HEADER_COMPONENTS:
                raise ParseError(
                    self.label, "unknown grid column header", row=1, value=part if len(parts) > 1 else header
                )
            role, marker, kind = HEADER_COMPONENTS[part]
            roles.add(role)
            column.markers[marker] = kind
        if len(roles) != 1:
            raise ParseError(
                self.label,
                "grid column header mixes signature, consent and provisional application",
                row=1,
                value=header,
            )
        column.role = roles.pop()
        return column

    def read_grid(self, rows: list[_Row]) -> set[str]:
        """Events of the grid; returns the participants whose consent is bracketed (withdrawn)."""
        bracketed: set[str] = set()
        for row in rows:
            for column, cell in row.cells:
                if not cell:
                    continue
                try:
                    on, kind, in_brackets = parse_untc_date_cell(cell, column.markers)
                except DateCellError as error:
                    raise ParseError(self.label, str(error), row=row.name, value=cell) from None
                marker = cell.strip("[] ").rsplit(" ", 1)[-1] if cell.strip("[] ")[-1:].isalpha() else ""
                if column.role == "signature":
                    self.signature_dates[row.code] = on
                    note = "succession to signature" if marker == "d" else ""
                    self.add(row.code, EventKind.SIGNATURE, on, cell, note=note)
                elif column.role == "consent":
                    self.consent_dates[row.code] = on
                    if in_brackets:
                        bracketed.add(row.code)
                    self.add(
                        row.code,
                        kind,
                        on,
                        cell,
                        note="shown in brackets: participation later ended (see end notes)"
                        if in_brackets
                        else "",
                    )
                else:
                    self.add(
                        row.code,
                        EventKind.PROVISIONAL_APPLICATION,
                        on,
                        cell,
                        text=f"{column.header.removesuffix('(n)')}",
                    )
        return bracketed

    # -- end notes --------------------------------------------------------------------------------

    def end_notes(self) -> dict[int, str]:
        """Note number -> its text."""
        notes: dict[int, str] = {}
        for node in self.tree.css('[id$="divNotesAll"]'):
            anchor = node.css_first("a[name]")
            if anchor is None or not (anchor.attributes.get("name") or "").isdigit():
                continue
            number = int(anchor.attributes["name"])
            anchor.decompose()
            notes[number] = " ".join(node.text(separator=" ").replace("\xa0", " ").split())
        return notes

    def read_notes(self, rows: list[_Row], notes: dict[int, str]) -> set[str]:
        """Withdrawal notices and re-accessions told by the end notes; returns who gave a notice."""
        noticed: set[str] = set()
        for row in rows:
            names = _name_variants(row.name)
            for number in row.notes:
                if number not in notes:
                    raise ParseError(
                        self.label, f"grid refers to end note {number}, which the page lacks", row=row.name
                    )
                text = notes[number]
                actions = list(_note_actions(text, names))
                if _NOTICE.search(text) and not any(a[0] == EventKind.DENUNCIATION for a in actions):
                    self.notes.append(
                        f"end note {number} ({row.name}) speaks of a withdrawal or denunciation, "
                        "but no dated notice by this participant was read from it: review"
                    )
                for event_kind, on, effective, sentence in actions:
                    original = f"note {number}: {sentence}"
                    if event_kind == EventKind.DENUNCIATION:
                        noticed.add(row.code)
                        self.add(
                            row.code,
                            event_kind,
                            on,
                            original,
                            effective=effective,
                            cn_symbol=_cn_symbol(sentence),
                            note=f"end note {number}",
                        )
                    else:
                        self.add(row.code, event_kind, on, original, note=f"end note {number}")
        return noticed

    # -- declarations, reservations, objections, notifications, territories -----------------------

    def _notification_kind(self) -> EventKind:
        """Notifications under ICCPR art 4(3) are derogations in an emergency; others stay declarations."""
        title = (self._title("div1") or "").lower()
        return EventKind.DEROGATION if "article 4" in title or "derogat" in title else EventKind.DECLARATION

    def read_texts(self) -> None:
        sections = (
            ("dgDec", self._title("divMainDecTilte"), None),
            ("dgObj", self._title("divMainObjTitle") or "Objections", EventKind.OBJECTION),
            (
                "dgDecUnderArticle",
                self._title("divMainDecArt") or self._title("divDecArt"),
                EventKind.DECLARATION,
            ),
            ("dgNotifications", self._title("div1") or "Notifications", self._notification_kind()),
        )
        for grid, title, fixed_kind in sections:
            for participant in self.tree.css(f'[id*="{_ID}{grid}_"][id$="_divParticipant"]'):
                container = participant.parent
                body = None
                if container is not None:
                    body = container.css_first('[id$="_divText"]') or container.css_first(
                        '[id$="_divNotificationText"]'
                    )
                for sup in participant.css("sup"):
                    sup.decompose()
                name = _text(participant)
                if body is None or not name:
                    continue
                code = self.resolve(name, f"{title or grid}: {name}")
                for segment in _segments(body):
                    if not segment.text:
                        continue
                    kind = fixed_kind or _dec_kind(segment.heading, segment.text)
                    on, inferred = segment.date, ""
                    if on is None:
                        on, inferred = self._implied_date(code, f"{segment.heading} {segment.text[:80]}")
                    self.add(
                        code,
                        kind,
                        on,
                        " | ".join(x for x in (title or grid, name, segment.date_text, segment.heading) if x),
                        text=segment.text,
                        note="; ".join(x for x in (title, inferred) if x),
                    )
        self._territories()

    def _title(self, suffix: str) -> str:
        node = self.node(suffix)
        if node is None or "none" in (node.attributes.get("style") or "").lower():
            return ""
        return re.sub(r"\d+$", "", _text(node))

    def _implied_date(self, code: str, opening: str) -> tuple[date | None, str]:
        """Sections say "unless otherwise indicated, made upon ratification...": date it so when we can."""
        if "upon signature" in opening.lower() and code in self.signature_dates:
            return self.signature_dates[code], "date implied: made upon signature"
        if code in self.consent_dates:
            return self.consent_dates[code], "date implied: made upon the instrument of consent"
        return None, ""

    def _territories(self) -> None:
        table = self.node("tblDec")
        if table is None:
            return
        rows = table.css("tr")
        if not rows:
            return  # the page's empty placeholder: no territorial application notified
        header = [_text(c) for c in rows[0].css("td")]
        if header[:3] != ["Participant", "Date of receipt of the notification", "Territories"]:
            raise ParseError(
                self.label, "unknown territorial-application table header", row=1, value=" | ".join(header)
            )
        code = ""
        for number, row in enumerate(rows[1:], 2):
            cells = row.css("td")
            for sup in cells[0].css("sup"):
                sup.decompose()
            name, when, territories = (_text(c) for c in cells[:3])
            if name:
                code = self.resolve(re.sub(r"[\d,\s]+$", "", name), number)
            if not code:
                raise ParseError(
                    self.label, "territorial application with no participant", row=number, value=when
                )
            try:
                on = parse_untc_date(when)
            except DateCellError:
                raise ParseError(
                    self.label, "not a date in the territorial-application table", row=number, value=when
                ) from None
            self.add(
                code,
                EventKind.TERRITORIAL_APPLICATION,
                on,
                f"{when} | {territories}",
                territory=territory_label(territories),
                text=territories,
            )


@functools.cache
def _page_aliases() -> dict[str, str]:
    """Spellings only these pages use (source.yaml `participant_aliases`), e.g. "Yugoslavia (former)"."""
    meta = SourceMeta.load(Path(__file__).parent)
    return {clean_name(name): code for name, code in (meta.extra.get("participant_aliases") or {}).items()}


@functools.cache
def _bounds() -> Bounds:
    return SourceMeta.load(Path(__file__).parent).bounds


def territory_label(territories: str, limit: int = TERRITORY_LABEL_MAX) -> str:
    """The territories notified, shortened to fit the store's label; the full list stays in `text`."""
    if len(territories) <= limit:
        return territories
    names = [n.strip() for n in territories.split(",") if n.strip()]
    kept: list[str] = []
    for count, name in enumerate(names):
        suffix = f" and {len(names) - count} more (full list in text)"
        if len(", ".join([*kept, name])) + len(suffix) > limit:
            return ", ".join(kept) + suffix
        kept.append(name)
    return territories[:limit]


def _name_variants(name: str) -> tuple[str, ...]:
    """How end notes refer to a grid participant ("Netherlands (Kingdom of the)" -> "Netherlands")."""
    cleaned = clean_name(name)
    short = re.sub(r"\s*\(.*\)$", "", cleaned)
    return tuple(dict.fromkeys((cleaned, short)))


def _cn_symbol(sentence: str) -> str:
    match = re.search(r"C\.N\.\d+\.\d{4}\s*\.?\s*TREATIES[-.\w]*", sentence)
    return re.sub(r"\s+", "", match.group(0)) if match else ""


def _note_actions(text: str, names: tuple[str, ...]) -> Iterator[tuple[EventKind, date, date | None, str]]:
    """Notices and (re-)accessions a note tells about the participant it is attached to.

    Only sentences that name the participant and give an "On <date>" count, so the quoted objections
    of other states ("the procedure followed by Guyana, of denouncing ...") are not mistaken for acts.
    """
    last_date: date | None = None
    pending: list[tuple[EventKind, date, date | None, str]] = []
    for sentence in _SENTENCE_END.split(text):
        on_match = _ON_DATE.search(sentence)
        on: date | None = None
        if on_match and on_match.group("date"):
            on = parse_untc_date(on_match.group("date"))
        elif on_match and on_match.group("same"):
            on = last_date
        names_participant = any(n in sentence for n in names)
        effect = _EFFECT_SENTENCE.search(sentence)
        if effect and pending and pending[-1][0] == EventKind.DENUNCIATION and pending[-1][2] is None:
            kind, noticed_on, _, original = pending[-1]
            pending[-1] = (kind, noticed_on, parse_untc_date(effect.group(1)), f"{original} {sentence}")
        elif (
            names_participant
            and on
            and _NOTICE.search(sentence)
            and _NOTICE_VERB.search(sentence)
            and not _NOT_ABOUT_TREATY.search(sentence)
        ):
            same = _EFFECT_SAME_SENTENCE.search(sentence)
            pending.append(
                (EventKind.DENUNCIATION, on, parse_untc_date(same.group(1)) if same else None, sentence)
            )
        elif names_participant and (accession := _ACCESSION.search(sentence)):
            when = parse_untc_date(accession.group("date")) if accession.group("date") else on
            if when is not None:
                pending.append((EventKind.ACCESSION, when, None, sentence))
                on = on or when
        if on is not None:
            last_date = on
    yield from pending


@dataclass(slots=True)
class _Segment:
    date: date | None = None
    date_text: str = ""
    heading: str = ""
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(
            p for p in (" ".join(part.split()) for part in "".join(self.parts).split("\n")) if p
        ).strip()


def _segments(body: LexborNode) -> list[_Segment]:
    """Split one participant's text block at its dated paragraphs and italic headings."""
    segments = [_Segment()]
    for child in body.iter(include_text=True):
        tag = child.tag
        attrs = child.attributes if tag != "-text" else {}
        if tag == "p" and "invisible" in (attrs.get("class") or ""):
            continue  # the participant's name repeated for screen readers
        if tag == "p" and (attrs.get("align") or "").lower() == "right":
            raw = _text(child)
            try:
                on = parse_untc_date(raw.strip("()"))
            except DateCellError:
                segments[-1].parts.append("\n" + raw + "\n")
                continue
            segments.append(_Segment(date=on, date_text=raw))
            continue
        if (
            tag == "p"
            and child.css_first("i") is not None
            and len(_text(child)) < 300
            and _text(child).endswith(":")
        ):
            heading = _text(child)
            current = segments[-1]
            if current.parts and "".join(current.parts).strip():
                segments.append(_Segment(date=current.date, date_text=current.date_text))
            segments[-1].heading = heading
            continue
        if tag == "-text":
            segments[-1].parts.append((child.text_content or "").replace("\xa0", " "))
        elif tag in ("br", "p"):
            segments[-1].parts.append(
                "\n" + (child.text(separator=" ").replace("\xa0", " ") if tag == "p" else "")
            )
        else:
            segments[-1].parts.append(child.text(separator=" ").replace("\xa0", " "))
    return [s for s in segments if s.text]


_WITHDRAWS_RESERVATION = re.compile(
    r"withdr[a-z]*\s+(?:of\s+)?(?:its\s+|the\s+|their\s+)?(?:\w+\s+){0,3}reservation", re.I
)


def _dec_kind(heading: str, text: str) -> EventKind:
    """Best-effort kind of a text in the declarations-and-reservations section."""
    head = heading.lower()
    if _WITHDRAWS_RESERVATION.search(heading) or (not heading and _WITHDRAWS_RESERVATION.search(text[:400])):
        return EventKind.RESERVATION_WITHDRAWN
    if "reservation" in head:
        return EventKind.RESERVATION
    if "declaration" in head or "understanding" in head:
        return EventKind.DECLARATION
    if re.search(r"\breserv", text[:600], re.I):
        return EventKind.RESERVATION
    return EventKind.DECLARATION


def parse(
    document: Document, *, participants: ParticipantRegistry, catalogue: TreatyCatalogue
) -> ParseResult:
    """One UNTC status page -> its events, printed counts and status date."""
    page = _Page(document, participants, catalogue)
    as_of = page.as_of()
    counts = page.printed_counts()
    rows = page.grid_rows()
    bracketed = page.read_grid(rows)
    noticed = page.read_notes(rows, page.end_notes())
    missing = sorted(bracketed - noticed)
    if missing:
        raise ParseError(
            document.label,
            "consent shown in brackets but no withdrawal notice found in the end notes",
            row=", ".join(missing),
        )
    consents = sum(1 for row in rows for column, cell in row.cells if column.role == "consent" and cell)
    bounds = _bounds()
    if not bounds.min_participants <= len(rows) <= bounds.max_participants:
        raise SoftFailure(
            document.label,
            f"{len(rows)} participants in the grid, outside the expected {bounds.min_participants}-"
            f"{bounds.max_participants}",
        )
    if consents - len(bracketed) < counts["parties"]:
        raise SoftFailure(
            document.label,
            f"the grid shows {consents - len(bracketed)} current consents but the page prints {counts['parties']} parties",
        )
    page.read_texts()
    unique: dict[str, Event] = {}
    for event in page.events:
        unique.setdefault(event.event_id, event)
    return ParseResult(
        events=list(unique.values()),
        treaty=page.treaty,
        as_of=as_of,
        printed_counts=counts,
        notes=[f"{len(rows)} participants in the grid", *page.notes],
    )
