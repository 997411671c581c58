"""A marketplace spider of the tests' own, for the ShopServer in evidence_helpers: it lets the
evidence tests crawl and recapture through the real MarketplaceSpider machinery.

Its parser records the SHA-256 of the very body it parsed in each RawListing's description, so a
test can prove that the WARC gives back exactly those bytes.

`python -m tests.evidence_spiders --db D --captures C -s NAME=VALUE ...` runs one crawl.
"""

from __future__ import annotations

import hashlib
import re
import sys
from urllib.parse import quote

from scrapy import Request

from crawler.items import RawListing
from spiders.base import MarketplaceSpider
from spiders.pages import PageParseError, SearchPage, as_text

_CARD = re.compile(
    r'<div class="card" data-id="([^"]*)" data-price="([^"]*)" data-seller="([^"]*)">(.*?)</div>',
    re.S,
)


def _cards(body: bytes, url: str) -> list[RawListing]:
    import html

    digest = hashlib.sha256(body).hexdigest()
    base = url.split("/search")[0].split("/produk/")[0]
    return [
        RawListing(
            marketplace="tokopedia",
            listing_id=html.unescape(m.group(1)),
            url=f"{base}/produk/{html.unescape(m.group(1))}",
            title=html.unescape(m.group(4)),
            price=html.unescape(m.group(2)),
            seller_id="s1",
            seller_name=html.unescape(m.group(3)),
            description=digest,
            source="test_card",
        )
        for m in _CARD.finditer(as_text(body))
    ]


class EvidenceTestSpider(MarketplaceSpider):
    name = "tokopedia-evidence-test"
    marketplace = "tokopedia"

    def search_request(self, keyword: str, page: int) -> Request:
        return Request(f"{self.base_url}/search?q={quote(keyword)}&page={page}")

    def parse_search_body(self, body: bytes, url: str) -> SearchPage:
        if b"<html" not in body:
            raise PageParseError("bukan halaman toko uji")
        listings = _cards(body, url)
        return SearchPage(listings=listings, has_next=bool(listings))

    def detail_request(self, raw: RawListing) -> Request:
        return Request(f"{self.base_url}/produk/{quote(raw.listing_id)}")

    def parse_detail_body(self, body: bytes, url: str) -> RawListing | None:
        if b"Produk tidak ditemukan" in body:
            return None
        found = _cards(body, url)
        if not found:
            raise PageParseError("halaman produk tanpa kartu produk")
        return found[0]


def main(argv: list[str]) -> None:
    import argparse

    from scrapy.crawler import CrawlerProcess

    from crawler.runner import project_settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--captures", required=True)
    parser.add_argument("--keywords", default="batik")
    parser.add_argument("-s", action="append", default=[])
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.s)
    overrides.update({"PATROLI_DB": args.db, "PATROLI_CAPTURES_DIR": args.captures})
    process = CrawlerProcess(project_settings(overrides))
    process.crawl(EvidenceTestSpider, keywords=args.keywords)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1:])
