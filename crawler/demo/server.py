"""The demo marketplace's HTTP server, on 127.0.0.1 only.

Every marketplace is served under a path prefix, at the real site's paths:
http://127.0.0.1:PORT/tokopedia/search?q=... stands for https://www.tokopedia.com/search?q=...
Each marketplace's page and API shapes are drawn by crawler/demo/shapes/<marketplace>.py.
The server can be told to block, throttle (429 with Retry-After) or fail a share of requests.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import pkgutil
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from urllib.parse import parse_qs, unquote_plus, urlsplit

from crawler.demo import shapes as shapes_package
from crawler.demo.catalogue import Catalogue
from crawler.demo.records import DemoListing, DemoRequest, DemoResponse

logger = logging.getLogger(__name__)

ROBOTS_TXT = b"""# Demo marketplace: the same rules a marketplace typically publishes.
User-agent: *
Disallow: /tokopedia/cart
Disallow: /shopee/cart
Disallow: /shopee/checkout
Disallow: /lazada/customer
Disallow: /blibli/cart
Allow: /
"""

FAULT_KINDS = ("block", "throttle", "error")


@dataclass(slots=True)
class Faults:
    """Which requests the demo answers badly. Shares are of search and product requests."""

    block: float = 0.0  # the marketplace's own anti-bot answer, every time
    throttle: float = 0.0  # HTTP 429 with Retry-After, for the first `throttle_times` attempts
    error: float = 0.0  # HTTP 500, for the first `error_times` attempts (None: always)
    throttle_times: int = 1
    error_times: int | None = None
    retry_after: int = 1
    seed: int = 0
    keywords: dict[str, str] = field(default_factory=dict)  # keyword -> fault kind, always

    def __post_init__(self) -> None:
        if self.block + self.throttle + self.error > 1:
            raise ValueError("bagian block + throttle + error melebihi 1")
        for keyword, kind in self.keywords.items():
            if kind not in FAULT_KINDS:
                raise ValueError(f"jenis gangguan {kind!r} untuk {keyword!r}: pilih {FAULT_KINDS}")

    def choose(self, key: str, text: str) -> str | None:
        """The fault for a request, decided by its URL so that a retry meets the same fate."""
        for keyword, kind in self.keywords.items():
            if keyword.lower() in text:
                return kind
        digest = hashlib.blake2b(f"{self.seed}|{key}".encode(), digest_size=8).digest()
        u = int.from_bytes(digest, "big") / 2**64
        for kind, share in (("block", self.block), ("throttle", self.throttle), ("error", self.error)):
            if u < share:
                return kind
            u -= share
        return None


def load_shapes() -> dict[str, ModuleType]:
    """prefix -> shape module, for every module in crawler/demo/shapes/."""
    routes: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(shapes_package.__path__):
        module = importlib.import_module(f"{shapes_package.__name__}.{info.name}")
        for prefix in getattr(module, "PREFIXES", (info.name,)):
            routes[prefix] = module
    return routes


class RecordingCatalogue:
    """The catalogue as the shapes see it; remembers every listing it served, per marketplace."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.served: dict[str, set[str]] = defaultdict(set)
        self._lock = threading.Lock()

    def _record(self, items: list[DemoListing]) -> None:
        with self._lock:
            for item in items:
                self.served[item.marketplace].add(item.listing_id)

    def search(self, marketplace, keyword, offset, limit):
        total, items = self.catalogue.search(marketplace, keyword, offset, limit)
        self._record(items)
        return total, items

    def get(self, marketplace, listing_id):
        item = self.catalogue.get(marketplace, listing_id)
        if item is not None:
            self._record([item])
        return item

    def by_shop(self, marketplace, shop_id, offset, limit):
        total, items = self.catalogue.by_shop(marketplace, shop_id, offset, limit)
        self._record(items)
        return total, items

    def shops(self, marketplace):
        return self.catalogue.shops(marketplace)


class DemoMarket:
    """The demo marketplace: start() serves it from a background thread; stop() ends it."""

    def __init__(
        self, catalogue: Catalogue, host: str = "127.0.0.1", port: int = 0, faults: Faults | None = None
    ):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("marketplace demo hanya melayani loopback (127.0.0.1)")
        self.catalogue = RecordingCatalogue(catalogue)
        self.faults = faults or Faults()
        self.routes = load_shapes()
        self.requests: dict[str, int] = defaultdict(int)  # per outcome served
        self._attempts: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self.httpd = _Server((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def base_urls(self) -> dict[str, str]:
        """PATROLI_BASE_URLS for a crawl of this demo."""
        return {prefix: f"{self.url}/{prefix}" for prefix in self.routes}

    def start(self) -> DemoMarket:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="demo-market", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> DemoMarket:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- answering ----------------------------------------------------------------------------

    def answer(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> DemoResponse:
        parts = urlsplit(raw_path)
        if parts.path == "/robots.txt":
            return DemoResponse(200, ROBOTS_TXT, "text/plain; charset=utf-8")
        segments = parts.path.lstrip("/").split("/", 1)
        module = self.routes.get(segments[0])
        if module is None:
            return DemoResponse(404, b"not found", "text/plain")
        req = DemoRequest(
            method=method,
            path="/" + (segments[1] if len(segments) > 1 else ""),
            query=parse_qs(parts.query, keep_blank_values=True),
            body=body,
            headers=headers,
            base_url=f"{self.url}/{segments[0]}",
        )
        key = f"{method} {raw_path} {hashlib.sha1(body).hexdigest()}"
        fault = self.faults.choose(
            key, unquote_plus(raw_path).lower() + body.decode("utf-8", "replace").lower()
        )
        if fault:
            with self._lock:
                self._attempts[key] += 1
                attempt = self._attempts[key]
            if fault == "block":
                self._count("blocked")
                return module.blocked(req)
            if fault == "throttle" and attempt <= self.faults.throttle_times:
                self._count("throttled")
                return DemoResponse(
                    429,
                    b'{"error":"too many requests"}',
                    "application/json",
                    {"Retry-After": str(self.faults.retry_after)},
                )
            if fault == "error" and (self.faults.error_times is None or attempt <= self.faults.error_times):
                self._count("error")
                return DemoResponse(500, b"<html><body>Internal Server Error</body></html>")
        try:
            response = module.handle(req, self.catalogue)
        except Exception:  # a demo bug must show as a 500, not kill the server thread
            logger.exception("demo shape %s failed on %s", segments[0], raw_path)
            self._count("error")
            return DemoResponse(500, b"demo error")
        if response is None:
            self._count("not_found")
            return DemoResponse(404, b"not found", "text/plain")
        self._count("ok")
        return response

    def _count(self, outcome: str) -> None:
        with self._lock:
            self.requests[outcome] += 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default listen backlog (5) drops connections when several crawlers open many at once.
    request_queue_size = 256


def _handler_for(market: DemoMarket) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "PatroliDemo/0.1"

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 10_000_000)) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            response = market.answer(method, self.path, headers, body)
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(response.body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve("HEAD")

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            logger.debug("demo: " + format, *args)

    return Handler
