"""Running a patrol: settings for a crawl, one crawl row per run, the spiders, the summary."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.store import Store

logger = logging.getLogger(__name__)

# What a crawl of the local demo marketplace changes: it is ours, on loopback, so no throttling.
DEMO_OVERRIDES: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_TIMEOUT": 20,
    "LOG_LEVEL": "WARNING",
}


def demo_settings(base_urls: dict[str, str], **extra: Any) -> dict[str, Any]:
    """Settings that point every spider at a running demo marketplace."""
    return {**DEMO_OVERRIDES, "PATROLI_BASE_URLS": base_urls, **extra}


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    settings = get_project_settings()
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


def spider_classes(settings: Settings, marketplaces: Iterable[str]) -> list[type]:
    loader = SpiderLoader.from_settings(settings)
    known = set(loader.list())
    wanted = list(marketplaces)
    unknown = [m for m in wanted if m not in known]
    if unknown:
        raise ValueError(
            f"marketplace tidak dikenal: {', '.join(unknown)} (tersedia: {', '.join(sorted(known))})"
        )
    return [loader.load(m) for m in wanted]


def open_crawl(
    db: str, marketplaces: Sequence[str], keywords: Sequence[str], job: str | None, settings: Settings
) -> int:
    store = Store(db)
    try:
        recorded = {
            k: settings.get(k)
            for k in ("PATROLI_MAX_PAGES", "PATROLI_DETAIL", "USER_AGENT", "CONCURRENT_REQUESTS_PER_DOMAIN")
        }
        return store.start_crawl(marketplaces, keywords, job=job, settings=recorded)
    finally:
        store.close()


def close_crawl(db: str, crawl_id: int, status: str, reason: str | None = None) -> dict[str, Any]:
    store = Store(db)
    try:
        store.finish_crawl(crawl_id, status=status, reason=reason)
        return store.crawl_summary(crawl_id)
    finally:
        store.close()


# A spider closed by a limit the job set (patroli.toml max_duration) did what it was asked.
LIMIT_REASONS = ("closespider_timeout", "closespider_pagecount", "closespider_itemcount")


def crawl_status(finish_reasons: Iterable[str | None]) -> tuple[str, str | None]:
    """A crawl is finished only when every spider finished; otherwise say why it stopped."""
    reasons = [r for r in finish_reasons if r not in (None, "finished")]
    if not reasons:
        return "finished", None
    if any(r == "shutdown" for r in reasons):
        return "interrupted", ", ".join(sorted(set(reasons)))
    if all(r in LIMIT_REASONS for r in reasons):
        return "finished", "batas jadwal tercapai: " + ", ".join(sorted(set(reasons)))
    return "failed", ", ".join(sorted(set(reasons)))


def watch_start(deferred, crawler, failures: dict[int, str]) -> None:
    """Keep why a crawler could not run (its spider or a pipeline refused to start).

    Scrapy fails the crawl's deferred; unhandled, that is a traceback at exit and a crawler
    without a finish_reason, which would otherwise count as finished.
    """

    def failed(failure) -> None:
        failures[id(crawler)] = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        logger.error("%s tidak bisa berjalan: %s", crawler.spidercls.name, failures[id(crawler)])

    deferred.addErrback(failed)


def finish_reasons(crawlers: Iterable[Any], failures: dict[int, str]) -> list[str]:
    """Why each crawler stopped, also when Scrapy recorded no finish_reason for it."""
    reasons = []
    for crawler in crawlers:
        name = crawler.spidercls.name
        if id(crawler) in failures:
            reasons.append(f"{name}: {failures[id(crawler)]}")
            continue
        try:
            stats = crawler.stats
        except RuntimeError:  # the crawl never got as far as its stats
            stats = None
        reason = stats.get_value("finish_reason") if stats is not None else None
        if reason is None:
            # Started but never closed: a forced stop (a second Ctrl-C) cut it off.
            started = stats is not None and stats.get_value("start_time") is not None
            reason = "shutdown" if started else f"{name}: tidak berjalan"
        reasons.append(reason)
    return reasons


def run_crawl(
    marketplaces: Sequence[str],
    keywords: Sequence[str],
    *,
    db: str,
    overrides: dict[str, Any] | None = None,
    job: str | None = None,
    spider_args: dict[str, Any] | None = None,
    crawl_id: int | None = None,
) -> dict[str, Any]:
    """Crawl in this process (blocking; the Twisted reactor runs once per process).

    `crawl_id` is a crawls row opened by the scheduler for this run; without it a row is opened here.
    """
    from scrapy.crawler import CrawlerProcess

    settings = project_settings({**(overrides or {}), "PATROLI_DB": db, "LOG_INSTALL_ROOT_HANDLER": True})
    classes = spider_classes(settings, marketplaces)
    if crawl_id is None:
        crawl_id = open_crawl(db, marketplaces, keywords, job, settings)
    settings.set("PATROLI_CRAWL_ID", crawl_id, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    failures: dict[int, str] = {}
    for cls in classes:
        crawler = process.create_crawler(cls)
        crawlers.append(crawler)
        watch_start(process.crawl(crawler, keywords=list(keywords), **(spider_args or {})), crawler, failures)
    try:
        process.start()
    except KeyboardInterrupt:
        return close_crawl(db, crawl_id, "interrupted", "KeyboardInterrupt")
    status, reason = crawl_status(finish_reasons(crawlers, failures))
    if status == "finished":
        cluster_pass(db, settings)
    return close_crawl(db, crawl_id, status, reason)


def cluster_pass(db: str, settings: Settings, echo=None):
    """After a patrol: re-score the database with the cross-listing DUP_CLUSTER pass.

    The pipeline scores one listing at a time; the dropship pattern shows only across listings.
    PATROLI_CLUSTER turns it off (e.g. for a quick patrol of a very large database).
    """
    if not (settings.getbool("PATROLI_MATCH", True) and settings.getbool("PATROLI_CLUSTER", True)):
        return None
    from matchers import load_matcher
    from matchers.batch import rescore

    store = Store(db)
    try:
        return rescore(store, load_matcher(settings.get("PATROLI_DATA_DIR")))
    finally:
        store.close()


def format_summary(summary: dict[str, Any]) -> str:
    """The end-of-crawl summary, in Indonesian. A blocked marketplace is never 'nothing found'."""
    crawl = summary["crawl"]
    lines = [
        f"Patroli #{crawl['id']} {crawl['status']} dalam {crawl['seconds'] or 0:.1f} detik",
        f"  listing: {crawl['listings_seen']} (baru {crawl['listings_new']}, diperbarui "
        f"{crawl['listings_updated']}), penjual: {summary['sellers']}, halaman: {crawl['pages']}, "
        f"diblokir: {crawl['blocked']}, galat: {crawl['errors']}, "
        f"ditandai: {summary.get('flagged_listings', 0)} listing ({crawl['flags_raised']} tanda)",
    ]
    if crawl["status"] != "finished" and crawl.get("reason"):
        lines.insert(1, f"  sebab: {crawl['reason']}")
    for market, figures in sorted(summary["marketplaces"].items()):
        listings = figures.get("listings", 0)
        note = ""
        if figures.get("blocked") and not listings:
            note = "  <- DIBLOKIR, bukan kosong: tidak ada yang bisa dibaca"
        elif figures.get("blocked"):
            note = "  <- sebagian diblokir"
        elif figures.get("throttled") and not listings:
            note = "  <- DIBATASI (HTTP 429), bukan kosong: situs meminta patroli melambat"
        elif figures.get("errors") and not listings:
            note = "  <- GAGAL: semua permintaan galat"
        lines.append(
            f"  {market:<10} listing {listings:>6}  penjual {figures.get('sellers', 0):>5}  "
            f"halaman {figures.get('pages', 0):>4}  kosong {figures.get('empty', 0) or 0:>3}  "
            f"diblokir {figures.get('blocked', 0) or 0:>3}  dibatasi {figures.get('throttled', 0) or 0:>3}  "
            f"galat {figures.get('errors', 0) or 0:>3}{note}"
        )
    for page in summary["blocked_pages"][:5]:
        lines.append(
            f"  diblokir: {page['marketplace']} kata kunci {page['keyword']!r} ({page['reason']}) {page['url']}"
        )
    return "\n".join(lines)


def summary_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False, default=str)
