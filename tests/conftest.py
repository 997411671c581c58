"""Shared fixtures. Real captures are read from ../shared/fixtures, never copied here."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures"
LABELLED = SHARED / "labelled"


@pytest.fixture
def fixture_path():
    """Path to a real capture in ../shared/fixtures; skips (saying why) where it is absent."""

    def get(relative: str) -> Path:
        path = FIXTURES / relative
        if not path.exists():
            pytest.skip(f"../shared/fixtures/{relative} ada di CI, tidak di klon ini (real capture absent)")
        return path

    return get


@pytest.fixture
def tmp_db(tmp_path):
    return tmp_path / "patroli.db"
