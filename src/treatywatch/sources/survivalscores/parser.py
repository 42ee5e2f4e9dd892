"""survivalscores.org pages rendered from a daily UNTC scrape: derived data, lower trust.

`index.html` has one row per country and, per treaty, a cell whose `title` is a sentence ("Burundi
signed the International Criminal Court on 1999-01-13 and ratified it on 2004-09-21, but withdrew on
2017-10-27."): it gives each member's and former member's signature, consent and withdrawal.
`timeline.html` is the same facts as a log; it adds only what the index hides, the signatures of
states that never joined. "withdrew on" is the date a withdrawal takes effect; the notice day is not
shown. It is derived only where the treaty's own rule maps exactly one notice day to that effect (Rome
Statute art 127(1): one year), and the note says so; otherwise the withdrawal stays undated.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from selectolax.lexbor import LexborHTMLParser, LexborNode

from treatywatch.engine.clauses import Clauses
from treatywatch.engine.events import Event, EventKind
from treatywatch.knowledge.participants import ParticipantRegistry, UnknownParticipantError
from treatywatch.knowledge.treaties import TreatyCatalogue
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure, SourceMeta

META = SourceMeta.load(Path(__file__).parent)
LABEL = META.extra["label"]
WITHDRAWAL_NOTE = f"{LABEL}; the page gives only the date the withdrawal takes effect, not the notice date"
DERIVED_NOTICE = "notice date derived from that effective date by the treaty's denunciation rule"

_DAY = r"\d{4}-\d{2}-\d{2}"
_CELL = re.compile(
    rf"^(?:signed the (?P<treaty>.+?) on (?P<signed>{_DAY})(?: and (?P<verb>[a-z ]+?) it on (?P<joined>{_DAY}))?"
    rf"|(?P<verb2>[a-z ]+?) the (?P<treaty2>.+?) on (?P<joined2>{_DAY}))"
    rf"(?:, but withdrew on (?P<withdrew>{_DAY}))?\.$"
)
_NOT_JOINED = re.compile(r"^has not yet joined (?:the |a )?(?P<treaty>.+)\.$")
_DATA_DATE = re.compile(r"dataDate = new Date\('(?P<stamp>\w{3} \w{3} \d{2} \d{4} \d{2}:\d{2}:\d{2})")


def parse(
    document: Document, *, participants: ParticipantRegistry, catalogue: TreatyCatalogue
) -> ParseResult:
    html = document.text()
    stamp = _DATA_DATE.search(html)
    if stamp is None:
        raise ParseError(document.label, "no `dataDate` stamp: not a survivalscores page")
    as_of = datetime.strptime(stamp["stamp"], "%a %b %d %Y %H:%M:%S").date()
    reader = _Reader(document, participants, catalogue)
    tree = LexborHTMLParser(html)
    name = PurePosixPath(document.name or document.url).name
    if name == "index.html":
        events, counts = reader.index(tree)
    elif name == "timeline.html":
        events, counts = reader.timeline(tree), {}
    else:
        raise ParseError(document.label, "expected index.html or timeline.html", value=name)
    if not events:
        raise SoftFailure(document.label, "no participation found for the treaties read")
    return ParseResult(
        events=events, treaty="rome-statute", as_of=as_of, printed_counts=counts, notes=[LABEL]
    )


class _Reader:
    def __init__(
        self, document: Document, participants: ParticipantRegistry, catalogue: TreatyCatalogue
    ) -> None:
        self.document, self.participants, self.catalogue = document, participants, catalogue
        self.treaties: dict[str, str] = META.extra["treaties"]
        self.verbs: dict[str, str] = META.extra["verbs"]

    def index(self, tree: LexborHTMLParser) -> tuple[list[Event], dict[str, int]]:
        headers = [th.text(strip=True) for th in tree.css("tr.header")[0].css("th")]
        counts_row = [th.text(strip=True) for th in tree.css("tr.header")[1].css("th")]
        columns = {i: self.treaties[h] for i, h in enumerate(headers) if h in self.treaties}
        if not columns:
            raise ParseError(
                self.document.label, "no column for a treaty in source.yaml", row=1, value=str(headers)
            )
        events: list[Event] = []
        for n, row in enumerate(tree.css("tr.data"), start=1):
            cells = row.css("td")
            name = cells[1].text(strip=True)
            state = self.state(name, n)
            for i, slug in columns.items():
                events += self.cell(cells[i], name, state, slug, n)
        counts = {}
        for i in columns:
            shown, _, total = counts_row[i].partition("/")
            if not (shown.isdigit() and total.isdigit()):
                raise ParseError(self.document.label, "unreadable member count", row=2, value=counts_row[i])
            counts["members_shown"] = int(shown)
        return events, counts

    def cell(self, cell: LexborNode, name: str, state: str, slug: str, n: int) -> list[Event]:
        title = cell.attributes.get("title") or ""
        if not title.startswith(f"{name} "):
            raise ParseError(
                self.document.label, "cell sentence does not name the row's country", row=n, value=title
            )
        sentence = title[len(name) + 1 :]
        if _NOT_JOINED.match(sentence):
            return []
        match = _CELL.match(sentence)
        if match is None or (match["treaty"] or match["treaty2"]) not in self.treaties:
            raise ParseError(self.document.label, "unreadable participation sentence", row=n, value=title)
        events = []
        if match["signed"]:
            events.append(self.event(state, slug, "signed", match["signed"], title, n))
        if match["joined"] or match["joined2"]:
            verb = match["verb"] or match["verb2"]
            events.append(self.event(state, slug, verb, match["joined"] or match["joined2"], title, n))
        if match["withdrew"]:
            events.append(self.event(state, slug, "withdrew", match["withdrew"], title, n))
        return events

    def timeline(self, tree: LexborHTMLParser) -> list[Event]:
        verbs = "|".join(sorted(map(re.escape, self.verbs), key=len, reverse=True))
        sentence_re = re.compile(rf"^(?P<name>.+?) (?P<verb>{verbs}) the (?P<treaty>.+)\.$")
        signatures: dict[tuple[str, str], Event] = {}
        joined: set[tuple[str, str]] = set()
        for n, row in enumerate(tree.css("tr"), start=1):
            cells = row.css("td")
            logo = cells[3].css_first("img") if len(cells) == 5 else None
            if logo is None:
                raise ParseError(
                    self.document.label,
                    "not a timeline row (date, flag, type, treaty, text)",
                    row=n,
                    value=row.text(strip=True),
                )
            treaty = (logo.attributes.get("alt") or "").removesuffix(" logo")
            if treaty not in self.treaties:
                continue
            sentence = cells[4].text(strip=True)
            match = sentence_re.match(sentence)
            if match is None or match["treaty"] != treaty:
                raise ParseError(self.document.label, "unreadable timeline sentence", row=n, value=sentence)
            key = (self.state(match["name"], n), self.treaties[treaty])
            if match["verb"] == "signed":
                signatures[key] = self.event(*key, "signed", cells[0].text(strip=True), sentence, n)
            else:
                joined.add(key)
        return [event for key, event in signatures.items() if key not in joined]

    def state(self, name: str, n: int) -> str:
        try:
            return self.participants.resolve(name, context=f"{self.document.label} row {n}")
        except UnknownParticipantError:
            raise ParseError(self.document.label, "unknown participant", row=n, value=name) from None

    def event(self, state: str, slug: str, verb: str, day: str, original: str, n: int) -> Event:
        if verb not in self.verbs:
            raise ParseError(
                self.document.label, "unknown verb (add it to source.yaml `verbs`)", row=n, value=verb
            )
        kind = EventKind(self.verbs[verb])
        try:
            on = date.fromisoformat(day)
        except ValueError:
            raise ParseError(self.document.label, "not an ISO date", row=n, value=day) from None
        withdrawal = kind == EventKind.DENUNCIATION
        notice = _notice_for(self.catalogue.get(slug).clauses, on) if withdrawal else None
        return Event(
            treaty=slug,
            state=state,
            kind=kind,
            date=notice if withdrawal else on,
            effective_date=on if withdrawal else None,
            note=(f"{WITHDRAWAL_NOTE}; {DERIVED_NOTICE}" if notice else WITHDRAWAL_NOTE)
            if withdrawal
            else LABEL,
            provenance=META.provenance(self.document, original),
        )


def _notice_for(clauses: Clauses, effective: date) -> date | None:
    """The notice day a whole-years denunciation rule maps to `effective`, checked by applying the rule forward."""
    rule = clauses.denunciation_rule
    if rule is None or not rule.years or rule.months or rule.days:
        return None
    try:
        notice = effective.replace(year=effective.year - rule.years)
    except ValueError:  # 29 February
        return None
    return notice if clauses.denunciation_effective_date(notice) == effective else None
