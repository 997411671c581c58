"""`patroli demo`: build the demo catalogue, serve it on loopback, patrol every marketplace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from crawler.demo.catalogue import Catalogue
from crawler.demo.server import DemoMarket, Faults
from crawler.evidence import demo_pack
from crawler.keywords import resolve_keywords
from crawler.progress import choose_mode
from crawler.runner import demo_settings, format_summary, project_settings, run_crawl, spider_classes


def demo_marketplaces(market: DemoMarket) -> list[str]:
    """Every marketplace that has both a spider and a demo shape."""
    from scrapy.spiderloader import SpiderLoader

    spiders = set(SpiderLoader.from_settings(project_settings()).list())
    return [
        m for m in ("tokopedia", "shopee", "lazada", "blibli", "shop") if m in spiders and m in market.routes
    ]


def run_demo(
    *,
    listings: int,
    seed: int,
    db: str,
    catalogue: str,
    max_pages: int,
    faults: Faults | None = None,
    echo: Callable[[str], None] = print,
    progress=None,
) -> dict:
    cat = Catalogue.build(catalogue, listings, seed, progress=progress)
    keywords = resolve_keywords()
    with DemoMarket(cat, faults=faults) as market:
        marketplaces = demo_marketplaces(market)
        spider_classes(project_settings(), marketplaces)  # fail early, naming what is missing
        echo(f"Marketplace demo ({listings} listing) di {market.url}/")
        echo(f"Patroli {', '.join(marketplaces)} untuk: {', '.join(keywords)}")
        overrides = demo_settings(
            market.base_urls(), PATROLI_MAX_PAGES=max_pages, PATROLI_PROGRESS=choose_mode()
        )
        summary = run_crawl(marketplaces, keywords, db=db, overrides=overrides, job="demo")
    echo(format_summary(summary))
    pack = Path(db).parent / "paket_bukti_demo.zip"
    result, report = demo_pack(db, pack)
    verdict = "lolos (semua hash cocok)" if report.ok else "GAGAL: " + "; ".join(map(str, report.problems))
    echo(f"Paket bukti: {result.path} ({result.listing_count} listing, {result.capture_count} capture)")
    echo(f"patroli evidence verify {result.path}: {verdict}")
    return summary
