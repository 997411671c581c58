"""Every spider against the demo marketplace, in process: what is stored is what was served, and
each outcome (ok, empty, blocked, throttled, error) is recorded as such for every marketplace."""

from __future__ import annotations

import pytest
import pytest_twisted

from crawler.demo.catalogue import Catalogue
from crawler.demo.server import DemoMarket, Faults
from crawler.store import Store
from spiders.blibli import BlibliSpider
from spiders.lazada import LazadaSpider
from spiders.shop import ShopSpider
from spiders.shopee import ShopeeSpider
from spiders.tokopedia import TokopediaSpider
from tests.crawling import crawl

SEARCH_SPIDERS = [TokopediaSpider, ShopeeSpider, LazadaSpider, BlibliSpider]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 3000, seed=31)


def _stored_ids(store: Store, marketplace: str) -> set[str]:
    ids = {lid for _, lid in store.listing_ids(marketplace)}
    # A web shop listing is "<shop address>#<sku>"; the demo's sku is its catalogue id.
    return {lid.rsplit("#", 1)[-1] for lid in ids} if marketplace == "shop" else ids


@pytest_twisted.ensureDeferred
async def test_every_marketplace_stores_exactly_what_the_demo_served(catalogue, tmp_path):
    db = str(tmp_path / "p.db")
    with DemoMarket(catalogue) as market:
        crawl_id = await crawl(
            [*SEARCH_SPIDERS, ShopSpider],
            db,
            market.base_urls(),
            ["batik tulis", "songket"],
            PATROLI_MAX_PAGES=2,
        )
        served = {m: set(ids) for m, ids in market.catalogue.served.items()}
    store = Store(db)
    assert set(served) == {"tokopedia", "shopee", "lazada", "blibli", "shop"}
    for marketplace, ids in served.items():
        assert ids, marketplace
        assert _stored_ids(store, marketplace) == ids, marketplace
    row = store.db["crawls"].get(crawl_id)
    assert row["status"] == "finished" and row["blocked"] == 0 and row["errors"] == 0
    assert row["listings_seen"] == sum(len(ids) for ids in served.values())


@pytest.mark.parametrize("spider", SEARCH_SPIDERS, ids=lambda s: s.name)
@pytest_twisted.ensureDeferred
async def test_each_outcome_is_recorded_as_itself(spider, catalogue, tmp_path):
    db = str(tmp_path / "p.db")
    faults = Faults(
        keywords={"diblokir": "block", "rusak": "error", "pelan": "throttle"}, throttle_times=1, retry_after=0
    )
    keywords = ["batik tulis", "zzzkosong", "batik diblokir", "batik rusak", "songket pelan"]
    with DemoMarket(catalogue, faults=faults) as market:
        crawl_id = await crawl([spider], db, market.base_urls(), keywords, PATROLI_MAX_PAGES=1, RETRY_TIMES=1)
        requests = dict(market.requests)
    store = Store(db)
    pages = list(store.db["crawl_pages"].rows_where("crawl_id = ?", [crawl_id], order_by="id"))
    by_keyword: dict[str, list[str]] = {}
    for page in pages:
        by_keyword.setdefault(page["keyword"], []).append(page["outcome"])
    assert by_keyword["batik tulis"] == ["ok"]
    assert by_keyword["zzzkosong"] == ["empty"]
    assert by_keyword["batik diblokir"] == ["blocked"]  # the site's own anti-bot answer, not "empty"
    assert by_keyword["batik rusak"] == ["error"]  # HTTP 500, retried once by Scrapy, then recorded
    assert by_keyword["songket pelan"] == ["throttled", "empty"]  # 429, asked again, then served
    assert requests["error"] == 2 and requests["throttled"] == 1 and requests["blocked"] == 1
    blocked = next(p for p in pages if p["outcome"] == "blocked")
    assert blocked["reason"]  # says why: status or the page's own words
    row = store.db["crawls"].get(crawl_id)
    assert (row["blocked"], row["errors"]) == (1, 1)
