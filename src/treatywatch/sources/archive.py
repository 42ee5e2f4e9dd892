"""The document archive: every fetched document's bytes, stored once under their SHA-256.

Content addressing makes archiving idempotent (the same bytes fetched twice are stored once) and lets
any parse be re-run and any claim be traced to the exact bytes it was read from. The retrieval time
and address live in the `SourceDocument` row that points to the file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings

from treatywatch.sources.base import Document
from treatywatch.store.models import SourceDocument


class ArchiveError(RuntimeError):
    """An archived file is missing or its bytes no longer match its name."""


def archive_root() -> Path:
    return Path(settings.ARCHIVE_DIR)


def relative_path(sha256: str, name: str = "") -> str:
    """`ab/abcdef...1234.html`: two-level fan-out keeps directories small; the suffix helps a reader."""
    suffix = PurePosixPath(name).suffix.lower() if name else ""
    if not suffix or len(suffix) > 6:
        suffix = ".bin"
    return f"{sha256[:2]}/{sha256}{suffix}"


def put(document: Document) -> str:
    """Store the document's bytes (once) and return their path relative to the archive root."""
    relative = relative_path(document.sha256, document.name or document.url)
    target = archive_root() / relative
    if target.exists():
        return relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # write-then-rename: a crash never leaves a half-written file under a content address
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(document.content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return relative


def get(relative: str) -> bytes:
    """The archived bytes, checked against their address."""
    path = archive_root() / relative
    if not path.exists():
        raise ArchiveError(f"archived document {relative} is missing from {archive_root()}")
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != PurePosixPath(relative).stem:
        raise ArchiveError(f"archived document {relative} no longer matches its hash")
    return content


def record(
    document: Document,
    relative: str,
    *,
    state: str,
    error: str = "",
    treaty: str | None = None,
    as_of: date | None = None,
    meta: dict[str, Any] | None = None,
) -> SourceDocument:
    """The database row for one archived retrieval (one row per retrieval, so each run is traceable)."""
    return SourceDocument.objects.create(
        source=document.source,
        url=document.url,
        retrieved_at=document.retrieved_at,
        sha256=document.sha256,
        archive_path=relative,
        treaty_id=treaty,
        as_of=as_of,
        state=state,
        error=error,
        meta={"name": document.name, "size": len(document.content), **(meta or {})},
    )


def reload(row: SourceDocument) -> Document:
    """The archived document behind a row, ready to be parsed again."""
    return Document(
        source=row.source,
        url=row.url,
        content=get(row.archive_path),
        retrieved_at=row.retrieved_at,
        name=row.meta.get("name", ""),
    )
