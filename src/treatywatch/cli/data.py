"""Data commands: `build-dataset` (raw documents -> data/bundle/) and `export` (csv, ndjson, sqlite)."""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from treatywatch.cli.runtime import CliError, parse_date, setup_django


def cmd_build_dataset(args: argparse.Namespace) -> int:
    from treatywatch.sources.build import BUNDLE_DIR, BuildError, build_dataset
    from treatywatch.sources.registry import RAW_DIR

    raw = Path(args.raw) if args.raw else RAW_DIR
    if not raw.is_dir():
        raise CliError(f"--raw {str(raw)!r} is not a folder")
    started = time.perf_counter()
    try:
        summary = build_dataset(raw, Path(args.out) if args.out else BUNDLE_DIR)
    except BuildError as error:
        raise CliError(str(error)) from None
    print(
        f"built {summary.out_dir}: {summary.documents} documents from {len(summary.sources)} sources "
        f"({', '.join(summary.sources)}), {summary.events} events ({summary.status_events} status), "
        f"{summary.discrepancies} discrepancies for review, in {time.perf_counter() - started:.1f} s"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    at = parse_date(args.at, name="--at") or date.today()
    setup_django()
    from treatywatch.sources.export import export

    try:
        written = export(args.format, Path(args.out) if args.out else None, at)
    except OSError as error:
        raise CliError(f"cannot write the export: {error}") from None
    print(f"wrote {args.format} export (status on {at}) to {written}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "build-dataset",
        help="rebuild the bundled dataset (data/bundle/) from every source's stored documents",
    )
    p.add_argument("--raw", metavar="DIR", help="folder of stored raw documents (default: data/raw)")
    p.add_argument("--out", metavar="DIR", help="bundle folder to write (default: data/bundle)")
    p.set_defaults(handler=cmd_build_dataset)

    p = subparsers.add_parser(
        "export", help="bulk export: events, status on a date, provenance, and the sources' licences"
    )
    p.add_argument("--format", required=True, choices=["csv", "ndjson", "sqlite"])
    p.add_argument(
        "--out",
        metavar="PATH",
        help="csv: a folder; ndjson, sqlite: a file (default: treatywatch-export[.ndjson|.sqlite])",
    )
    p.add_argument("--at", metavar="DATE", help="status date YYYY-MM-DD (default: today)")
    p.set_defaults(handler=cmd_export)
