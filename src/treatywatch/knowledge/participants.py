"""Treaty participants (states, historical states, organisations, territories) and name resolution.

Every source spells participants differently ("Türkiye" / "Turkey", "Bosnia and Herzegovina 2",
"Korea, Dem. People's Rep."). This module maps those spellings to one stable code, using only the
curated table bundled in ``data/participants.yaml`` (built by ``scripts/build_participants.py``).
Resolution is exact after normalisation: an unknown spelling raises instead of being guessed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).with_name("data") / "participants.yaml"

KINDS = frozenset(
    {"un_member", "observer_state", "non_member_state", "historical_state", "organization", "territory"}
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
# Footnote numbers appended by UNTC ("Germany 3, 4", "Bosnia and Herzegovina 2"); no real name ends in digits.
_TRAILING_FOOTNOTES = re.compile(r"(?:[\s,]*\d+)+$")
# Note markers prefixed by OAS tables ("1/Argentina").
_LEADING_NOTE = re.compile(r"^\d+/")


def clean_name(raw: str) -> str:
    """Strip footnote/note markers and typographic noise so spellings compare equal across sources."""
    text = unicodedata.normalize("NFC", raw).translate(_APOSTROPHES)
    text = " ".join(text.split())  # also folds NBSP, tabs and newlines
    text = text.strip(" *")
    text = _LEADING_NOTE.sub("", text)
    text = _TRAILING_FOOTNOTES.sub("", text)
    return text.strip(" *")


def _key(name: str) -> str:
    return clean_name(name).casefold()


@dataclass(frozen=True, slots=True)
class Participant:
    """One entity that can appear in treaty or country data."""

    code: str
    name: str
    kind: str
    names: Mapping[str, str]
    formal_name: str | None
    un_member_since: int | None
    iso_numeric: str | None
    m49: str | None
    region: str | None
    subregion: str | None
    successors: tuple[str, ...]
    predecessors: tuple[str, ...]
    valid_from: date | None
    valid_to: date | None
    aliases: tuple[str, ...]

    def localized_name(self, lang: str) -> str:
        """UN name in ``lang`` (``fr``, ``es``), falling back to the English name."""
        return self.names.get(lang) or self.name


class UnknownParticipantError(LookupError):
    """A code or spelling that the participants table does not know."""

    def __init__(self, value: str, context: str = "") -> None:
        self.value = value
        self.context = context
        where = f" (in {context})" if context else ""
        super().__init__(f"unknown participant {value!r}{where}")


class ParticipantRegistry:
    """Code -> participant lookup and spelling -> code resolution."""

    def __init__(self, participants: Iterable[Participant]) -> None:
        self._by_code: dict[str, Participant] = {}
        self._by_key: dict[str, str] = {}
        for p in participants:
            if p.code in self._by_code:
                raise ValueError(f"duplicate participant code {p.code!r}")
            self._by_code[p.code] = p
        for p in self._by_code.values():
            for spelling in (p.code, p.name, *p.aliases):
                key = _key(spelling)
                other = self._by_key.setdefault(key, p.code)
                if other != p.code:
                    raise ValueError(f"spelling {spelling!r} is ambiguous: {other} and {p.code}")

    def get(self, code: str) -> Participant:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownParticipantError(code) from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Participant]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def resolve(self, name: str, *, context: str = "") -> str:
        """Code for a spelling seen in a source; raises rather than guessing."""
        try:
            return self._by_key[_key(name)]
        except KeyError:
            raise UnknownParticipantError(name, context) from None

    def treaty_participants(self) -> list[Participant]:
        """Entities that can join treaties (territories only matter for statistics joins)."""
        return [p for p in self._by_code.values() if p.kind != "territory"]


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _participant(record: Mapping[str, Any]) -> Participant:
    kind = record["kind"]
    if kind not in KINDS:
        raise ValueError(f"participant {record['code']!r}: unknown kind {kind!r}")
    return Participant(
        code=record["code"],
        name=record["name"],
        kind=kind,
        names=MappingProxyType(dict(record.get("names") or {})),
        formal_name=record.get("formal_name"),
        un_member_since=record.get("un_member_since"),
        iso_numeric=record.get("iso_numeric"),
        m49=record.get("m49"),
        region=record.get("region"),
        subregion=record.get("subregion"),
        successors=tuple(record.get("successors") or ()),
        predecessors=tuple(record.get("predecessors") or ()),
        valid_from=_date(record.get("valid_from")),
        valid_to=_date(record.get("valid_to")),
        aliases=tuple(record.get("aliases") or ()),
    )


def _load(path: Path) -> ParticipantRegistry:
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # C parser: 10x faster
    return ParticipantRegistry(_participant(r) for r in data["participants"])


@functools.lru_cache(maxsize=1)
def _default_registry() -> ParticipantRegistry:
    return _load(DEFAULT_PATH)


def load_registry(path: Path | None = None) -> ParticipantRegistry:
    """The bundled table (cached), or the table at ``path`` (read fresh, e.g. in tests)."""
    return _default_registry() if path is None else _load(path)
