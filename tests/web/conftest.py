"""Fixtures for the page tests: the bundled data behind a live server, and headless Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make
    # from here are plain synchronous calls, so Django's async-safety guard is lifted for the tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
