"""Bulk exports (csv, ndjson, sqlite) of the loaded dataset carry the status, provenance and the sources' terms."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from treatywatch.cli import main
from treatywatch.sources.build import BUNDLE_DIR
from treatywatch.sources.export import COLUMNS, LICENCE_FILE, collect, write_csv, write_ndjson, write_sqlite

AT = date(2026, 2, 3)


@pytest.mark.django_db
def test_exports_of_the_bundled_dataset(tmp_path: Path) -> None:
    from treatywatch.store.loading import load_bundle, read_manifest
    from treatywatch.store.models import Participant, Treaty

    manifest = read_manifest(BUNDLE_DIR)
    load_bundle(BUNDLE_DIR)
    data = collect(AT)
    cells = Participant.objects.count() * Treaty.objects.count()

    database = write_sqlite(data, tmp_path / "tw.sqlite")
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM events").fetchone()[0] == manifest["counts"]["events"]
        assert db.execute("SELECT count(*) FROM status").fetchone()[0] == cells
        parties = db.execute(
            "SELECT count(*) FROM status WHERE treaty = 'ottawa' AND counts_as_party"
        ).fetchone()[0]
        assert parties == 162
        poland = db.execute(
            "SELECT status, withdrawal_effective_date, sources FROM status WHERE state = 'POL' AND treaty = 'ottawa'"
        ).fetchone()
        assert poland[:2] == ("withdrawing", "2026-02-20") and "mtdsg_no=XXVI-5" in poland[2]
        indexes = {
            row[0]: row[1] for row in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
        }
        assert "(state, treaty)" in (indexes["events_state_treaty"] or "")
        assert "(state, treaty)" in (indexes["status_state_treaty"] or "")
        untc = db.execute("SELECT licence, citation FROM sources WHERE id = 'untc_html'").fetchone()
        assert "United Nations Terms of Use" in untc[0] and "Multilateral Treaties" in untc[1]
        licence = db.execute("SELECT value FROM metadata WHERE key = 'licence'").fetchone()[0]
        assert "untc_html" in licence and db.execute(
            "SELECT value FROM metadata WHERE key = 'status_at'"
        ).fetchone() == ("2026-02-03",)
        estonia = db.execute(
            "SELECT kind, date, effective_date, original, url, retrieved_at, document_sha256 FROM events "
            "WHERE state = 'EST' AND treaty = 'ottawa' AND kind = 'denunciation' AND role = 'status'"
        ).fetchone()
        assert estonia[:3] == ("denunciation", "2025-06-27", "2025-12-27")
        assert estonia[3].startswith("note 1: On 27 June 2025") and estonia[5].startswith("2026-02-03")
        assert len(estonia[6]) == 64

    folder = write_csv(data, tmp_path / "csv")
    assert {p.name for p in folder.iterdir()} == {f"{t}.csv" for t in COLUMNS} | {LICENCE_FILE}
    with (folder / "status.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert (
        len(rows) == cells
        and sum(r["counts_as_party"] == "true" for r in rows if r["treaty"] == "ottawa") == 162
    )
    terms = (folder / LICENCE_FILE).read_text(encoding="utf-8")
    assert all(source["citation"].split()[0] in terms for source in data.sources if source["citation"])

    stream = write_ndjson(data, tmp_path / "tw.ndjson")
    with stream.open(encoding="utf-8") as handle:
        header = json.loads(handle.readline())
        records = [json.loads(line) for line in handle]
    assert header["record"] == "header" and header["at"] == "2026-02-03"
    assert {s["id"] for s in header["sources"]} >= {"untc_html"} and "Licence:" in header["licence"]
    assert sum(r["record"] == "event" for r in records) == manifest["counts"]["events"]
    assert sum(r["record"] == "status" for r in records) == cells


@pytest.mark.django_db
def test_status_for_a_treaty_without_data_says_so(tmp_path: Path) -> None:
    from treatywatch.store.loading import sync_reference_data

    sync_reference_data()  # treaties and participants only, no events
    data = collect(AT)
    row = next(r for r in data.tables["status"] if r["treaty"] == "ap3")
    assert (row["status"], row["reasons"], row["data_as_of"]) == (
        "none",
        "no participation data for this treaty",
        None,
    )


def test_cli_export_refuses_a_malformed_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "csv", "--at", "03-02-2026"]) == 2
    assert "malformed --at '03-02-2026'" in capsys.readouterr().err


def test_cli_export_refuses_an_unknown_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--format", "xlsx"])
    assert "invalid choice: 'xlsx'" in capsys.readouterr().err
