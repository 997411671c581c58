"""The Shopee spider on fake Scrapy responses drawn by the demo's Shopee shape (no network)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.demo.shapes import shopee as shape
from crawler.items import PageRecord, RawListing
from spiders.shopee import ShopeeSpider
from tests.stubs_shopee_blibli import BASE, StubCatalogue, demo_request, listing, shop

ROOT = f"{BASE}/shopee"


def _spider(**settings) -> ShopeeSpider:
    values = {"PATROLI_BASE_URLS": {"shopee": ROOT}, "PATROLI_MAX_PAGES": 5, **settings}
    crawler = get_crawler(ShopeeSpider, values)
    return ShopeeSpider.from_crawler(crawler, keywords="batik tulis")


def _catalogue(n: int = 70) -> StubCatalogue:
    items = [listing(str(1000000000 + i), title=f"Batik Tulis Lasem {i}") for i in range(n)]
    items[3] = listing(
        "1000000003",
        title="Batik Tulis Import Murah",
        is_cross_border=True,
        shop=shop("31337009", name="Global Textile", city="Luar Negeri"),
    )
    return StubCatalogue(items)


def _fetch(request: Request, catalogue, blocked: bool = False) -> TextResponse:
    """What the demo would answer this request with, as a Scrapy response."""
    req = demo_request(request.url, "shopee")
    answer = shape.blocked(req) if blocked else shape.handle(req, catalogue)
    assert answer is not None, request.url
    return TextResponse(
        url=request.url,
        status=answer.status,
        body=answer.body,
        headers={"Content-Type": answer.content_type},
        request=request,
    )


def _split(outputs):
    outputs = list(outputs)
    listings = [o for o in outputs if isinstance(o, RawListing)]
    records = [o for o in outputs if isinstance(o, PageRecord)]
    requests = [o for o in outputs if isinstance(o, Request)]
    return listings, records, requests


def _search(spider: ShopeeSpider, page: int) -> Request:
    return spider._tag(spider.search_request("batik tulis", page), "batik tulis", page, "search")


def test_search_request_is_the_real_api_call():
    spider = _spider()
    request = spider.search_request("batik tulis", 3)
    parts = urlsplit(request.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{ROOT}/api/v4/search/search_items"
    assert parse_qs(parts.query) == {
        "by": ["relevancy"],
        "keyword": ["batik tulis"],
        "limit": ["60"],
        "newest": ["120"],
        "order": ["desc"],
        "page_type": ["search"],
        "scenario": ["PAGE_GLOBAL_SEARCH"],
        "version": ["2"],
    }
    assert "keyword=batik%20tulis" in request.url
    assert request.headers[b"X-API-SOURCE"] == b"pc"
    assert request.headers[b"Referer"] == f"{ROOT}/search?keyword=batik%20tulis".encode()
    assert b"af-ac-enc-dat" not in {k.lower() for k in request.headers}  # no forged signature


def test_search_pages_until_the_answer_says_no_more():
    spider = _spider()
    catalogue = _catalogue(70)
    listings, records, requests = _split(spider.parse_search(_fetch(_search(spider, 1), catalogue)))
    assert len(listings) == 60 and all(i.keyword == "batik tulis" for i in listings)
    assert [(r.outcome, r.listings_found, r.new_listings, r.page) for r in records] == [("ok", 60, 60, 1)]
    assert len(requests) == 1 and "newest=60" in requests[0].url
    cross = next(i for i in listings if i.listing_id == "1000000003")
    assert (cross.is_cross_border, cross.seller_location) == (True, "Luar Negeri")
    listings, records, requests = _split(spider.parse_search(_fetch(requests[0], catalogue)))
    assert len(listings) == 10
    assert [(r.outcome, r.page, r.new_listings) for r in records] == [("ok", 2, 10)]
    assert requests == []  # nomore: true


def test_blocked_search_is_recorded_as_blocked():
    spider = _spider()
    outputs = list(spider.parse_search(_fetch(_search(spider, 1), _catalogue(), blocked=True)))
    listings, records, requests = _split(outputs)
    assert listings == [] and requests == []
    assert [(r.outcome, r.status, r.reason) for r in records] == [
        ("blocked", 200, "anti-bot Shopee (error 90309999)")
    ]
    assert spider.crawler.stats.get_value("patroli/outcome/blocked") == 1


def test_empty_search_is_empty():
    spider = _spider()
    request = spider._tag(spider.search_request("songket", 1), "songket", 1, "search")
    _, records, requests = _split(spider.parse_search(_fetch(request, _catalogue())))
    assert [(r.outcome, r.listings_found) for r in records] == [("empty", 0)]
    assert requests == []


def test_detail_follow_up_through_get_pc():
    spider = _spider(PATROLI_DETAIL=True)
    catalogue = _catalogue(5)
    _, records, requests = _split(spider.parse_search(_fetch(_search(spider, 1), catalogue)))
    assert records[0].outcome == "ok"
    details = [r for r in requests if r.meta.get("kind") == "detail"]
    assert len(details) == 5
    first = details[0]
    parts = urlsplit(first.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{ROOT}/api/v4/pdp/get_pc"
    assert parse_qs(parts.query) == {
        "item_id": ["1000000000"],
        "shop_id": ["31337001"],
        "tz_offset_minutes": ["420"],
        "detail_level": ["0"],
    }
    assert first.headers[b"Referer"].decode() == first.meta["listing"].url
    listings, records, _ = _split(spider.parse_detail(_fetch(first, catalogue)))
    assert [(r.outcome, r.kind) for r in records] == [("ok", "detail")]
    (merged,) = listings
    assert merged.listing_id == "1000000000" and merged.keyword == "batik tulis"
    assert merged.description == "Dibatik tangan, proses 3 minggu.\nPewarna alam, kain primisima."
    assert merged.seller_name == "Batik Tulis Bu Sri Lasem"
    assert merged.category_path == "Fashion Wanita / Batik Wanita / Kain Batik"
    assert (merged.price, merged.price_divisor, merged.historical_sold) == ("125000000000", 100_000, "37")


def test_blocked_detail_is_blocked_and_keeps_the_search_listing():
    spider = _spider(PATROLI_DETAIL=True)
    catalogue = _catalogue(5)
    _, _, requests = _split(spider.parse_search(_fetch(_search(spider, 1), catalogue)))
    listings, records, _ = _split(spider.parse_detail(_fetch(requests[0], catalogue, blocked=True)))
    assert [(r.outcome, r.kind, r.reason) for r in records] == [
        ("blocked", "detail", "anti-bot Shopee (error 90309999)")
    ]
    assert [i.listing_id for i in listings] == ["1000000000"]
    assert listings[0].description is None


def test_detail_needs_numeric_ids():
    spider = _spider()
    raw = RawListing("shopee", "1000000000", f"{ROOT}/x-i.1.1000000000", "x", seller_id=None)
    assert spider.detail_request(raw) is None
