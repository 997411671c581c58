"""Shopee and Blibli spiders crawling the demo marketplace in process, detail pages included."""

from __future__ import annotations

import pytest
import pytest_twisted

from crawler.demo.catalogue import Catalogue
from crawler.demo.server import DemoMarket, Faults
from crawler.store import Store
from spiders.blibli import BlibliSpider
from spiders.shopee import ShopeeSpider
from tests.crawling import crawl

KEYWORDS = ["batik tulis", "tenun ikat"]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 4000, seed=17)


def _expected(catalogue, marketplace: str, pages: int, size: int) -> set[str]:
    ids: set[str] = set()
    for keyword in KEYWORDS:
        ids |= {i.listing_id for i in catalogue.search(marketplace, keyword, 0, pages * size)[1]}
    return ids


@pytest_twisted.ensureDeferred
async def test_crawl_with_details_stores_what_the_demo_served(catalogue, tmp_path):
    db = str(tmp_path / "p.db")
    with DemoMarket(catalogue) as market:
        urls = market.base_urls()
        crawl_id = await crawl(
            [ShopeeSpider, BlibliSpider],
            db,
            urls,
            KEYWORDS,
            PATROLI_MAX_PAGES=2,
            spider_args={"detail": "true"},
        )
        served = {m: set(ids) for m, ids in market.catalogue.served.items()}
    store = Store(db)
    for marketplace, size in (("shopee", 60), ("blibli", 40)):
        expected = _expected(catalogue, marketplace, 2, size)
        assert expected, marketplace
        assert served[marketplace] == expected
        assert {lid for _, lid in store.listing_ids(marketplace)} == expected
    rows = list(store.db["listings"].rows_where("marketplace in ('shopee', 'blibli')"))
    # Every listing went through its product API: descriptions and categories are there.
    assert all(r["description"] for r in rows)
    assert all(r["category_path"] for r in rows)
    assert all(r["price_idr"] and r["price_idr"] > 0 for r in rows)
    shopee_rows = [r for r in rows if r["marketplace"] == "shopee"]
    assert all(r["historical_sold"] is not None for r in shopee_rows)
    for row in shopee_rows:
        truth = catalogue.get("shopee", row["listing_id"])
        assert row["is_cross_border"] == int(truth.is_cross_border)
        assert row["price_idr"] == truth.price_idr and row["seller_name"] == truth.shop.name
    pages = list(store.db["crawl_pages"].rows_where("crawl_id = ?", [crawl_id]))
    assert {(p["marketplace"], p["kind"], p["outcome"]) for p in pages} <= {
        (m, k, o) for m in ("shopee", "blibli") for k in ("search", "detail") for o in ("ok", "empty")
    }
    details = [p for p in pages if p["kind"] == "detail"]
    assert len(details) == len(rows)


@pytest_twisted.ensureDeferred
async def test_blocked_marketplaces_are_recorded_as_blocked(catalogue, tmp_path):
    db = str(tmp_path / "p.db")
    faults = Faults(keywords={"batik": "block"})
    with DemoMarket(catalogue, faults=faults) as market:
        crawl_id = await crawl([ShopeeSpider, BlibliSpider], db, market.base_urls(), ["batik tulis"])
    store = Store(db)
    pages = {
        (p["marketplace"], p["outcome"], p["status"], p["reason"])
        for p in store.db["crawl_pages"].rows_where("crawl_id = ?", [crawl_id])
    }
    assert pages == {
        ("shopee", "blocked", 200, "anti-bot Shopee (error 90309999)"),
        ("blibli", "blocked", 403, "HTTP 403, halaman anti-bot ('Access Denied')"),
    }
    assert store.count("listings") == 0
