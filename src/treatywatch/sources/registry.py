"""Discovers the sources: every sub-folder holding a `source.yaml` and a `parser.py` with `parse`.

`source.yaml` lists the stored documents the bundled dataset is built from:

    documents:
      - path: untc-mgaldino-2026/un_hr_treaties/html/*.html   # glob under data/raw/
        url: "https://treaties.un.org/...{stem}..."            # address; {stem} = file name sans suffix
        retrieved_at: "2026-02-03T14:16:18+00:00"
        live: true        # optional: `treatywatch sync` may fetch `url` from the publisher
      - package_path: knowledge/data/treaties.yaml             # instead of `path`: glob under src/treatywatch/
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from treatywatch.sources.base import SOURCES_DIR, Document, Parser, SourceMeta

REPO_DIR = SOURCES_DIR.parents[2]
RAW_DIR = REPO_DIR / "data" / "raw"
PACKAGE_DIR = SOURCES_DIR.parent


class UnknownSourceError(LookupError):
    pass


@dataclass(frozen=True)
class Source:
    meta: SourceMeta
    parse: Parser
    folder: Path

    @property
    def id(self) -> str:
        return self.meta.id

    def stored_documents(self, raw_dir: Path = RAW_DIR) -> Iterator[Document]:
        """The raw documents this source's part of the bundled dataset is built from, in a stable order."""
        for entry in self.meta.extra.get("documents", []):
            # `package_path:` entries name a curated file shipped inside the package (e.g. the final clauses).
            base = PACKAGE_DIR if "package_path" in entry else raw_dir
            pattern = entry.get("package_path") or entry["path"]
            paths = sorted(base.glob(pattern))
            if not paths:
                raise FileNotFoundError(f"source {self.id}: no stored document matches {pattern!r} in {base}")
            for path in paths:
                name = path.relative_to(base)
                yield Document(
                    source=self.id,
                    url=entry["url"].format(stem=path.stem, name=path.name),
                    content=path.read_bytes(),
                    retrieved_at=datetime.fromisoformat(entry["retrieved_at"]),
                    name=f"treatywatch/{name}" if base is PACKAGE_DIR else str(name),
                )


@functools.lru_cache(maxsize=1)
def all_sources() -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for folder in sorted(p for p in SOURCES_DIR.iterdir() if (p / "source.yaml").exists()):
        meta = SourceMeta.load(folder)
        if meta.id != folder.name:
            raise ValueError(f"source folder {folder.name!r} declares id {meta.id!r}")
        module = importlib.import_module(f"treatywatch.sources.{folder.name}.parser")
        sources[meta.id] = Source(meta=meta, parse=module.parse, folder=folder)
    return sources


def get_source(source_id: str) -> Source:
    try:
        return all_sources()[source_id]
    except KeyError:
        raise UnknownSourceError(f"unknown source {source_id!r}; known: {', '.join(all_sources())}") from None
