import pytest


@pytest.fixture(scope="session")
def bundle_loaded(django_db_setup, django_db_blocker):
    """The bundled real dataset, loaded once into the test database."""
    from django.conf import settings

    from treatywatch.store.loading import load_bundle

    with django_db_blocker.unblock():
        return load_bundle(settings.BUNDLE_DIR)
