"""No signature lost under load: several hundred concurrent submissions over real HTTP.

Runs on whichever database the suite uses (SQLite by default, PostgreSQL with DATABASE_URL).
The load driver is the benchmark's (benchmarks/signatures_concurrency.py), so both measure the same.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from treatywatch.campaigns.models import Signature

BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "signatures_concurrency.py"
SIGNATURES = int(os.environ.get("TREATYWATCH_LOAD_SIGNATURES", "300"))


def _driver():
    spec = importlib.util.spec_from_file_location("signatures_concurrency", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_are_each_stored_exactly_once(kit, live_server, smtp, settings) -> None:
    settings.CAMPAIGNS_POW_BITS = 4
    settings.CAMPAIGNS_SIGN_RATE = (10**6, 60)  # every request comes from 127.0.0.1 here
    settings.SITE_URL = live_server.url
    letter = kit.make_letter("under-load")
    result = _driver().hammer(
        live_server.url, letter.slug, count=SIGNATURES, workers=24, bits=4, retry_every=10
    )
    print(f"\n[{connection.vendor}] {result.line()}")
    assert result.errors == []
    per_email = Counter(Signature.objects.filter(letter=letter).values_list("email", flat=True))
    assert len(per_email) == SIGNATURES and set(per_email.values()) == {1}
    assert {f"signer{n:05d}@example.org" for n in range(SIGNATURES)} == set(per_email)
    assert result.statuses[302] == SIGNATURES + SIGNATURES // 10  # the retried posts succeed too
    assert len(smtp.wait_for(SIGNATURES, timeout=30)) == SIGNATURES  # one confirmation each, none for retries
