"""Typed records passed between the stages of a patrol.

`RawListing` holds what a page shows, as strings, before any interpretation. `Listing` is the
normalised record; its field names are the public schema queried in Datasette and scripts.
Money is integer rupiah; unknown is None, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MARKETPLACES = ("tokopedia", "shopee", "lazada", "blibli", "shop")

# Outcomes of one fetch (crawl_pages.outcome).
OUTCOMES = ("ok", "empty", "blocked", "throttled", "error")


@dataclass(slots=True)
class RawListing:
    """One listing as the page shows it: every value a string (or flag) straight off the page."""

    marketplace: str
    listing_id: str
    url: str
    title: str
    price: str | None = None  # "Rp1.250.000", "Rp50.000 - Rp75.000", "8500000000" (see divisor)
    price_max: str | None = None  # when the page gives the top of a range separately
    original_price: str | None = None  # strike-through price
    # Shopee states money as integers in 1/100000 rupiah: the parser keeps the digits and says so.
    price_divisor: int = 1
    currency: str | None = None  # ISO 4217 as the page states it; None means the page implies IDR
    sold: str | None = None  # "10rb+ terjual", "Terjual 250+", "1234"
    historical_sold: str | None = None  # Shopee's all-time count
    rating: str | None = None
    review_count: str | None = None
    seller_id: str | None = None
    seller_name: str | None = None
    seller_location: str | None = None
    seller_url: str | None = None
    is_official: bool | None = None
    is_cross_border: bool | None = None  # the platform's own flag, never inferred
    is_preorder: bool | None = None
    image_url: str | None = None
    category_path: str | None = None  # "Fashion / Batik / Kain"
    description: str | None = None
    source: str = ""  # which page shape it came from: "search_html", "topads", "pdp", ...
    keyword: str | None = None  # the search term that found it (set by the spider)
    capture_id: str | None = None  # the WARC capture it was parsed from (set by the spider)


@dataclass(slots=True)
class Listing:
    """A normalised listing. The first 18 fields are the public schema; keep their names."""

    marketplace: str
    listing_id: str
    url: str
    title: str
    price_idr: int | None = None
    price_max_idr: int | None = None
    original_price_idr: int | None = None
    currency: str = "IDR"
    sold_count: int | None = None
    rating: float | None = None
    review_count: int | None = None
    seller_id: str | None = None
    seller_name: str | None = None
    seller_location: str | None = None
    is_cross_border: bool | None = None
    image_url: str | None = None
    category_path: str | None = None
    captured_at: str | None = None  # ISO 8601 UTC
    # More than the public minimum:
    price_text: str | None = None  # the raw price string, kept for evidence
    price_original: float | None = None  # amount in `currency` when that is not IDR
    sold_text: str | None = None
    historical_sold: int | None = None
    seller_url: str | None = None
    is_official: bool | None = None
    is_preorder: bool | None = None
    description: str | None = None
    keyword: str | None = None
    source: str = ""
    capture_id: str | None = None
    note: str | None = None  # what could not be read (e.g. an unreadable price), in words

    @property
    def key(self) -> tuple[str, str]:
        return (self.marketplace, self.listing_id)


@dataclass(slots=True)
class Flag:
    """One rule hit on one listing, with the reason in words an official can check."""

    marketplace: str
    listing_id: str
    rule: str  # stable id: "BELOW_FLOOR", "CROSS_BORDER_UNDER_USD100", ...
    severity: str  # "low" | "medium" | "high"
    score: float
    reason_id: str  # Bahasa Indonesia, with the numbers and the source
    reason_en: str
    evidence: dict[str, Any] = field(default_factory=dict)
    legal_basis: str | None = None
    matcher_version: str = ""
    category: str | None = None


@dataclass(slots=True)
class Assessment:
    """The matchers' judgement of one listing."""

    marketplace: str
    listing_id: str
    category: str = "other"
    category_confidence: float = 0.0
    risk: int = 0  # 0-100
    likely_imported: bool = False
    below_local_cost: bool = False
    mislabelled_technique: bool = False
    unit_price_idr: int | None = None
    units: float | None = None
    flags: list[Flag] = field(default_factory=list)
    matcher_version: str = ""


@dataclass(slots=True)
class ScoredListing:
    """A listing on its way to the store, with the matchers' assessment when there is one."""

    listing: Listing
    assessment: Assessment | None = None


@dataclass(slots=True)
class PageRecord:
    """One fetch, whatever its outcome: the crawl_pages row that makes coverage visible."""

    marketplace: str
    url: str
    outcome: str  # one of OUTCOMES
    status: int | None = None
    keyword: str | None = None
    page: int | None = None
    kind: str = "search"  # "search" | "detail" | "catalogue"
    listings_found: int = 0
    new_listings: int = 0
    bytes: int = 0
    elapsed_ms: float | None = None
    fetched_at: str | None = None
    reason: str | None = None  # why blocked / error, in words
    capture_id: str | None = None


@dataclass(slots=True)
class Seller:
    marketplace: str
    seller_id: str
    name: str | None = None
    location: str | None = None
    url: str | None = None
    is_official: bool | None = None
