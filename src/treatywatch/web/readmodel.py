"""The read side shared by the pages and the JSON API: names, labels, tables, sources and caches.

Every status comes from `store.service.StatusService`; this module only decides which answers to
ask for, how to label them in the reader's language, and which sources and dates to show with them.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from treatywatch.engine.events import CONSENT_KINDS, TEXT_KINDS, EventKind
from treatywatch.engine.status import COUNTED_AS_PARTY, Status, StatusAnswer
from treatywatch.knowledge.treaties import CAMPAIGN_CATEGORIES
from treatywatch.knowledge.treaties import Treaty as TreatyInfo
from treatywatch.sources.base import SOURCES_DIR, SourceMeta
from treatywatch.store.models import Event as EventRow
from treatywatch.store.models import Participant, SourceDocument, Treaty
from treatywatch.store.service import StatusService, TreatyData

STATUS_LABELS = {
    Status.NONE: _("not joined"),
    Status.SIGNATORY: _("signatory"),
    Status.CONSENTED: _("consented, not yet in force"),
    Status.PARTY: _("party"),
    Status.WITHDRAWING: _("withdrawing"),
    Status.WITHDRAWN: _("withdrawn"),
}
# One or two characters per matrix cell keep a 200 x 30 table light; the legend spells them out.
STATUS_ABBREVIATIONS = {
    Status.NONE: pgettext_lazy("matrix cell: not joined", "–"),
    Status.SIGNATORY: pgettext_lazy("matrix cell: signatory", "S"),
    Status.CONSENTED: pgettext_lazy("matrix cell: consented", "C"),
    Status.PARTY: pgettext_lazy("matrix cell: party", "P"),
    Status.WITHDRAWING: pgettext_lazy("matrix cell: withdrawing", "W"),
    Status.WITHDRAWN: pgettext_lazy("matrix cell: withdrawn", "X"),
}
# Shown instead of "not joined" where a treaty's data holds only key events: we do not know.
UNKNOWN = "unknown"
DISPLAY_LABELS = {**{str(k): v for k, v in STATUS_LABELS.items()}, UNKNOWN: _("no data")}
DISPLAY_ABBREVIATIONS = {
    **{str(k): v for k, v in STATUS_ABBREVIATIONS.items()},
    UNKNOWN: pgettext_lazy("matrix cell: no data", "?"),
}
CATEGORY_LABELS = {
    "refugee": _("Refugees"),
    "statelessness": _("Statelessness"),
    "human_rights": _("Human rights"),
    "humanitarian": _("International humanitarian law"),
    "international_criminal": _("International criminal law"),
    "disarmament": _("Disarmament"),
    "regional": _("Regional"),
}
KIND_LABELS = {
    EventKind.SIGNATURE: _("signature"),
    EventKind.RATIFICATION: _("ratification"),
    EventKind.ACCEPTANCE: _("acceptance"),
    EventKind.APPROVAL: _("approval"),
    EventKind.FORMAL_CONFIRMATION: _("formal confirmation"),
    EventKind.ACCESSION: _("accession"),
    EventKind.SUCCESSION: _("succession"),
    EventKind.DEFINITIVE_SIGNATURE: _("definitive signature"),
    EventKind.CONSENT_TO_BE_BOUND: _("consent to be bound"),
    EventKind.DENUNCIATION: _("notice of withdrawal or denunciation"),
    EventKind.NOTICE_REVOKED: _("notice of withdrawal revoked"),
    EventKind.CONSENT_WITHDRAWN: _("instrument withdrawn before taking effect"),
    EventKind.RESERVATION: _("reservation"),
    EventKind.DECLARATION: _("declaration"),
    EventKind.OBJECTION: _("objection"),
    EventKind.RESERVATION_WITHDRAWN: _("reservation withdrawn"),
    EventKind.TERRITORIAL_APPLICATION: _("territorial application"),
    EventKind.NOT_TO_BECOME_PARTY: _("intention not to become a party"),
    EventKind.CEASED_MEMBERSHIP: _("membership ceased"),
}
# The labels `Treaty.key_clauses()` gives each clause, in the reader's language.
CLAUSE_LABELS = {
    "Entry into force": _("Entry into force"),
    "Entry into force for later states": _("Entry into force for later states"),
    "Denunciation or withdrawal": _("Denunciation or withdrawal"),
    "Reservations": _("Reservations"),
}
REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")
REGION_LABELS = {
    "Africa": _("Africa"),
    "Americas": _("Americas"),
    "Asia": _("Asia"),
    "Europe": _("Europe"),
    "Oceania": _("Oceania"),
}
STATE_KINDS = ("un_member", "observer_state", "non_member_state")
TEXT_KIND_VALUES = tuple(str(k) for k in TEXT_KINDS)
TITLES_FILE = Path(__file__).parent / "data" / "treaty_titles.yaml"


class BadDateError(ValueError):
    """A malformed `at` date: the page or API answers 400 naming the value."""


def parse_at(value: str | None) -> date:
    """The `?at=` date (today when absent); a malformed value raises BadDateError."""
    if value in (None, ""):
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadDateError(f"malformed date {value!r}: expected YYYY-MM-DD") from None


def language() -> str:
    return (get_language() or "en")[:2]


# -- names -----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _title_translations() -> dict[str, dict[str, Any]]:
    """Official UN titles in French and Spanish for the campaign treaties, each with its citation."""
    with TITLES_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["titles"]


def treaty_title(treaty: TreatyInfo, lang: str | None = None) -> str:
    lang = lang or language()
    return _title_translations().get(treaty.slug, {}).get(lang) or treaty.title


def treaty_title_source(treaty: TreatyInfo, lang: str | None = None) -> str:
    """The citation of a translated title ("" when the title shown is the English one)."""
    return _title_translations().get(treaty.slug, {}).get(f"source_{lang or language()}", "")


def participant_rows() -> dict[str, Participant]:
    return {p.code: p for p in Participant.objects.all()}


def names_in(lang: str | None = None) -> dict[str, str]:
    lang = lang or language()
    return {
        code: (names or {}).get(lang) or name
        for code, name, names in Participant.objects.values_list("code", "name", "names")
    }


# -- tables ----------------------------------------------------------------------------------------


@dataclass
class Table:
    """Columns (machine key, human label) and rows: rendered as HTML and downloadable as CSV."""

    columns: Sequence[tuple[str, Any]]
    rows: Any = field(default_factory=list)  # a list, or any iterable of dicts for streamed downloads

    def csv_lines(self) -> Iterator[str]:
        """The header (machine keys) then one line per row, produced lazily so large tables stream."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        keys = [key for key, _label in self.columns]
        header: Iterable[list[str]] = [keys]
        for values in itertools.chain(header, ([_cell(r.get(k)) for k in keys] for r in self.rows)):
            writer.writerow(values)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def answer_sources(answer: StatusAnswer) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for event in answer.events:
        key = (event.provenance.source, event.provenance.url)
        seen.setdefault(key, {"source": key[0], "url": key[1]})
    return list(seen.values())


def status_row(answer: StatusAnswer, names: dict[str, str]) -> dict[str, Any]:
    return {
        "state": answer.state,
        "name": names.get(answer.state, answer.state),
        "status": str(answer.status),
        "status_label": STATUS_LABELS[answer.status],
        "signature_date": answer.signature_date,
        "consent_date": answer.consent_date,
        "consent_kind": answer.consent_kind or "",
        "in_force_date": answer.in_force_date,
        "withdrawal_notice_date": answer.withdrawal_notice_date,
        "withdrawal_effective_date": answer.withdrawal_effective_date,
        "sources": answer_sources(answer),
        "source_urls": [s["url"] for s in answer_sources(answer)],
        "flags": list(answer.flags),
    }


STATUS_COLUMNS = (
    ("state", _("Code")),
    ("name", _("Participant")),
    ("status", _("Status")),
    ("signature_date", _("Signed")),
    ("consent_date", _("Consent deposited")),
    ("consent_kind", _("Instrument")),
    ("in_force_date", _("In force")),
    ("withdrawal_notice_date", _("Withdrawal notice")),
    ("withdrawal_effective_date", _("Withdrawal effective")),
    ("source_urls", _("Sources")),
)


# -- treaties --------------------------------------------------------------------------------------


def campaign_treaties(service: StatusService) -> list[TreatyInfo]:
    return [t for t in service.catalogue if t.category in CAMPAIGN_CATEGORIES]


def treaty_data(slug: str) -> TreatyData:
    return TreatyData.of(slug)


COVERAGE_LABELS = {
    "full": _("complete list of participants"),
    "key_events": _("key events only: no complete list of parties"),
    "none": _("no participation data"),
}


def treaty_coverage() -> dict[str, str]:
    """How complete each treaty's data is ("full", "key_events" or "none"), as the bundle declares.

    The bundle's manifest says it; the database does not keep it, so it is read from the manifest
    (re-read when the file changes). A treaty the manifest does not describe counts as "full" when it
    has data sources, else "none".
    """
    path = settings.BUNDLE_DIR / "manifest.json"
    declared = _manifest_coverage(str(path), path.stat().st_mtime if path.exists() else 0.0)
    sources = dict(Treaty.objects.values_list("slug", "data_sources"))
    return {slug: declared.get(slug) or ("full" if sources.get(slug) else "none") for slug in sources}


@functools.lru_cache(maxsize=2)
def _manifest_coverage(path: str, mtime: float) -> dict[str, str]:
    if not mtime:
        return {}
    with open(path, encoding="utf-8") as handle:
        treaties = json.load(handle).get("treaties", {})
    return {slug: meta.get("coverage", "") for slug, meta in treaties.items()}


def party_count(service: StatusService, slug: str, at: date) -> int:
    return len(service.parties(slug, at))


def party_counts_over_time(service: StatusService, slug: str, until: date) -> list[tuple[date, int]]:
    """Participants counted as parties on 1 January of each year, from the first action to `until`."""
    deltas: dict[date, int] = {}
    for state in service.participants_of(slug):
        for period in service.history(state, slug).timeline():
            if period.status in COUNTED_AS_PARTY:
                deltas[period.start] = deltas.get(period.start, 0) + 1
                if period.end:
                    deltas[period.end] = deltas.get(period.end, 0) - 1
    if not deltas:
        return []
    changes = sorted(deltas.items())
    points, total, index = [], 0, 0
    for year in range(changes[0][0].year, until.year + 1):
        sample = date(year, 1, 1) if year < until.year else until
        while index < len(changes) and changes[index][0] <= sample:
            total += changes[index][1]
            index += 1
        points.append((sample, total))
    return points


@dataclass(frozen=True)
class Chart:
    """A step chart of party counts as SVG coordinates (drawn server-side, readable without JS)."""

    width: int
    height: int
    path: str
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    points: list[tuple[date, int]]


def chart(points: list[tuple[date, int]], width: int = 640, height: int = 200) -> Chart | None:
    if len(points) < 2:
        return None
    left, bottom, top = 40, 24, 8
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    span = max(last - first, 1)
    peak = max(max(c for _d, c in points), 1)
    plot_w, plot_h = width - left - 8, height - bottom - top

    def x(day: date) -> float:
        return round(left + (day.toordinal() - first) * plot_w / span, 1)

    def y(count: int) -> float:
        return round(top + plot_h - count * plot_h / peak, 1)

    path = f"M{x(points[0][0])},{y(points[0][1])}"
    for (_previous, before), (day, count) in zip(points, points[1:], strict=False):
        path += f"L{x(day)},{y(before)}L{x(day)},{y(count)}"
    step = max(1, round(len(points) / 8))
    x_ticks = [(x(d), str(d.year)) for d, _c in points[::step]]
    y_ticks = [(y(v), v) for v in sorted({0, peak // 2, peak})]
    return Chart(width, height, path, x_ticks, y_ticks, points)


def reservations(
    treaty: str | None = None, state: str | None = None, query: str = "", limit: int | None = None
) -> list[EventRow]:
    """Reservations, declarations, objections and territorial applications, searchable by text."""
    rows = EventRow.objects.filter(kind__in=TEXT_KIND_VALUES).select_related("participant", "treaty")
    if treaty:
        rows = rows.filter(treaty_id=treaty)
    if state:
        rows = rows.filter(participant_id=state)
    for word in query.split():
        rows = rows.filter(
            Q(text__icontains=word) | Q(participant__name__icontains=word) | Q(note__icontains=word)
        )
    rows = rows.order_by("participant__name", "date", "id")
    return list(rows[:limit] if limit else rows)


RESERVATION_COLUMNS = (
    ("treaty", _("Treaty")),
    ("state", _("Code")),
    ("name", _("Participant")),
    ("kind", _("Kind")),
    ("date", _("Date")),
    ("territory", _("Territory")),
    ("text", _("Text")),
    ("role", _("Role")),
    ("source", _("Source")),
    ("url", _("Source address")),
)


def reservation_row(row: EventRow, names: dict[str, str]) -> dict[str, Any]:
    return {
        "treaty": row.treaty_id,
        "state": row.participant_id,
        "name": names.get(row.participant_id, row.participant_id),
        "kind": row.kind,
        "kind_label": KIND_LABELS.get(EventKind(row.kind), row.kind),
        "date": row.date,
        "territory": row.territory,
        "text": row.text,
        "role": row.role,
        "source": row.source,
        "url": row.url,
        "verified": row.verified,
    }


def documents_for(slug: str | None) -> list[SourceDocument]:
    documents = SourceDocument.objects.exclude(state=SourceDocument.State.FAILED).order_by("source", "url")
    if slug:
        documents = documents.filter(treaty_id=slug)
    return list(documents[:50])


@functools.lru_cache(maxsize=1)
def _source_metadata() -> dict[str, dict[str, str]]:
    """Title, publisher, licence and citation of each source, read from its `source.yaml` alone.

    Only the metadata files are read: the site needs no parser imported to cite a source.
    """
    metas = [
        SourceMeta.load(folder)
        for folder in sorted(SOURCES_DIR.iterdir())
        if (folder / "source.yaml").exists()
    ]
    return {
        meta.id: {
            "id": meta.id,
            "title": meta.title,
            "publisher": meta.publisher,
            "licence": meta.licence,
            "citation": meta.citation,
            "trust": meta.trust,
        }
        for meta in metas
    }


def source_info(source_ids: Iterable[str]) -> list[dict[str, str]]:
    """Metadata for each source id; ids with no source folder (hand entries) are shown by id."""
    known = _source_metadata()
    return [
        known.get(s, {"id": s, "title": s, "publisher": "", "licence": "", "citation": "", "trust": ""})
        for s in source_ids
    ]


def all_source_info() -> list[dict[str, str]]:
    return list(_source_metadata().values())


# -- states ----------------------------------------------------------------------------------------


def state_rows(kinds: Sequence[str] | None = STATE_KINDS) -> list[Participant]:
    rows = Participant.objects.all()
    if kinds:
        rows = rows.filter(kind__in=kinds)
    return list(rows)


def recent_actions(limit: int = 15, kinds: Iterable[EventKind] = ()) -> list[EventRow]:
    wanted = [str(k) for k in (kinds or (*CONSENT_KINDS, EventKind.DENUNCIATION, EventKind.NOTICE_REVOKED))]
    return list(
        EventRow.objects.deciding_status()
        .filter(kind__in=wanted, date__isnull=False)
        .select_related("participant", "treaty")
        .order_by("-date", "-id")[:limit]
    )


def withdrawals(service: StatusService, at: date) -> tuple[list[StatusAnswer], list[StatusAnswer]]:
    """Pending withdrawals on `at`, and withdrawals that took effect in the three years before it."""
    pairs = set(
        EventRow.objects.deciding_status()
        .filter(kind__in=[EventKind.DENUNCIATION, EventKind.CEASED_MEMBERSHIP])
        .values_list("participant_id", "treaty_id")
    )
    pending, effective = [], []
    recent = (
        at.replace(year=at.year - 3) if not (at.month == 2 and at.day == 29) else date(at.year - 3, 2, 28)
    )
    for state, treaty in sorted(pairs):
        if treaty not in service.catalogue:
            continue
        answer = service.status(state, treaty, at, with_dependencies=False)
        if answer.status == Status.WITHDRAWING:
            pending.append(answer)
        elif (
            answer.status == Status.WITHDRAWN
            and answer.withdrawal_effective_date
            and answer.withdrawal_effective_date >= recent
        ):
            effective.append(answer)
    pending.sort(key=lambda a: a.withdrawal_effective_date or date.max)
    effective.sort(key=lambda a: a.withdrawal_effective_date or date.min, reverse=True)
    return pending, effective
