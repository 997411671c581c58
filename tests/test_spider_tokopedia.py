"""The tokopedia spider's requests and callbacks, answered by the demo renderer without a server.

Each request the spider builds is handed to crawler/demo/shapes/tokopedia.py exactly as the demo
server would (prefix taken off the path), and the answer comes back as a Scrapy response.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.demo.records import DemoListing, DemoRequest, DemoShop
from crawler.demo.shapes import tokopedia as shape
from crawler.items import PageRecord, RawListing
from spiders.pages import tokopedia as tp
from spiders.tokopedia import TokopediaSpider

ROOT = "http://127.0.0.1:8765"
BASE_URLS = {"tokopedia": f"{ROOT}/tokopedia", "tokopedia-gql": f"{ROOT}/tokopedia-gql"}

SHOP = DemoShop("4100001", "Tenun Ikat Ibu Ratu", "tenunikatiburatu", "Kab. Sikka")


def _item(n: int) -> DemoListing:
    return DemoListing(
        marketplace="tokopedia",
        listing_id=str(2_000_000_000 + n),
        slug=f"kain-tenun-ikat-sikka-{n}",
        title=f"Kain Tenun Ikat Sikka Motif {n}",
        description=f"Ditenun tangan, pewarna alam. PO 14 hari. ({n})",
        price_idr=350_000 + n * 1_000,
        original_price_idr=None,
        sold_count=n,
        rating=4.9,
        review_count=n // 2,
        shop=SHOP,
        category="tenun_ikat",
        category_path="Fashion Wanita / Kain Wanita / Kain Tenun",
        image_url=f"https://images.example/demo/{n}.jpg",
    )


class FakeCatalogue:
    def __init__(self, items):
        self.items = items

    def search(self, marketplace, keyword, offset, limit):
        found = [i for i in self.items if keyword.split()[0].lower() in i.title.lower()]
        return len(found), found[offset : offset + limit]

    def get(self, marketplace, listing_id):
        return next((i for i in self.items if i.listing_id == listing_id), None)


CATALOGUE = FakeCatalogue([_item(n) for n in range(1, 131)])  # 130 results: pages of 60, 60, 10


def _spider(**kwargs) -> TokopediaSpider:
    settings = {"PATROLI_BASE_URLS": kwargs.pop("base_urls", BASE_URLS), "PATROLI_MAX_PAGES": 5}
    crawler = get_crawler(TokopediaSpider, settings)
    return TokopediaSpider.from_crawler(crawler, keywords=kwargs.pop("keywords", "tenun ikat"), **kwargs)


def _answer(request: Request, catalogue=CATALOGUE, blocked: bool = False):
    """What the demo server would answer this request, as a Scrapy response."""
    parts = urlsplit(request.url)
    prefix, _, rest = parts.path.lstrip("/").partition("/")
    req = DemoRequest(
        method=request.method,
        path="/" + rest,
        query=parse_qs(parts.query, keep_blank_values=True),
        body=request.body,
        headers={k.decode().lower(): v[0].decode() for k, v in request.headers.items()},
        base_url=f"{ROOT}/{prefix}",
    )
    demo = shape.blocked(req) if blocked else shape.handle(req, catalogue)
    assert demo is not None, f"the demo does not serve {request.method} {request.url}"
    cls = HtmlResponse if demo.content_type.startswith("text/html") else TextResponse
    return cls(
        request.url,
        status=demo.status,
        body=demo.body,
        headers={"Content-Type": demo.content_type, **demo.headers},
        request=request,
    )


def _split(results):
    results = list(results)
    return (
        [r for r in results if isinstance(r, RawListing)],
        [r for r in results if isinstance(r, PageRecord)],
        [r for r in results if isinstance(r, Request)],
    )


def _start(spider) -> list[Request]:
    """The spider's start requests. start() awaits nothing, so it is stepped by hand: the test
    process may already run an event loop (pytest-twisted), where asyncio.run is refused."""
    agen, requests = spider.start(), []
    while True:
        step = agen.__anext__()
        try:
            step.send(None)
        except StopIteration as done:
            requests.append(done.value)
        except StopAsyncIteration:
            return requests


def test_start_requests_and_urls():
    spider = _spider(keywords="tenun ikat,songket palembang")
    first, second = _start(spider)
    assert first.url == f"{ROOT}/tokopedia/search?st=product&q=tenun+ikat"
    assert second.url == f"{ROOT}/tokopedia/search?st=product&q=songket+palembang"
    assert (first.meta["keyword"], first.meta["page"], first.meta["kind"]) == ("tenun ikat", 1, "search")
    assert first.method == "GET" and first.callback == spider.parse_search
    assert spider.search_request("tenun ikat", 3).url.endswith("/search?st=product&q=tenun+ikat&page=3")


def test_real_site_by_default():
    spider = _spider(
        base_urls={"tokopedia": "https://www.tokopedia.com", "tokopedia-gql": "https://gql.tokopedia.com"}
    )
    assert spider.search_request("batik tulis", 2).url == (
        "https://www.tokopedia.com/search?st=product&q=batik+tulis&page=2"
    )
    listing = RawListing("tokopedia", "1", "https://www.tokopedia.com/toko/kain-1", "Kain")
    assert spider.detail_request(listing).url == "https://gql.tokopedia.com/graphql/PDPGetLayoutQuery"


def test_demo_search_never_sends_product_pages_to_the_real_site():
    spider = _spider(
        base_urls={"tokopedia": f"{ROOT}/tokopedia", "tokopedia-gql": "https://gql.tokopedia.com"}
    )
    assert spider.gql_base_url == f"{ROOT}/tokopedia-gql"


def test_paging_through_the_demo_shape():
    spider = _spider()
    (request,) = _start(spider)
    seen, pages = [], 0
    while request is not None and pages < 10:
        listings, records, follow = _split(spider.parse_search(_answer(request)))
        pages += 1
        seen += [item.listing_id for item in listings]
        (record,) = records
        assert (record.outcome, record.kind, record.keyword) == ("ok", "search", "tenun ikat")
        assert record.listings_found == len(listings) == record.new_listings
        assert all(item.keyword == "tenun ikat" for item in listings)
        request = follow[0] if follow else None
        if request is not None:
            assert request.meta["page"] == pages + 1
    assert pages == 3  # 60 + 60 + 10: the last page says so, no fourth request
    assert seen == [i.listing_id for i in CATALOGUE.items]


def test_search_values_reach_the_listing():
    spider = _spider()
    (request,) = _start(spider)
    listings, _, _ = _split(spider.parse_search(_answer(request)))
    first = listings[0]
    assert (first.title, first.price, first.seller_name, first.seller_location) == (
        "Kain Tenun Ikat Sikka Motif 1",
        "Rp351.000",
        "Tenun Ikat Ibu Ratu",
        "Kab. Sikka",
    )
    assert first.url == f"{ROOT}/tokopedia/tenunikatiburatu/kain-tenun-ikat-sikka-1-2000000001"


def test_detail_follow_up():
    spider = _spider(detail="1")
    (request,) = _start(spider)
    listings, records, follow = _split(spider.parse_search(_answer(request)))
    assert listings == []  # each listing waits for its product page
    details = [r for r in follow if r.meta["kind"] == "detail"]
    assert len(details) == 60 and len(follow) == 61  # and the next search page
    detail = details[0]
    assert detail.method == "POST"
    assert detail.url == f"{ROOT}/tokopedia-gql/graphql/PDPGetLayoutQuery"
    assert detail.headers["Content-Type"] == b"application/json"
    body = json.loads(detail.body)
    assert body[0]["operationName"] == "PDPGetLayoutQuery"
    assert (body[0]["variables"]["shopDomain"], body[0]["variables"]["productKey"]) == (
        "tenunikatiburatu",
        "kain-tenun-ikat-sikka-1-2000000001",
    )
    assert detail.callback == spider.parse_detail
    merged, records, _ = _split(spider.parse_detail(_answer(detail)))
    (item,) = merged
    assert (item.listing_id, item.source, item.keyword) == ("2000000001", "pdp", "tenun ikat")
    assert item.description == "Ditenun tangan, pewarna alam. PO 14 hari. (1)"
    assert item.seller_location == "Kab. Sikka"  # kept from the search card: the layout lacks it
    assert item.sold == "1" and item.category_path == "Fashion Wanita / Kain Wanita / Kain Tenun"
    assert [(r.kind, r.outcome) for r in records] == [("detail", "ok")]


def test_detail_of_a_vanished_product_keeps_the_search_listing():
    spider = _spider(detail="1")
    (request,) = _start(spider)
    _, _, follow = _split(spider.parse_search(_answer(request)))
    detail = next(r for r in follow if r.meta["kind"] == "detail")
    gone = FakeCatalogue([])  # sold out and delisted between the search and the product page
    listings, records, _ = _split(spider.parse_detail(_answer(detail, gone)))
    assert [(r.kind, r.outcome) for r in records] == [("detail", "error")]
    assert "product not found" in records[0].reason
    assert [item.listing_id for item in listings] == ["2000000001"]


def test_blocked_search_is_recorded_not_empty():
    spider = _spider()
    (request,) = _start(spider)
    listings, records, follow = _split(spider.parse_search(_answer(request, blocked=True)))
    assert listings == [] and follow == []
    (record,) = records
    assert (record.outcome, record.status) == ("blocked", 403)


def test_empty_search():
    spider = _spider(keywords="songket")
    (request,) = _start(spider)
    listings, records, follow = _split(spider.parse_search(_answer(request)))
    assert listings == [] and follow == []
    assert [r.outcome for r in records] == ["empty"]


@pytest.mark.parametrize("url", ["https://www.tokopedia.com/", "https://www.tokopedia.com/tokoku"])
def test_no_detail_request_without_a_product_url(url):
    assert _spider().detail_request(RawListing("tokopedia", "1", url, "x")) is None


def test_detail_request_body_matches_the_parser_side():
    listing = RawListing("tokopedia", "7", f"{ROOT}/tokopedia/toko-a/kain-7", "Kain")
    request = _spider().detail_request(listing)
    assert tp.read_pdp_request_body(request.body) == ("toko-a", "kain-7")
    assert request.headers["Referer"] == listing.url.encode()
