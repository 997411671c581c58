"""Driving a spider's callbacks with responses drawn by a demo shape: no network, no reactor.

`drive()` plays Scrapy's part in the simplest way: it takes the spider's start requests, answers
each with the shape's page (as the demo server would), calls the request's callback, and keeps
going with the requests the callbacks yield, breadth first and bounded. It is a unit test of the
spider's navigation and recording; the live end-to-end crawls are in the lead's tests.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.test import get_crawler

from crawler.demo.records import DemoRequest, DemoResponse
from crawler.items import PageRecord, RawListing


def make_spider(cls: type, settings: dict[str, Any], **kwargs: Any):
    crawler = get_crawler(cls, settings)
    spider = cls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    return spider


def start_requests(spider) -> list[Request]:
    """The requests of `spider.start()`, stepped by hand (an event loop may already be running)."""
    agen = spider.start()
    out: list[Request] = []
    while True:
        step = agen.__anext__()
        try:
            step.send(None)
        except StopIteration as done:
            out.append(done.value)
        except StopAsyncIteration:
            return out
        else:
            step.close()
            raise AssertionError("start() waited on something; drive it with a real engine")


def demo_response(request: Request, answer: DemoResponse | None) -> Response:
    if answer is None:
        answer = DemoResponse(404, b"not found", "text/plain")
    cls = HtmlResponse if "html" in answer.content_type else TextResponse
    return cls(
        url=request.url,
        status=answer.status,
        body=answer.body,
        headers={"Content-Type": answer.content_type, **answer.headers},
        encoding="utf-8",
        request=request,
    )


def shape_response(request: Request, shape: ModuleType, catalogue, base_url: str, blocked: bool = False):
    """The shape's answer to a request under `base_url` (http://127.0.0.1:PORT/<prefix>)."""
    parts = urlsplit(request.url)
    prefix = urlsplit(base_url).path
    req = DemoRequest("GET", parts.path.removeprefix(prefix) or "/", parse_qs(parts.query), b"", {}, base_url)
    answer = shape.blocked(req) if blocked else shape.handle(req, catalogue)
    return demo_response(request, answer)


@dataclass
class Drive:
    listings: list[RawListing] = field(default_factory=list)
    records: list[PageRecord] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)


def drive(spider, requests: list[Request], answer, limit: int = 2_000) -> Drive:
    """Run the spider's callbacks over `answer(request) -> Response`, at most `limit` fetches."""
    out = Drive()
    queue: deque[Request] = deque(requests)
    while queue and len(out.fetched) < limit:
        request = queue.popleft()
        out.fetched.append(request.url)
        callback = request.callback or spider.parse
        for result in callback(answer(request)) or ():
            if isinstance(result, Request):
                queue.append(result)
            elif isinstance(result, PageRecord):
                out.records.append(result)
            elif isinstance(result, RawListing):
                out.listings.append(result)
            else:
                raise AssertionError(f"unexpected callback output {result!r}")
    assert not queue, f"more than {limit} fetches"
    return out
