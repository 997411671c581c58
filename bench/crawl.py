"""Crawl speed through the full pipeline, against a bare Scrapy spider over the same pages.

    python bench/crawl.py --listings 20000 [--marketplaces tokopedia shopee ...]

The demo marketplace runs in its own process (so it does not share the GIL with the crawler). For
each marketplace, in the same run:
  full  - the marketplace spider with every pipeline (parse, normalise, match, store in SQLite);
  bare  - a Scrapy spider that fetches exactly the URLs the full run fetched and does nothing else.
Both use the same Scrapy settings (the demo's: no delay, 16 per site). The ratio full/bare is what we
track: the cost of Patroli's own work per page.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BROAD_KEYWORDS = [
    "batik",
    "kain",
    "tenun",
    "songket",
    "rotan",
    "bambu",
    "kayu",
    "kemeja",
    "tas",
    "keranjang",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_market(listings: int, catalogue: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "demo-market", "--listings", str(listings)]
        + ["--catalogue", str(catalogue), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):  # bounded: up to 5 minutes for a large catalogue to build
        if proc.poll() is not None:
            raise SystemExit("demo-market berhenti sebelum siap")
        try:
            urllib.request.urlopen(f"{url}/robots.txt", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("demo-market tidak siap dalam 5 menit")


def worker(args: argparse.Namespace) -> None:
    """One measurement in its own process (the Twisted reactor runs once per process)."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from crawler.runner import demo_settings, open_crawl, project_settings, spider_classes

    base_urls = json.loads(args.base_urls)
    settings = project_settings(
        demo_settings(base_urls, PATROLI_DB=args.db, PATROLI_MAX_PAGES=args.max_pages, LOG_LEVEL="ERROR")
    )
    if args.worker == "full":
        (cls,) = spider_classes(settings, [args.marketplace])
        settings.set(
            "PATROLI_CRAWL_ID", open_crawl(args.db, [args.marketplace], BROAD_KEYWORDS, "bench", settings)
        )
        kwargs = {"keywords": BROAD_KEYWORDS}
    else:
        urls = Path(args.urls).read_text().split()

        class BareSpider(scrapy.Spider):
            name = "bare"
            custom_settings = {"ITEM_PIPELINES": {}, "DOWNLOADER_MIDDLEWARES": {}}

            async def start(self):
                for url in urls:
                    yield scrapy.Request(url, dont_filter=True)

            def parse(self, response):
                return None

        cls, kwargs = BareSpider, {}
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(cls)
    process.crawl(crawler, **kwargs)
    process.start()
    stats = crawler.stats.get_stats()
    seconds = (stats["finish_time"] - stats["start_time"]).total_seconds()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "pages": stats.get("response_received_count", 0),
                # Items are listings plus one PageRecord per fetch.
                "items": stats.get("item_scraped_count", 0)
                - sum(v for k, v in stats.items() if k.startswith("patroli/outcome/")),
            }
        )
    )


def run_worker(mode: str, marketplace: str, base_urls: dict, db: str, max_pages: int, urls: str = "") -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", mode, "--marketplace", marketplace, "--db", db]
        + ["--base-urls", json.dumps(base_urls), "--max-pages", str(max_pages), "--urls", urls],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def fetched_urls(db: str, marketplace: str) -> list[str]:
    from crawler.store import Store

    store = Store(db)
    try:
        return [
            r["url"]
            for r in store.db["crawl_pages"].rows_where("marketplace = ?", [marketplace], order_by="id")
        ]
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listings", type=int, default=20_000, help="size of the demo catalogue")
    parser.add_argument("--max-pages", type=int, default=40, help="search pages per keyword")
    parser.add_argument("--marketplaces", nargs="*")
    parser.add_argument("--worker", choices=["full", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--marketplace", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--base-urls", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    from scrapy.spiderloader import SpiderLoader

    from crawler.demo.server import load_shapes
    from crawler.runner import project_settings

    spiders = set(SpiderLoader.from_settings(project_settings()).list())
    shapes = load_shapes()
    wanted = args.marketplaces or [
        m for m in ("tokopedia", "shopee", "lazada", "blibli") if m in spiders and m in shapes
    ]
    tmp = Path(tempfile.mkdtemp(prefix="patroli-bench-"))
    market, url = start_market(args.listings, tmp / "catalogue.db")
    base_urls = {prefix: f"{url}/{prefix}" for prefix in shapes}
    print(
        f"Katalog demo {args.listings:,} listing; kata kunci: {', '.join(BROAD_KEYWORDS)}; maks {args.max_pages} halaman"
    )
    print(
        f"{'marketplace':<12}{'halaman':>8}{'listing':>9}{'full hal/s':>12}{'full list/s':>12}{'bare hal/s':>12}{'rasio':>8}"
    )
    try:
        for marketplace in wanted:
            db = str(tmp / f"{marketplace}.db")
            full = run_worker("full", marketplace, base_urls, db, args.max_pages)
            urls_file = tmp / f"{marketplace}.urls"
            urls_file.write_text("\n".join(fetched_urls(db, marketplace)))
            bare = run_worker("bare", marketplace, base_urls, db, args.max_pages, str(urls_file))
            full_pps = full["pages"] / full["seconds"]
            bare_pps = bare["pages"] / bare["seconds"]
            print(
                f"{marketplace:<12}{full['pages']:>8}{full['items']:>9}{full_pps:>12.1f}"
                f"{full['items'] / full['seconds']:>12.0f}{bare_pps:>12.1f}{full_pps / bare_pps:>8.2f}"
            )
    finally:
        market.terminate()
        market.wait(timeout=10)
    print(f"(cpu: {os.cpu_count()}; full = parse + normalise + match + store; bare = fetch only)")


if __name__ == "__main__":
    main()
