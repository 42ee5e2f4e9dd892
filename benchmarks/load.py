"""Load test of the site and API, side by side with Datasette serving the SQLite export.

Starts, on 127.0.0.1 and in a scratch folder:
  - TreatyWatch as `treatywatch serve` runs it (gunicorn; the bundled dataset in a fresh SQLite database),
  - Datasette on `treatywatch export --format sqlite` of the same data,
then sends bounded bursts of requests from 1 and from 32 concurrent clients and prints median and
p99 latency and throughput per scenario, and the TreatyWatch/Datasette ratios. The clients are
`wrk` (Debian package; a C load generator, so the servers get the CPU) when installed, else Python
threads with httpx (bounded by count and time; their own CPU use then weighs on the figures).

    .venv/bin/python benchmarks/load.py [--client auto|wrk|python] [--requests 400] [--seconds 10]

Targets: API `status` p99 < 50 ms at 32 clients; matrix page < 300 ms. The clients share the
machine with the servers, so figures include the load generator's own CPU use.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx

from treatywatch.server import default_workers

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
AT = "2019-01-01"
STATES = [
    "DEU",
    "FRA",
    "PHL",
    "BRA",
    "NGA",
    "IND",
    "USA",
    "KEN",
    "JPN",
    "TUR",
    "MEX",
    "ZAF",
    "HUN",
    "VEN",
    "BDI",
    "AUS",
]
TREATIES = [
    "refugee-1951",
    "refugee-protocol-1967",
    "iccpr",
    "icescr",
    "cat",
    "crc",
    "cedaw",
    "rome-statute",
    "cped",
    "crpd",
]
PAST_DATES = [f"{year}-01-01" for year in range(1975, 2025)]
DAYS_OF_2018 = [(date(2018, 1, 1) + timedelta(days=n)).isoformat() for n in range(365)]
WARM_UP = 3.0  # seconds of the same load before each measured line: steady state, not start-up


@dataclass
class Result:
    name: str
    clients: int
    count: int
    p50: float  # ms
    p99: float  # ms
    throughput: float  # requests per second
    errors: int

    def line(self) -> str:
        return (
            f"{self.name:36} {self.clients:>3} clients  n={self.count:<6} median {self.p50:7.1f} ms  "
            f"p99 {self.p99:7.1f} ms  {self.throughput:7.1f} req/s  errors {self.errors}"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up within {timeout:.0f} s")


@contextmanager
def server(command: list[str], env: dict[str, str], url: str, log: Path) -> Iterator[None]:
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            wait_until_up(url)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def burst(name: str, urls: list[str], clients: int, requests: int, seconds: float) -> Result:
    """`requests` GETs (or as many as fit in `seconds`) spread over `clients` threads."""
    next_url = cycling(urls)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = itertools.count()
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        with httpx.Client(timeout=30) as http:
            while next(remaining) < requests and time.monotonic() < deadline:
                url = next_url()
                started = time.perf_counter()
                try:
                    ok = http.get(url).status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - started
                with lock:
                    if ok:
                        latencies.append(took)
                    else:
                        errors += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [float("nan")]
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return Result(
        name,
        clients,
        len(latencies),
        statistics.median(ordered) * 1000,
        p99 * 1000,
        len(latencies) / elapsed,
        errors,
    )


# Each wrk thread walks the addresses from its own place, and each run from a new one, so a scenario
# of distinct questions never asks one twice (what the warm-up or the other thread asked is not reused).
WRK_SCRIPT = """
paths = {%s}
counter = 0
start = %d
threads = 0
setup = function(thread)
  thread:set("counter", start + threads * math.floor(#paths / 2))
  threads = threads + 1
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def wrk_burst(name: str, urls: list[str], clients: int, seconds: float, work: Path) -> Result:
    """The same scenario driven by wrk for `seconds` (cycling through the URLs' paths)."""
    base = urls[0].split("/", 3)
    origin = "/".join(base[:3])
    script = work / "paths.lua"
    paths = ", ".join(f'"{u[len(origin) :]}"' for u in urls)
    script.write_text(WRK_SCRIPT % (paths, random.randrange(len(urls))), encoding="utf-8")
    threads = 1 if clients == 1 else 2
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "-s",
            str(script),
            origin,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        value = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        assert value, output
        return float(value.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[value.group(2)]

    count = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(map(int, socket_errors.groups())) if socket_errors else 0
    )
    throughput = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return Result(name, clients, count, ms("50%"), ms("99%"), throughput, errors)


def first_views(site: str) -> Result:
    """The matrix page on 50 dates no one has asked for yet, one after another: the cold path."""
    latencies = []
    errors = 0
    started = time.perf_counter()
    with httpx.Client(timeout=30) as http:
        for year in range(1975, 2025):
            begun = time.perf_counter()
            ok = http.get(f"{site}/matrix?at={year}-07-01").status_code == 200
            took = time.perf_counter() - begun
            if ok:
                latencies.append(took)
            else:
                errors += 1
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return Result(
        "matrix page, first view of a date",
        1,
        len(ordered),
        statistics.median(ordered) * 1000,
        ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000,
        len(ordered) / elapsed,
        errors,
    )


def cycling(values: list[str]) -> Callable[[], str]:
    iterator = itertools.cycle(values)
    lock = threading.Lock()

    def next_value() -> str:
        with lock:
            return next(iterator)

    return next_value


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator (auto: wrk when installed)",
    )
    parser.add_argument(
        "--requests", type=int, default=400, help="python client: requests per scenario and concurrency"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="time limit per scenario and concurrency")
    parser.add_argument(
        "--workers", type=int, default=default_workers(), help="server processes (as `treatywatch serve`)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per process (as `treatywatch serve`)")
    args = parser.parse_args()
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk") is not None)

    work = Path(tempfile.mkdtemp(prefix="treatywatch-bench-"))
    env = {**os.environ, "TREATYWATCH_VAR": str(work), "DJANGO_SETTINGS_MODULE": "treatywatch.settings"}
    env.pop("DATABASE_URL", None)  # the benchmark always uses its own SQLite database
    try:
        print(f"scratch folder {work}; loading the bundled dataset ...", flush=True)
        subprocess.run(
            [BIN / "treatywatch", "load-dataset"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )
        export = work / "treatywatch.sqlite"
        subprocess.run(
            [BIN / "treatywatch", "export", "--format", "sqlite", "--out", str(export), "--at", AT],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        site_port, datasette_port = free_port(), free_port()
        site, datasette = f"http://127.0.0.1:{site_port}", f"http://127.0.0.1:{datasette_port}"
        site_cmd = [
            str(BIN / "treatywatch"),
            "serve",
            "--port",
            str(site_port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ]
        datasette_cmd = [
            str(BIN / "datasette"),
            "serve",
            "--immutable",
            str(export),
            "--host",
            "127.0.0.1",
            "--port",
            str(datasette_port),
            "--setting",
            "default_page_size",
            "1000",
            "--setting",
            "max_returned_rows",
            "1000",
        ]
        pairs = [f"state={s}&treaty={t}" for s, t in itertools.product(STATES, TREATIES)]
        refugee = "refugee-1951,refugee-protocol-1967"
        scenarios: list[tuple[str, list[str]]] = [
            (
                "treaty page /treaties/rome-statute",
                [f"{site}/treaties/rome-statute?at={d}" for d in PAST_DATES[-10:]],
            ),
            ("matrix page, past dates", [f"{site}/matrix?at={d}" for d in PAST_DATES]),
            ("API status", [f"{site}/api/v1/status?{p}&at={AT}" for p in pairs]),
            (  # 58,400 distinct questions: nearly every answer is computed, none comes from a kept one
                "API status, a new question each time",
                [f"{site}/api/v1/status?{p}&at={d}" for d in DAYS_OF_2018 for p in pairs],
            ),
            ("API matrix (refugee treaties)", [f"{site}/api/v1/matrix?at={AT}&category=refugee&limit=1000"]),
            (
                "Datasette status row",
                [f"{datasette}/treatywatch/status.json?{p}&_shape=objects" for p in pairs],
            ),
            (
                "Datasette matrix (refugee treaties)",
                [f"{datasette}/treatywatch/status.json?treaty__in={refugee}&_size=max&_shape=objects"],
            ),
        ]
        results: dict[tuple[str, int], Result] = {}
        started = time.perf_counter()
        with (
            server(site_cmd, env, f"{site}/api/v1/treaties", work / "site.log"),
            server(datasette_cmd, env, f"{datasette}/treatywatch.json", work / "datasette.log"),
        ):
            print(f"both servers answering {time.perf_counter() - started:.1f} s after start")
            cold = first_views(site)
            print(cold.line(), "(each a date no one asked for before: folded and rendered)")
            bound = (
                f"{args.seconds:.0f} s" if use_wrk else f"{args.requests} requests or {args.seconds:.0f} s"
            )
            client = "wrk" if use_wrk else "python threads + httpx"
            print(
                f"treatywatch serve: {args.workers} processes x {args.threads} threads; datasette --immutable; "
                f"client {client}; {bound} per line after a {WARM_UP:.0f} s warm-up on the same addresses\n"
            )
            for name, urls in scenarios:
                for clients in (1, 32):
                    if use_wrk:
                        wrk_burst(name, urls, clients, WARM_UP, work)
                        result = wrk_burst(name, urls, clients, args.seconds, work)
                    else:
                        burst(name, urls, clients, args.requests // 4, WARM_UP)
                        result = burst(name, urls, clients, args.requests, args.seconds)
                    results[(name, clients)] = result
                    print(result.line(), flush=True)
        print("\nTreatyWatch / Datasette (same lookups on the same data; > 1 means TreatyWatch is slower)")
        for ours, theirs in (
            ("API status", "Datasette status row"),
            ("API matrix (refugee treaties)", "Datasette matrix (refugee treaties)"),
        ):
            for clients in (1, 32):
                a, b = results[(ours, clients)], results[(theirs, clients)]
                print(
                    f"  {ours:32} {clients:>3} clients: median x{a.p50 / b.p50:5.2f}  p99 x{a.p99 / b.p99:5.2f}  "
                    f"throughput x{a.throughput / b.throughput:5.2f}"
                )
        status32, matrix_page = results[("API status", 32)], results[("matrix page, past dates", 32)]
        print("\ntargets")
        print(
            f"  API status p99 at 32 clients < 50 ms: {status32.p99:.1f} ms -> {'met' if status32.p99 < 50 else 'NOT met'}"
        )
        single = results[("matrix page, past dates", 1)]
        worst = max(single.p99, matrix_page.p99, cold.p99)
        print(
            f"  matrix page < 300 ms: p99 {single.p99:.1f} ms at 1 client, {matrix_page.p99:.1f} ms at 32, "
            f"{cold.p99:.1f} ms on a first view -> {'met' if worst < 300 else 'NOT met'}"
        )
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
