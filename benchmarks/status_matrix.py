"""Benchmark: the status of every participant in every treaty on one date, from the database.

Prints the time to (a) merely read the status events from the database, (b) read them and fold
every participant's history through the engine and answer for one date, and their ratio.
Targets (issue: core): (b) under 50 ms for ~200 participants x ~40 treaties; (b) within 3x (a).
Run: .venv/bin/python benchmarks/status_matrix.py [--at YYYY-MM-DD] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from treatywatch.cli.runtime import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--at", default="2026-02-03")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    at = date.fromisoformat(args.at)
    setup_django()
    from treatywatch.engine.events import TEXT_KINDS
    from treatywatch.store.convert import ENGINE_COLUMNS
    from treatywatch.store.models import Event
    from treatywatch.store.service import StatusService

    def read_only() -> int:
        rows = Event.objects.filter(role=Event.Role.STATUS).exclude(kind__in=[str(k) for k in TEXT_KINDS])
        return len(list(rows.values_list(*ENGINE_COLUMNS)))

    def full_matrix() -> int:
        return len(StatusService().matrix_statuses(at))

    def shared_matrix() -> int:
        return len(StatusService.current().matrix_statuses(at))

    read_only(), full_matrix(), shared_matrix()  # warm up connections and caches of the catalogue
    timings = {}
    for name, fn in (
        ("read events only", read_only),
        ("read + fold + answer", full_matrix),
        ("shared (version check + answer)", shared_matrix),
    ):
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            count = fn()
            samples.append((time.perf_counter() - start) * 1000)
        timings[name] = statistics.median(samples)
        print(
            f"{name:32} median {statistics.median(samples):7.1f} ms  min {min(samples):7.1f} ms  ({count} rows/cells)"
        )
    cells = full_matrix()
    treaties = len({t for (_, t) in StatusService().matrix_statuses(at)})
    print(f"cells answered: {cells} ({treaties} treaties with data) on {at}")
    ratio = timings["read + fold + answer"] / timings["read events only"]
    print(f"ratio cold (read + fold + answer) / read: {ratio:.2f} (target <= 3.0)")
    print("target: whole matrix < 50 ms (the shared path is what the site and API use)")


if __name__ == "__main__":
    main()
