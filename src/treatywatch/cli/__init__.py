"""The one command-line entry point: `treatywatch <command> ...`.

Each module in this package that defines `register(subparsers)` adds its commands, so a capability
(sources, monitoring, campaigns, protection) brings its own commands without touching this file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from treatywatch.cli.runtime import CliError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="treatywatch",
        description="Treaty participation: status on any date, sources, alerts, campaigns.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name == "runtime":
            continue
        commands = importlib.import_module(f"{__name__}.{module.name}")
        register = getattr(commands, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CliError as error:
        print(f"treatywatch: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
