"""The dataset build: roles from the policy, cross-source discrepancies, byte-identical output, clean failure."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from treatywatch.cli import main
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.sources.build import POLICY_PATH, BuildError, Policy, build_dataset
from treatywatch.sources.registry import RAW_DIR, all_sources, get_source

CATALOGUE = load_catalogue()


def read_ndjson(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    assert main(["build-dataset", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def manifest(bundle: Path) -> dict:
    return json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def events(bundle: Path) -> list[dict]:
    return read_ndjson(bundle / "events.ndjson.gz")


def test_policy_covers_every_treaty_once() -> None:
    policy = Policy.load(CATALOGUE)
    assert set(policy.treaties) == {t.slug for t in CATALOGUE}
    assert policy.role("ottawa", "untc_html") == "status"
    assert policy.role("ottawa", "untc_2015") == "crosscheck"
    assert policy.role("refugee-1951", "untc_2015") == "status"
    assert policy.role("refugee-1951", "curated_post2015") == "status"
    assert policy.role("gc1", "curated_ihl_regional") == "status"
    assert all(policy.role(t, "final_clauses") == "crosscheck" for t in policy.treaties)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda p: p["groups"][0]["status"].append("final_clauses"),
            "cross-check-only source a status source",
        ),
        (lambda p: p["groups"][0]["treaties"].remove("ottawa"), "no status policy for ottawa"),
        (lambda p: p["groups"][1]["treaties"].append("ottawa"), "treaty 'ottawa' is in two groups"),
        (lambda p: p["groups"][0]["treaties"].append("atlantis-1999"), "unknown treaty 'atlantis-1999'"),
    ],
)
def test_a_malformed_policy_is_refused(tmp_path: Path, edit, message: str) -> None:
    policy = yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))
    edit(policy)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy), encoding="utf-8")
    with pytest.raises(BuildError, match=message):
        Policy.load(CATALOGUE, path)


def test_same_input_gives_byte_identical_bundle(bundle: Path, tmp_path: Path) -> None:
    build_dataset(RAW_DIR, tmp_path)
    for name in ("manifest.json", "events.ndjson.gz", "discrepancies.ndjson.gz"):
        assert (tmp_path / name).read_bytes() == (bundle / name).read_bytes(), name


def test_manifest_describes_every_registered_source_with_terms(manifest: dict) -> None:
    assert [s["id"] for s in manifest["sources"]] == sorted(all_sources())
    for source in manifest["sources"]:
        assert source["licence"] and source["citation"], source["id"]
        for document in source["documents"]:
            assert len(document["sha256"]) == 64 and document["url"] and document["retrieved_at"]
    untc = next(s for s in manifest["sources"] if s["id"] == "untc_html")
    assert untc["live"] is True and len(untc["documents"]) == 30
    ottawa = next(d for d in untc["documents"] if d["treaty"] == "ottawa")
    assert ottawa["as_of"] == "2026-02-03" and ottawa["printed_counts"] == {
        "parties": 162,
        "signatories": 132,
    }
    assert ottawa["archive_path"] == "data/raw/untc-mgaldino-2026/arms_control/html/ottawa.html"


def test_treaty_summaries_say_what_the_status_rests_on(manifest: dict) -> None:
    treaties = manifest["treaties"]
    assert set(treaties) == {t.slug for t in CATALOGUE}
    ottawa = treaties["ottawa"]
    assert (ottawa["data_as_of"], ottawa["data_sources"], ottawa["coverage"]) == (
        "2026-02-03",
        ["untc_html"],
        "full",
    )
    assert ottawa["printed_counts"] == {"parties": 162, "signatories": 132}
    assert treaties["refugee-1951"]["data_sources"] == ["untc_2015", "curated_post2015", "untc_2015_texts"]
    assert treaties["gc1"]["coverage_note"].startswith("No states-parties list in the bundled sources")
    for summary in treaties.values():
        if not summary["data_sources"]:
            assert summary["coverage"] == "none" and "No participation data" in summary["coverage_note"]


def test_every_event_has_a_role_from_the_policy(events: list[dict]) -> None:
    policy = Policy.load(CATALOGUE)
    assert len({e["event_id"] for e in events}) == len(events)
    for event in events:
        assert event["role"] == policy.role(event["treaty"], event["source"]), event["event_id"]
    ottawa_status = {e["source"] for e in events if e["treaty"] == "ottawa" and e["role"] == "status"}
    assert ottawa_status == {"untc_html"}
    lower = [e for e in events if e["source"] == "survivalscores" and e["treaty"] == "rome-statute"]
    if lower:
        assert {e["trust"] for e in lower} == {"derived"}


def test_events_are_written_in_a_stable_order(events: list[dict]) -> None:
    keys = [(e["treaty"], e["state"], e["date"] or "", e["kind"], e["source"], e["event_id"]) for e in events]
    assert keys == sorted(keys)


def test_discrepancies_compare_on_the_crosscheck_documents_own_date(bundle: Path, manifest: dict) -> None:
    found = read_ndjson(bundle / "discrepancies.ndjson.gz")
    assert len(found) == manifest["counts"]["discrepancies"]
    policy = Policy.load(CATALOGUE)
    for d in found:
        checker, *status_sources = d["sources"]
        assert policy.role(d["treaty"], checker) == "crosscheck"
        assert status_sources == list(policy.treaties[d["treaty"]].status_sources)
        assert d["kind"] in {"party_status", "consent_date", "notice_date"} and d["description"]
    # Jamaica denounced ICCPR-OP1 in 1997; a cross-check that still lists it as party must be flagged
    jamaica = [
        d for d in found if d["treaty"] == "iccpr-op1" and d["state"] == "JAM" and d["kind"] == "party_status"
    ]
    for d in jamaica:
        assert date.fromisoformat(d["as_of"]) > date(1998, 1, 23)
        assert "(withdrawn)" in d["description"]


def test_a_failing_document_stops_the_build_and_names_it(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    source = get_source("untc_html")
    for document in source.stored_documents():
        path = raw / document.name
        path.parent.mkdir(parents=True, exist_ok=True)
        content = document.content
        if document.name.endswith("ottawa.html"):
            content = content.replace(b"11 Sep\t 2002 a", b"11 Sep\t 2002 x")
        path.write_bytes(content)
    with pytest.raises(
        BuildError, match=r"untc_html: document untc-mgaldino-2026/arms_control/html/ottawa\.html"
    ):
        build_dataset(raw, out, sources=[source])
    assert not out.exists()  # nothing written


def test_cli_build_reports_a_missing_raw_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build-dataset", "--raw", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    assert "is not a folder" in capsys.readouterr().err


@pytest.mark.django_db
def test_the_built_bundle_loads_and_answers(bundle: Path, manifest: dict) -> None:
    from treatywatch.store.loading import load_bundle
    from treatywatch.store.models import Treaty
    from treatywatch.store.service import StatusService

    counts = load_bundle(bundle)
    assert counts["events"] == manifest["counts"]["events"]
    assert counts["discrepancies"] == manifest["counts"]["discrepancies"]
    parties = StatusService().parties("ottawa", date(2026, 2, 3))
    assert len(parties) == 162
    poland = next(a for a in parties if a.state == "POL")
    assert (poland.status, poland.withdrawal_effective_date) == ("withdrawing", date(2026, 2, 20))
    assert Treaty.objects.get(slug="ottawa").printed_counts["parties"] == 162
