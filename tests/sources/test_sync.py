"""The live-refresh path against a real HTTP server on 127.0.0.1 serving stored real pages.

Covers what the network does to us: a slow answer (timeout, then retry), a 500, a maintenance page
served with status 200, a truncated page; plus the archive, the user agent and the per-host rate.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from treatywatch.monitor.models import Alert, Snapshot
from treatywatch.sources import archive
from treatywatch.sources.fetch import Fetcher, FetchError, redirect
from treatywatch.sources.registry import RAW_DIR
from treatywatch.sources.sync import run_sync
from treatywatch.store.models import Event, SourceDocument

OTTAWA = "untc-mgaldino-2026/arms_control/html/ottawa.html"
OTTAWA_PATH = "/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-5&chapter=26&clang=_en"
ONLY_OTTAWA = {"source_ids": ["untc_html"], "documents": ["*/ottawa.html"]}
Behaviour = Callable[[int], tuple[int, bytes, float]]  # request number -> (status, body, delay in seconds)


class Server:
    """Serves OTTAWA_PATH with a behaviour per request number; records each request's headers."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.requests: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append({"path": self.path, **dict(self.headers.items())})
                if self.path != OTTAWA_PATH:
                    status, body, delay = 404, b"not found", 0.0
                else:
                    status, body, delay = behaviour(len(outer.requests))
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], Server]]:
    servers: list[Server] = []

    def start(behaviour: Behaviour) -> Server:
        servers.append(Server(behaviour))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Participants and treaties once per session (a sync needs them; loading them takes a second)."""
    from treatywatch.store.loading import sync_reference_data

    with django_db_blocker.unblock():
        sync_reference_data()


@pytest.fixture(autouse=True)
def _empty_store(empty_store) -> None:
    """Every test here starts from an empty store (tests/conftest.py)."""


@pytest.fixture(autouse=True)
def _archive(settings, tmp_path: Path) -> None:
    settings.ARCHIVE_DIR = tmp_path / "archive"
    settings.VAR_DIR = tmp_path / "var"


def quick_fetcher(base_url: str) -> Callable[[], Fetcher]:
    """Short timeout and backoff so a test takes a second, not a minute; the rate limit is tested apart."""
    return lambda: Fetcher(base_url=base_url, timeout=0.5, retries=2, backoff=0.05, min_interval=0.0)


REAL = (RAW_DIR / OTTAWA).read_bytes()
MAINTENANCE = (
    b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>The United Nations Treaty "
    b"Collection is temporarily unavailable for scheduled maintenance.</h1></body></html>"
)


def test_redirect_keeps_path_and_query():
    official = "https://treaties.un.org" + OTTAWA_PATH
    assert redirect(official, "http://127.0.0.1:8123/mirror/") == "http://127.0.0.1:8123/mirror" + OTTAWA_PATH
    assert redirect(official, None) == official


@pytest.mark.django_db
def test_live_sync_fetches_archives_and_applies(serve):
    server = serve(lambda n: (200, REAL, 0.0))
    report = run_sync(base_url=server.url, fetcher_factory=quick_fetcher(server.url), **ONLY_OTTAWA)

    assert report.summary()["baseline"] == 1
    assert (
        server.requests[0]["User-Agent"].startswith("TreatyWatch/")
        and "(+" in server.requests[0]["User-Agent"]
    )
    row = SourceDocument.objects.get()
    assert row.state == "parsed" and row.sha256 == hashlib.sha256(REAL).hexdigest()
    assert row.url == "https://treaties.un.org" + OTTAWA_PATH  # the official address, not the mirror
    assert archive.get(row.archive_path) == REAL
    assert (
        row.retrieved_at is not None
        and abs((datetime.now(row.retrieved_at.tzinfo) - row.retrieved_at).total_seconds()) < 60
    )
    assert Event.objects.filter(treaty_id="ottawa", kind="denunciation").count() == 5
    assert Snapshot.objects.get().version == 1


@pytest.mark.django_db
def test_a_slow_answer_times_out_and_is_retried(serve):
    server = serve(lambda n: (200, REAL, 1.5 if n == 1 else 0.0))
    report = run_sync(base_url=server.url, fetcher_factory=quick_fetcher(server.url), **ONLY_OTTAWA)
    assert report.summary()["baseline"] == 1
    assert len(server.requests) == 2


@pytest.mark.django_db
def test_a_server_error_is_retried_then_reported_once_to_operators(serve):
    flaky = serve(lambda n: (500, b"Internal Server Error", 0.0) if n == 1 else (200, REAL, 0.0))
    assert (
        run_sync(base_url=flaky.url, fetcher_factory=quick_fetcher(flaky.url), **ONLY_OTTAWA).summary()[
            "baseline"
        ]
        == 1
    )
    assert len(flaky.requests) == 2

    down = serve(lambda n: (503, b"Service Unavailable", 0.0))
    report = run_sync(base_url=down.url, fetcher_factory=quick_fetcher(down.url), **ONLY_OTTAWA)
    assert report.summary()["unreachable"] == 1 and len(down.requests) == 3  # first try + 2 retries
    (alert,) = Alert.objects.all()
    assert alert.audience == "operators" and "server error 503 after 3 attempts" in alert.detail
    run_sync(base_url=down.url, fetcher_factory=quick_fetcher(down.url), **ONLY_OTTAWA)
    assert Alert.objects.count() == 1  # one notice a day per unreachable address


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "state", "reason"),
    [(MAINTENANCE, "failed", "STATUS AS AT"), (REAL[: len(REAL) - 5000], "quarantined", "truncated")],
    ids=["maintenance-page-with-200", "truncated-page"],
)
def test_a_bad_page_served_as_success_changes_nothing(serve, body, state, reason):
    good = serve(lambda n: (200, REAL, 0.0))
    run_sync(base_url=good.url, fetcher_factory=quick_fetcher(good.url), **ONLY_OTTAWA)
    before = sorted(Event.objects.values_list("event_id", "last_seen"))

    bad = serve(lambda n: (200, body, 0.0))
    report = run_sync(base_url=bad.url, fetcher_factory=quick_fetcher(bad.url), **ONLY_OTTAWA)

    assert report.outcomes[0].result == state and reason in report.outcomes[0].reason
    assert sorted(Event.objects.values_list("event_id", "last_seen")) == before
    assert list(Alert.objects.values_list("audience", flat=True)) == ["operators"]
    assert SourceDocument.objects.filter(state=state, sha256=hashlib.sha256(body).hexdigest()).count() == 1


def test_requests_to_one_host_are_spaced_by_the_minimum_interval(serve):
    server = serve(lambda n: (200, b"<html>ok</html>", 0.0))
    with Fetcher(base_url=server.url, min_interval=0.3) as fetcher:
        started = time.monotonic()
        for _ in range(3):
            fetcher.fetch("https://treaties.un.org" + OTTAWA_PATH, source="untc_html")
        assert time.monotonic() - started >= 0.6


def test_a_client_error_is_not_retried(serve):
    server = serve(lambda n: (200, REAL, 0.0))
    with (
        Fetcher(base_url=server.url, min_interval=0.0, backoff=0.01) as fetcher,
        pytest.raises(FetchError, match="404"),
    ):
        fetcher.fetch("https://treaties.un.org/missing", source="untc_html")
    assert len(server.requests) == 1


@pytest.mark.django_db
def test_the_archive_stores_each_content_once(tmp_path):
    from treatywatch.sources.base import Document

    document = Document(
        "untc_html", "https://example.invalid/a", b"<html>x</html>", datetime.now().astimezone(), "a.html"
    )
    first, second = archive.put(document), archive.put(document)
    assert first == second and first.endswith(".html") and archive.get(first) == b"<html>x</html>"
    (archive.archive_root() / first).write_bytes(b"tampered")
    with pytest.raises(archive.ArchiveError, match="no longer matches"):
        archive.get(first)
