"""Matchers: pure functions from Listing to Flags, over the reference data in data/.

`load_matcher(data_dir)` reads and checks data/ once (a malformed file raises `DataError` naming the
file, line and reason) and returns a `Matcher` whose `assess(listing)` gives the listing's
Assessment: category, risk 0-100, the three verdicts, and flags with their reasons.
`Matcher.assess_all(listings)` adds the cross-listing DUP_CLUSTER pass.
"""

from __future__ import annotations

from pathlib import Path

from matchers.data import DataError
from matchers.engine import MATCHER_VERSION, Matcher

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"

__all__ = ["DEFAULT_DATA_DIR", "MATCHER_VERSION", "DataError", "Matcher", "load_matcher"]


def load_matcher(data_dir: str | Path | None = None) -> Matcher:
    return Matcher(Path(data_dir) if data_dir else DEFAULT_DATA_DIR)
