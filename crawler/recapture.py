"""Recapture: fetch each selected listing's public page again, through its marketplace's spider.

For every marketplace in the selection, the spider of that marketplace (found in SPIDER_MODULES
by its `marketplace` attribute) is extended with a small mixin: it builds the same product-page
request as a crawl would (`detail_request`, else the listing URL) and reads the answer with the
same parser (`parse_detail_body`, else the marketplace module's `extract`). The answer goes
through the usual downloader middlewares, so it is WARC-captured like any fetch, and a live
listing goes through the usual pipelines into a new snapshot. A page that is gone (HTTP 404/410,
or a page that no longer shows the listing) is reported as removed; its earlier capture stays.

Scrapy's reactor runs once per process: call `recapture_listings` once (the CLI does).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from functools import partial
from typing import Any

from scrapy import Request
from scrapy.settings import Settings

from crawler.evidence_records import RecaptureResult, StoredListing
from crawler.evidence_view import http_url
from crawler.items import Listing, PageRecord, RawListing
from crawler.normalize import utc_now
from spiders.base import MarketplaceSpider, merge_detail
from spiders.pages import PageParseError

logger = logging.getLogger(__name__)

GONE = (404, 410)


def spider_class_for(marketplace: str, settings: Settings) -> type[MarketplaceSpider] | None:
    """The spider of a marketplace in SPIDER_MODULES; the one named like it wins a tie."""
    from scrapy.spiderloader import get_spider_loader

    loader = get_spider_loader(settings)
    found = []
    for name in sorted(loader.list()):
        cls = loader.load(name)
        if issubclass(cls, MarketplaceSpider) and cls.marketplace == marketplace:
            found.append(cls)
    found.sort(key=lambda cls: (cls.name != marketplace, cls.name))
    return found[0] if found else None


def raw_from_listing(listing: Listing) -> RawListing:
    """The stored listing as the RawListing a search page would have given its spider."""

    def text(value: int | None) -> str | None:
        return None if value is None else str(value)

    return RawListing(
        marketplace=listing.marketplace,
        listing_id=listing.listing_id,
        url=listing.url,
        title=listing.title,
        price=listing.price_text if listing.price_idr is None else text(listing.price_idr),
        price_max=text(listing.price_max_idr),
        original_price=text(listing.original_price_idr),
        currency=listing.currency,
        sold=text(listing.sold_count),
        historical_sold=text(listing.historical_sold),
        rating=text(listing.rating),  # type: ignore[arg-type]
        review_count=text(listing.review_count),
        seller_id=listing.seller_id,
        seller_name=listing.seller_name,
        seller_location=listing.seller_location,
        seller_url=listing.seller_url,
        is_official=listing.is_official,
        is_cross_border=listing.is_cross_border,
        is_preorder=listing.is_preorder,
        image_url=listing.image_url,
        category_path=listing.category_path,
        description=listing.description,
        source=listing.source,
    )


def _overrides(cls: type, method: str) -> bool:
    return getattr(cls, method) is not getattr(MarketplaceSpider, method)


class RecaptureMixin:
    """Put before a marketplace spider class: fetch given listings' pages once, judge each."""

    handle_httpstatus_list = [*MarketplaceSpider.handle_httpstatus_list, 410]

    def __init__(self, *args: Any, targets: Sequence[StoredListing] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.targets = list(targets)
        self.results: dict[tuple[str, str], RecaptureResult] = {}

    async def start(self) -> AsyncIterator[Request]:
        for stored in self.targets:
            listing = stored.listing
            raw = raw_from_listing(listing)
            request = self.detail_request(raw) if _overrides(type(self), "detail_request") else None
            if request is None:
                url = http_url(listing.url)
                if url is None:
                    self._judge(listing, "unchecked", reason="URL listing bukan tautan http(s)")
                    continue
                request = Request(url)
            request.meta.update(
                {"kind": "recapture", "recapture_key": listing.key, "listing": raw, "keyword": None}
            )
            request.callback = self.parse_recapture
            request.errback = self.recapture_failed
            request.dont_filter = True
            yield request

    def _judge(self, listing_or_key, status: str, **extra: Any) -> RecaptureResult:
        if isinstance(listing_or_key, Listing):
            key, url, previous = listing_or_key.key, listing_or_key.url, listing_or_key.capture_id
        else:
            key = listing_or_key
            stored = next(s for s in self.targets if s.listing.key == key)
            url, previous = stored.listing.url, stored.listing.capture_id
        result = RecaptureResult(
            marketplace=key[0],
            listing_id=key[1],
            status=status,
            checked_at=utc_now(),
            url=url,
            previous_capture_id=previous,
            **extra,
        )
        self.results[key] = result
        return result

    def _read_detail(self, body: bytes, url: str, key: tuple[str, str]) -> RawListing | None:
        if _overrides(type(self), "parse_detail_body"):
            return self.parse_detail_body(body, url)
        module = importlib.import_module(f"spiders.pages.{self.marketplace}")
        for raw in module.extract(body, url):
            if raw.listing_id == key[1]:
                return raw
        return None

    def parse_recapture(self, response) -> Iterator[Any]:
        key = response.meta["recapture_key"]
        capture_id = response.meta.get("capture_id")
        common = {"http_status": response.status, "capture_id": capture_id}
        if response.status in GONE:
            self._judge(key, "removed", reason=f"HTTP {response.status}", **common)
            yield self._page_record(response, "empty", reason=f"HTTP {response.status}: dihapus")
            return
        try:
            detail, failed = self._read(response, partial(self._read_detail, key=key))
        except PageParseError as exc:  # raised by a module's extract() fallback
            detail, failed = None, self._page_record(response, "error", reason=str(exc))
        if failed is not None:
            status = "blocked" if failed.outcome in ("blocked", "throttled") else "error"
            self._judge(key, status, reason=failed.reason, **common)
            yield failed
            return
        if detail is None:
            self._judge(key, "removed", reason="halaman tidak lagi memuat listing ini", **common)
            yield self._page_record(response, "empty", reason="listing tidak ada di halaman")
            return
        merged = merge_detail(response.meta["listing"], detail)
        merged.capture_id = capture_id
        merged.keyword = None
        self._judge(key, "live", **common)
        yield merged
        yield self._page_record(response, "ok", listings_found=1)

    def recapture_failed(self, failure) -> Iterator[Any]:
        request = failure.request
        reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        self._judge(request.meta["recapture_key"], "error", reason=reason)
        yield PageRecord(
            marketplace=self.marketplace,
            url=request.url,
            outcome="error",
            kind="recapture",
            fetched_at=utc_now(),
            reason=reason,
        )


def recapture_listings(
    stored: Sequence[StoredListing],
    settings: Settings,
    *,
    db_path: str,
    crawl_id: int,
) -> list[RecaptureResult]:
    """Fetch every listing's page once more; one RecaptureResult per listing, in input order."""
    from scrapy.crawler import CrawlerProcess

    settings = settings.copy()
    settings.set("PATROLI_DB", db_path, priority="cmdline")
    settings.set("PATROLI_CRAWL_ID", crawl_id, priority="cmdline")
    settings.set("PATROLI_MATCH", False, priority="cmdline")  # re-check, not re-score
    results: dict[tuple[str, str], RecaptureResult] = {}
    groups: dict[str, list[StoredListing]] = {}
    for s in stored:
        groups.setdefault(s.listing.marketplace, []).append(s)

    def unchecked(group: list[StoredListing], reason: str) -> None:
        for s in group:
            results[s.listing.key] = RecaptureResult(
                s.listing.marketplace,
                s.listing.listing_id,
                "unchecked",
                utc_now(),
                url=s.listing.url,
                previous_capture_id=s.listing.capture_id,
                reason=reason,
                crawl_id=crawl_id,
            )

    process = CrawlerProcess(settings)
    crawlers = []
    base_urls = settings.getdict("PATROLI_BASE_URLS")
    for marketplace, group in groups.items():
        cls = spider_class_for(marketplace, settings)
        if cls is None:
            unchecked(group, f"belum ada spider untuk {marketplace}")
            continue
        if marketplace not in base_urls:
            unchecked(group, f"PATROLI_BASE_URLS tidak punya URL untuk {marketplace}")
            continue
        spider_cls = type(
            f"Recapture{cls.__name__}", (RecaptureMixin, cls), {"name": f"{cls.name}-recapture"}
        )
        crawler = process.create_crawler(spider_cls)
        process.crawl(crawler, targets=group)
        crawlers.append((crawler, group))
    if crawlers:
        process.start()
    for crawler, group in crawlers:
        found = getattr(crawler.spider, "results", {}) if crawler.spider else {}
        for s in group:
            result = found.get(s.listing.key)
            if result is None:
                result = RecaptureResult(
                    s.listing.marketplace,
                    s.listing.listing_id,
                    "error",
                    utc_now(),
                    url=s.listing.url,
                    previous_capture_id=s.listing.capture_id,
                    reason="tidak ada jawaban (crawl berhenti lebih dulu)",
                )
            result.crawl_id = crawl_id
            results[s.listing.key] = result
    return [results[s.listing.key] for s in stored]


def export_with_recapture(
    db_path: str,
    out,
    selection,
    settings: Settings,
    *,
    captures_dir,
    operator: str | None = None,
    signing_key=None,
):
    """Select, recapture every selected listing, record the verdicts, then export the pack.

    Returns (ExportResult, [RecaptureResult]). The recapture is a crawl of its own (job
    "recapture"): its fetches are in crawl_pages and captures, live listings get a snapshot.
    """
    from crawler.evidence import EvidenceError, export_pack
    from crawler.store import EvidenceStore

    store = EvidenceStore(db_path)
    try:
        keys = selection.select(store)
        if not keys:
            raise EvidenceError("tidak ada listing yang cocok dengan pilihan ini; paket tidak dibuat")
        stored = store.stored_listings(keys)
        crawl_id = store.start_crawl(sorted({k[0] for k in keys}), [], job="recapture")
    finally:
        store.close()  # the crawl's own pipelines and middleware write to the same database
    previous = {s.listing.key: s.listing.capture_id for s in stored}
    results = recapture_listings(stored, settings, db_path=db_path, crawl_id=crawl_id)
    store = EvidenceStore(db_path)
    try:
        store.save_recaptures(results)
        store.finish_crawl(crawl_id)
        exported = export_pack(
            store,
            out,
            selection,
            captures_dir=captures_dir,
            operator=operator,
            signing_key=signing_key,
            recaptures=results,
            previous_captures=previous,
            keys=keys,
        )
    finally:
        store.close()
    return exported, results
