"""The Blibli spider on fake Scrapy responses drawn by the demo's Blibli shape (no network)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.demo.records import DemoResponse
from crawler.demo.shapes import blibli as shape
from crawler.items import PageRecord, RawListing
from spiders.blibli import BlibliSpider
from tests.stubs_shopee_blibli import BASE, StubCatalogue, demo_request, listing

ROOT = f"{BASE}/blibli"


def _spider(**settings) -> BlibliSpider:
    values = {"PATROLI_BASE_URLS": {"blibli": ROOT}, "PATROLI_MAX_PAGES": 5, **settings}
    return BlibliSpider.from_crawler(get_crawler(BlibliSpider, values), keywords="batik tulis")


def _catalogue(n: int) -> StubCatalogue:
    return StubCatalogue(
        [listing(str(1000000000 + i), marketplace="blibli", title=f"Batik Tulis Lasem {i}") for i in range(n)]
    )


def _response(request: Request, answer: DemoResponse) -> TextResponse:
    return TextResponse(
        url=request.url,
        status=answer.status,
        body=answer.body,
        headers={"Content-Type": answer.content_type},
        request=request,
    )


def _fetch(request: Request, catalogue, blocked: bool = False) -> TextResponse:
    req = demo_request(request.url, "blibli")
    answer = shape.blocked(req) if blocked else shape.handle(req, catalogue)
    assert answer is not None, request.url
    return _response(request, answer)


def _split(outputs):
    outputs = list(outputs)
    return (
        [o for o in outputs if isinstance(o, RawListing)],
        [o for o in outputs if isinstance(o, PageRecord)],
        [o for o in outputs if isinstance(o, Request)],
    )


def _search(spider: BlibliSpider, page: int) -> Request:
    return spider._tag(spider.search_request("batik tulis", page), "batik tulis", page, "search")


def test_search_request_is_the_real_api_call():
    request = _spider().search_request("batik tulis", 2)
    parts = urlsplit(request.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{ROOT}/backend/search/products"
    assert parse_qs(parts.query, keep_blank_values=True) == {
        "sort": ["0"],
        "page": ["2"],
        "start": ["40"],
        "searchTerm": ["batik tulis"],
        "intent": ["false"],
        "merchantSearch": ["true"],
        "multiCategory": ["true"],
        "customUrl": [""],
        "channelId": ["web"],
        "showFacet": ["false"],
    }
    assert request.headers[b"channelId"] == b"web"
    assert request.headers[b"Referer"] == f"{ROOT}/cari/batik%20tulis".encode()


def test_search_pages_forty_at_a_time_until_the_last_page():
    spider = _spider()
    catalogue = _catalogue(45)
    listings, records, requests = _split(spider.parse_search(_fetch(_search(spider, 1), catalogue)))
    assert len(listings) == 40 and listings[0].url == (
        f"{ROOT}/p/kain-batik-tulis-lasem-latohan/ps--1000000000?ds=1000000000-00001"
    )
    assert [(r.outcome, r.listings_found, r.page) for r in records] == [("ok", 40, 1)]
    assert len(requests) == 1 and "start=40" in requests[0].url and "page=2" in requests[0].url
    listings, records, requests = _split(spider.parse_search(_fetch(requests[0], catalogue)))
    assert [i.listing_id for i in listings] == [str(1000000040 + i) for i in range(5)]
    assert [(r.outcome, r.page, r.new_listings) for r in records] == [("ok", 2, 5)]
    assert requests == []  # paging says page 2 of 2


def test_akamai_block_is_recorded_as_blocked():
    spider = _spider()
    listings, records, requests = _split(
        spider.parse_search(_fetch(_search(spider, 1), _catalogue(3), blocked=True))
    )
    assert listings == [] and requests == []
    assert [(r.outcome, r.status, r.reason) for r in records] == [
        ("blocked", 403, "HTTP 403, halaman anti-bot ('Access Denied')")
    ]


def test_refusing_json_status_is_blocked():
    spider = _spider()
    body = json.dumps({"code": 401, "status": "UNAUTHORIZED", "data": None}).encode()
    response = _response(_search(spider, 1), DemoResponse(200, body, "application/json"))
    _, records, _ = _split(spider.parse_search(response))
    assert [(r.outcome, r.reason) for r in records] == [
        ("blocked", "Blibli menolak permintaan (status UNAUTHORIZED)")
    ]


def test_empty_search_is_empty():
    spider = _spider()
    request = spider._tag(spider.search_request("songket", 1), "songket", 1, "search")
    _, records, requests = _split(spider.parse_search(_fetch(request, _catalogue(3))))
    assert [(r.outcome, r.listings_found) for r in records] == [("empty", 0)]
    assert requests == []


def test_detail_follow_up_through_the_product_summary():
    spider = _spider(PATROLI_DETAIL=True)
    catalogue = _catalogue(3)
    _, records, requests = _split(spider.parse_search(_fetch(_search(spider, 1), catalogue)))
    assert records[0].outcome == "ok"
    details = [r for r in requests if r.meta.get("kind") == "detail"]
    assert len(details) == 3
    first = details[0]
    assert first.url == (
        f"{ROOT}/backend/product-detail/products/ps--1000000000/_summary"
        "?defaultItemSku=1000000000-00001&cnc=false"
    )
    assert first.headers[b"Referer"].decode() == first.meta["listing"].url
    listings, records, _ = _split(spider.parse_detail(_fetch(first, catalogue)))
    assert [(r.outcome, r.kind) for r in records] == [("ok", "detail")]
    (merged,) = listings
    assert (merged.listing_id, merged.keyword, merged.source) == (
        "1000000000",
        "batik tulis",
        "product_summary",
    )
    assert merged.description == "Dibatik tangan, proses 3 minggu. Pewarna alam, kain primisima."
    # What only the search states survives the merge.
    assert (merged.price, merged.seller_name, merged.seller_location) == (
        "Rp1.250.000",
        "Batik Tulis Bu Sri Lasem",
        "Kab. Rembang",
    )


def test_blocked_detail_keeps_the_search_listing():
    spider = _spider(PATROLI_DETAIL=True)
    catalogue = _catalogue(3)
    _, _, requests = _split(spider.parse_search(_fetch(_search(spider, 1), catalogue)))
    listings, records, _ = _split(spider.parse_detail(_fetch(requests[0], catalogue, blocked=True)))
    assert [(r.outcome, r.kind, r.status) for r in records] == [("blocked", "detail", 403)]
    assert [i.listing_id for i in listings] == ["1000000000"] and listings[0].description is None
    body = json.dumps({"code": 403, "status": "FORBIDDEN", "data": None}).encode()
    refused = _response(requests[1], DemoResponse(200, body, "application/json"))
    listings, records, _ = _split(spider.parse_detail(refused))
    assert [(r.outcome, r.reason) for r in records] == [
        ("blocked", "Blibli menolak permintaan (status FORBIDDEN)")
    ]
    assert [i.listing_id for i in listings] == ["1000000001"]


def test_no_detail_request_without_a_product_reference():
    raw = RawListing("blibli", "X", f"{ROOT}/p/produk", "x")
    assert _spider().detail_request(raw) is None
