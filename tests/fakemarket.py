"""A small marketplace shape and its spider, for tests of schedules, progress and Redis workers.

The real marketplace spiders live in spiders/; these tests are about running patrols, so they crawl
a JSON search shape of their own over the demo catalogue. Loaded by Scrapy through
tests/fake_settings.py (SPIDER_MODULES), also in crawl subprocesses.
"""

from __future__ import annotations

import json
import time
import types
from urllib.parse import quote_plus

from scrapy import Request

from crawler.demo.records import DemoResponse
from crawler.items import RawListing
from spiders.base import MarketplaceSpider
from spiders.pages import PageParseError, SearchPage

PAGE_SIZE = 20


def fake_shape(delay: float = 0.0):
    """A /search?q=&page= JSON endpoint over the catalogue's tokopedia listings."""

    def handle(req, catalogue):
        if req.path != "/search":
            return None
        if delay:
            time.sleep(delay)
        page = int(req.arg("page", "1"))
        total, items = catalogue.search("tokopedia", req.arg("q", ""), (page - 1) * PAGE_SIZE, PAGE_SIZE)
        rows = [
            {
                "id": i.listing_id,
                "name": i.title,
                "price": f"Rp{i.price_idr:,}".replace(",", "."),
                "shop": i.shop.name,
            }
            for i in items
        ]
        body = json.dumps({"total": total, "rows": rows}).encode()
        return DemoResponse(200, body, "application/json")

    def blocked(req):
        return DemoResponse(200, b"<html><body>Verifikasi keamanan: captcha</body></html>")

    return types.SimpleNamespace(handle=handle, blocked=blocked, PREFIXES=("fake",))


def served_ids(catalogue, keywords, max_pages: int) -> set[str]:
    """The listing ids a crawl of these keywords can be served, page by page like the spider."""
    ids: set[str] = set()
    for keyword in keywords:
        total, items = catalogue.search("tokopedia", keyword, 0, PAGE_SIZE * max_pages)
        ids |= {i.listing_id for i in items}
    return ids


class FakeSpider(MarketplaceSpider):
    name = "fake"
    marketplace = "tokopedia"

    def search_request(self, keyword, page):
        return Request(f"{self.base_url}/search?q={quote_plus(keyword)}&page={page}")

    def parse_search_body(self, body, url):
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise PageParseError("bukan JSON") from exc
        return SearchPage(
            [
                RawListing(
                    "tokopedia",
                    r["id"],
                    f"{url}#{r['id']}",
                    r["name"],
                    price=r["price"],
                    seller_id=r["shop"],
                    seller_name=r["shop"],
                )
                for r in data["rows"]
            ],
            total=data["total"],
        )


def start_market(catalogue, delay: float = 0.0, faults=None):
    """The demo marketplace on 127.0.0.1 (port 0) with the fake shape under /fake."""
    from crawler.demo.server import DemoMarket

    market = DemoMarket(catalogue, faults=faults)
    market.routes["fake"] = fake_shape(delay)
    return market.start()


def subprocess_env(captures_dir=None) -> dict[str, str]:
    """The environment of a `python -m crawler.cli` subprocess that knows the fake spider."""
    import os

    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "tests.fake_settings", "PYTHONUNBUFFERED": "1"}
    if captures_dir is not None:
        env["PATROLI_TEST_CAPTURES_DIR"] = str(captures_dir)
    return env


def disjoint_keywords(catalogue, candidates, max_pages: int) -> list[str]:
    """Keywords whose result pages share no listing: each listing is then found exactly once, so
    'stored exactly once' can be checked down to the snapshot."""
    chosen: list[str] = []
    taken: set[str] = set()
    for keyword in candidates:
        ids = served_ids(catalogue, [keyword], max_pages)
        if ids and not ids & taken:
            chosen.append(keyword)
            taken |= ids
    return chosen


def expected_pages(catalogue, keywords, max_pages: int) -> int:
    """How many search pages the fake spider fetches: full pages, then one that brings nothing new,
    up to max_pages per keyword."""
    pages = 0
    for keyword in keywords:
        total, _ = catalogue.search("tokopedia", keyword, 0, 1)
        full = -(-total // PAGE_SIZE)
        pages += min(max_pages, full + 1)
    return pages


class ShortFakeSpider(FakeSpider):
    """The same shape as another marketplace, one page per keyword: a spider of the same process
    that ends long before FakeSpider does."""

    name = "fake-short"
    marketplace = "shopee"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_pages = 1
        return spider

    def parse_search_body(self, body, url):
        page = super().parse_search_body(body, url)
        for listing in page.listings:
            listing.marketplace = self.marketplace
        return page
