"""The method pinned on small hand-made tables whose shares are known by construction."""

from __future__ import annotations

from datetime import date

from lxml import etree

from treatywatch.protection.chart import Line, share_chart
from treatywatch.protection.data import Flow, ProtectionData, Resettlement
from treatywatch.protection.hosting import (
    check_claims,
    fiscal_year_for,
    hosting_figures,
    state_series,
    treaty_split,
)


def flow(origin: str, host: str, refugees: int = 0, oip: int = 0, asylum_seekers: int = 0) -> Flow:
    return Flow(origin, host, refugees, asylum_seekers, oip, 0, 0)


def table(flows: list[Flow], income: dict[int, dict[str, str]] | None = None) -> ProtectionData:
    """Syria borders Türkiye and Lebanon; Venezuela borders Colombia; Germany borders neither."""
    return ProtectionData(
        flows={2023: tuple(flows)},
        resettlement={2023: (Resettlement("SYR", "DEU", 70), Resettlement("SYR", "CAN", 5))},
        income=income if income is not None else {2024: {"TUR": "UM", "LBN": "LM", "COL": "UM", "DEU": "H"}},
        neighbours={
            "SYR": frozenset({"TUR", "LBN"}),
            "TUR": frozenset({"SYR"}),
            "LBN": frozenset({"SYR"}),
            "VEN": frozenset({"COL"}),
            "COL": frozenset({"VEN"}),
        },
        names={
            "SYR": "Syria",
            "TUR": "Türkiye",
            "LBN": "Lebanon",
            "VEN": "Venezuela",
            "COL": "Colombia",
            "DEU": "Germany",
        },
        regions={
            "SYR": "Asia",
            "TUR": "Asia",
            "LBN": "Asia",
            "VEN": "Americas",
            "COL": "Americas",
            "DEU": "Europe",
        },
        kinds={c: "un_member" for c in ("SYR", "TUR", "LBN", "VEN", "COL", "DEU")} | {"ABW": "territory"},
        sources=(),
    )


# 1000 people in need by construction: 500 + 100 neighbouring (TUR, LBN), 200 oip neighbouring (COL),
# 150 refugees in Germany (not neighbouring) and 50 of unknown origin in Türkiye.
FLOWS = [
    flow("SYR", "TUR", refugees=500, asylum_seekers=9_999),  # asylum-seekers never count
    flow("SYR", "LBN", refugees=100),
    flow("VEN", "COL", oip=200),
    flow("SYR", "DEU", refugees=150),
    flow("UNK", "TUR", refugees=50),
]


def test_shares_known_by_construction() -> None:
    figures = hosting_figures(table(FLOWS), 2023)
    assert figures.refugees_total == 1000
    assert figures.oip == 200
    assert figures.neighbouring == 800  # unknown origin is never neighbouring
    assert figures.neighbouring_share == 0.8
    assert figures.income.fiscal_year == 2024 == fiscal_year_for(2023)
    assert figures.low_middle_income == 850  # all but Germany
    assert figures.low_middle_income_share == 0.85
    assert figures.developing_regions_share == 0.85
    assert figures.no_country_of_origin == {"UNK": 50}
    assert [h.code for h in figures.largest_hosts] == ["TUR", "COL", "DEU", "LBN"]
    assert figures.largest_hosts[0].refugees == 550 and figures.largest_hosts[0].neighbouring == 500


def test_unclassified_host_counts_in_total_only_and_makes_the_claim_undetermined() -> None:
    income = {2024: {"TUR": "UM", "LBN": "LM", "DEU": "H"}}  # Colombia left unclassified
    figures = hosting_figures(table(FLOWS, income), 2023)
    assert figures.low_middle_income_share == 0.65
    assert figures.unclassified_share == 0.2
    assert [h.code for h in figures.income.unclassified_hosts] == ["COL"]
    verdicts = {c.measure: c.verdict for c in figures.claims}
    assert verdicts["low_middle_income_share"] == "undetermined"  # 65% + 20% unclassified straddles 70%


def test_no_classification_for_the_fiscal_year_gives_no_share() -> None:
    figures = hosting_figures(table(FLOWS, {2023: {"TUR": "UM"}}), 2023)  # FY2023 is not the one in force
    assert figures.low_middle_income_share is None
    assert {c.measure: c.verdict for c in figures.claims}["low_middle_income_share"] == "undetermined"


def test_letter_claims_flip_at_their_thresholds() -> None:
    data = table([flow("SYR", "TUR", refugees=2), flow("SYR", "DEU", refugees=1)])
    figures = hosting_figures(data, 2023)
    assert figures.neighbouring_share == 2 / 3
    verdicts = {c.measure: c.verdict for c in check_claims(figures)}
    assert verdicts["neighbouring_share"] == "does not hold"  # exactly two-thirds is not "over two-thirds"
    more = hosting_figures(table([flow("SYR", "TUR", refugees=201), flow("SYR", "DEU", refugees=100)]), 2023)
    assert {c.measure: c.verdict for c in more.claims}["neighbouring_share"] == "holds"


def test_treaty_split_by_host_status_and_territories_not_assessed() -> None:
    data = table([*FLOWS, flow("VEN", "ABW", oip=30)])
    split = treaty_split(
        data.flows[2023], data, date(2023, 12, 31), lambda code: code in {"TUR", "DEU", "COL"}
    )
    assert (split.in_party_states, split.in_non_party_states, split.not_assessed) == (900, 100, 30)
    assert [h.code for h in split.largest_non_party_hosts] == ["LBN"]


def test_state_series_hosted_and_resettled() -> None:
    rows = state_series(table(FLOWS), "DEU")
    assert [(r.year, r.hosted, r.resettlement_arrivals) for r in rows] == [(2023, 150, 70)]
    syria = state_series(table(FLOWS), "SYR")
    assert syria[0].from_state == 750 and syria[0].hosted == 0


def test_chart_is_well_formed_svg_with_a_text_alternative() -> None:
    svg = share_chart(
        [Line("neighbouring", [(2020, 0.73), (2021, None), (2022, 0.7)], "#000")], title="Shares"
    )
    root = etree.fromstring(svg.encode())
    assert root.tag.endswith("svg") and root.get("role") == "img"
    desc = root.find("{http://www.w3.org/2000/svg}desc").text
    assert "2020 73%" in desc and "2022 70%" in desc
    assert share_chart([Line("empty", [(2020, None)], "#000")], title="x") == ""
