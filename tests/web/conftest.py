"""Fixtures for the page tests: the bundled data behind a live server, and headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

AXE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "treatywatch"
    / "web"
    / "static"
    / "vendor"
    / "axe-core"
    / "axe.min.js"
)


@pytest.fixture
def live_data(live_server) -> str:
    """The live server's address, with the bundled dataset in its (transactional) database.

    A live_server test empties the database when it ends, so each one reloads the bundle.
    """
    from django.conf import settings

    from treatywatch.store.loading import load_bundle
    from treatywatch.store.models import Event

    if not Event.objects.exists():
        load_bundle(settings.BUNDLE_DIR)
    return live_server.url


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def axe():
    """`axe(page)`: the WCAG 2.1 A and AA violations axe-core finds on the page as it is now."""
    return _axe_violations


def _axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"][:3]],
        }
        for v in result["violations"]
    ]
