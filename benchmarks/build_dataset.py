"""Benchmark: a full rebuild of the bundled dataset from all stored raw documents.

Prints wall and CPU time of `build_dataset` (every registered source parsed, roles, discrepancies,
bundle written to a temporary folder, so data/bundle/ is untouched) and the process's peak memory.
Targets: wall time under 30 s, peak memory under 500 MB.
Run: .venv/bin/python benchmarks/build_dataset.py [--raw DIR]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from treatywatch.sources.build import build_dataset
from treatywatch.sources.registry import RAW_DIR

WALL_TARGET_S = 30.0
MEMORY_TARGET_MB = 500.0


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports kilobytes, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw", type=Path, default=RAW_DIR)
    args = parser.parse_args()
    before_mb = peak_rss_mb()
    with tempfile.TemporaryDirectory() as out:
        wall, cpu = time.perf_counter(), time.process_time()
        summary = build_dataset(args.raw, Path(out))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size_kb = sum(p.stat().st_size for p in Path(out).iterdir()) / 1024
    peak_mb = peak_rss_mb()
    print(f"sources: {', '.join(summary.sources)}")
    print(
        f"documents: {summary.documents}  events: {summary.events} ({summary.status_events} status)  "
        f"discrepancies: {summary.discrepancies}  bundle: {size_kb:.0f} KB"
    )
    print(f"wall time: {wall:.2f} s (target < {WALL_TARGET_S:.0f} s)  cpu time: {cpu:.2f} s")
    print(
        f"peak memory (RSS): {peak_mb:.0f} MB (target < {MEMORY_TARGET_MB:.0f} MB; "
        f"{before_mb:.0f} MB after imports)"
    )


if __name__ == "__main__":
    main()
