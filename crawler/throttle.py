"""Honouring Retry-After: a 429 or 503 that says how long to wait slows the whole download slot.

Scrapy's RetryMiddleware retries but does not read Retry-After; AutoThrottle reacts to latency,
not to a site that says "wait 30 s". This middleware raises the slot's delay so that every
request to that site, the retry included, waits at least as long as asked.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime

from crawler.normalize import utc_now

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str | None, now_iso: str | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # asctime and "-0000" dates: HTTP dates are always GMT
    now = datetime.fromisoformat((now_iso or utc_now()).replace("Z", "+00:00"))
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware:
    """Raise a slot's delay to what Retry-After asks; give the old delay back once it has passed."""

    def __init__(self, crawler, clock=time.monotonic):
        self.crawler = crawler
        self.max_delay = crawler.settings.getfloat("PATROLI_RETRY_AFTER_MAX", 120.0)
        self.clock = clock
        self.slowed: dict[str, tuple[float, float]] = {}  # slot -> (delay before, until when)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        key = request.meta.get("download_slot")
        if response.status not in (429, 503):
            self._maybe_restore(key)
            return response
        raw = response.headers.get(b"Retry-After")
        seconds = retry_after_seconds(raw.decode("latin-1") if raw else None)
        if seconds is None:
            return response
        seconds = min(seconds, self.max_delay)
        slot = self._slot(key)
        if slot is not None and seconds > slot.delay:
            logger.info("Retry-After %ss dari %s: memperlambat slot %s", seconds, request.url, key)
            before = self.slowed.get(key, (slot.delay, 0.0))[0]
            self.slowed[key] = (before, self.clock() + seconds)
            slot.delay = seconds
        self.crawler.stats.inc_value("patroli/retry_after")
        return response

    def _slot(self, key):
        return self.crawler.engine.downloader.slots.get(key) if key else None

    def _maybe_restore(self, key) -> None:
        """A site that answers normally after the wait gets its usual pace back."""
        if key not in self.slowed:
            return
        before, until = self.slowed[key]
        if self.clock() < until:
            return
        del self.slowed[key]
        slot = self._slot(key)
        if slot is not None:
            slot.delay = before
