"""Project-wide fixtures. Keep this file small: each area's own fixtures live in its folder."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Debian's Chromium, never a downloaded browser; the flags keep it off this machine's closed network.
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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium driven by Playwright, shared by every browser test of the session."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make
    # from here are plain synchronous calls, so Django's async-safety guard is lifted for the tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def fresh_caches() -> None:
    """Each test starts with no kept pages or answers and re-reads the data version.

    A test's writes are rolled back, and SQLite then hands the next test the same row ids: the same
    data version, though not the same data, so nothing kept under it may outlive the test.
    """
    from django.core.cache import caches

    from treatywatch.store import service

    for cache in caches.all(initialized_only=True):
        cache.clear()
    service._recent_version = (0.0, "")


@pytest.fixture
def empty_store(request: pytest.FixtureRequest) -> None:
    """A database test starts with no events, documents or discrepancies, whatever other modules loaded.

    Inside the test's transaction, so it is rolled back afterwards; a raw delete skips the per-row
    history signals that would make it slow. Reference data is restored if another module emptied it.
    """
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from treatywatch.store.loading import sync_reference_data
    from treatywatch.store.models import Discrepancy, Event, Participant, SourceDocument

    for model in (Event, SourceDocument, Discrepancy):
        model.objects.all()._raw_delete(model.objects.db)
    if not Participant.objects.exists():
        sync_reference_data()


@pytest.fixture(scope="module")
def bundled_data(django_db_setup, django_db_blocker) -> Iterator[dict[str, int]]:
    """The bundled dataset (data/bundle, or $TREATYWATCH_BUNDLE) in the test database for one module.

    Loaded outside the per-test transactions (once per module, so tests must only read it; their
    own writes are still rolled back) and removed when the module ends, so other modules still
    start from an empty store. Transactional tests (live_server) empty the database themselves.
    """
    from django.conf import settings

    from treatywatch.store.loading import load_bundle

    if not (settings.BUNDLE_DIR / "manifest.json").exists():
        pytest.fail(f"no bundled dataset at {settings.BUNDLE_DIR}: run `treatywatch build-dataset` first")
    with django_db_blocker.unblock():
        counts = load_bundle(settings.BUNDLE_DIR)
    yield counts
    with django_db_blocker.unblock():
        _empty_store()


def _empty_store() -> None:
    """Delete what load_bundle wrote, without per-row signals (which would write history rows)."""
    from django.db import connection, transaction

    from treatywatch.store.models import Discrepancy, Event, Participant, SourceDocument, Treaty

    models = (
        Event.history.model,
        Discrepancy.history.model,
        Event,
        Discrepancy,
        SourceDocument,
        Treaty,
        Participant,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
