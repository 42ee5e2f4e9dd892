"""Participants table and name resolution.

The fixtures are written by scripts/build_participants.py from the raw sources, so these tests never
read ../shared: seen_names.txt holds every distinct raw spelling (with one file it came from) that
must resolve; unresolved_names.txt holds the values deliberately left out, which must raise.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treatywatch.knowledge.participants import (
    Participant,
    ParticipantRegistry,
    UnknownParticipantError,
    clean_name,
    load_registry,
)

FIXTURES = Path(__file__).parent / "fixtures"
REGISTRY = load_registry()
SPELLINGS = [(spelling, p.code) for p in REGISTRY for spelling in (p.name, *p.aliases)]


def _fixture(name: str) -> list[list[str]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line]


def test_every_spelling_seen_in_the_sources_resolves() -> None:
    rows = _fixture("seen_names.txt")
    assert len(rows) > 800  # guards against an accidentally emptied fixture
    failures = []
    for spelling, source in rows:
        try:
            REGISTRY.resolve(spelling, context=source)
        except UnknownParticipantError as exc:
            failures.append(str(exc))
    assert failures == []


def test_values_left_out_on_purpose_raise() -> None:
    rows = _fixture("unresolved_names.txt")
    assert {row[0] for row in rows} >= {"UNK", "Stateless", "Palestinian", "Abyei Area"}
    for spelling, source, reason in rows:
        assert reason
        with pytest.raises(UnknownParticipantError):
            REGISTRY.resolve(spelling, context=source)


def test_kinds() -> None:
    by_kind: dict[str, set[str]] = {}
    for p in REGISTRY:
        by_kind.setdefault(p.kind, set()).add(p.code)
    assert len(by_kind["un_member"]) == 193
    assert by_kind["observer_state"] == {"VAT", "PSE"}
    assert {"COK", "NIU", "XKX"} <= by_kind["non_member_state"]
    assert {"SUN", "YUG", "CSK", "DDR", "SCG", "YMD"} <= by_kind["historical_state"]
    assert "EUE" in by_kind["organization"]
    assert {"HKG", "PRI", "CHI"} <= by_kind["territory"]
    assert all(p.un_member_since for p in REGISTRY if p.kind == "un_member")
    assert REGISTRY.get("VAT").un_member_since is None


def test_treaty_participants_exclude_territories() -> None:
    codes = {p.code for p in REGISTRY.treaty_participants()}
    assert {"EUE", "SUN", "VAT", "TUR"} <= codes
    assert "PRI" not in codes
    assert len(codes) == sum(1 for p in REGISTRY if p.kind != "territory")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Bosnia and Herzegovina 2", "Bosnia and Herzegovina"),
        ("Germany 3, 4", "Germany"),
        ("China 12, 13", "China"),
        ("Germany   3 ,  8  ", "Germany"),
        ("\u00a0Türkiye\u00a01 ", "Türkiye"),
        ("Yemen", "Yemen"),
        ("Yemen 7", "Yemen"),
        ("Côte d\u2019Ivoire", "Côte d'Ivoire"),
        ("Democratic People\u2019s   Republic\nof Korea", "Democratic People's Republic of Korea"),
        ("1/Argentina*", "Argentina"),
        ("Venezuela*", "Venezuela"),
        ("Bolivia (Plurinational State of) 5", "Bolivia (Plurinational State of)"),
    ],
)
def test_clean_name(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("Türkiye 2", "TUR"),
        ("Turkey", "TUR"),
        ("Czech Republic", "CZE"),
        ("Swaziland", "SWZ"),
        ("The former Yugoslav Republic of Macedonia", "MKD"),
        ("Côte d\u2019Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("Korea, Dem. People's Rep.", "PRK"),
        ("Democratic People's Republic of Korea", "PRK"),
        ("Republic of Korea", "KOR"),
        ("Congo", "COG"),
        ("Zaire", "COD"),
        ("Union of Soviet Socialist Republics", "SUN"),
        ("Byelorussian SSR", "BLR"),
        ("European Union 1", "EUE"),
        ("Bolivia (Plurinational State of)", "BOL"),
        ("deu", "DEU"),
        ("Sahrawi Arab Democratic Republic", "ESH"),
        ("Korea, Rep.", "KOR"),
    ],
)
def test_resolve_known_spellings(spelling: str, code: str) -> None:
    assert REGISTRY.resolve(spelling) == code


@pytest.mark.parametrize("spelling", ["Yugoslavia", "Korea", "Atlantis", "", "Germany East"])
def test_unknown_or_ambiguous_spelling_raises_with_value_and_context(spelling: str) -> None:
    with pytest.raises(UnknownParticipantError) as info:
        REGISTRY.resolve(spelling, context="cat.html row 7")
    assert repr(spelling) in str(info.value)
    assert "cat.html row 7" in str(info.value)


def test_get_unknown_code_raises() -> None:
    with pytest.raises(UnknownParticipantError, match="'ZZZ'"):
        REGISTRY.get("ZZZ")
    assert "ZZZ" not in REGISTRY
    assert "DEU" in REGISTRY


def test_localized_names() -> None:
    germany = REGISTRY.get("DEU")
    assert germany.localized_name("fr") == "Allemagne"
    assert germany.localized_name("es") == "Alemania"
    assert germany.localized_name("en") == "Germany"
    assert REGISTRY.get("SUN").localized_name("fr") == "Union of Soviet Socialist Republics"


def test_codes_and_numbers() -> None:
    for p in REGISTRY:
        for number in (p.iso_numeric, p.m49):
            assert number is None or (len(number) == 3 and number.isdigit()), p.code
    assert REGISTRY.get("AFG").iso_numeric == "004"
    assert REGISTRY.get("XKX").iso_numeric is None


def test_succession_links_are_consistent() -> None:
    for p in REGISTRY:
        for successor in p.successors:
            assert p.code in REGISTRY.get(successor).predecessors
        for predecessor in p.predecessors:
            assert p.code in REGISTRY.get(predecessor).successors
        if p.kind == "historical_state":
            assert p.successors and p.valid_from and p.valid_to and p.valid_from < p.valid_to
    assert REGISTRY.get("SUN").successors[0] == "RUS"
    assert REGISTRY.get("DDR").successors == ("DEU",)
    assert set(REGISTRY.get("SCG").successors) == {"SRB", "MNE"}
    assert REGISTRY.get("YMD").valid_to == date(1990, 5, 22)


def _participant(code: str, name: str, aliases: tuple[str, ...] = ()) -> Participant:
    return Participant(
        code=code,
        name=name,
        kind="un_member",
        names={},
        formal_name=None,
        un_member_since=None,
        iso_numeric=None,
        m49=None,
        region=None,
        subregion=None,
        successors=(),
        predecessors=(),
        valid_from=None,
        valid_to=None,
        aliases=aliases,
    )


def test_registry_refuses_ambiguous_spellings() -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        ParticipantRegistry([_participant("AAA", "Congo"), _participant("BBB", "Zaire", ("congo",))])


def test_load_registry_is_cached_for_the_bundled_file() -> None:
    assert load_registry() is load_registry()
    assert len(REGISTRY) == len(list(REGISTRY))


@given(st.sampled_from(SPELLINGS), st.integers(min_value=1, max_value=40), st.booleans())
def test_every_name_and_alias_resolves_to_its_code(pair: tuple[str, str], footnote: int, upper: bool) -> None:
    spelling, code = pair
    assert REGISTRY.resolve(spelling) == code
    noisy = f" {spelling.upper() if upper else spelling} {footnote}\u00a0"
    assert REGISTRY.resolve(noisy) == code
