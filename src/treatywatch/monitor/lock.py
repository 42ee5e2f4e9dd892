"""One watch run at a time: an exclusive, non-blocking lock on a file beside the database.

`fcntl.flock` is released by the kernel when the process dies, so a crashed run never leaves a stale
lock behind. It serialises runs on one host; run the timer on one host only (docs/deployment.md).
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


@contextmanager
def exclusive(path: Path | None = None) -> Iterator[Path]:
    path = path or lock_path()
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
