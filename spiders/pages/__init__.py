"""Page parsers: response bytes -> RawListings. Pure: no Scrapy imports, no I/O.

Each marketplace module offers functions of the form `parse_<shape>(body: bytes | str, url: str)`
returning a `SearchPage` (or a single RawListing for product pages), and raises `PageParseError`
with a reason when the body is not the shape it expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.items import RawListing


class PageParseError(ValueError):
    """The body is not a page this parser understands; the message says why."""


@dataclass(slots=True)
class SearchPage:
    listings: list[RawListing] = field(default_factory=list)
    total: int | None = None  # results the site says it has for the query, when it says
    has_next: bool | None = None  # None: the page does not say
    blocked_reason: str | None = None  # the body is a CAPTCHA, login wall or anti-bot answer


def as_text(body: bytes | str) -> str:
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    return body
