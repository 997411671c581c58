from crawler.items import Assessment, Flag, Listing, PageRecord, ScoredListing
from crawler.store import Store


def _listing(i: int, price: int = 100_000, **kw) -> Listing:
    return Listing(
        marketplace="tokopedia",
        listing_id=str(i),
        url=f"https://www.tokopedia.com/toko{i}/kain-{i}",
        title=f"Kain Batik Tulis Lasem {i}",
        price_idr=price,
        seller_id=f"s{i % 3}",
        seller_name=f"Toko {i % 3}",
        seller_location="Kab. Rembang",
        captured_at="2026-11-28T00:00:00Z",
        **kw,
    )


def test_recrawl_updates_rows_and_adds_snapshots(tmp_db):
    store = Store(tmp_db)
    first = store.start_crawl(["tokopedia"], ["batik tulis"])
    new, updated = store.save_batch(first, [ScoredListing(_listing(i)) for i in range(10)])
    assert (new, updated) == (10, 0)
    second = store.start_crawl(["tokopedia"], ["batik tulis"])
    new, updated = store.save_batch(second, [ScoredListing(_listing(i, price=90_000)) for i in range(10)])
    assert (new, updated) == (0, 10)
    assert store.count("listings") == 10
    assert store.count("listing_snapshots") == 20
    assert store.count("sellers") == 3
    row = store.db["listings"].get(("tokopedia", "3"))
    assert row["price_idr"] == 90_000
    assert row["first_crawl_id"] == first and row["last_crawl_id"] == second
    stats = store.finish_crawl(second)
    assert stats["listings_new"] == 0 and stats["listings_updated"] == 10


def test_same_listing_twice_in_a_batch_is_one_row_one_snapshot(tmp_db):
    store = Store(tmp_db)
    crawl = store.start_crawl(["tokopedia"], ["a", "b"])
    store.save_batch(crawl, [ScoredListing(_listing(1)), ScoredListing(_listing(1, price=5))])
    assert store.count("listings") == 1
    assert store.count("listing_snapshots") == 1
    assert store.db["listings"].get(("tokopedia", "1"))["price_idr"] == 5


def test_assessment_is_kept_when_a_later_batch_has_none(tmp_db):
    store = Store(tmp_db)
    crawl = store.start_crawl(["tokopedia"], ["x"])
    flag = Flag("tokopedia", "1", "BELOW_FLOOR", "medium", 0.5, "alasan", "reason")
    scored = ScoredListing(_listing(1), Assessment("tokopedia", "1", risk=40, flags=[flag]))
    store.save_batch(crawl, [scored])
    store.save_batch(crawl, [ScoredListing(_listing(1))])
    row = store.db["listings"].get(("tokopedia", "1"))
    assert row["risk"] == 40
    assert store.count("flags") == 1
    # Re-scoring replaces flags rather than piling them up.
    store.save_batch(crawl, [scored])
    assert store.count("flags") == 1


def test_pages_and_stats(tmp_db):
    store = Store(tmp_db)
    crawl = store.start_crawl(["tokopedia"], ["x"])
    pages = [
        PageRecord("tokopedia", "u1", "ok", 200, "x", 1, listings_found=2),
        PageRecord("tokopedia", "u2", "blocked", 403, "x", 2, reason="HTTP 403"),
        PageRecord("tokopedia", "u3", "error", 500, "x", 3),
    ]
    store.save_batch(crawl, [ScoredListing(_listing(1)), ScoredListing(_listing(2))], pages)
    summary = store.crawl_summary(crawl)
    assert summary["marketplaces"]["tokopedia"]["blocked"] == 1
    assert summary["marketplaces"]["tokopedia"]["listings"] == 2
    assert summary["blocked_pages"][0]["reason"] == "HTTP 403"
    crawl_row = store.finish_crawl(crawl)
    assert (crawl_row["pages"], crawl_row["blocked"], crawl_row["errors"]) == (3, 1, 1)


def test_full_text_search_on_titles(tmp_db):
    store = Store(tmp_db)
    crawl = store.start_crawl(["tokopedia"], ["x"])
    store.save_batch(crawl, [ScoredListing(_listing(i)) for i in range(3)])
    hits = list(store.db["listings"].search("lasem"))
    assert len(hits) == 3


def test_a_listing_found_by_two_keywords_in_two_batches_has_one_snapshot_per_crawl(tmp_db):
    store = Store(tmp_db)
    crawl = store.start_crawl(["tokopedia"], ["a", "b"])
    store.save_batch(crawl, [ScoredListing(_listing(1, price=10))])
    store.save_batch(crawl, [ScoredListing(_listing(1, price=12))])
    assert store.count("listing_snapshots") == 1
    assert store.db["listing_snapshots"].get(1)["price_idr"] == 12
    row = store.finish_crawl(crawl)
    assert (row["listings_seen"], row["listings_new"], row["listings_updated"]) == (1, 1, 0)


def test_a_search_only_recrawl_keeps_the_description_a_product_page_gave(tmp_db):
    """A weekly --detail patrol reads the descriptions ('import', 'PO 14 hari'); the nightly
    patrol reads search cards only, which carry none. Its upsert wrote NULL over them, so the
    matchers (the cluster pass, `patroli match`) lost the words their flags rest on."""
    store = Store(tmp_db)
    weekly = store.start_crawl(["tokopedia"], ["batik"])
    store.save_batch(weekly, [ScoredListing(_listing(1, description="Barang import, PO 14 hari"))])
    nightly = store.start_crawl(["tokopedia"], ["batik"])
    store.save_batch(nightly, [ScoredListing(_listing(1, price=80_000))])
    row = store.db["listings"].get(("tokopedia", "1"))
    assert (row["price_idr"], row["last_crawl_id"]) == (80_000, nightly)
    assert row["description"] == "Barang import, PO 14 hari"
    assert [x.description for x in store.iter_listings()] == ["Barang import, PO 14 hari"]
    # A product page read again says what the description is now.
    store.save_batch(nightly, [ScoredListing(_listing(1, description="Tulis tangan, asli Lasem"))])
    assert store.db["listings"].get(("tokopedia", "1"))["description"] == "Tulis tangan, asli Lasem"
    store.close()
