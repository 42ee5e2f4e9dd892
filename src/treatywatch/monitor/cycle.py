"""One monitoring cycle, as `treatywatch watch` runs it: sync, schedule, then deliver, under a lock."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from treatywatch.monitor.alerts import discrepancy_alerts, schedule_pending
from treatywatch.monitor.delivery import deliver
from treatywatch.monitor.lock import exclusive
from treatywatch.monitor.models import SyncRun


def run_once(
    *,
    source_ids: Iterable[str] | None = None,
    documents: Iterable[str] | None = None,
    from_dir: Path | None = None,
    base_url: str | None = None,
    now: datetime | None = None,
    today: date | None = None,
    quiet: bool = True,
    fetcher_factory: Callable[[], Any] | None = None,
    force_digest: bool = False,
) -> dict[str, Any]:
    """Raises lock.AlreadyRunning when another cycle is in progress."""
    from treatywatch.sources.sync import run_sync

    now = now or timezone.now()
    today = today or now.date()
    with exclusive():
        first_run = not SyncRun.objects.exists()
        report = run_sync(
            source_ids=source_ids,
            documents=documents,
            from_dir=from_dir,
            base_url=base_url,
            now=now,
            today=today,
            quiet=quiet,
            fetcher_factory=fetcher_factory,
        )
        scheduled = schedule_pending(now=now, today=today)
        discrepancies = discrepancy_alerts(now=now, first_run=first_run)
        delivered = deliver(now=now, today=today, force_digest=force_digest)
    return {
        "sync": report.summary(),
        "scheduled": len(scheduled),
        "discrepancies": len(discrepancies),
        "delivery": delivered.as_dict(),
    }
