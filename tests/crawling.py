"""Running spiders in the test process, against a demo marketplace on 127.0.0.1."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import AsyncCrawlerRunner
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import Deferred

from crawler.runner import crawl_status, demo_settings, project_settings
from crawler.store import Store


def crawl(*args: Any, **kwargs: Any) -> Deferred:
    """`await crawl(...)` from a test marked @pytest_twisted.ensureDeferred: the crawl id."""
    # AsyncCrawlerRunner needs an asyncio task; pytest-twisted runs tests as Twisted coroutines.
    return deferred_from_coro(_crawl(*args, **kwargs))


async def _crawl(
    spiders: list[type],
    db: str,
    base_urls: dict[str, str],
    keywords: list[str],
    *,
    job: str | None = "test",
    spider_args: dict[str, Any] | None = None,
    **settings: Any,
) -> int:
    """One patrol of the given spiders, in process; returns the crawl id."""
    overrides = demo_settings(base_urls, PATROLI_DB=db, LOG_LEVEL="ERROR", **settings)
    scrapy_settings = project_settings(overrides)
    store = Store(db)
    crawl_id = store.start_crawl([s.name for s in spiders], keywords, job=job)
    store.close()
    scrapy_settings.set("PATROLI_CRAWL_ID", crawl_id, priority="cmdline")
    runner = AsyncCrawlerRunner(scrapy_settings)
    crawlers = [runner.create_crawler(s) for s in spiders]
    for crawler in crawlers:
        runner.crawl(crawler, keywords=keywords, **(spider_args or {}))
    await runner.join()
    status, reason = crawl_status(c.stats.get_value("finish_reason") for c in crawlers)
    store = Store(db)
    store.finish_crawl(crawl_id, status=status, reason=reason)
    store.close()
    return crawl_id


def aio(coro) -> Deferred:
    """Run an asyncio coroutine (Datasette's client, say) from a pytest-twisted test."""
    return deferred_from_coro(coro)
