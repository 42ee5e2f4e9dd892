"""The JSON API: every endpoint against the bundled dataset, the error shape, paging and bulk files."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from treatywatch.cli import main as cli_main
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.store import service as service_module
from treatywatch.store.models import Event, Participant
from treatywatch.store.service import StatusService, answer_json

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bundled_data")]


def get(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:500])
    return response.json()


def assert_error(body: dict, code: str) -> None:
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_status_gives_the_pending_withdrawal_with_its_dates_and_sources(client):
    body = get(client, "/api/v1/status?state=PHL&treaty=rome-statute&at=2019-01-01")
    assert body["status"] == "withdrawing"
    assert body["withdrawal_notice_date"] == "2018-03-17"
    assert body["withdrawal_effective_date"] == "2019-03-17"
    assert body["data_as_of"] and body["sources"] and body["reasons"]
    after = get(client, "/api/v1/status?state=Philippines&treaty=XVIII-10&at=2019-03-17")
    assert after["status"] == "withdrawn" and after["state"] == "PHL" and after["treaty"] == "rome-statute"


def test_status_has_the_same_fields_and_values_as_the_command_line(client, capsys):
    body = get(client, "/api/v1/status?state=PHL&treaty=rome-statute&at=2019-01-01")
    assert cli_main(["status", "PHL", "rome-statute", "--at", "2019-01-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == body


def test_status_reads_only_the_asked_pair(client):
    client.get("/api/v1/status?state=DEU&treaty=iccpr&at=2020-01-01")  # warm caches (catalogue, registry)
    service_module._shared.clear()  # no page has folded the whole dataset in this process
    with CaptureQueriesContext(connection) as queries:
        get(client, "/api/v1/status?state=FRA&treaty=iccpr&at=2020-01-01")
    event_queries = [q["sql"] for q in queries if "store_event" in q["sql"] and "historical" not in q["sql"]]
    assert len(event_queries) == 1
    assert "participant_id" in event_queries[0] and "treaty_id" in event_queries[0]


def test_status_reads_no_event_once_the_site_has_folded_the_data(client):
    version = service_module.recent_data_version()
    StatusService.current(version)
    with CaptureQueriesContext(connection) as queries:
        body = get(client, "/api/v1/status?state=FRA&treaty=iccpr-op1&at=2020-01-01")
    assert body["status"] == "party"
    assert not [q for q in queries if "store_event" in q["sql"] and "historical" not in q["sql"]]


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/status?state=XXX&treaty=rome-statute", 404, "unknown_state"),
        ("/api/v1/status?state=PHL&treaty=no-such-treaty", 404, "unknown_treaty"),
        ("/api/v1/status?state=PHL&treaty=rome-statute&at=2019-13-01", 422, "invalid_parameters"),
        ("/api/v1/status?treaty=rome-statute", 422, "invalid_parameters"),
        ("/api/v1/treaties?limit=1001", 422, "invalid_parameters"),
        ("/api/v1/treaties?offset=-1", 422, "invalid_parameters"),
        ("/api/v1/treaties/no-such-treaty", 404, "unknown_treaty"),
        ("/api/v1/states/XXX", 404, "unknown_state"),
        ("/api/v1/matrix?category=nope", 422, "invalid_parameters"),
        ("/api/v1/bulk/events.xml", 422, "invalid_parameters"),
        ("/api/v1/no/such/endpoint", 404, "not_found"),
    ],
)
def test_every_error_has_one_shape(client, url, status, code):
    assert_error(get(client, url, status), code)


def test_treaties_page_with_limit_and_offset(client):
    total = len(load_catalogue())
    first = get(client, "/api/v1/treaties?limit=10")
    assert first["count"] == total and len(first["items"]) == 10 and first["limit"] == 10
    last = get(client, f"/api/v1/treaties?limit=10&offset={total - 3}")
    assert len(last["items"]) == 3
    refugee = get(client, "/api/v1/treaties?category=refugee")
    assert {t["slug"] for t in refugee["items"]} >= {"refugee-1951", "refugee-protocol-1967"}
    assert all(t["category"] == "refugee" for t in refugee["items"])
    titles = next(t for t in refugee["items"] if t["slug"] == "refugee-1951")["titles"]
    assert titles["fr"] == "Convention relative au statut des réfugiés"


def test_treaty_detail_counts_parties_and_cites_its_clauses(client):
    body = get(client, "/api/v1/treaties/rome-statute?at=2019-01-01")
    assert body["party_count"] == len(StatusService().parties("rome-statute", date(2019, 1, 1)))
    withdrawal = next(c for c in body["clauses"] if c["label"].startswith("Denunciation"))
    assert withdrawal["article"] == "127" and withdrawal["sources"]
    assert body["data_as_of"] and body["data_sources"]


def test_parties_on_a_date(client):
    before = get(client, "/api/v1/treaties/rome-statute/parties?at=2019-01-01&limit=1000")
    phl = next(p for p in before["items"] if p["state"] == "PHL")
    assert (
        phl["status"] == "withdrawing"
        and phl["withdrawal_effective_date"] == "2019-03-17"
        and phl["source_urls"]
    )
    after = get(client, "/api/v1/treaties/rome-statute/parties?at=2019-03-17&limit=1000")
    assert "PHL" not in {p["state"] for p in after["items"]}
    assert after["count"] == before["count"] - 1 + sum(
        1 for p in after["items"] if p["state"] not in {q["state"] for q in before["items"]}
    )
    page = get(client, "/api/v1/treaties/rome-statute/parties?at=2019-01-01&limit=5&offset=5")
    assert [p["state"] for p in page["items"]] == [p["state"] for p in before["items"][5:10]]


def test_states_and_one_state_in_every_treaty(client):
    states = get(client, "/api/v1/states?limit=1000")
    assert states["count"] == Participant.objects.exclude(kind="territory").count()
    assert {"DEU", "PHL", "FRA"} <= {s["code"] for s in states["items"]}
    europe = get(client, "/api/v1/states?region=Europe&limit=1000")
    assert europe["items"] and all(s["region"] == "Europe" for s in europe["items"])
    germany = get(client, "/api/v1/states/DEU?at=2020-01-01")
    assert germany["names"]["fr"] == "Allemagne"
    assert len(germany["treaties"]) == len(load_catalogue())
    iccpr = next(t for t in germany["treaties"] if t["treaty"] == "iccpr")
    assert iccpr["status"] == "party" and iccpr["sources"]


def test_events_filtered_and_paged(client):
    body = get(client, "/api/v1/events?state=PHL&treaty=rome-statute")
    assert body["count"] == Event.objects.filter(participant_id="PHL", treaty_id="rome-statute").count()
    notice = next(e for e in body["items"] if e["kind"] == "denunciation")
    assert notice["date"] == "2018-03-17" and notice["url"] and notice["source"]
    since = get(client, "/api/v1/events?treaty=rome-statute&since=2018-01-01&limit=1000")
    assert since["items"] and all(e["date"] >= "2018-01-01" for e in since["items"])


def test_matrix_on_a_past_date(client):
    body = get(client, "/api/v1/matrix?at=2019-01-01&category=international_criminal&limit=1000")
    assert body["treaties"] == ["rome-statute"]
    rows = {r["state"]: r["statuses"] for r in body["items"]}
    assert rows["PHL"]["rome-statute"] == "withdrawing"
    assert body["count"] == len(body["items"])
    small = get(client, "/api/v1/matrix?at=2019-01-01&category=international_criminal&limit=2&offset=2")
    assert small["items"] == body["items"][2:4] and small["count"] == body["count"]


def test_reservations_are_searchable(client):
    sample = (
        Event.objects.filter(kind__in=["reservation", "declaration"]).exclude(text="").order_by("id").first()
    )
    assert sample is not None, "the bundle holds no reservation text"
    word = max(sample.text.split(), key=len).strip(".,;:()\"'")
    body = get(client, f"/api/v1/reservations?q={word}&limit=1000")
    assert sample.event_id in {r["event_id"] for r in body["items"]}
    assert all(word.casefold() in (r["text"] + r["state"]).casefold() or r["text"] for r in body["items"])
    none = get(client, "/api/v1/reservations?q=zzqxjv-no-such-word")
    assert none["count"] == 0 and none["items"] == []


def test_sources_carry_licence_and_citation(client):
    body = get(client, "/api/v1/sources")
    assert body and all({"licence", "citation", "publisher"} <= set(s) for s in body)


def test_bulk_events_as_ndjson_and_csv(client):
    response = client.get("/api/v1/bulk/events.ndjson")
    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == Event.objects.count()
    first = json.loads(lines[0])
    assert {"event_id", "treaty", "state", "kind", "date", "source", "url"} <= set(first)
    response = client.get("/api/v1/bulk/events.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == len(lines) and rows[0]["event_id"] == first["event_id"]


def test_bulk_matrix_matches_the_service(client):
    response = client.get("/api/v1/bulk/matrix.csv?at=2019-01-01")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    phl = next(r for r in rows if r["state"] == "PHL" and r["treaty"] == "rome-statute")
    assert phl["status"] == "withdrawing" and phl["withdrawal_effective_date"] == "2019-03-17"
    assert len(rows) == len(StatusService().matrix(date(2019, 1, 1)))


def test_openapi_document_lists_every_endpoint_and_the_page_limit(client):
    document = get(client, "/api/v1/openapi.json")
    paths = set(document["paths"])
    assert {
        "/api/v1/status",
        "/api/v1/treaties",
        "/api/v1/treaties/{slug}",
        "/api/v1/treaties/{slug}/parties",
        "/api/v1/states",
        "/api/v1/states/{code}",
        "/api/v1/events",
        "/api/v1/matrix",
        "/api/v1/reservations",
        "/api/v1/sources",
        "/api/v1/bulk/events.{fmt}",
        "/api/v1/bulk/matrix.{fmt}",
    } <= paths
    limit = next(
        p for p in document["paths"]["/api/v1/treaties"]["get"]["parameters"] if p["name"] == "limit"
    )
    assert limit["schema"]["maximum"] == 1000


def test_cached_status_answers_follow_edits(client):
    url = "/api/v1/status?state=PHL&treaty=rome-statute&at=2019-06-01"
    assert get(client, url)["status"] == "withdrawn"
    for notice in Event.objects.filter(participant_id="PHL", treaty_id="rome-statute", kind="denunciation"):
        notice.delete()  # recorded in the history: the data version changes
    service_module._recent_version = (0.0, "")  # skip the one-second grace the hot path allows
    assert get(client, url)["status"] == "party"


def test_answer_json_is_the_status_shape(client):
    answer = StatusService().status("PHL", "rome-statute", date(2019, 1, 1))
    assert set(answer_json(answer)) == set(
        get(client, "/api/v1/status?state=PHL&treaty=rome-statute&at=2019-01-01")
    )
