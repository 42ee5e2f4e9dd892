"""Schemathesis drives every documented operation with generated inputs: no server error, and every
answer matches the OpenAPI document. Examples are bounded so the run stays short, and derived from the
test (derandomize) so a CI run is reproducible; raise max_examples locally to explore further."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: keep the test transaction's connection open between requests."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled_data", "keep_test_connection")
@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_operation(case):
    case.call_and_validate()
