"""One watch run at a time: an exclusive, non-blocking lock on a file beside the database and, on
PostgreSQL, a session advisory lock in the database itself.

`fcntl.flock` is released by the kernel when the process dies, and an advisory lock by the server when
its session ends, so a crashed run never leaves a stale lock behind. The file serialises runs on one
host; the advisory lock serialises them across every host that shares the database.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings


class AlreadyRunning(RuntimeError):
    """Another run holds the lock."""


def lock_path() -> Path:
    return Path(settings.VAR_DIR) / "watch.lock"


# pg_try_advisory_lock's key: any fixed 64-bit number that no other application on the server uses
ADVISORY_KEY = int.from_bytes(b"tw-watch", "big") - 2**63


@contextmanager
def database_lock() -> Iterator[None]:
    """On PostgreSQL, hold the advisory lock on a connection of its own for the whole run (the run's
    own connection may be closed and reopened); elsewhere nothing beyond the file lock is needed."""
    from django.db import connections

    if connections["default"].vendor != "postgresql":
        yield
        return
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
            (acquired,) = cursor.fetchone()
        if not acquired:
            raise AlreadyRunning("another run is in progress on a host sharing this database")
        yield
    finally:
        holder.close()  # ending the session releases the advisory lock


@contextmanager
def exclusive(path: Path | None = None) -> Iterator[Path]:
    with _file_lock(path or lock_path()) as held, database_lock():
        yield held


@contextmanager
def _file_lock(path: Path) -> Iterator[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = Path(path).read_text(encoding="utf-8", errors="replace").strip() or "another process"
            raise AlreadyRunning(f"another run is in progress ({holder}; lock {path})") from None
        os.ftruncate(handle, 0)
        os.write(handle, f"pid {os.getpid()}".encode())
        yield path
    finally:
        os.close(handle)  # closing the descriptor releases the lock
