"""Spotting the same organisation under two spellings, without merging distinct ones.

Coalition lists carry "ACLU" and "American Civil Liberties Union", typos, word-order changes and
legal-form suffixes; they also carry national sections ("Amnesty International" and "Amnesty
International Australia") that are different signatories. This module only *classifies* pairs:
`same` (probably one organisation: a coordinator should decide on a merge) or `related` (a section,
chapter or local group: shown, never merged automatically). Pure: no Django, no database.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

DATA_DIR = Path(__file__).with_name("data")
SAME = "same"
RELATED = "related"
# ratio() of two whole normalised names above which a pair may be one organisation misspelt ...
SPELLING_THRESHOLD = 85
# ... provided every differing word has a counterpart at least this close ("Unoin" ~ "Union").
WORD_THRESHOLD = 75
# Pairs below this whole-name ratio are not even looked at unless they share an acronym or words.
PREFILTER_THRESHOLD = 70

_ACRONYM_IN_BRACKETS = re.compile(r"[(\[]\s*([^()\[\]\s]{2,16})\s*[)\]]")
_TRAILING_ACRONYM = re.compile(r"(?:\s*[-–,]\s*|\s+)([A-Z][A-Z0-9]{1,9})\s*$")
_WORD = re.compile(r"[0-9a-z]+")
_LINKING_WORDS = frozenset({"of", "the", "and", "for", "de", "la", "des", "du", "del", "y", "et"})


@functools.lru_cache(maxsize=1)
def lookups() -> dict:
    """The word lists in data/signatory_lookups.yaml plus place names from the participants table."""
    with (DATA_DIR / "signatory_lookups.yaml").open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    places = {fold(p) for p in data["places"]}
    try:
        from treatywatch.knowledge.participants import load_registry

        for participant in load_registry():
            for name in (participant.name, *participant.aliases):
                words = _WORD.findall(fold(name))
                if len(words) == 1:
                    places.add(words[0])
    except FileNotFoundError:  # participants table not built yet: the curated list still works
        pass
    data["places"] = places
    data["stopwords"] = {fold(w) for w in data["stopwords"]}
    data["legal_forms"] = {fold(w) for w in data["legal_forms"]}
    return data


@functools.lru_cache(maxsize=1)
def alpha2_codes() -> dict[str, str]:
    """ISO 3166-1 alpha-3 -> alpha-2 (OSDI postal addresses use alpha-2)."""
    with (DATA_DIR / "iso3166_alpha2.json").open(encoding="utf-8") as fh:
        return json.load(fh)["alpha3_to_alpha2"]


def fold(text: str) -> str:
    """Case-, accent- and apostrophe-insensitive form ("Asociación" == "ASOCIACION")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("&", " and ").replace("'", "").replace("\u2019", "").casefold()


@dataclass(frozen=True, slots=True)
class Name:
    """A signatory name prepared for comparison."""

    raw: str
    key: str  # significant words, in order, space-separated
    words: frozenset[str]
    acronyms: frozenset[str]  # written ("(ECRE)") or built from initials
    written: frozenset[str]  # only the acronyms written in the name
    bare_acronym: str | None  # the whole name is an acronym ("ACLU")

    @property
    def compact(self) -> str:
        return self.key.replace(" ", "")


def explicit_acronyms(raw: str) -> tuple[str, set[str]]:
    """Split "European Council on Refugees and Exiles (ECRE)" into the name and {"ECRE"}."""
    found: set[str] = set()
    base = raw
    for match in _ACRONYM_IN_BRACKETS.finditer(raw):
        token = match.group(1)
        if sum(c.isupper() for c in token) >= 2:
            found.add(fold(token).replace("-", ""))
            base = base.replace(match.group(0), " ")
    if not raw.isupper():
        trailing = _TRAILING_ACRONYM.search(base)
        if (
            trailing
            and len(base[: trailing.start()].split()) >= 2
            and fold(trailing.group(1)) not in lookups()["places"]
        ):
            found.add(fold(trailing.group(1)))
            base = base[: trailing.start()]
    return base, found


def prepare(raw: str) -> Name:
    data = lookups()
    base, acronyms = explicit_acronyms(raw)
    all_words = _WORD.findall(fold(base))
    while len(all_words) > 1 and all_words[-1] in data["legal_forms"]:
        all_words.pop()
    significant = [w for w in all_words if w not in data["stopwords"]] or all_words
    bare = None
    stripped = raw.strip()
    if (
        len(all_words) == 1
        and re.fullmatch(r"[A-Za-z][A-Za-z.&-]{1,11}", stripped)
        and sum(c.isupper() for c in stripped) >= 2
    ):
        bare = all_words[0]
    written = frozenset(acronyms)
    if len(significant) >= 2:
        acronyms.add("".join(w[0] for w in significant))
        acronyms.add("".join(w[0] for w in all_words))
        acronyms.add(
            "".join(w[0] for w in all_words if w not in _LINKING_WORDS)
        )  # "KIND": Kids in Need of Defense
    return Name(raw, " ".join(significant), frozenset(significant), frozenset(acronyms), written, bare)


@dataclass(frozen=True, slots=True)
class Match:
    relation: str  # SAME or RELATED
    score: float
    reason: str


def _words_align(left: set[str], right: set[str]) -> bool:
    return all(max((fuzz.ratio(w, o) for o in right), default=0) >= WORD_THRESHOLD for w in left)


def compare(a: Name, b: Name) -> Match | None:
    """Classify a pair of names, or None when they look unrelated."""
    if a.key == b.key or a.compact == b.compact:
        return Match(SAME, 100.0, "same name once case, accents, punctuation and legal form are ignored")
    for short, long in ((a, b), (b, a)):
        if short.bare_acronym and short.bare_acronym in long.acronyms and not long.bare_acronym:
            return Match(SAME, 95.0, f"{short.raw!r} is the acronym of {long.raw!r}")
    score = fuzz.ratio(a.key, b.key)
    extra_a, extra_b = set(a.words - b.words), set(b.words - a.words)
    places = lookups()["places"]
    if not extra_a and not extra_b:
        return Match(SAME, float(score), "same words in a different order")
    if not extra_a or not extra_b:
        smaller, larger = (a, b) if not extra_a else (b, a)
        extra = extra_b or extra_a
        grows_at_an_end = larger.key.startswith(smaller.key + " ") or larger.key.endswith(" " + smaller.key)
        if len(smaller.words) >= 2 and (grows_at_an_end or extra <= places):
            return Match(
                RELATED, float(score), f"adds {' '.join(sorted(extra))!r}: a section, chapter or local group?"
            )
        return None
    if (extra_a | extra_b) <= places:
        return Match(RELATED, float(score), f"differ only by place: {sorted(extra_a)} / {sorted(extra_b)}")
    if score >= SPELLING_THRESHOLD and _words_align(extra_a, extra_b) and _words_align(extra_b, extra_a):
        return Match(SAME, float(score), f"similar spelling ({score:.0f}%)")
    shared = sorted(a.written & b.written)
    if shared and len(shared[0]) >= 3 and score >= PREFILTER_THRESHOLD:
        return Match(SAME, float(score), f"both written with the acronym {shared[0].upper()!r}")
    return None


@dataclass(frozen=True, slots=True)
class Pair:
    first: int  # index into the names given
    second: int
    match: Match


def find_pairs(raw_names: Sequence[str]) -> list[Pair]:
    """Every same/related pair among names, without comparing all n² pairs in Python."""
    names = [prepare(n) for n in raw_names]
    candidates: set[tuple[int, int]] = set()
    by_exact: dict[str, list[int]] = defaultdict(list)
    by_acronym: dict[str, list[int]] = defaultdict(list)
    by_word: dict[str, set[int]] = defaultdict(set)
    for i, name in enumerate(names):
        by_exact[name.compact].append(i)
        for acronym in name.acronyms | ({name.bare_acronym} if name.bare_acronym else set()):
            by_acronym[acronym].append(i)
        for word in name.words:
            by_word[word].add(i)
    for group in (*by_exact.values(), *by_acronym.values()):
        candidates.update(combinations(sorted(group), 2))
    for i, name in enumerate(names):  # names containing all of this one's words (sections, chapters)
        if len(name.words) >= 2:
            containing = set.intersection(*(by_word[w] for w in name.words))
            candidates.update((min(i, j), max(i, j)) for j in containing if j != i)
    keys = [n.key for n in names]
    for i, key in enumerate(keys):  # close spellings: rapidfuzz scans in C, no n x n matrix in memory
        for _, _, j in process.extract(
            key, keys, scorer=fuzz.ratio, score_cutoff=PREFILTER_THRESHOLD, limit=None
        ):
            if j > i:
                candidates.add((i, j))
    pairs = []
    for i, j in sorted(candidates):
        match = compare(names[i], names[j])
        if match is not None:
            pairs.append(Pair(i, j, match))
    return pairs


def matches_for(raw: str, others: Iterable[tuple[object, str]]) -> list[tuple[object, Match]]:
    """Compare one new name against (id, name) pairs already stored: O(n), for a single signature."""
    name = prepare(raw)
    found = []
    for ident, other in others:
        match = compare(name, prepare(other))
        if match is not None:
            found.append((ident, match))
    return found


def name_key(raw: str) -> str:
    """The stored comparison key: equal keys are the same organisation for the uniqueness rule."""
    return prepare(raw).compact[:300]
