"""Every table and view users can open in Datasette has an Indonesian title (or is hidden)."""

import yaml

from crawler.datasette_app import METADATA, SETTINGS
from crawler.store import EvidenceStore


def test_every_table_and_view_is_labelled(tmp_db):
    store = EvidenceStore(tmp_db)  # every migration, the evidence tables included
    names = [
        n for n in store.db.table_names() + store.db.view_names() if not n.startswith(("_", "listings_fts"))
    ]
    tables = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["patroli"]["tables"]
    unlabelled = [
        n for n in names if n not in tables or not (tables[n].get("title") or tables[n].get("hidden"))
    ]
    assert not unlabelled, f"tanpa judul di metadata.yaml: {unlabelled}"
    # Facets that show by default are on indexed columns, so they stay fast at a million rows.
    for table, meta in tables.items():
        for column in meta.get("facets", []):
            if table in store.db.table_names():
                indexed = {c for index in store.db[table].indexes for c in index.columns[:1]}
                assert column in indexed, f"{table}.{column}: facet bawaan tanpa indeks"


def test_settings_keep_large_tables_fast():
    assert SETTINGS["suggest_facets"] is False


def test_price_fell_query_lists_falls_only(tmp_db):
    """harga_turun ('listings whose price fell between patrols') also listed every price rise."""
    from crawler.items import Listing, ScoredListing

    store = EvidenceStore(tmp_db)
    prices = {"turun": (100_000, 50_000), "naik": (50_000, 75_000), "tetap": (80_000, 80_000)}
    for step in (0, 1):
        crawl = store.start_crawl(["tokopedia"], ["batik"])
        store.save_batch(
            crawl,
            [
                ScoredListing(Listing("tokopedia", lid, f"u/{lid}", f"Batik {lid}", price_idr=p[step]))
                for lid, p in prices.items()
            ],
        )
    queries = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["patroli"]["queries"]
    cursor = store.db.execute(queries["harga_turun"]["sql"])
    rows = [dict(zip([d[0] for d in cursor.description], row, strict=True)) for row in cursor.fetchall()]
    assert [(r["listing_id"], r["harga_tertinggi"], r["harga_sekarang"]) for r in rows] == [
        ("turun", 100_000, 50_000)
    ]
    store.close()
