"""Live refresh: fetch (or read) each source document, archive it, re-parse it and apply it safely.

Every document goes through the same gate: a parse error fails it, an implausible result (the
parser's SoftFailure, a truncated page, a participant count outside the source's bounds, or a delta
that would remove more than `bounds.max_removed_share` of a treaty's parties at once) quarantines it.
Either way the bytes are archived, the document row says why, operators get one alert, users get
none, and the previous data stays current. A plausible document is applied in one transaction:
snapshot, delta, alerts.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from fnmatch import fnmatch
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from treatywatch.engine.events import Event
from treatywatch.engine.status import ParticipationHistory
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.monitor.alerts import alerts_for_delta, operator_alert
from treatywatch.monitor.models import Alert, Snapshot, SyncRun
from treatywatch.monitor.snapshots import apply_document, current_rows
from treatywatch.sources import archive
from treatywatch.sources.base import Bounds, Document, ParseError, ParseResult, SoftFailure
from treatywatch.sources.build import Policy
from treatywatch.sources.fetch import Fetcher, FetchError
from treatywatch.sources.registry import RAW_DIR, Source, all_sources, get_source
from treatywatch.store.convert import ENGINE_COLUMNS, event_from_values
from treatywatch.store.loading import sync_reference_data
from treatywatch.store.models import Event as EventRow
from treatywatch.store.models import Participant, SourceDocument, Treaty


@dataclass(frozen=True)
class Planned:
    """One document a run should read: which source, its name under data/raw, its official address."""

    source: Source
    name: str
    url: str


@dataclass(frozen=True)
class Acceptance:
    """An operator's decision to apply a quarantined document although it failed the plausibility
    checks (a real mass withdrawal can look like a broken page). The parser still has to read it."""

    by: str
    reason: str


class AcceptError(ValueError):
    """The document cannot be accepted (unknown, not quarantined, already accepted, no reason)."""


@dataclass
class Outcome:
    name: str
    url: str
    result: (
        str  # applied | baseline | unchanged | quarantined | failed | unreachable | missing (not in --from)
    )
    reason: str = ""
    document_id: int | None = None  # the SourceDocument row recording this retrieval, when applied
    added: int = 0
    changed: int = 0
    removed: int = 0
    alerts: list[Alert] = field(default_factory=list)


@dataclass
class SyncReport:
    run: SyncRun
    outcomes: list[Outcome]
    protection: str | None = None

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)

    @property
    def alerts(self) -> list[Alert]:
        return [a for o in self.outcomes for a in o.alerts]

    def summary(self) -> dict[str, object]:
        results = ("applied", "baseline", "unchanged", "quarantined", "failed", "unreachable", "missing")
        return {
            "documents": len(self.outcomes),
            **{r: self.count(r) for r in results},
            "added": sum(o.added for o in self.outcomes),
            "changed": sum(o.changed for o in self.outcomes),
            "removed": sum(o.removed for o in self.outcomes),
            "alerts": len(self.alerts),
            "problems": [f"{o.name}: {o.reason}" for o in self.outcomes if o.reason],
            "protection": self.protection,
        }


def plan(
    source_ids: Iterable[str] | None,
    *,
    live: bool,
    documents: Iterable[str] | None = None,
    raw_dir: Path = RAW_DIR,
) -> list[Planned]:
    """The documents to read, named as under data/raw; a live run only takes addresses marked `live`.

    `documents` are shell patterns on those names (`*/ottawa.html`) to refresh only some pages.
    """
    patterns = list(documents or [])
    sources = [get_source(s) for s in source_ids] if source_ids else list(all_sources().values())
    planned: list[Planned] = []
    for source in sources:
        default_live = bool(source.meta.extra.get("live", False))
        for entry in source.meta.extra.get("documents", []):
            if live and not entry.get("live", default_live):
                continue
            if "path" not in entry:  # a `package_path` file is curated inside the package, never fetched
                continue
            for path in sorted(raw_dir.glob(entry["path"])):
                name = str(path.relative_to(raw_dir))
                if patterns and not any(fnmatch(name, p) for p in patterns):
                    continue
                url = entry["url"].format(stem=path.stem, name=path.name)
                planned.append(Planned(source, name, url))
    return planned


def read_stored(item: Planned, from_dir: Path) -> Document:
    """A document from a folder laid out like data/raw; its retrieval time is the file's modification time."""
    path = from_dir / item.name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing (expected the same names as under data/raw)")
    return Document(
        source=item.source.id,
        url=item.url,
        content=path.read_bytes(),
        retrieved_at=datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
        name=item.name,
    )


def looks_truncated(content: bytes) -> bool:
    """An HTML page that does not end with its closing tag was cut off on the way."""
    head = content[:512].lstrip().lower()
    if not (head.startswith(b"<!doctype html") or head.startswith(b"<html")):
        return False
    return b"</html>" not in content[-4096:].lower()


def _parties(events: Iterable[Event], today: date) -> dict[str, set[str]]:
    """Treaty -> participants counted as parties on `today`, folding only these events."""
    catalogue = load_catalogue()
    grouped: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for event in events:
        grouped[(event.treaty, event.state)].append(event)
    parties: dict[str, set[str]] = defaultdict(set)
    for (treaty, state), group in grouped.items():
        if (
            treaty in catalogue
            and ParticipationHistory(catalogue.get(treaty).clauses, state, group)
            .status_at(today)
            .counts_as_party
        ):
            parties[treaty].add(state)
    return parties


def implausible(bounds: Bounds, result: ParseResult, stored: list[Event], today: date) -> str | None:
    """The reason a parsed document must not be published, or None."""
    participants = {e.state for e in result.events}
    if len(participants) < bounds.min_participants:
        return f"{len(participants)} participants, fewer than the {bounds.min_participants} expected (maintenance page?)"
    if len(participants) > bounds.max_participants:
        return f"{len(participants)} participants, more than the {bounds.max_participants} expected"
    before, after = _parties(stored, today), _parties(result.events, today)
    for treaty, old in sorted(before.items()):
        lost = old - after.get(treaty, set())
        if old and len(lost) / len(old) > bounds.max_removed_share:
            return (
                f"would remove {len(lost)} of {len(old)} current parties to {treaty} at once "
                f"(more than {bounds.max_removed_share:.0%}): {', '.join(sorted(lost)[:12])}"
                + (" ..." if len(lost) > 12 else "")
            )
    return None


class Syncer:
    """One run: reads the planned documents and applies each on its own (one bad page spoils nothing else)."""

    def __init__(self, *, now: datetime | None = None, today: date | None = None) -> None:
        self.now = now or timezone.now()
        self.today = today or self.now.date()
        self.registry = load_registry()
        self.catalogue = load_catalogue()
        self._treaty_sources = {
            slug: set(s) for slug, s in Treaty.objects.values_list("slug", "data_sources")
        }
        self.policy = _policy(self.catalogue)

    def ensure_reference_data(self) -> None:
        known = set(Participant.objects.values_list("code", flat=True))
        if (
            not known
            or not self._treaty_sources
            or any(p.code not in known for p in self.registry.treaty_participants())
        ):
            sync_reference_data()
            self._treaty_sources = {
                slug: set(s) for slug, s in Treaty.objects.values_list("slug", "data_sources")
            }

    def role(self, treaty: str, source: str) -> str:
        """The dataset policy's role (policy.yaml); without a policy entry, the treaty's recorded sources."""
        if self.policy is not None and treaty in self.policy.treaties:
            return self.policy.role(treaty, source)
        sources = self._treaty_sources.get(treaty) or set()
        return EventRow.Role.STATUS if not sources or source in sources else EventRow.Role.CROSSCHECK

    def role_of(self, event: Event) -> str:
        return self.role(event.treaty, event.provenance.source)

    def process(
        self, source: Source, document: Document, run: SyncRun, *, acceptance: Acceptance | None = None
    ) -> Outcome:
        """Archive, parse and apply one document; `acceptance` lifts the plausibility checks only."""
        outcome = Outcome(document.label, document.url, "unchanged")
        relative = archive.put(document)
        latest = Snapshot.objects.filter(source=source.id, url=document.url).order_by("-version").first()
        if latest is not None and latest.sha256 == document.sha256:
            current_rows(source.id, document.url).update(last_seen=self.now)
            return outcome
        earlier_failure = SourceDocument.objects.filter(
            source=source.id,
            url=document.url,
            sha256=document.sha256,
            state__in=[SourceDocument.State.FAILED, SourceDocument.State.QUARANTINED],
        ).first()
        if earlier_failure is not None and acceptance is None:  # the same bad bytes: reported once
            outcome.result, outcome.reason = earlier_failure.state, earlier_failure.error
            return outcome
        overridden: list[str] = []
        if looks_truncated(document.content):  # before parsing: a cut page must not pass even if it parses
            reason = "truncated: the page does not end with </html>"
            if acceptance is None:
                return self._reject(document, relative, SourceDocument.State.QUARANTINED, reason, outcome)
            overridden.append(reason)
        try:
            result = source.parse(document, participants=self.registry, catalogue=self.catalogue)
        except ParseError as error:
            return self._reject(
                document, relative, SourceDocument.State.FAILED, f"parse error: {error}", outcome
            )
        except SoftFailure as error:
            return self._reject(document, relative, SourceDocument.State.QUARANTINED, error.reason, outcome)
        stored = [
            event_from_values(v) for v in current_rows(source.id, document.url).values_list(*ENGINE_COLUMNS)
        ]
        reason = implausible(source.meta.bounds, result, stored, self.today)
        if reason and acceptance is None:
            return self._reject(document, relative, SourceDocument.State.QUARANTINED, reason, outcome)
        if reason:
            overridden.append(reason)
        meta: dict[str, object] = {"printed_counts": result.printed_counts, "notes": result.notes[:20]}
        if acceptance is not None:
            meta["accepted"] = {"by": acceptance.by, "reason": acceptance.reason, "overrode": overridden}
        with transaction.atomic():
            row = archive.record(
                document,
                relative,
                state=SourceDocument.State.PARSED,
                treaty=self._known(result.treaty),
                as_of=result.as_of,
                meta=meta,
            )
            outcome.document_id = row.pk
            applied = apply_document(
                document=row,
                events=result.events,
                role_of=self.role_of,
                now=self.now,
                run=run,
                treaty=result.treaty,
            )
            self._update_treaty(source.id, result)
            outcome.alerts = alerts_for_delta(
                applied.delta, applied.added, applied.roles, now=self.now, today=self.today
            )
        delta = applied.delta
        outcome.result = "baseline" if delta.baseline else ("unchanged" if delta.is_empty else "applied")
        outcome.added, outcome.changed, outcome.removed = (
            len(delta.added),
            len(delta.changed),
            len(delta.removed),
        )
        return outcome

    def _known(self, treaty: str | None) -> str | None:
        return treaty if treaty and treaty in self._treaty_sources else None

    def _update_treaty(self, source_id: str, result: ParseResult) -> None:
        slug = self._known(result.treaty)
        if slug and result.as_of and self.role(slug, source_id) == EventRow.Role.STATUS:
            counts = {**result.printed_counts, "as_of": result.as_of.isoformat()}
            Treaty.objects.filter(slug=slug).update(data_as_of=result.as_of, printed_counts=counts)

    def _reject(
        self, document: Document, relative: str, state: str, reason: str, outcome: Outcome
    ) -> Outcome:
        with transaction.atomic():
            row = archive.record(document, relative, state=state, error=reason)
            alert, _ = operator_alert(
                row, f"{document.label} ({document.url}, sha256 {document.sha256}): {reason}", now=self.now
            )
        outcome.result, outcome.reason, outcome.alerts = state, reason, [alert]
        return outcome

    def unreachable(self, item: Planned, reason: str, run: SyncRun) -> Outcome:
        """A fetch that failed after its retries: nothing to archive; operators hear of it once a day."""
        alert, created = Alert.objects.get_or_create(
            key=f"{Alert.Kind.QUARANTINE}:unreachable:{item.source.id}:{item.url}:{self.today}"[:250],
            defaults=dict(
                kind=Alert.Kind.QUARANTINE,
                urgent=False,
                audience=Alert.Audience.OPERATORS,
                first_seen=self.now,
                detail=f"{item.name} ({item.url}) could not be fetched: {reason}",
                source=item.source.id,
                document_url=item.url,
                created_at=self.now,
            ),
        )
        return Outcome(item.name, item.url, "unreachable", reason, alerts=[alert] if created else [])


def _policy(catalogue) -> Policy | None:
    """The same roles as the bundled dataset; None when no policy file is installed."""
    try:
        return Policy.load(catalogue)
    except FileNotFoundError:
        return None


def _progress(items: list[Planned], quiet: bool) -> Iterator[Planned]:
    bar = tqdm(items, desc="sync", unit="doc", file=sys.stderr, disable=quiet or not sys.stderr.isatty())
    yield from bar


def run_sync(
    *,
    source_ids: Iterable[str] | None = None,
    documents: Iterable[str] | None = None,
    from_dir: Path | None = None,
    base_url: str | None = None,
    fetcher_factory: Callable[[], Fetcher] | None = None,
    now: datetime | None = None,
    today: date | None = None,
    quiet: bool = False,
    refresh_protection: bool | None = None,
) -> SyncReport:
    """Fetch (or read from `from_dir`) every planned document, archive, parse and apply each one."""
    source_ids = list(source_ids) if source_ids else None
    syncer = Syncer(now=now, today=today)
    syncer.ensure_reference_data()
    origin = f"dir {from_dir}" if from_dir else ("live via " + base_url if base_url else "live")
    run = SyncRun.objects.create(origin=origin, started_at=syncer.now)
    items = plan(source_ids, live=from_dir is None, documents=documents)
    outcomes: list[Outcome] = []
    fetcher = None if from_dir else (fetcher_factory() if fetcher_factory else Fetcher(base_url=base_url))
    try:
        for item in _progress(items, quiet):
            if from_dir is not None:
                try:
                    document = read_stored(item, from_dir)
                except FileNotFoundError:
                    outcomes.append(Outcome(item.name, item.url, "missing"))
                    continue
            else:
                assert fetcher is not None
                try:
                    document = fetcher.fetch(item.url, source=item.source.id, name=item.name)
                except FetchError as error:
                    outcomes.append(syncer.unreachable(item, error.reason, run))
                    continue
            outcomes.append(syncer.process(item.source, document, run))
    finally:
        if fetcher is not None:
            fetcher.close()
    report = SyncReport(run, outcomes)
    if refresh_protection if refresh_protection is not None else source_ids is None:
        report.protection = _refresh_protection(base_url=base_url, from_dir=from_dir)
    run.finished_at = timezone.now()
    run.state = SyncRun.State.DONE
    run.summary = report.summary()
    run.save(update_fields=["finished_at", "state", "summary"])
    return report


def accept_quarantined(document_id: int, *, by: str, reason: str, now: datetime | None = None) -> Outcome:
    """Apply a quarantined document from its archived bytes, as an operator decided, and say who and why.

    The parser still runs (a page it cannot read is never applied); only the plausibility checks
    that quarantined it are lifted. The result is applied like any sync: snapshot, delta and the
    users' alerts, so a real mass withdrawal reaches subscribers once an operator confirms it.
    """
    if not reason.strip():
        raise AcceptError("say why the document is accepted (--reason)")
    row = SourceDocument.objects.filter(pk=document_id).first()
    if row is None:
        raise AcceptError(f"no source document {document_id}")
    if row.state != SourceDocument.State.QUARANTINED:
        raise AcceptError(
            f"document {document_id} is {row.state}; only a quarantined document can be accepted"
        )
    if "accepted" in row.meta:
        raise AcceptError(f"document {document_id} was already accepted by {row.meta['accepted']['by']}")
    named = [p.name for p in plan([row.source], live=False) if p.url == row.url]
    document = Document(
        source=row.source,
        url=row.url,
        content=archive.get(row.archive_path),
        retrieved_at=row.retrieved_at or timezone.now(),
        name=named[0] if named else "",
    )
    syncer = Syncer(now=now)
    syncer.ensure_reference_data()
    run = SyncRun.objects.create(origin=f"document {document_id} accepted by {by}", started_at=syncer.now)
    outcome = syncer.process(get_source(row.source), document, run, acceptance=Acceptance(by, reason.strip()))
    run.finished_at, run.state = timezone.now(), SyncRun.State.DONE
    run.summary = SyncReport(run, [outcome]).summary()
    run.save(update_fields=["finished_at", "state", "summary"])
    if outcome.document_id is None:  # the parser refused it after all: nothing applied, still quarantined
        return outcome
    row.meta = {
        **row.meta,
        "accepted": {
            "by": by,
            "reason": reason.strip(),
            "at": syncer.now.isoformat(),
            "applied_as": outcome.document_id,
        },
    }
    row.save(update_fields=["meta"])
    return outcome


def _refresh_protection(*, base_url: str | None, from_dir: Path | None) -> str | None:
    """The protection figures refresh with the treaty sources, when that module is installed."""
    try:
        from treatywatch.protection.sync import refresh
    except ImportError:
        return None
    try:
        return refresh(base_url=base_url, from_dir=from_dir)
    except Exception as error:  # its failure must not undo or hide the treaty sources' results
        return f"protection refresh failed: {type(error).__name__}: {error}"
