"""Blibli: keyword search through the backend search API, details through the product summary API.

Requests (base URL from PATROLI_BASE_URLS["blibli"], https://www.blibli.com by default):
- search: GET /backend/search/products?sort=0&page=N&start=OFFSET&searchTerm=K&intent=false
  &merchantSearch=true&multiCategory=true&customUrl=&channelId=web&showFacet=false
  (40 results a page, OFFSET = (page-1) x 40), as the site's own search page calls it;
- detail: GET /backend/product-detail/products/<formattedId>/_summary?defaultItemSku=<ds>&cnc=false,
  formattedId and ds taken from the listing URL (/p/<slug>/<formattedId>?ds=<itemSku>);
with `Accept: application/json`, `channelId: web` and a Referer of the search or product page.

Blibli sits behind Akamai Bot Manager: a refused client gets Akamai's "Access Denied" page
(HTTP 403), recorded as `blocked`.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from scrapy.http import Request

from crawler.items import RawListing
from spiders.base import MarketplaceSpider
from spiders.pages import SearchPage
from spiders.pages import blibli as pages

PAGE_SIZE = 40


class BlibliSpider(MarketplaceSpider):
    name = "blibli"
    marketplace = "blibli"

    def search_request(self, keyword: str, page: int) -> Request:
        params = {
            "sort": 0,
            "page": page,
            "start": (page - 1) * PAGE_SIZE,
            "searchTerm": keyword,
            "intent": "false",
            "merchantSearch": "true",
            "multiCategory": "true",
            "customUrl": "",
            "channelId": "web",
            "showFacet": "false",
        }
        return Request(
            f"{self.base_url}/backend/search/products?{urlencode(params, quote_via=quote)}",
            headers=_api_headers(f"{self.base_url}/cari/{quote(keyword, safe='')}"),
        )

    def parse_search_body(self, body: bytes, url: str) -> SearchPage:
        return pages.parse_search(body, url)

    def detail_request(self, listing: RawListing) -> Request | None:
        ref = pages.product_ref(listing.url)
        if ref is None:
            return None
        formatted, item_sku = ref
        params = {"defaultItemSku": item_sku, "cnc": "false"} if item_sku else {"cnc": "false"}
        path = f"/backend/product-detail/products/{quote(formatted, safe='')}/_summary"
        return Request(f"{self.base_url}{path}?{urlencode(params)}", headers=_api_headers(listing.url))

    def parse_detail_body(self, body: bytes, url: str) -> RawListing:
        return pages.parse_detail(body, url)

    def blocked_reason(self, body: bytes) -> str | None:
        return pages.blocked_reason(body)


def _api_headers(referer: str) -> dict[str, str]:
    return {
        "Accept": "application/json, text/plain, */*",
        "Accept-Language": "id",
        "channelId": "web",
        "Referer": referer,
    }
