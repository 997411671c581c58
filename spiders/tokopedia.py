"""The `tokopedia` spider: keyword search on the rendered search page, product pages on request.

Requests (the same against the real site and the demo marketplace; only the base URLs differ):

- search: GET <PATROLI_BASE_URLS["tokopedia"]>/search?st=product&q=<keyword>&page=<n>
  (60 results a page; paging stops when a page brings no new listing ids or says it is last);
- detail (PATROLI_DETAIL / `-a detail=1`): POST <PATROLI_BASE_URLS["tokopedia-gql"]>/graphql/
  PDPGetLayoutQuery with the batched body [{"operationName": "PDPGetLayoutQuery", "variables":
  {"shopDomain", "productKey", ...}, "query": ...}], shopDomain and productKey being the two
  path segments of the product URL.

No selectors here: spiders/pages/tokopedia.py reads every answer.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from scrapy.http import Request

from crawler.items import RawListing
from spiders.base import MarketplaceSpider
from spiders.pages import SearchPage
from spiders.pages import tokopedia as pages

GQL_KEY = "tokopedia-gql"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class TokopediaSpider(MarketplaceSpider):
    name = "tokopedia"
    marketplace = "tokopedia"
    gql_base_url: str = "https://gql.tokopedia.com"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        base_urls = crawler.settings.getdict("PATROLI_BASE_URLS")
        gql = (base_urls.get(GQL_KEY) or cls.gql_base_url).rstrip("/")
        if _is_loopback(spider.base_url) and not _is_loopback(gql):
            # The search page is the demo's: product pages must never go to the real site.
            gql = f"{spider.base_url}-gql"
            spider.logger.warning(
                "PATROLI_BASE_URLS[%r] menunjuk ke situs asli sedangkan tokopedia ke demo: memakai %s",
                GQL_KEY,
                gql,
            )
        spider.gql_base_url = gql
        return spider

    def search_request(self, keyword: str, page: int) -> Request:
        return Request(
            pages.search_url(self.base_url, keyword, page),
            headers={"Accept": "text/html,application/xhtml+xml", "Accept-Language": "id-ID,id;q=0.9"},
        )

    def parse_search_body(self, body: bytes, url: str) -> SearchPage:
        return pages.parse_search(body, url)

    def detail_request(self, listing: RawListing) -> Request | None:
        try:
            shop_domain, key = pages.product_key(listing.url)
        except ValueError:
            return None
        return Request(
            f"{self.gql_base_url}/graphql/{pages.PDP_OPERATION}",
            method="POST",
            body=json.dumps(pages.pdp_request_body(shop_domain, key)),
            headers={
                "Content-Type": "application/json",
                "Accept": "*/*",
                "Referer": listing.url,
                "X-Source": "tokopedia-lite",
                "X-Device": "desktop",
                "X-Tkpd-Akamai": "pdpGetLayout",
            },
        )

    def parse_detail_body(self, body: bytes, url: str) -> RawListing | None:
        return pages.parse_pdp(body, url)


def _is_loopback(url: str) -> bool:
    return urlsplit(url).hostname in _LOOPBACK
