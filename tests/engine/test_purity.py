"""The engine is a pure module: no framework, database, clock or network imports."""

import ast
from pathlib import Path

import treatywatch.engine

FORBIDDEN = {
    "django",
    "sqlite3",
    "psycopg",
    "httpx",
    "requests",
    "socket",
    "time",
    "os",
    "yaml",
    "treatywatch.store",
    "treatywatch.web",
    "treatywatch.sources",
    "treatywatch.knowledge",
}
ENGINE_DIR = Path(treatywatch.engine.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_imports_nothing_impure():
    offenders = {}
    for path in ENGINE_DIR.glob("*.py"):
        bad = {m for m in imported_modules(path) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)}
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}


def test_engine_never_reads_the_clock():
    for path in ENGINE_DIR.glob("*.py"):
        text = path.read_text()
        assert "date.today(" not in text and "datetime.now(" not in text and "utcnow(" not in text, path.name


def test_the_check_itself_detects_a_forbidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from django.db import models\nimport time\n")
    assert {"django.db", "time"} <= imported_modules(sample)
