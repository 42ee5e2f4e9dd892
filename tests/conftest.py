"""Project-wide fixtures. Keep this file small: each area's own fixtures live in its folder."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def bundled_data(django_db_setup, django_db_blocker) -> dict[str, int]:
    """The bundled dataset (data/bundle, or $TREATYWATCH_BUNDLE) loaded once into the test database.

    Loaded outside the per-test transactions, so it stays for the rest of the session: tests that
    use it must only read it (their own writes are still rolled back). Transactional tests
    (live_server) empty the database when they finish; reload with `load_bundle` there.
    """
    from django.conf import settings

    from treatywatch.store.loading import load_bundle

    if not (settings.BUNDLE_DIR / "manifest.json").exists():
        pytest.fail(f"no bundled dataset at {settings.BUNDLE_DIR}: run `treatywatch build-dataset` first")
    with django_db_blocker.unblock():
        return load_bundle(settings.BUNDLE_DIR)
