"""The `lazada` spider: keyword search with paging, and product-page follow-up. No selectors here.

Search reads `/catalog/?ajax=true&q=<kata>&page=N` (the JSON the search page itself loads: seller,
location and exact counts per listing) by default, or the HTML page `/catalog/?q=<kata>&page=N`
with `-a shape=html`. Both are parsed by spiders/pages/lazada.py, which also tells Lazada's
slider-captcha and `RGV587_ERROR` answers apart from an empty result.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from scrapy.http import Request

from crawler.items import RawListing
from spiders.base import MarketplaceSpider
from spiders.pages import SearchPage
from spiders.pages import lazada as pages

SHAPES = ("json", "html")


class LazadaSpider(MarketplaceSpider):
    name = "lazada"
    marketplace = "lazada"

    def __init__(self, *args: Any, shape: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.shape = (shape or "json").strip().lower()
        if self.shape not in SHAPES:
            raise ValueError(f"shape={shape!r} tidak dikenal untuk lazada: pilih {' atau '.join(SHAPES)}")

    def search_request(self, keyword: str, page: int) -> Request:
        q = quote_plus(keyword)
        if self.shape == "json":
            return Request(
                f"{self.base_url}/catalog/?ajax=true&page={page}&q={q}",
                headers={
                    "Accept": "application/json, text/plain, */*",
                    "Referer": f"{self.base_url}/catalog/?q={q}",
                    "X-Requested-With": "XMLHttpRequest",
                },
            )
        suffix = f"&page={page}" if page > 1 else ""
        return Request(f"{self.base_url}/catalog/?q={q}{suffix}")

    def parse_search_body(self, body: bytes, url: str) -> SearchPage:
        return pages.parse_search(body, url)

    def detail_request(self, listing: RawListing) -> Request | None:
        # Only Lazada's own product pages: a listing URL elsewhere is not followed.
        if not listing.url or not listing.url.startswith(self.base_url + "/products/"):
            return None
        return Request(listing.url)

    def parse_detail_body(self, body: bytes, url: str) -> RawListing | None:
        return pages.parse_product(body, url)
