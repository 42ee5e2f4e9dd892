"""What every command needs: Django set up, a database ready on first use, one-line errors."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from typing import Any


class CliError(Exception):
    """A user error: printed as one line naming the bad value, exit status 2, no traceback."""


def parse_date(value: str | None, *, name: str = "date") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"malformed {name} {value!r}: expected YYYY-MM-DD") from None


def setup_django(*, ensure_data: bool = True) -> None:
    """Configure Django; on a fresh clone, create the embedded database from the bundled data."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treatywatch.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    if ensure_data:
        ensure_database()


def ensure_database() -> None:
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from treatywatch.store.models import Treaty

    if not Treaty.objects.filter(data_as_of__isnull=False).exists():
        from treatywatch.store.loading import load_bundle, sync_reference_data

        if (settings.BUNDLE_DIR / "manifest.json").exists():
            print("treatywatch: first run, loading the bundled dataset ...", file=sys.stderr)
            load_bundle(settings.BUNDLE_DIR)
        else:
            sync_reference_data()


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
