"""Copy the front-end packages from node_modules into the package's static files.

Run after `npm ci` at the repository root. The copies are committed, so the site needs neither npm
nor a CDN at run time; VENDORED.json records each file's package version and SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
TARGET = ROOT / "src" / "treatywatch" / "web" / "static" / "vendor"

# package -> files to copy (relative to the package folder)
FILES = {
    "htmx.org": ["dist/htmx.min.js", "LICENSE"],
    "axe-core": ["axe.min.js", "LICENSE"],
    "world-atlas": ["countries-110m.json", "LICENSE"],
}


def vendor() -> dict[str, dict[str, object]]:
    manifest: dict[str, dict[str, object]] = {}
    for package, files in FILES.items():
        source = NODE_MODULES / package
        if not source.exists():
            sys.exit(f"vendor_static: {source} is missing; run `npm ci` at {ROOT} first")
        version = json.loads((source / "package.json").read_text(encoding="utf-8"))["version"]
        destination = TARGET / package
        destination.mkdir(parents=True, exist_ok=True)
        copied = {}
        for name in files:
            target = destination / Path(name).name
            shutil.copyfile(source / name, target)
            copied[target.name] = hashlib.sha256(target.read_bytes()).hexdigest()
        manifest[package] = {"version": version, "files": copied}
    (TARGET / "VENDORED.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


if __name__ == "__main__":
    for package, info in vendor().items():
        print(f"{package} {info['version']}: {', '.join(info['files'])}")
