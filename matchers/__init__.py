"""Matchers: pure functions from Listing to Flags, over the reference data in data/.

`load_matcher(data_dir)` reads data/ once and returns an object whose `assess(listing)` gives the
listing's Assessment (category, risk 0-100, three verdicts, flags with reasons).
"""

from __future__ import annotations

from pathlib import Path

from crawler.items import Assessment, Listing

MATCHER_VERSION = "0.0"

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class Matcher:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir

    def assess(self, listing: Listing) -> Assessment:
        # Placeholder until the rules land (issue 4): no judgement, no flags.
        return Assessment(listing.marketplace, listing.listing_id, matcher_version=MATCHER_VERSION)


def load_matcher(data_dir: str | Path | None = None) -> Matcher:
    return Matcher(Path(data_dir) if data_dir else DEFAULT_DATA_DIR)
