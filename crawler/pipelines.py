"""Item pipelines: thin glue between Scrapy and the pure stages.

RawListing -> NormalizePipeline -> Listing -> MatchPipeline -> ScoredListing -> StorePipeline.
PageRecord items pass straight through to the store.
"""

from __future__ import annotations

import logging

from crawler.items import Listing, PageRecord, RawListing, ScoredListing
from crawler.normalize import normalize_listing
from crawler.store import Store

logger = logging.getLogger(__name__)


class NormalizePipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, RawListing):
            return item
        listing = normalize_listing(item)
        if listing.note:
            # Kept, with the raw string and the reason: bad input loses nothing.
            self.crawler.stats.inc_value("patroli/normalize_notes")
            logger.warning("%s/%s: %s", listing.marketplace, listing.listing_id, listing.note)
        return listing


class MatchPipeline:
    """Scores each listing as it is stored (PATROLI_MATCH; `patroli match` re-scores later)."""

    def __init__(self, crawler):
        self.enabled = crawler.settings.getbool("PATROLI_MATCH", True)
        self.matcher = None
        if self.enabled:
            from matchers import load_matcher

            self.matcher = load_matcher(crawler.settings.get("PATROLI_DATA_DIR"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, Listing):
            return item
        assessment = self.matcher.assess(item) if self.matcher else None
        return ScoredListing(item, assessment)


class StorePipeline:
    """Batches listings and page records into one transaction per PATROLI_STORE_BATCH items."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("PATROLI_DB")
        self.batch_size = settings.getint("PATROLI_STORE_BATCH", 500)
        self.crawl_id = settings.getint("PATROLI_CRAWL_ID") or None
        self.owns_crawl = False
        self.listings: list[ScoredListing] = []
        self.pages: list[PageRecord] = []
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.store = Store(self.db_path, batch_size=self.batch_size)
        if self.crawl_id is None:
            spider = self.crawler.spider
            self.crawl_id = self.store.start_crawl([spider.name], getattr(spider, "keywords", []) or [])
            self.owns_crawl = True
        self.crawler.stats.set_value("patroli/crawl_id", self.crawl_id)

    def process_item(self, item):
        if isinstance(item, ScoredListing):
            self.listings.append(item)
        elif isinstance(item, Listing):
            self.listings.append(ScoredListing(item))
        elif isinstance(item, PageRecord):
            self.pages.append(item)
        else:
            return item
        if len(self.listings) + len(self.pages) >= self.batch_size:
            self.flush()
        return item

    def flush(self):
        if not (self.listings or self.pages) or self.store is None:
            return
        new, updated = self.store.save_batch(self.crawl_id, self.listings, self.pages)
        stats = self.crawler.stats
        stats.inc_value("patroli/listings_new", new)
        stats.inc_value("patroli/listings_updated", updated)
        flagged = sum(1 for s in self.listings if s.assessment is not None and s.assessment.flags)
        stats.inc_value("patroli/listings_flagged", flagged)
        self.listings, self.pages = [], []

    def close_spider(self):
        self.flush()
        if self.store is None:
            return
        if self.owns_crawl:
            reason = self.crawler.stats.get_value("finish_reason")
            status = "finished" if reason in (None, "finished") else "interrupted"
            self.store.finish_crawl(self.crawl_id, status=status, reason=reason)
        self.store.close()
