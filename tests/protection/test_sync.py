"""`refresh` against a real HTTP server on 127.0.0.1 that serves the stored files in the publishers' shapes.

The server pages population.csv and solutions.csv like UNHCR's Refugee Data Finder API, answers the
World Bank country list from the stored FY2026 file and serves the border files byte for byte. Faults
(a 500, a truncated file, a cut-off transfer) must leave the stored copy exactly as it was.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from treatywatch.protection.data import load_dataset
from treatywatch.protection.sync import MANIFEST, RefreshError, refresh

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
FILES = {
    "/geodatasource/country-borders/master/GEODATASOURCE-COUNTRY-BORDERS.CSV": "borders-geodatasource/GEODATASOURCE-COUNTRY-BORDERS.CSV",
    "/mledoze/countries/master/countries.json": "world-countries-mledoze/countries.json",
}
TABLES = {
    "/population/v1/population/": "unhcr-popstats/population.csv",
    "/population/v1/solutions/": "unhcr-popstats/solutions.csv",
}
FAST = {"min_interval": 0.0, "backoff": 0.01, "retries": 1}


def _rows(relative: str) -> list[dict]:
    with (RAW / relative).open(encoding="utf-8", newline="") as handle:
        return [
            {k: (int(v) if v.isdigit() else (v or None)) for k, v in row.items()}
            for row in csv.DictReader(handle)
        ]


class Mirror(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.tables = {path: _rows(relative) for path, relative in TABLES.items()}
        self.faults: dict[str, str] = {}  # path -> "500" | "truncate" | "cut"
        self.requests: list[str] = []


class Handler(BaseHTTPRequestHandler):
    server: Mirror

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, body: bytes, content_type: str, length: int | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)
        self.server.requests.append(self.path)
        fault = self.server.faults.get(url.path)
        if fault == "500":
            self.send_error(500, "Internal Server Error")
            return
        if url.path in FILES:
            body = (RAW / FILES[url.path]).read_bytes()
        elif url.path in TABLES:
            query = parse_qs(url.query)
            limit, page = int(query["limit"][0]), int(query["page"][0])
            rows = self.server.tables[url.path]
            pages = max(1, -(-len(rows) // limit))
            body = json.dumps(
                {"page": page, "maxPages": pages, "items": rows[(page - 1) * limit : page * limit]}
            ).encode()
        elif url.path == "/v2/country":
            with (RAW / "wb-income-groups/wb_income_FY2026.csv").open(encoding="utf-8", newline="") as handle:
                countries = [
                    {
                        "id": r["iso3c"],
                        "iso2Code": r["iso2c"],
                        "name": r["country"],
                        "region": {"value": r["region"]},
                        "incomeLevel": {"value": r["income"]},
                        "lendingType": {"value": r["lending"]},
                    }
                    for r in csv.DictReader(handle)
                ]
            body = json.dumps(
                [{"page": 1, "pages": 1, "per_page": 500, "total": len(countries)}, countries]
            ).encode()
        else:
            self.send_error(404)
            return
        if fault == "truncate":
            body = body[: len(body) // 2]
            self._send(body, "text/csv")
        elif fault == "cut":
            self._send(body[:1000], "text/csv", length=len(body))
        else:
            self._send(body, "application/octet-stream")


@pytest.fixture(scope="module")
def mirror() -> Iterator[Mirror]:
    server = Mirror()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stored copy made by refreshing from a folder (the repository's raw files)."""
    target = tmp_path_factory.mktemp("installed") / "protection"
    summary = refresh(from_dir=RAW, target_dir=target)
    assert "UNHCR years 1951-2025" in summary
    return target


@pytest.fixture()
def target(installed: Path, tmp_path: Path, mirror: Mirror) -> Path:
    mirror.faults.clear()
    copy = tmp_path / "protection"
    shutil.copytree(installed, copy)
    return copy


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_untouched(target: Path, before: dict[str, str]) -> None:
    assert fingerprint(target) == before
    assert not [
        p.name for p in target.parent.iterdir() if p.name.startswith(".protection")
    ]  # no staging left


def test_refresh_from_a_folder_writes_a_manifest(installed: Path) -> None:
    manifest = json.loads((installed / MANIFEST).read_text())
    assert manifest["origin"] == str(RAW) and manifest["years"] == [1951, 2025]
    assert (installed / "unhcr-popstats/population.csv").read_bytes() == (
        RAW / "unhcr-popstats/population.csv"
    ).read_bytes()


def test_refresh_from_the_mirror_replaces_the_copy(target: Path, mirror: Mirror) -> None:
    summary = refresh(base_url=f"http://127.0.0.1:{mirror.server_port}", target_dir=target, **FAST)
    assert "UNHCR years 1951-2025" in summary
    assert any(r.startswith("/population/v1/population/?limit=10000&page=14") for r in mirror.requests)
    # The paged API answer, written back as CSV, is the stored file again.
    assert (target / "unhcr-popstats/population.csv").read_bytes() == (
        RAW / "unhcr-popstats/population.csv"
    ).read_bytes()
    manifest = json.loads((target / MANIFEST).read_text())
    assert manifest["origin"].startswith("http://127.0.0.1:")
    fiscal_years = sorted(p.name for p in (target / "wb-income-groups").glob("wb_income_FY*.csv"))
    assert (
        len(fiscal_years) == 4 and "wb_income_FY2026.csv" in fiscal_years
    )  # the current FY added, older kept
    assert load_dataset(target).years[-1] == 2025


@pytest.mark.parametrize(
    ("path", "fault", "message"),
    [
        ("/v2/country", "500", r"download failed: .*/v2/country.*server error 500 after 2 attempts"),
        (
            "/geodatasource/country-borders/master/GEODATASOURCE-COUNTRY-BORDERS.CSV",
            "truncate",
            r"GEODATASOURCE-COUNTRY-BORDERS\.CSV",
        ),
        ("/mledoze/countries/master/countries.json", "cut", r"download failed: .*countries\.json"),
        ("/population/v1/population/", "truncate", r"not valid JSON"),
    ],
)
def test_a_failed_download_replaces_nothing(
    target: Path, mirror: Mirror, path: str, fault: str, message: str
) -> None:
    before = fingerprint(target)
    mirror.faults[path] = fault
    with pytest.raises(RefreshError, match=message):
        refresh(base_url=f"http://127.0.0.1:{mirror.server_port}", target_dir=target, **FAST)
    assert_untouched(target, before)


def test_a_folder_with_a_bad_file_replaces_nothing(target: Path, tmp_path: Path) -> None:
    source = tmp_path / "incoming"
    shutil.copytree(target, source)
    population = source / "unhcr-popstats/population.csv"
    population.write_text(
        population.read_text(encoding="utf-8").replace(",SYR,SYR,", ",SYR,SYX,", 1), encoding="utf-8"
    )
    before = fingerprint(target)
    with pytest.raises(RefreshError, match=r"population\.csv, row \d+: unknown country code \('SYX'\)"):
        refresh(from_dir=source, target_dir=target)
    assert_untouched(target, before)


def test_a_file_that_lost_a_year_is_refused(target: Path, tmp_path: Path) -> None:
    source = tmp_path / "incoming"
    shutil.copytree(target, source)
    population = source / "unhcr-popstats/population.csv"
    lines = population.read_text(encoding="utf-8").splitlines(keepends=True)
    population.write_text("".join(line for line in lines if not line.startswith("2025,")), encoding="utf-8")
    before = fingerprint(target)
    with pytest.raises(RefreshError, match=r"covers 1951-2024, the copy in use 1951-2025"):
        refresh(from_dir=source, target_dir=target)
    assert_untouched(target, before)
