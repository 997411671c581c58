"""What every marketplace spider shares: keywords, paging, outcomes. No selectors here.

A marketplace spider names its marketplace, builds its search (and detail) requests, and points
at its page parser. This base class turns each response into listings plus one PageRecord, so
every fetch, blocked and failed ones included, lands in crawl_pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.items import PageRecord, RawListing
from crawler.normalize import utc_now
from spiders.pages import PageParseError
from spiders.pages.outcome import classify_http, detect_block_page


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


class MarketplaceSpider(scrapy.Spider):
    marketplace: str = ""
    # Non-2xx answers reach the callbacks so that they are recorded, not dropped by Scrapy.
    handle_httpstatus_list = [400, 401, 403, 404, 407, 429, 500, 502, 503, 504]

    def __init__(
        self,
        keywords: str | list[str] | None = None,
        max_pages: int | str | None = None,
        detail: bool | str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.keywords = _split(keywords)
        self._max_pages = max_pages
        self._detail = detail
        self.seen: dict[str, set[str]] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if not spider.keywords:
            spider.keywords = _split(settings.getlist("PATROLI_KEYWORDS"))
        spider.max_pages = int(spider._max_pages or settings.getint("PATROLI_MAX_PAGES", 5))
        if spider._detail is None:
            spider.detail = settings.getbool("PATROLI_DETAIL", False)
        else:
            spider.detail = str(spider._detail).lower() in ("1", "true", "yes", "ya")
        base_urls = settings.getdict("PATROLI_BASE_URLS")
        if spider.marketplace not in base_urls:
            raise ValueError(f"PATROLI_BASE_URLS tidak punya URL untuk {spider.marketplace!r}")
        spider.base_url = base_urls[spider.marketplace].rstrip("/")
        return spider

    # -- what each marketplace spider provides ----------------------------------------------
    # search_request(keyword, page) -> Request       the search URL (required)
    # parse_search_body(body, url) -> SearchPage      its page parser (required)
    # detail_request / parse_detail_body             product-page follow-up (optional)

    def detail_request(self, listing: RawListing) -> Request | None:
        return None

    def blocked_reason(self, body: bytes) -> str | None:
        """Why a body is the marketplace's refusal (e.g. a JSON error answered with HTTP 200)."""
        return None

    def parse_detail_body(self, body: bytes, url: str) -> RawListing | None:
        return None

    # -- shared navigation -------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        for keyword in self.keywords:
            self.seen.setdefault(keyword, set())
            yield self._tag(self.search_request(keyword, 1), keyword, 1, "search")

    def _tag(self, request: Request, keyword: str | None, page: int | None, kind: str) -> Request:
        request.meta.update({"keyword": keyword, "page": page, "kind": kind})
        if request.callback is None:
            request.callback = self.parse_search if kind == "search" else self.parse_detail
        request.errback = self.on_error
        return request

    def _page_record(self, response: Response, outcome: str, **extra: Any) -> PageRecord:
        meta = response.meta
        latency = meta.get("download_latency")
        return PageRecord(
            marketplace=self.marketplace,
            url=response.url,
            outcome=outcome,
            status=response.status,
            keyword=meta.get("keyword"),
            page=meta.get("page"),
            kind=meta.get("kind", "search"),
            bytes=len(response.body),
            elapsed_ms=round(latency * 1000, 1) if latency is not None else None,
            fetched_at=utc_now(),
            capture_id=meta.get("capture_id"),
            **extra,
        )

    def _read(self, response: Response, parse: Callable[[bytes, str], Any]) -> tuple[Any, PageRecord | None]:
        """Parse a response, or say why it could not be: (result, None) or (None, record)."""
        verdict = classify_http(response.status, _headers(response))
        if verdict and verdict[0] == "throttled":
            self.crawler.stats.inc_value("patroli/outcome/throttled")
            return None, self._page_record(response, "throttled", reason=verdict[1])
        if verdict:
            outcome, reason = verdict
            block = self.blocked_reason(response.body) or detect_block_page(response.body)
            if outcome == "error" and block:
                outcome = "blocked"
            if block and outcome == "blocked":
                reason = f"HTTP {response.status}, {block}"
            self.crawler.stats.inc_value(f"patroli/outcome/{outcome}")
            return None, self._page_record(response, outcome, reason=reason)
        if block := self.blocked_reason(response.body):
            # Refusals that come back as HTTP 200 (Shopee's error 90309999) are blocks, not pages.
            self.crawler.stats.inc_value("patroli/outcome/blocked")
            return None, self._page_record(response, "blocked", reason=block)
        try:
            result = parse(response.body, response.url)
        except PageParseError as exc:
            block = detect_block_page(response.body)
            outcome = "blocked" if block else "error"
            self.crawler.stats.inc_value(f"patroli/outcome/{outcome}")
            return None, self._page_record(response, outcome, reason=block or str(exc))
        return result, None

    def parse_search(self, response: Response) -> Iterator[Any]:
        keyword = response.meta.get("keyword")
        page = response.meta.get("page") or 1
        result, failed = self._read(response, self.parse_search_body)
        if failed:
            yield failed
            if failed.outcome == "throttled" and (retry := self._ask_again(response)):
                yield retry
            return
        if result.blocked_reason or (not result.listings and detect_block_page(response.body)):
            reason = result.blocked_reason or detect_block_page(response.body)
            self.crawler.stats.inc_value("patroli/outcome/blocked")
            yield self._page_record(response, "blocked", reason=reason)
            return
        seen = self.seen.setdefault(keyword, set())
        new_ids = {item.listing_id for item in result.listings} - seen
        seen.update(new_ids)
        capture_id = response.meta.get("capture_id")
        for item in result.listings:
            item.keyword = keyword
            item.capture_id = capture_id
            if self.detail and item.listing_id in new_ids and (req := self.detail_request(item)):
                req.meta["listing"] = item
                yield self._tag(req, keyword, None, "detail")
            else:
                yield item
        outcome = "ok" if result.listings else "empty"
        self.crawler.stats.inc_value(f"patroli/outcome/{outcome}")
        yield self._page_record(
            response, outcome, listings_found=len(result.listings), new_listings=len(new_ids)
        )
        # Paging stops when a page brings nothing new: a site that repeats its last page, or
        # ignores the page parameter, cannot keep the spider busy.
        if new_ids and page < self.max_pages and result.has_next is not False:
            yield self._tag(self.search_request(keyword, page + 1), keyword, page + 1, "search")

    def parse_detail(self, response: Response) -> Iterator[Any]:
        listing: RawListing | None = response.meta.get("listing")
        detail, failed = self._read(response, self.parse_detail_body)
        if failed:
            yield failed
            if failed.outcome == "throttled" and (retry := self._ask_again(response)):
                yield retry
                return
            if listing is not None:
                yield listing  # the search result still stands
            return
        merged = merge_detail(listing, detail) if listing is not None else detail
        if merged is not None:
            merged.keyword = response.meta.get("keyword")
            merged.capture_id = response.meta.get("capture_id") or merged.capture_id
            yield merged
        self.crawler.stats.inc_value("patroli/outcome/ok")
        yield self._page_record(response, "ok", listings_found=1 if merged else 0)

    def _ask_again(self, response: Response) -> Request | None:
        """A throttled fetch is asked again, a bounded number of times (the site said 'later')."""
        tries = response.meta.get("throttle_tries", 0) + 1
        if tries > self.crawler.settings.getint("PATROLI_THROTTLE_RETRIES", 3):
            return None
        # Scrapy's own keys (download_latency, download_slot...) and the old capture stay behind.
        meta = {k: v for k, v in response.meta.items() if not k.startswith("download_") and k != "capture_id"}
        meta["throttle_tries"] = tries
        return response.request.replace(dont_filter=True, meta=meta)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        meta = request.meta
        self.crawler.stats.inc_value("patroli/outcome/error")
        yield PageRecord(
            marketplace=self.marketplace,
            url=request.url,
            outcome="error",
            keyword=meta.get("keyword"),
            page=meta.get("page"),
            kind=meta.get("kind", "search"),
            fetched_at=utc_now(),
            reason=f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500],
        )
        if meta.get("listing") is not None:
            yield meta["listing"]


# The search result's identity stands: a product page may answer with a variant's id or a
# canonical URL, and a crawl with --detail must store the same rows as one without.
_IDENTITY = ("marketplace", "listing_id", "url", "keyword", "capture_id")


def merge_detail(search: RawListing, detail: RawListing | None) -> RawListing:
    """The product page knows more than the search card: its non-empty values win, but identity."""
    if detail is None:
        return search
    for name in RawListing.__slots__:
        value = getattr(detail, name)
        if value not in (None, "") and name not in _IDENTITY:
            setattr(search, name, value)
    return search


def _headers(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1").lower(): v[0].decode("latin-1") if v else "" for k, v in response.headers.items()
    }
