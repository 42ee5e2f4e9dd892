"""Shared fixtures: the real protection data files, read once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from treatywatch.protection.data import ProtectionData, load_dataset

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


@pytest.fixture(scope="session")
def real_data() -> ProtectionData:
    return load_dataset(RAW)
