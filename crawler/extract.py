"""`patroli extract`: what a page parser reads from a saved response, as Listing records.

Each parser module in spiders/pages/ offers `extract(body, url) -> list[RawListing]`, which
recognises which of its marketplace's page shapes the body is and raises PageParseError when it
is none of them.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from crawler.items import MARKETPLACES, Listing
from crawler.normalize import normalize_listing, utc_now
from spiders.pages import PageParseError


class ExtractError(Exception):
    """A file that cannot be read as a page of the given marketplace; the message says why."""


def extract_file(path: str | Path, marketplace: str, url: str = "") -> list[Listing]:
    path = Path(path)
    if marketplace not in MARKETPLACES:
        raise ExtractError(f"{path}: marketplace tidak dikenal {marketplace!r}")
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path}: tidak bisa dibaca ({exc.strerror})") from exc
    module = importlib.import_module(f"spiders.pages.{marketplace}")
    try:
        raws = module.extract(body, url)
    except PageParseError as exc:
        raise ExtractError(f"{path}: {exc}") from exc
    captured_at = utc_now()
    return [normalize_listing(raw, captured_at) for raw in raws]
