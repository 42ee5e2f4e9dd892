"""De-duplication: the same organisation under two spellings is caught; sections are kept apart."""

from __future__ import annotations

import pytest

from treatywatch.campaigns.dedupe import RELATED, SAME, compare, find_pairs, name_key, prepare


def relation(a: str, b: str) -> str | None:
    match = compare(prepare(a), prepare(b))
    return match.relation if match else None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ACLU", "American Civil Liberties Union"),
        ("ECRE", "European Council on Refugees and Exiles (ECRE)"),
        ("KIND", "Kids in Need of Defense"),
        ("American Civil Liberties Unoin", "American Civil Liberties Union"),
        ("ASOCIACIÓN PRO DERECHOS HUMANOS DE ESPAÑA", "Asociacion Pro Derechos Humanos de Espana"),
        ("Help Himalayan Youth Foundation Inc", "Help Himalayan Youth Foundation"),
        ("Norwegian Refugee Council", "Refugee Council, Norwegian"),
        ("Amormigrant.org", "Amor Migrant org"),
    ],
)
def test_same_organisation_is_caught(a: str, b: str) -> None:
    assert relation(a, b) == SAME


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Amnesty International", "Amnesty International Australia"),
        ("Refugee Council of Australia", "Refugee Council of Austria"),
        ("Rural Australians for Refugees", "Rural Australians for Refugees Southern Highlands"),
    ],
)
def test_sections_are_related_not_same(a: str, b: str) -> None:
    assert relation(a, b) == RELATED


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("American Civil Liberties Union", "Zambian Civil Liberties Union (ZCLU)"),
        ("Human Rights Commission", "Human Rights Council"),
        ("Refugee Council USA", "Danish Refugee Council"),
        ("Center for Constitutional Rights", "Center for Human Rights and Constitutional Law"),
    ],
)
def test_distinct_organisations_are_not_paired_as_same(a: str, b: str) -> None:
    assert relation(a, b) != SAME


def test_find_pairs_matches_pairwise_compare() -> None:
    names = [
        "ACLU",
        "Oxfam",
        "American Civil Liberties Union",
        "Amnesty International",
        "Amnesty International Australia",
        "OXFAM",
    ]
    found = {(names[p.first], names[p.second], p.match.relation) for p in find_pairs(names)}
    assert ("ACLU", "American Civil Liberties Union", SAME) in found
    assert ("Oxfam", "OXFAM", SAME) in found
    assert ("Amnesty International", "Amnesty International Australia", RELATED) in found
    assert not any(r == SAME and "Amnesty" in a for a, _, r in found)


def test_name_key_ignores_case_accents_and_punctuation() -> None:
    assert name_key("Fe y Alegría Venezuela") == name_key("FE Y ALEGRIA VENEZUELA.")
    assert name_key("Amnesty International") != name_key("Amnesty International Australia")
