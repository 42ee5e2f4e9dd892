"""Time to compute the hosting shares for every year 1951-2025 from the raw files.

Run: .venv/bin/python benchmarks/hosting.py [--repeat N]. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from treatywatch.knowledge.participants import load_registry
from treatywatch.protection.data import load_dataset
from treatywatch.protection.hosting import all_years

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    registry = load_registry()
    print(f"participants registry (once per process): {time.perf_counter() - start:.2f} s")
    loads, computes, totals = [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        data = load_dataset(RAW, registry)
        t1 = time.perf_counter()
        figures = all_years(data)
        t2 = time.perf_counter()
        loads.append(t1 - t0)
        computes.append(t2 - t1)
        totals.append(t2 - t0)
    rows = sum(len(f) for f in data.flows.values())
    print(f"read and check raw files ({rows:,} population rows): median {statistics.median(loads):.2f} s")
    print(
        f"compute {len(figures)} years ({figures[0].year}-{figures[-1].year}): median {statistics.median(computes):.3f} s"
    )
    print(
        f"total from raw files: median {statistics.median(totals):.2f} s, min {min(totals):.2f} s over {args.repeat} runs"
    )


if __name__ == "__main__":
    main()
