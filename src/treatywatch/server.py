"""The production web server: gunicorn serving the site and API, with the data folded before it forks.

The master process folds every stored event once and freezes that heap (see
`store.service._settle_heap`), then forks the workers: each starts with the shared histories ready in
copy-on-write memory, no first reader pays for a fold, and no garbage collection walks the histories.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    """One process per core. Requests are CPU-bound Python: processes add capacity, while many threads
    in one process queue on its interpreter lock (benchmarks/load.py: at 32 clients, 2 x 4 threads
    gave an API p99 of 25-31 ms, 2 x 8 gave 52 ms and 2 x 16 gave 43 ms)."""
    return max(2, len(os.sched_getaffinity(0)))


class TreatyWatchServer(BaseApplication):
    """gunicorn configured from arguments instead of a config file (gunicorn's "custom application")."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from treatywatch.wsgi import application

        return application


def fold_before_fork() -> None:
    """Import every view and build the shared folded data in this (master) process, then drop its
    database connections: a connection must never be shared by forked processes."""
    from django.db import connections
    from django.urls import get_resolver

    from treatywatch.store.service import StatusService

    get_resolver().url_patterns  # noqa: B018 - imports the views and builds the API's schemas once
    StatusService.current()
    connections.close_all()


def serve(host: str, port: int, *, workers: int, threads: int, access_log: bool = False) -> None:
    """Serve until interrupted. Django must already be set up (the command line does it)."""
    fold_before_fork()
    TreatyWatchServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "preload_app": True,
            "accesslog": "-" if access_log else None,
            "errorlog": "-",
            "loglevel": "info",
            "timeout": 60,
            "graceful_timeout": 15,
            "keepalive": 5,
            "control_socket_disable": True,  # no shared socket in the home folder: servers may run side by side
        }
    ).run()
