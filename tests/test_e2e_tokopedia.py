"""Issue 2 end to end: the Tokopedia spider patrols the demo marketplace in process; the database
holds exactly what the demo served; a re-crawl adds no listing and one snapshot each; Datasette
serves a listing and finds it by full-text search."""

from __future__ import annotations

import pytest
import pytest_twisted

from crawler.datasette_app import make_datasette
from crawler.demo.catalogue import Catalogue
from crawler.demo.server import DemoMarket
from crawler.store import Store
from spiders.tokopedia import TokopediaSpider
from tests.crawling import aio, crawl

KEYWORDS = ["batik tulis", "kain tenun", "songket", "tas rotan"]
MAX_PAGES = 3
PAGE_SIZE = 60


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 6000, seed=2)


@pytest_twisted.ensureDeferred
async def test_patrol_store_recrawl_and_datasette(catalogue, tmp_path):
    db = str(tmp_path / "patroli.db")
    expected = set()
    for keyword in KEYWORDS:
        total, items = catalogue.search("tokopedia", keyword, 0, MAX_PAGES * PAGE_SIZE)
        expected |= {i.listing_id for i in items}
    # Several keywords need more than one page, one needs fewer than MAX_PAGES: paging is exercised.
    assert len(expected) > 2 * PAGE_SIZE

    with DemoMarket(catalogue) as market:
        first = await crawl([TokopediaSpider], db, market.base_urls(), KEYWORDS, PATROLI_MAX_PAGES=MAX_PAGES)
        assert market.catalogue.served["tokopedia"] == expected
        second = await crawl([TokopediaSpider], db, market.base_urls(), KEYWORDS, PATROLI_MAX_PAGES=MAX_PAGES)

    store = Store(db)
    stored = {lid for _, lid in store.listing_ids("tokopedia")}
    assert stored == expected and store.count("listings") == len(expected)
    one, two = store.db["crawls"].get(first), store.db["crawls"].get(second)
    assert (one["status"], one["listings_new"], one["listings_seen"]) == (
        "finished",
        len(expected),
        len(expected),
    )
    assert (two["status"], two["listings_new"], two["listings_updated"]) == ("finished", 0, len(expected))
    snapshots = dict(
        store.db.execute("select crawl_id, count(*) from listing_snapshots group by crawl_id").fetchall()
    )
    assert snapshots == {first: len(expected), second: len(expected)}
    assert two["blocked"] == 0 and two["errors"] == 0

    # Stored values are the catalogue's, through the real page shape and parser.
    some = sorted(expected)[:25]
    for listing_id in some:
        row = store.db["listings"].get(("tokopedia", listing_id))
        truth = catalogue.get("tokopedia", listing_id)
        assert (row["title"], row["price_idr"], row["seller_name"], row["seller_location"]) == (
            truth.title,
            truth.price_idr,
            truth.shop.name,
            truth.shop.city,
        )
        assert row["url"].endswith(f"-{listing_id}")

    # Datasette, in process: the row, then a full-text search that finds it.
    await aio(_datasette_finds(db, some[0], store.db["listings"].get(("tokopedia", some[0]))["title"]))


async def _datasette_finds(db: str, listing_id: str, title: str) -> None:
    ds = make_datasette(db)
    response = await ds.client.get(f"/patroli/listings/tokopedia,{listing_id}.json?_shape=array")
    assert response.status_code == 200
    assert response.json()[0]["title"] == title
    word = max(title.split(), key=len)
    response = await ds.client.get(f"/patroli/listings.json?_search={word}&_shape=array&_size=max&_col=title")
    assert response.status_code == 200
    assert listing_id in {r["listing_id"] for r in response.json()}
    page = await ds.client.get("/patroli/listings")
    assert "Listing (keadaan terkini)" in page.text
