"""Refreshing the protection data files from their publishers (or a folder), all-or-nothing.

Everything is fetched into a staging folder, read back through the same checks as the import
(``load_dataset``), compared with the copy in use (no year may disappear, no file may shrink by more
than a tenth), and only then swapped in. A server error, a truncated download or a file that fails a
check leaves the stored copy untouched.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from treatywatch.protection.data import (
    ProtectionData,
    ProtectionDataError,
    load_dataset,
    source_metadata,
    wb_fiscal_year_files,
)
from treatywatch.sources.fetch import Fetcher, FetchError

MANIFEST = "manifest.json"
UNHCR_PAGE_SIZE = 10_000
UNHCR_COLUMNS = {
    "unhcr_population": [
        "year",
        "coo_name",
        "coo",
        "coo_iso",
        "coa_name",
        "coa",
        "coa_iso",
        "refugees",
        "asylum_seekers",
        "returned_refugees",
        "idps",
        "returned_idps",
        "stateless",
        "ooc",
        "oip",
        "hst",
    ],
    "unhcr_solutions": [
        "year",
        "coo_name",
        "coo",
        "coo_iso",
        "coa_name",
        "coa",
        "coa_iso",
        "returned_refugees",
        "resettlement",
        "naturalisation",
        "returned_idps",
    ],
}
WB_COLUMNS = ["iso3c", "iso2c", "country", "region", "income", "lending"]
MAX_SHRINK = 0.10


class RefreshError(RuntimeError):
    """The refresh was refused; the message says which file or address and why. Nothing was replaced."""


def current_fiscal_year(today: date) -> int:
    """World Bank fiscal year N runs from 1 July N-1 to 30 June N."""
    return today.year + 1 if today.month >= 7 else today.year


def _csv_text(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    blank = (None, "-")
    writer.writerows([["" if (v := row.get(c)) in blank else v for c in columns] for row in rows])
    return out.getvalue()


def _json(content: bytes, url: str) -> Any:
    try:
        return json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RefreshError(f"{url}: not valid JSON (truncated or an error page?): {error}") from None


def _unhcr_table(fetcher: Fetcher, url: str, key: str) -> str:
    """Every page of a UNHCR Refugee Data Finder API table, written in the stored CSV layout."""
    items: list[dict[str, Any]] = []
    page, pages = 1, 1
    last_year = datetime.now(UTC).year
    while page <= pages:
        address = f"{url}?limit={UNHCR_PAGE_SIZE}&page={page}&yearFrom=1951&yearTo={last_year}&coo_all=true&coa_all=true"
        body = _json(fetcher.fetch(address, source="unhcr", name=f"{key} page {page}").content, address)
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise RefreshError(f"{address}: no 'items' list in the answer")
        pages = int(body.get("maxPages") or 1)
        if pages > 1000:
            raise RefreshError(f"{address}: implausible maxPages {pages}")
        items.extend(body["items"])
        page += 1
    return _csv_text(UNHCR_COLUMNS[key], items)


def _worldbank_table(fetcher: Fetcher, url: str) -> str:
    """The World Bank API's country list (classification in force today) in the WDI cache layout."""
    body = _json(fetcher.fetch(url, source="worldbank", name="country list").content, url)
    if not (isinstance(body, list) and len(body) == 2 and isinstance(body[1], list)):
        raise RefreshError(f"{url}: expected [metadata, countries]")
    if int(body[0].get("pages", 1)) > 1:
        raise RefreshError(f"{url}: answer has {body[0].get('pages')} pages; raise per_page")
    rows = [
        {
            "iso3c": c.get("id"),
            "iso2c": c.get("iso2Code"),
            "country": c.get("name"),
            "region": (c.get("region") or {}).get("value"),
            "income": (c.get("incomeLevel") or {}).get("value"),
            "lending": (c.get("lendingType") or {}).get("value"),
        }
        for c in body[1]
    ]
    return _csv_text(WB_COLUMNS, rows)


def _download(staging: Path, base_url: str | None, fetcher: Fetcher, today: date) -> list[dict[str, str]]:
    fetched = []
    order = {"file": 0, "worldbank_api": 1, "unhcr_api": 2}  # cheap downloads first: fail fast
    entries = sorted(source_metadata().items(), key=lambda item: order.get(item[1]["refresh"]["kind"], 3))
    for key, info in entries:
        refresh = info["refresh"]
        kind = refresh["kind"]
        if kind == "keep":
            continue
        url = refresh["url"]
        if kind == "file":
            content = fetcher.fetch(url, source=key, name=info["path"]).content
            relative = info["path"]
        elif kind == "unhcr_api":
            content = _unhcr_table(fetcher, url, key).encode()
            relative = info["path"]
        elif kind == "worldbank_api":
            content = _worldbank_table(fetcher, url).encode()
            relative = info["path"].format(fy=current_fiscal_year(today))
        else:
            raise RefreshError(f"sources.yaml: unknown refresh kind {kind!r} for {key}")
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        fetched.append({"path": relative, "url": url if not base_url else f"{url} (via {base_url})"})
    return fetched


def _copy_layout(source: Path, staging: Path) -> list[dict[str, str]]:
    copied = []
    for key, info in source_metadata().items():
        if "{fy}" in info["path"]:
            paths = [p.relative_to(source) for p in wb_fiscal_year_files(source)]
        else:
            paths = [Path(info["path"])]
        for relative in paths:
            if not (source / relative).exists():
                if info["refresh"]["kind"] == "keep":
                    continue
                raise RefreshError(f"{source / relative}: file missing in the folder to copy from ({key})")
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / relative, staging / relative)
            copied.append({"path": str(relative), "url": str(source / relative)})
    return copied


def _keep_missing(current: Path, staging: Path) -> None:
    """Files the refresh does not replace (history sheets, older fiscal years) carry over from the copy in use."""
    for info in source_metadata().values():
        paths = wb_fiscal_year_files(current) if "{fy}" in info["path"] else [current / info["path"]]
        for path in paths:
            relative = path.relative_to(current)
            if path.exists() and not (staging / relative).exists():
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, staging / relative)


def _sizes(data: ProtectionData) -> dict[str, int]:
    return {
        "population rows": sum(len(f) for f in data.flows.values()),
        "resettlement rows": sum(len(r) for r in data.resettlement.values()),
        "bordering pairs": sum(len(n) for n in data.neighbours.values()),
        "income fiscal years": len(data.income),
    }


def _current_extent(current: Path) -> dict[str, Any] | None:
    """Years and sizes of the copy in use: from its manifest, else by reading it (the bundled copy)."""
    manifest = current / MANIFEST
    if manifest.exists():
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        if "sizes" in recorded:
            return {"years": recorded["years"], "sizes": recorded["sizes"]}
    try:
        old = load_dataset(current)
    except (ProtectionDataError, FileNotFoundError):
        return None  # the copy in use is itself unreadable: any checked copy is better
    return {"years": [old.years[0], old.years[-1]], "sizes": _sizes(old)}


def _plausible(new: ProtectionData, old: dict[str, Any] | None) -> None:
    if old is None:
        return
    first, last = old["years"]
    if new.years[-1] < last or new.years[0] > first:
        raise RefreshError(
            f"population.csv covers {new.years[0]}-{new.years[-1]}, the copy in use {first}-{last}"
        )
    before, after = old["sizes"], _sizes(new)
    for what, count in before.items():
        if after[what] < count * (1 - MAX_SHRINK):
            raise RefreshError(
                f"{what}: {after[what]} after refresh, {count} before (shrank by more than a tenth)"
            )


def _default_target() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "protection"


def _bundled() -> Path:
    from django.conf import settings

    return Path(settings.BASE_DIR) / "data" / "raw"


def refresh(
    *,
    base_url: str | None = None,
    from_dir: Path | None = None,
    target_dir: Path | None = None,
    min_interval: float = 1.0,
    backoff: float = 2.0,
    retries: int = 3,
) -> str:
    """Replace the stored protection files with the publishers' current ones (or ``from_dir``'s).

    ``base_url`` sends every publisher address to a mirror (same paths and queries). Returns a one-line
    summary; raises RefreshError, leaving the stored copy as it was, when anything fails.
    """
    target = Path(target_dir) if target_dir else _default_target()
    current = target if (target / MANIFEST).exists() else _bundled()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}-staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        if from_dir is not None:
            origin = str(from_dir)
            files = _copy_layout(Path(from_dir), staging)
        else:
            origin = base_url or "publishers"
            with Fetcher(
                base_url=base_url, min_interval=min_interval, backoff=backoff, retries=retries
            ) as fetcher:
                try:
                    files = _download(staging, base_url, fetcher, datetime.now(UTC).date())
                except FetchError as error:
                    raise RefreshError(f"download failed: {error}") from None
        _keep_missing(current, staging)
        try:
            new = load_dataset(staging)
        except ProtectionDataError as error:
            raise RefreshError(f"refused, a file failed the import checks: {error}") from None
        _plausible(new, _current_extent(current))
        manifest = {
            "refreshed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "origin": origin,
            "files": [
                {**f, "sha256": next((s.sha256 for s in new.sources if s.path == f["path"]), "")}
                for f in files
            ],
            "years": [new.years[0], new.years[-1]],
            "sizes": _sizes(new),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        retired = target.parent / f".{target.name}-old-{uuid.uuid4().hex[:8]}"
        if target.exists():
            target.rename(retired)
        staging.rename(target)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return (
        f"protection data refreshed from {origin}: {len(files)} files, UNHCR years {new.years[0]}-{new.years[-1]}, "
        f"World Bank FY{min(new.income)}-FY{max(new.income)}, stored in {target}"
    )
