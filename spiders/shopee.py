"""Shopee Indonesia: keyword search through the search_items API, details through pdp/get_pc.

Requests (base URL from PATROLI_BASE_URLS["shopee"], https://shopee.co.id by default):
- search: GET /api/v4/search/search_items?by=relevancy&keyword=K&limit=60&newest=OFFSET&order=desc
  &page_type=search&scenario=PAGE_GLOBAL_SEARCH&version=2 (OFFSET = (page-1) x 60);
- detail: GET /api/v4/pdp/get_pc?item_id=I&shop_id=S&tz_offset_minutes=420&detail_level=0;
with the headers Shopee's own web client sends that carry no secret (`x-api-source: pc`,
`x-shopee-language: id`, `x-requested-with`, a Referer of the search or product page).

The real site signs its API calls in browser JavaScript (`af-ac-enc-dat`, `x-sap-ri`,
`x-csrftoken`, single-use). This spider does not forge them: unsigned calls get Shopee's
anti-bot answer (error 90309999), which is recorded as `blocked`, never as "nothing found".
Patrolling the real site needs a real browser (scrapy-playwright, the optional `browser`
extra); see the README.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from scrapy.http import Request

from crawler.items import RawListing
from spiders.base import MarketplaceSpider
from spiders.pages import SearchPage
from spiders.pages import shopee as pages

PAGE_SIZE = 60


class ShopeeSpider(MarketplaceSpider):
    name = "shopee"
    marketplace = "shopee"

    def search_request(self, keyword: str, page: int) -> Request:
        params = {
            "by": "relevancy",
            "keyword": keyword,
            "limit": PAGE_SIZE,
            "newest": (page - 1) * PAGE_SIZE,
            "order": "desc",
            "page_type": "search",
            "scenario": "PAGE_GLOBAL_SEARCH",
            "version": 2,
        }
        referer = f"{self.base_url}/search?{urlencode({'keyword': keyword}, quote_via=quote)}"
        return Request(
            f"{self.base_url}/api/v4/search/search_items?{urlencode(params, quote_via=quote)}",
            headers=_api_headers(referer),
        )

    def parse_search_body(self, body: bytes, url: str) -> SearchPage:
        return pages.parse_search(body, url)

    def detail_request(self, listing: RawListing) -> Request | None:
        if not (listing.listing_id.isdigit() and listing.seller_id and listing.seller_id.isdigit()):
            return None
        params = {
            "item_id": listing.listing_id,
            "shop_id": listing.seller_id,
            "tz_offset_minutes": 420,  # WIB
            "detail_level": 0,
        }
        return Request(
            f"{self.base_url}/api/v4/pdp/get_pc?{urlencode(params)}", headers=_api_headers(listing.url)
        )

    def parse_detail_body(self, body: bytes, url: str) -> RawListing:
        return pages.parse_detail(body, url)

    def blocked_reason(self, body: bytes) -> str | None:
        return pages.blocked_reason(body)


def _api_headers(referer: str) -> dict[str, str]:
    return {
        "Accept": "application/json",
        "X-API-SOURCE": "pc",
        "X-Shopee-Language": "id",
        "X-Requested-With": "XMLHttpRequest",
        "Referer": referer,
    }
