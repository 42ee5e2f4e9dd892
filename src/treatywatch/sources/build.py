"""Build the bundled dataset (`data/bundle/`) from every registered source's stored documents.

Steps: parse every stored document of every source (any failure stops the build, naming the
document: the bundle is committed and must be clean); give each event its role from `policy.yaml`
(`status` feeds the engine, `crosscheck` is a second opinion); compare each cross-check document with
the status on that document's own date and record the disagreements for review; write the bundle
read by `store.loading.load_bundle`. Same input, same bytes: nothing depends on the clock or on
dictionary order, and the gzip headers carry no time stamp.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from treatywatch.engine.events import CONSENT_KINDS, Event, EventKind
from treatywatch.engine.status import ParticipationHistory, StatusAnswer
from treatywatch.knowledge.participants import ParticipantRegistry, load_registry
from treatywatch.knowledge.treaties import TreatyCatalogue, load_catalogue
from treatywatch.sources.base import SOURCES_DIR, Document, ParseError, ParseResult, SoftFailure
from treatywatch.sources.registry import RAW_DIR, REPO_DIR, Source, all_sources

POLICY_PATH = SOURCES_DIR / "policy.yaml"
BUNDLE_DIR = REPO_DIR / "data" / "bundle"
COVERAGE = ("full", "key_events")
NO_DATA_NOTE = "No participation data in the bundled sources."


class BuildError(RuntimeError):
    """The dataset cannot be built cleanly; the message names the document or policy entry at fault."""


@dataclass(frozen=True, slots=True)
class TreatyPolicy:
    slug: str
    group: str
    status_sources: tuple[str, ...]
    lower_trust: Mapping[str, str]
    coverage: str
    note: str


@dataclass(frozen=True, slots=True)
class Policy:
    """Per treaty: the sources whose events make its status; everything else is a cross-check."""

    treaties: Mapping[str, TreatyPolicy]
    crosscheck_everywhere: frozenset[str]
    sha256: str

    @classmethod
    def load(cls, catalogue: TreatyCatalogue, path: Path = POLICY_PATH) -> Policy:
        raw_bytes = path.read_bytes()
        raw = yaml.safe_load(raw_bytes)
        everywhere = frozenset(raw.get("crosscheck_everywhere") or ())
        treaties: dict[str, TreatyPolicy] = {}
        for group in raw["groups"]:
            status = tuple(group["status"])
            if everywhere & set(status):
                raise BuildError(
                    f"{path.name}: group {group['name']!r} makes a cross-check-only source a status source"
                )
            if group.get("coverage") not in COVERAGE:
                raise BuildError(f"{path.name}: group {group['name']!r}: coverage must be one of {COVERAGE}")
            for slug in group["treaties"]:
                if slug not in catalogue:
                    raise BuildError(f"{path.name}: group {group['name']!r} names unknown treaty {slug!r}")
                if slug in treaties:
                    raise BuildError(f"{path.name}: treaty {slug!r} is in two groups")
                treaties[slug] = TreatyPolicy(
                    slug=slug,
                    group=group["name"],
                    status_sources=status,
                    lower_trust=dict(group.get("lower_trust") or {}),
                    coverage=group["coverage"],
                    note=" ".join(str(group.get("note", "")).split()),
                )
        missing = sorted(t.slug for t in catalogue if t.slug not in treaties)
        if missing:
            raise BuildError(f"{path.name}: no status policy for {', '.join(missing)}")
        return cls(treaties, everywhere, hashlib.sha256(raw_bytes).hexdigest())

    def role(self, treaty: str, source: str) -> str:
        return "status" if source in self.treaties[treaty].status_sources else "crosscheck"


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    source: Source
    document: Document
    result: ParseResult
    sha256: str  # computed once: `Document.sha256` rehashes the content on every call

    @property
    def as_of(self) -> date | None:
        return self.result.as_of


@dataclass(frozen=True, slots=True)
class RoledEvent:
    event: Event
    role: str
    origin: ParsedDocument


@dataclass(slots=True)
class BuildSummary:
    out_dir: Path
    documents: int = 0
    events: int = 0
    status_events: int = 0
    discrepancies: int = 0
    sources: list[str] = field(default_factory=list)


def parse_all(
    sources: Iterable[Source], raw_dir: Path, participants: ParticipantRegistry, catalogue: TreatyCatalogue
) -> list[ParsedDocument]:
    """Every stored document of every source, parsed; the first failure stops everything."""
    parsed: list[ParsedDocument] = []
    for source in sources:
        try:
            documents = list(source.stored_documents(raw_dir))
        except (FileNotFoundError, KeyError) as error:
            raise BuildError(f"source {source.id}: cannot list its stored documents: {error}") from None
        for document in documents:
            try:
                result = source.parse(document, participants=participants, catalogue=catalogue)
            except ParseError as error:
                raise BuildError(
                    f"source {source.id}: document {document.label} failed to parse: {error}"
                ) from None
            except SoftFailure as error:
                raise BuildError(
                    f"source {source.id}: document {document.label} quarantined: {error.reason}"
                ) from None
            parsed.append(ParsedDocument(source, document, result, document.sha256))
    return parsed


def assign_roles(parsed: Sequence[ParsedDocument], policy: Policy) -> list[RoledEvent]:
    """Each event once (by content id, first document wins), with its role and policy trust."""
    seen: set[str] = set()
    roled: list[RoledEvent] = []
    for item in parsed:
        for event in item.result.events:
            if event.treaty not in policy.treaties:
                raise BuildError(
                    f"source {item.source.id}: document {item.document.label}: no policy for treaty {event.treaty!r}"
                )
            if event.event_id in seen:
                continue
            seen.add(event.event_id)
            role = policy.role(event.treaty, event.provenance.source)
            trust = policy.treaties[event.treaty].lower_trust.get(event.provenance.source)
            if trust and role == "crosscheck":
                event = dataclasses.replace(
                    event, provenance=dataclasses.replace(event.provenance, trust=trust)
                )
            roled.append(RoledEvent(event, role, item))
    return roled


def _event_key(item: RoledEvent) -> tuple[str, ...]:
    e = item.event
    return (
        e.treaty,
        e.state,
        e.date.isoformat() if e.date else "",
        str(e.kind),
        e.provenance.source,
        e.event_id,
    )


def _by_state(events: Iterable[Event]) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        grouped[event.state].append(event)
    return grouped


def find_discrepancies(
    roled: Sequence[RoledEvent], policy: Policy, catalogue: TreatyCatalogue, participants: ParticipantRegistry
) -> list[dict[str, Any]]:
    """Where a cross-check document disagrees with the status: party or not on its own date, consent and notice dates."""
    status: dict[str, list[Event]] = defaultdict(list)
    cross: dict[tuple[str, str], list[Event]] = defaultdict(list)
    origins: dict[tuple[str, str], ParsedDocument] = {}
    for item in roled:
        if item.role == "status":
            status[item.event.treaty].append(item.event)
        else:
            key = (item.event.treaty, item.origin.sha256)
            cross[key].append(item.event)
            origins[key] = item.origin
    found: list[dict[str, Any]] = []
    for (treaty, sha), events in cross.items():
        origin = origins[(treaty, sha)]
        treaty_policy = policy.treaties[treaty]
        clauses = catalogue.get(treaty).clauses
        status_by_state = _by_state(status.get(treaty, []))
        cross_by_state = _by_state(events)
        checker = f"{origin.source.id} ({origin.document.label}" + (
            f", as of {origin.as_of})" if origin.as_of else ")"
        )
        given_by = ", ".join(treaty_policy.status_sources)
        for state in sorted(set(cross_by_state)):
            name = participants.get(state).name if state in participants else state
            ours, theirs = status_by_state.get(state, []), cross_by_state[state]
            base = {
                "treaty": treaty,
                "state": state,
                "sources": [origin.source.id, *treaty_policy.status_sources],
                "as_of": origin.as_of.isoformat() if origin.as_of else None,
                "document": origin.document.url,
            }
            if origin.as_of is not None:
                mine = ParticipationHistory(clauses, state, ours).status_at(origin.as_of)
                other = ParticipationHistory(clauses, state, theirs).status_at(origin.as_of)
                if mine.counts_as_party != other.counts_as_party:
                    found.append(
                        {
                            **base,
                            "kind": "party_status",
                            "description": f"On {origin.as_of}, {checker} has {name} {_said(other)}; "
                            f"the status sources ({given_by}) have it {_said(mine)}.",
                        }
                    )
            for kind, label in (
                (CONSENT_KINDS, "consent"),
                (frozenset({EventKind.DENUNCIATION}), "withdrawal notice"),
            ):
                our_dates = {e.date for e in ours if e.kind in kind and e.date}
                their_dates = {e.date for e in theirs if e.kind in kind and e.date}
                extra = sorted(their_dates - our_dates)
                if extra and (our_dates or origin.as_of is None):
                    found.append(
                        {
                            **base,
                            "kind": "consent_date" if label == "consent" else "notice_date",
                            "description": f"{checker} gives a {label} of {name} dated {', '.join(map(str, extra))}; the status sources "
                            f"({given_by}) give "
                            + (", ".join(map(str, sorted(our_dates))) if our_dates else "none")
                            + ".",
                        }
                    )
    found.sort(key=lambda d: (d["treaty"], d["state"], d["kind"], d["description"]))
    return found


def _said(answer: StatusAnswer) -> str:
    return ("counted as party" if answer.counts_as_party else "not counted as party") + f" ({answer.status})"


def treaty_summaries(
    roled: Sequence[RoledEvent], parsed: Sequence[ParsedDocument], policy: Policy, catalogue: TreatyCatalogue
) -> dict[str, dict[str, Any]]:
    """What each treaty's status rests on: data date, sources, plain coverage note, printed counts."""
    contributing: dict[str, dict[str, ParsedDocument]] = defaultdict(dict)
    crosschecks: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for item in roled:
        if item.role == "status":
            contributing[item.event.treaty][item.origin.sha256] = item.origin
            counts[item.event.treaty] += 1
        else:
            crosschecks[item.event.treaty].add(item.event.provenance.source)
    summaries: dict[str, dict[str, Any]] = {}
    for treaty in sorted(policy.treaties):
        rule = policy.treaties[treaty]
        documents = list(contributing.get(treaty, {}).values())
        used = [s for s in rule.status_sources if any(d.source.id == s for d in documents)]
        dates = [d.as_of or d.document.retrieved_at.date() for d in documents]
        printed: dict[str, int] = {}
        for source_id in rule.status_sources:
            for d in documents:
                if (
                    d.source.id == source_id
                    and d.result.treaty == treaty
                    and d.result.printed_counts
                    and not printed
                ):
                    printed = dict(d.result.printed_counts)
        parts = [rule.note] if documents else [NO_DATA_NOTE, rule.note]
        for d in sorted(documents, key=lambda d: (rule.status_sources.index(d.source.id), d.document.label)):
            when = f"as of {d.as_of}" if d.as_of else f"compiled {d.document.retrieved_at.date()}"
            parts.append(f"{d.source.id}: {d.document.label} ({when}).")
        summaries[treaty] = {
            "data_as_of": max(dates).isoformat() if dates else None,
            "data_sources": used,
            "coverage": rule.coverage if documents else "none",
            "coverage_note": " ".join(p for p in parts if p),
            "printed_counts": printed,
            "status_events": counts.get(treaty, 0),
            "crosscheck_sources": sorted(crosschecks.get(treaty, set())),
            "policy_group": rule.group,
        }
    return summaries


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def source_manifest(
    parsed: Sequence[ParsedDocument], sources: Sequence[Source], raw_dir: Path
) -> list[dict[str, Any]]:
    """Each source's metadata, licence and citation, and the documents it was built from."""
    by_source: dict[str, list[ParsedDocument]] = defaultdict(list)
    for item in parsed:
        by_source[item.source.id].append(item)
    manifest = []
    for source in sorted(sources, key=lambda s: s.id):
        meta = source.meta
        documents = []
        for item in by_source.get(source.id, []):
            doc, result = item.document, item.result
            archived = (raw_dir / doc.name).is_file()
            documents.append(
                {
                    "name": doc.name,
                    "url": doc.url,
                    "sha256": item.sha256,
                    "retrieved_at": _iso(doc.retrieved_at),
                    "as_of": _iso(result.as_of),
                    "treaty": result.treaty,
                    "printed_counts": dict(result.printed_counts),
                    "events": len(result.events),
                    "notes": list(result.notes),
                    "archive_path": f"data/raw/{doc.name}" if archived else doc.name,
                }
            )
        manifest.append(
            {
                "id": meta.id,
                "title": meta.title,
                "publisher": meta.publisher,
                "url_pattern": meta.url_pattern,
                "licence": meta.licence,
                "citation": meta.citation,
                "trust": meta.trust,
                "live": bool(meta.extra.get("live", False)),
                "bounds": dataclasses.asdict(meta.bounds),
                "documents": documents,
            }
        )
    return manifest


def _setup_django() -> None:
    """The bundle's event shape is `store.convert.event_to_json`, which needs Django's app registry."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treatywatch.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def build_dataset(
    raw_dir: Path = RAW_DIR,
    out_dir: Path = BUNDLE_DIR,
    *,
    sources: Sequence[Source] | None = None,
    policy_path: Path = POLICY_PATH,
) -> BuildSummary:
    """Parse, assign roles, compare, write. Nothing is written unless every document parsed."""
    _setup_django()
    from treatywatch.store.convert import event_to_json
    from treatywatch.store.loading import DISCREPANCIES, EVENTS, MANIFEST, write_ndjson

    participants, catalogue = load_registry(), load_catalogue()
    policy = Policy.load(catalogue, policy_path)
    chosen = sorted(all_sources().values() if sources is None else sources, key=lambda s: s.id)
    parsed = parse_all(chosen, raw_dir, participants, catalogue)
    roled = sorted(assign_roles(parsed, policy), key=_event_key)
    discrepancies = find_discrepancies(roled, policy, catalogue, participants)
    retrieved = [p.document.retrieved_at for p in parsed]
    manifest = {
        "format": 1,
        # the latest retrieval among the inputs, not the wall clock: the same input gives the same bytes
        "built_at": _iso(max(retrieved)) if retrieved else None,
        "generator": "treatywatch build-dataset",
        "policy_sha256": policy.sha256,
        "counts": {
            "documents": len(parsed),
            "events": len(roled),
            "status_events": sum(1 for r in roled if r.role == "status"),
            "discrepancies": len(discrepancies),
        },
        "sources": source_manifest(parsed, chosen, raw_dir),
        "treaties": treaty_summaries(roled, parsed, policy, catalogue),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    staged = {name: out_dir / f".{name}.tmp" for name in (MANIFEST, EVENTS, DISCREPANCIES)}
    write_ndjson(staged[EVENTS], (event_to_json(r.event, r.role) for r in roled))
    write_ndjson(staged[DISCREPANCIES], discrepancies)
    staged[MANIFEST].write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    for name, path in staged.items():
        os.replace(path, out_dir / name)
    return BuildSummary(
        out_dir=out_dir,
        documents=len(parsed),
        events=len(roled),
        status_events=manifest["counts"]["status_events"],
        discrepancies=len(discrepancies),
        sources=[s.id for s in chosen],
    )
