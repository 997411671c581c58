"""How fast Datasette answers on a large patrol database, with Patroli's settings and without.

    python bench/datasette_pages.py --listings 1000000

Fills (once, cached by size) a database of N generated demo listings through the store, then times
the pages people open most: the listings table with its default facets, a full-text search, a
faceted filter, and the flagged-listings view. Baseline: the same requests with Datasette's default
settings (facet suggestion on, 200 ms facet limit), in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datasette.app import Datasette  # noqa: E402

from crawler.datasette_app import make_datasette, metadata_for  # noqa: E402
from crawler.demo.catalogue import Generator  # noqa: E402
from crawler.items import Listing, ScoredListing  # noqa: E402
from crawler.store import Store  # noqa: E402

PATHS = {
    "tabel listing + facet": "/patroli/listings.json?_size=50",
    "cari judul (FTS)": "/patroli/listings.json?_search=batik+tulis&_size=50",
    "filter lokasi": "/patroli/listings.json?seller_location=Kab.+Rembang&_size=50",
    "halaman HTML listing": "/patroli/listings",
}


def fill(path: Path, n: int) -> None:
    if path.exists():
        return
    tmp = path.with_suffix(".filling")
    tmp.unlink(missing_ok=True)
    store = Store(tmp)
    crawl = store.start_crawl(["tokopedia"], ["bench"])
    gen = Generator(n, seed=42)
    batch = []
    started = time.perf_counter()
    for i in range(n):
        d = gen.listing(i)
        listing = Listing(
            marketplace=d.marketplace,
            listing_id=d.listing_id,
            url=f"https://example.invalid/{d.shop.domain}/{d.slug}",
            title=d.title,
            price_idr=d.price_idr,
            sold_count=d.sold_count,
            seller_id=d.shop.shop_id,
            seller_name=d.shop.name,
            seller_location=d.shop.city,
            captured_at="2026-11-28T00:00:00Z",
        )
        batch.append(ScoredListing(listing))
        if len(batch) == 5000:
            store.save_batch(crawl, batch)
            batch = []
            print(f"\rmengisi {i + 1}/{n}", end="", file=sys.stderr)
    store.save_batch(crawl, batch)
    store.finish_crawl(crawl)
    store.close()
    tmp.replace(path)
    print(f"\rmengisi {n} listing: {time.perf_counter() - started:.0f} s", file=sys.stderr)


async def timed(ds: Datasette, path: str, repeat: int) -> tuple[float, bool]:
    await ds.client.get(path)  # warm the page cache
    times, timed_out = [], False
    for _ in range(repeat):
        t = time.perf_counter()
        response = await ds.client.get(path)
        times.append(time.perf_counter() - t)
        assert response.status_code == 200, (path, response.status_code)
        if path.split("?")[0].endswith(".json"):
            timed_out = timed_out or bool(response.json().get("facets_timed_out"))
    return statistics.median(times) * 1000, timed_out


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", default="/tmp/patroli-bench")
    args = parser.parse_args()
    db = Path(args.dir) / f"datasette-{args.listings}" / "patroli.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    fill(db, args.listings)
    ours = make_datasette(db)
    baseline = Datasette([str(db)], metadata=metadata_for(db))
    print(f"Datasette pada {args.listings:,} listing (median dari {args.repeat}, ms)")
    print(f"{'halaman':<24}{'Patroli':>10}{'bawaan':>10}{'rasio':>8}  facet terputus (Patroli/bawaan)")
    for label, path in PATHS.items():
        ms, ours_out = await timed(ours, path, args.repeat)
        base_ms, base_out = await timed(baseline, path, args.repeat)
        print(f"{label:<24}{ms:>10.0f}{base_ms:>10.0f}{base_ms / ms:>7.1f}x  {ours_out}/{base_out}")


if __name__ == "__main__":
    asyncio.run(main())
