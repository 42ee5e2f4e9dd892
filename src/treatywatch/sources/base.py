"""The contract between the framework and each source's parser."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import yaml

from treatywatch.engine.events import Event, Provenance
from treatywatch.knowledge.participants import ParticipantRegistry
from treatywatch.knowledge.treaties import TreatyCatalogue

SOURCES_DIR = Path(__file__).parent


class ParseError(ValueError):
    """The document is not what the parser understands (unknown marker, header or name).

    Hard failure: the document is rejected whole and nothing already stored changes.
    The message names the file, the row and the offending value.
    """

    def __init__(
        self, document: str, message: str, *, row: str | int | None = None, value: str | None = None
    ):
        where = f"{document}" + (f", row {row}" if row is not None else "")
        what = f": {message}" + (f" ({value!r})" if value is not None else "")
        super().__init__(where + what)
        self.document, self.row, self.value = document, row, value


class SoftFailure(ValueError):
    """The document parsed but is implausible (empty grid, maintenance page, too few parties).

    It is quarantined: not published, no user alert, one operator alert; the previous data stays.
    """

    def __init__(self, document: str, reason: str):
        super().__init__(f"{document}: {reason}")
        self.document, self.reason = document, reason


@dataclass(frozen=True, slots=True)
class Bounds:
    min_participants: int = 0
    max_participants: int = 400
    max_removed_share: float = 0.1  # a delta removing more than this share of parties is quarantined


@dataclass(frozen=True, slots=True)
class SourceMeta:
    """Declarative metadata read from a source folder's `source.yaml`."""

    id: str
    title: str
    publisher: str
    url_pattern: str
    licence: str
    citation: str
    trust: str = "primary"  # primary | secondary | derived
    bounds: Bounds = field(default_factory=Bounds)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> SourceMeta:
        raw = yaml.safe_load((folder / "source.yaml").read_text(encoding="utf-8"))
        bounds = Bounds(**raw.pop("bounds", {}))
        known = {
            k: raw.pop(k)
            for k in ("id", "title", "publisher", "url_pattern", "licence", "citation", "trust")
            if k in raw
        }
        return cls(**known, bounds=bounds, extra=raw)

    def provenance(
        self, document: Document, original: str, *, url: str | None = None, trust: str | None = None
    ) -> Provenance:
        """Where a fact read from `document` came from: this source, the document's bytes, the string
        read; `url` when the fact names an address of its own, `trust` when it is lower than the source's."""
        return Provenance(
            source=self.id,
            url=url or document.url,
            retrieved_at=document.retrieved_at,
            original=original,
            document_sha256=document.sha256,
            trust=trust or self.trust,
        )


@dataclass(frozen=True, slots=True)
class Document:
    """A fetched or stored document: bytes plus where and when they were obtained."""

    source: str
    url: str
    content: bytes
    retrieved_at: datetime
    name: str = ""  # file name, for error messages

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def text(self, encoding: str = "utf-8") -> str:
        return self.content.decode(encoding, errors="replace")

    @property
    def label(self) -> str:
        return self.name or self.url


@dataclass(slots=True)
class ParseResult:
    """What a parser read from one document."""

    events: list[Event]
    treaty: str | None = None  # the treaty the document is about, when it is about one
    as_of: date | None = None  # the status date the document prints
    printed_counts: dict[str, int] = field(default_factory=dict)  # e.g. {"parties": 162, "signatories": 132}
    notes: list[str] = field(default_factory=list)


class Parser(Protocol):
    def __call__(
        self, document: Document, *, participants: ParticipantRegistry, catalogue: TreatyCatalogue
    ) -> ParseResult: ...
