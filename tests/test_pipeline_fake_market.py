"""The whole pipeline (spider base -> normalize -> match -> store) on a fake marketplace shape."""

import json
import types

import pytest
import pytest_twisted
from scrapy import Request

from crawler.demo.catalogue import Catalogue
from crawler.demo.records import DemoResponse
from crawler.demo.server import DemoMarket, Faults
from crawler.items import RawListing
from crawler.store import Store
from spiders.base import MarketplaceSpider
from spiders.pages import PageParseError, SearchPage
from tests.crawling import crawl


def _shape():
    def handle(req, catalogue):
        if req.path != "/search":
            return None
        page = int(req.arg("page", "1"))
        total, items = catalogue.search("tokopedia", req.arg("q", ""), (page - 1) * 20, 20)
        rows = [
            {
                "id": i.listing_id,
                "name": i.title,
                "price": f"Rp{i.price_idr:,}".replace(",", "."),
                "shop": i.shop.name,
            }
            for i in items
        ]
        return DemoResponse(200, json.dumps({"total": total, "rows": rows}).encode(), "application/json")

    def blocked(req):
        return DemoResponse(200, b"<html><body>Verifikasi keamanan: captcha</body></html>")

    return types.SimpleNamespace(handle=handle, blocked=blocked)


class FakeSpider(MarketplaceSpider):
    name = "fake"
    marketplace = "tokopedia"

    def search_request(self, keyword, page):
        return Request(f"{self.base_url}/search?q={keyword}&page={page}")

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


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 3000, seed=11)


def _market(catalogue, faults=None):
    market = DemoMarket(catalogue, faults=faults)
    market.routes["fake"] = _shape()
    return market.start()


@pytest_twisted.ensureDeferred
async def test_crawl_stores_exactly_what_was_served_and_recrawl_adds_snapshots(catalogue, tmp_path):
    market = _market(catalogue)
    db = str(tmp_path / "p.db")
    try:
        urls = {"tokopedia": f"{market.url}/fake"}
        first = await crawl([FakeSpider], db, urls, ["batik tulis", "songket"], PATROLI_MAX_PAGES=3)
        served = set(market.catalogue.served["tokopedia"])
        expected = set()
        for kw in ("batik tulis", "songket"):
            expected |= {i.listing_id for i in catalogue.search("tokopedia", kw, 0, 60)[1]}
        assert served == expected
        store = Store(db)
        assert {lid for _, lid in store.listing_ids("tokopedia")} == expected
        assert store.db["crawls"].get(first)["status"] == "finished"
        second = await crawl([FakeSpider], db, urls, ["batik tulis", "songket"], PATROLI_MAX_PAGES=3)
        assert store.count("listings") == len(expected)
        row = store.db["crawls"].get(second)
        assert row["listings_new"] == 0 and row["listings_seen"] == len(expected)
        snaps = store.db.execute(
            "select count(*) from listing_snapshots where crawl_id = ?", [second]
        ).fetchone()[0]
        assert snaps == len(expected)
    finally:
        market.stop()


@pytest_twisted.ensureDeferred
async def test_outcomes_blocked_throttled_error_empty(catalogue, tmp_path):
    faults = Faults(keywords={"diblokir": "block", "pelan": "throttle", "rusak": "error"}, retry_after=0)
    market = _market(catalogue, faults)
    db = str(tmp_path / "p.db")
    try:
        urls = {"tokopedia": f"{market.url}/fake"}
        crawl_id = await crawl(
            [FakeSpider], db, urls, ["diblokir", "rusak", "zzzkosong", "songket pelan"], RETRY_TIMES=1
        )
        store = Store(db)
        outcomes = {
            r["keyword"]: (r["outcome"], r["status"])
            for r in store.db["crawl_pages"].rows_where("crawl_id = ?", [crawl_id])
        }
        assert outcomes["diblokir"][0] == "blocked"
        assert outcomes["rusak"] == ("error", 500)
        assert outcomes["zzzkosong"] == ("empty", 200)
        # Throttled once with Retry-After, asked again, then served: both fetches are recorded.
        pelan = [
            r["outcome"]
            for r in store.db["crawl_pages"].rows_where("keyword = ?", ["songket pelan"], order_by="id")
        ]
        assert pelan == ["throttled", "empty"]
        assert market.requests["throttled"] == 1
        row = store.db["crawls"].get(crawl_id)
        assert row["blocked"] == 1 and row["errors"] == 1
    finally:
        market.stop()


@pytest_twisted.ensureDeferred
async def test_throttled_for_good_gives_up_after_bounded_retries(catalogue, tmp_path):
    faults = Faults(keywords={"pelan": "throttle"}, throttle_times=100, retry_after=0)
    market = _market(catalogue, faults)
    db = str(tmp_path / "p.db")
    try:
        crawl_id = await crawl(
            [FakeSpider], db, {"tokopedia": f"{market.url}/fake"}, ["pelan"], PATROLI_THROTTLE_RETRIES=2
        )
        store = Store(db)
        outcomes = [r["outcome"] for r in store.db["crawl_pages"].rows_where("crawl_id = ?", [crawl_id])]
        assert outcomes == ["throttled"] * 3
        assert market.requests["throttled"] == 3
    finally:
        market.stop()
