"""The Protection page, CSV downloads, API router, state panel and command line, on the real data.

Treaty status comes from the real 2015 UNTC status tables for the 1951 Convention (V-2) and 1967 Protocol
(V-5), read by the project's own parser and folded by the rules engine.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from ninja.testing import TestClient

from treatywatch.cli import main
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.protection.api import router
from treatywatch.protection.service import state_protection_context
from treatywatch.sources.base import Document
from treatywatch.sources.untc_2015.parser import parse
from treatywatch.store.loading import store_events, sync_reference_data

UNTC_2015 = Path(__file__).resolve().parents[2] / "data" / "raw" / "untc-zmjones-2015" / "treaties"
NON_PARTIES = {"PAK", "BGD", "LBN"}  # host millions, never joined the Convention or the Protocol
PARTIES = {"TUR", "IRN", "COL", "DEU", "UGA"}

api_client = TestClient(router)


@pytest.fixture()
def refugee_treaty_events(db: None) -> None:
    sync_reference_data()
    for stem in ("5-2", "5-5"):
        path = UNTC_2015 / f"{stem}.csv"
        document = Document("untc_2015", str(path), path.read_bytes(), datetime.now(UTC), name=path.name)
        store_events(parse(document, participants=load_registry(), catalogue=load_catalogue()).events)


def test_page_shows_figures_treaty_split_chart_and_sources(client, refugee_treaty_events: None) -> None:
    response = client.get("/protection/?year=2024")
    assert response.status_code == 200
    html = response.content.decode()
    assert "67.0%" in html and "72.6%" in html  # neighbouring, low/middle income (FY2025)
    assert "FY2025" in html and "<svg" in html and "UNHCR Refugee Data Finder" in html
    non_party_section = html.split('id="nonparty"')[1].split("</section>")[0]
    assert "Pakistan" in non_party_section and "Bangladesh" in non_party_section
    assert "Germany" not in non_party_section
    assert "/protection/hosting.csv" in html and "/protection/hosts-2024.csv" in html


def test_page_says_when_treaty_status_is_not_loaded(client, db: None) -> None:
    html = client.get("/protection/").content.decode()
    assert "Treaty status unavailable" in html
    assert client.get("/protection/?year=1900").status_code == 404
    assert client.get("/protection/?year=abc").status_code == 404


def test_csv_downloads(client, refugee_treaty_events: None) -> None:
    response = client.get("/protection/hosting.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = {int(r["data_year"]): r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert sorted(rows) == list(range(1951, 2026))
    assert abs(float(rows[2023]["neighbouring_share"]) - 0.69) < 0.01
    assert rows[2023]["income_fiscal_year"] == "2024" and rows[2000]["low_middle_income_share"] == ""
    assert int(rows[2023]["in_party_states"]) + int(rows[2023]["in_non_party_states"]) <= int(
        rows[2023]["refugees_total"]
    )
    assert "UNHCR Refugee Data Finder" in rows[2023]["source"]
    hosts = {
        r["code"]: r
        for r in csv.DictReader(io.StringIO(client.get("/protection/hosts-2024.csv").content.decode()))
    }
    assert {hosts[c]["party_1951_or_1967"] for c in NON_PARTIES} == {"False"}
    assert {hosts[c]["party_1951_or_1967"] for c in PARTIES} == {"True"}
    assert client.get("/protection/hosts-1900.csv").status_code == 404


def test_api_router(refugee_treaty_events: None) -> None:
    data = api_client.get("/hosting?year=2022").json()
    assert data["year"] == data["data_year"] == 2022
    assert abs(data["low_middle_income_share"] - 0.76) < 0.01 and data["income_fiscal_year"] == 2023
    assert {h["code"] for h in data["non_party_hosts"]} >= NON_PARTIES
    assert not PARTIES & {h["code"] for h in data["non_party_hosts"]}
    assert {s["key"] for s in data["sources"]} >= {"unhcr_population", "borders", "wb_income_history"}
    assert api_client.get("/hosting?year=1900").status_code == 404
    assert api_client.get("/hosting/series").json()["rows"][-1]["data_year"] == 2025
    state = api_client.get("/states/pak").json()
    assert state["party_1951_or_1967"] is False and state["latest"]["hosted"] > 1_000_000
    assert api_client.get("/states/ZZZ").status_code == 404


def test_state_panel_fragment(refugee_treaty_events: None) -> None:
    html = render_to_string("protection/state_panel.html", {"protection": state_protection_context("PAK")})
    assert "Not party to the 1951 Refugee Convention" in html and "Resettlement arrivals" in html
    germany = state_protection_context("DEU")
    assert germany["party_1951_or_1967"] is True
    assert sum(r["resettlement_arrivals"] for r in germany["series"]) > 0


def test_command_line(refugee_treaty_events: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hosting", "--year", "2023", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["year"] == data["data_year"] == 2023 and data["refugees_total"] > 30_000_000
    assert 0.68 < data["neighbouring_share"] < 0.70 and 0.74 < data["low_middle_income_share"] < 0.76
    assert {h["code"] for h in data["non_party_hosts"]} >= NON_PARTIES and data["sources"]
    assert main(["hosting", "--year", "2023"]) == 0
    assert "largest non-party hosts" in capsys.readouterr().out
    assert main(["hosting", "--year", "1800"]) == 2
    assert (
        capsys.readouterr().err.strip()
        == "treatywatch: error: no UNHCR data for 1800 (data covers 1951-2025)"
    )
