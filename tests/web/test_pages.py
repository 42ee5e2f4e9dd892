"""The public pages against the bundled dataset: status with dates and sources, CSV downloads,
clear 400/404 answers, and the same answers as StatusService."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.conf import settings

from treatywatch.store.models import Event, Treaty
from treatywatch.store.service import StatusService
from treatywatch.web import readmodel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bundled_data")]


def text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def csv_rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(text(response))))


def test_home_lists_pending_withdrawals_and_campaign_treaty_counts(client):
    response = client.get("/")
    assert response.status_code == 200
    service = StatusService()
    today = date.today()
    refugee = response.context["campaign"][0]
    assert refugee["slug"] == "refugee-1951"
    assert refugee["parties"] == len(service.parties("refugee-1951", today))
    slugs = {t["slug"] for t in response.context["campaign"]}
    assert {
        "refugee-protocol-1967",
        "stateless-1954",
        "statelessness-1961",
        "iccpr",
        "gc1",
        "rome-statute",
    } <= slugs
    for row in response.context["pending"]:
        assert service.status(row["state"], row["treaty"], today).status == "withdrawing"
        assert row["effective"] > today and row["sources"]
    assert "Data as of" in text(response)


def test_treaty_page_on_a_past_date_shows_the_pending_withdrawal(client):
    response = client.get("/treaties/rome-statute?at=2019-01-01")
    assert response.status_code == 200
    phl = next(r for r in response.context["rows"] if r["state"] == "PHL")
    assert phl["status"] == "withdrawing" and phl["withdrawal_effective_date"] == date(2019, 3, 17)
    assert phl["sources"] and all(s["url"] for s in phl["sources"])
    assert [r["state"] for r in response.context["pending"]] == ["PHL"] or "PHL" in {
        r["state"] for r in response.context["pending"]
    }
    page = text(response)
    assert "Philippines: withdrawing" in page  # the map's tooltip for the Philippines
    assert response.context["data_as_of"] == Treaty.objects.get(slug="rome-statute").data_as_of
    assert response.context["parties"] == len(StatusService().parties("rome-statute", date(2019, 1, 1)))
    assert any(c["article"] == "127" for c in response.context["clauses"])


def test_treaty_chart_counts_match_the_service(client):
    service = StatusService.current()
    points = readmodel.party_counts_over_time(service, "rome-statute", date(2020, 6, 1))
    fresh = StatusService()
    for day, count in points[::4] + points[-1:]:
        assert count == len(fresh.parties("rome-statute", day)), day


def test_treaty_csv_has_every_participant_with_dates_and_sources(client):
    rows = csv_rows(client.get("/treaties/rome-statute.csv?at=2019-01-01"))
    assert len(rows) == len(StatusService().participants_of("rome-statute"))
    phl = next(r for r in rows if r["state"] == "PHL")
    assert (
        phl["status"] == "withdrawing"
        and phl["withdrawal_effective_date"] == "2019-03-17"
        and phl["source_urls"]
    )
    assert csv_rows(client.get("/treaties/rome-statute?at=2019-01-01&format=csv")) == rows


def test_treaties_without_a_party_list_say_so(client):
    coverage = readmodel.treaty_coverage()
    partial = next(slug for slug, kind in coverage.items() if kind != "full")
    page = text(client.get(f"/treaties/{partial}"))
    assert "not a complete list of its parties" in page or "no participation data" in page
    listing = client.get("/treaties/").context["groups"]
    row = next(r for _label, rows in listing for r in rows if r["slug"] == partial)
    assert row["parties"] is None


def test_reservations_on_the_treaty_page_are_searchable(client):
    sample = Event.objects.filter(kind="reservation").exclude(text="").order_by("id").first()
    word = max(sample.text.split(), key=len).strip(".,;:()\"'")
    response = client.get(f"/treaties/{sample.treaty_id}?q={word}")
    assert sample.participant_id in {r["state"] for r in response.context["reservations"]}
    rows = csv_rows(client.get(f"/treaties/{sample.treaty_id}/reservations.csv?q={word}"))
    assert response.context["reservations_total"] == len(rows)


def test_the_refugee_convention_shows_its_reservations_with_their_source(client):
    response = client.get("/treaties/refugee-1951?q=1951")
    turkey = [r for r in response.context["reservations"] if r["state"] == "TUR"]
    assert turkey and "events occurring before 1 January 1951" in turkey[0]["text"]
    assert turkey[0]["source"] == "untc_2015_texts" and turkey[0]["date"] is None
    page = response.content.decode()
    assert "no date in the source" in page and "untc_2015_texts" in page


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/treaties/no-such-treaty", 404, "No treaty with the address"),
        ("/states/ZZZ", 404, "No state or participant"),
        ("/treaties/rome-statute?at=2019-13-01", 400, "Malformed date"),
        ("/matrix?at=yesterday", 400, "Malformed date"),
        ("/matrix?region=Atlantis", 400, "Unknown region"),
        ("/matrix?category=nope", 400, "Unknown treaty category"),
        ("/treaties/rome-statute?format=xls", 400, "Unknown format"),
    ],
)
def test_bad_addresses_get_clear_pages(client, url, status, says, settings):
    settings.DEBUG = False
    response = client.get(url)
    assert response.status_code == status
    assert says in text(response)


def test_state_page_lists_every_treaty_gaps_and_timeline(client):
    response = client.get("/states/DEU?at=2020-01-01")
    assert response.status_code == 200
    rows = {r["treaty"]: r for r in response.context["rows"]}
    assert len(rows) == len(StatusService().catalogue)
    assert rows["iccpr"]["status"] == "party" and rows["iccpr"]["sources"]
    gap_slugs = {r["treaty"] for _label, items in response.context["gaps"] for r in items}
    assert "iccpr" not in gap_slugs
    assert all(rows[s]["status"] in ("none", "signatory", "withdrawn") for s in gap_slugs)
    assert response.context["timeline"] and response.context["timeline"][0]["start"] <= date(2020, 1, 1)
    assert ("protection-panel" in text(response)) == (response.context["protection"] is not None)
    assert client.get("/states/deu").headers["Location"] == "/states/DEU"
    assert client.get("/states/Germany").headers["Location"] == "/states/DEU"
    csv_data = csv_rows(client.get("/states/DEU.csv?at=2020-01-01"))
    assert next(r for r in csv_data if r["treaty"] == "iccpr")["status"] == "party"


def test_matrix_recomputes_for_a_past_date_and_filters(client):
    at = date(2019, 1, 1)
    response = client.get("/matrix?at=2019-01-01&category=international_criminal")
    rows = {r["state"]: r for r in response.context["rows"]}
    assert rows["PHL"]["rome-statute"] == "withdrawing"
    expected = StatusService().matrix(at, ["rome-statute"])
    for code, row in rows.items():
        answer = expected.get((code, "rome-statute"))
        assert row["rome-statute"] == (str(answer.status) if answer else "none"), code
    europe = client.get("/matrix?at=2019-01-01&region=Europe").context["rows"]
    assert europe and "PHL" not in {r["state"] for r in europe} and "DEU" in {r["state"] for r in europe}
    by_joined = [r["joined"] for r in client.get("/matrix?sort=joined").context["rows"]]
    assert by_joined == sorted(by_joined, reverse=True)
    data = csv_rows(client.get("/matrix.csv?at=2019-01-01&category=international_criminal"))
    assert next(r for r in data if r["state"] == "PHL")["rome-statute"] == "withdrawing"


def test_search_finds_states_treaties_and_reservation_text(client):
    response = client.get("/search?q=philippines")
    assert "PHL" in {p.code for p in response.context["states"]}
    assert "rome-statute" in {t["slug"] for t in client.get("/search?q=Rome").context["treaties"]}
    assert "refugee-1951" in {t["slug"] for t in client.get("/search?q=V-2").context["treaties"]}
    sample = Event.objects.filter(kind="declaration").exclude(text="").order_by("id").first()
    word = max(sample.text.split(), key=len).strip(".,;:()\"'")
    assert sample.participant_id in {
        r["state"] for r in client.get(f"/search?q={word}").context["reservations"]
    }


def test_lists_download_as_csv(client):
    treaties = csv_rows(client.get("/treaties.csv"))
    assert {r["slug"] for r in treaties} == {t.slug for t in StatusService().catalogue}
    states = csv_rows(client.get("/states.csv"))
    assert {"DEU", "PHL"} <= {r["code"] for r in states}


def test_static_files_are_served_without_debug(client):
    response = client.get("/static/vendor/htmx.org/htmx.min.js")
    assert response.status_code == 200
    assert client.get("/static/vendor/nothing.js").status_code == 404
    manifest = json.loads((settings.PACKAGE_DIR / "web/static/vendor/VENDORED.json").read_text())
    assert set(manifest) == {"htmx.org", "axe-core", "world-atlas"}


def test_pages_show_names_in_french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = text(client.get("/states/DEU"))
    assert '<html lang="fr">' in page and "Allemagne" in page
    assert "Convention relative au statut des réfugiés" in text(client.get("/treaties/refugee-1951"))
