"""`treatywatch serve` as `make run` starts it: gunicorn on a fresh embedded database of the bundled data."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

TREATYWATCH = Path(sys.executable).parent / "treatywatch"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> tuple[str, subprocess.Popen]:
    var = tmp_path_factory.mktemp("serve-var")
    env = {**os.environ, "TREATYWATCH_VAR": str(var)}
    env.pop("DATABASE_URL", None)  # the embedded default, as on a fresh clone
    port = free_port()
    process = subprocess.Popen(
        [str(TREATYWATCH), "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/api/v1/treaties", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail(f"treatywatch serve did not come up:\n{process.stdout.read().decode()}")
    yield url, process
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_serves_the_bundled_data_from_a_fresh_start(served):
    url, _ = served
    answer = httpx.get(
        f"{url}/api/v1/status", params={"state": "PHL", "treaty": "rome-statute", "at": "2019-01-01"}
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "withdrawing"
    assert answer.json()["withdrawal_effective_date"] == "2019-03-17"
    page = httpx.get(f"{url}/matrix", params={"at": "2019-01-01"})
    assert page.status_code == 200 and "Philippines" in page.text
    french = httpx.get(f"{url}/treaties/rome-statute", headers={"Accept-Language": "fr"})
    assert '<html lang="fr">' in french.text


def test_every_worker_answers_the_same_and_static_files_are_served(served):
    url, _ = served
    # a new connection per request: gunicorn hands each to whichever worker accepts it first
    bodies = {
        httpx.get(f"{url}/api/v1/status?state=DEU&treaty=iccpr&at=2019-01-01").content for _ in range(8)
    }
    assert len(bodies) == 1
    css = httpx.get(f"{url}/static/treatywatch/site.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]


def test_the_server_runs_one_master_and_the_workers_asked_for(served):
    _, process = served
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(process.pid)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(children) == 2
