"""The lazada spider's navigation and recording, on pages drawn by the demo's Lazada shape."""

from __future__ import annotations

from collections import Counter

import pytest

from crawler.demo.catalogue import Catalogue
from crawler.demo.shapes import lazada as shape
from crawler.items import RawListing
from spiders.lazada import LazadaSpider
from tests.fake_scrapy import drive, make_spider, shape_response, start_requests

BASE = "http://127.0.0.1:8765/lazada"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 3000, seed=5)


def spider(**kwargs):
    settings = {"PATROLI_BASE_URLS": {"lazada": BASE}, "PATROLI_MAX_PAGES": 10}
    return make_spider(LazadaSpider, settings, **kwargs)


def expected(catalogue, keyword: str) -> list[str]:
    total, items = catalogue.search("lazada", keyword, 0, 10_000)
    assert len(items) == total
    return [x.listing_id for x in items]


def test_search_requests():
    json_spider = spider(keywords="batik tulis")
    (first,) = start_requests(json_spider)
    assert first.url == f"{BASE}/catalog/?ajax=true&page=1&q=batik+tulis"
    assert first.headers[b"Accept"].startswith(b"application/json")
    assert first.meta["keyword"] == "batik tulis" and first.meta["kind"] == "search"
    html_spider = spider(keywords="batik tulis", shape="html")
    assert html_spider.search_request("batik tulis", 1).url == f"{BASE}/catalog/?q=batik+tulis"
    assert html_spider.search_request("batik tulis", 3).url == f"{BASE}/catalog/?q=batik+tulis&page=3"


def test_unknown_shape_is_refused():
    with pytest.raises(ValueError, match="shape='xml' tidak dikenal"):
        spider(keywords="batik", shape="xml")


@pytest.mark.parametrize("shape_name", ["json", "html"])
def test_pages_through_every_result(catalogue, shape_name):
    ids = expected(catalogue, "batik")
    pages = -(-len(ids) // shape.PAGE_SIZE)
    assert pages >= 3
    s = spider(keywords="batik", shape=shape_name)
    run = drive(s, start_requests(s), lambda r: shape_response(r, shape, catalogue, BASE))
    assert [item.listing_id for item in run.listings] == ids
    assert [r.page for r in run.records] == list(range(1, pages + 1))
    assert {r.outcome for r in run.records} == {"ok"}
    assert sum(r.listings_found for r in run.records) == len(ids)
    assert all(item.keyword == "batik" for item in run.listings)
    assert {item.source for item in run.listings} == {
        "search_json" if shape_name == "json" else "search_html"
    }


def test_max_pages_bounds_the_walk(catalogue):
    s = make_spider(LazadaSpider, {"PATROLI_BASE_URLS": {"lazada": BASE}}, keywords="batik", max_pages="2")
    run = drive(s, start_requests(s), lambda r: shape_response(r, shape, catalogue, BASE))
    assert len(run.fetched) == 2
    assert len(run.listings) == 2 * shape.PAGE_SIZE


def test_detail_follow_up_adds_seller_and_description(catalogue):
    s = spider(keywords="songket", shape="html", detail="ya")
    run = drive(s, start_requests(s), lambda r: shape_response(r, shape, catalogue, BASE))
    ids = expected(catalogue, "songket")
    assert sorted(item.listing_id for item in run.listings) == sorted(ids)
    kinds = Counter(r.kind for r in run.records)
    assert kinds["detail"] == len(ids)
    by_id = {x.listing_id: x for x in (catalogue.get("lazada", i) for i in ids)}
    for item in run.listings:
        truth = by_id[item.listing_id]
        assert item.source == "pdp"
        assert (item.seller_name, item.seller_id) == (truth.shop.name, truth.shop.shop_id)
        assert item.description == truth.description
        assert item.seller_location == truth.shop.city  # kept from the search card
        assert item.keyword == "songket"


def test_blocked_search_is_recorded_as_blocked(catalogue):
    s = spider(keywords="batik")
    run = drive(s, start_requests(s), lambda r: shape_response(r, shape, catalogue, BASE, blocked=True))
    assert run.listings == []
    (record,) = run.records
    assert record.outcome == "blocked" and record.status == 200
    assert "RGV587_ERROR" in record.reason or "FAIL_SYS_USER_VALIDATE" in record.reason


def test_empty_search_is_recorded_as_empty(catalogue):
    for shape_name in ("json", "html"):
        s = spider(keywords="zzqx", shape=shape_name)
        run = drive(s, start_requests(s), lambda r: shape_response(r, shape, catalogue, BASE))
        assert [(r.outcome, r.listings_found) for r in run.records] == [("empty", 0)]


def test_detail_is_only_followed_on_lazada():
    s = spider(keywords="x", detail="true")
    off_site = RawListing("lazada", "1", "https://evil.example/products/x-i1.html", "x")
    on_site = RawListing("lazada", "1", f"{BASE}/products/x-i1-s2.html", "x")
    assert s.detail_request(off_site) is None
    assert s.detail_request(on_site).url == on_site.url
