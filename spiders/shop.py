"""The `shop` spider: patrols independent web shops by their address. No selectors here.

Not keyword-driven. Given shop addresses (`patroli crawl-shops URL...`,
`-a urls=https://a.example/,https://b.example/shop/`, the setting PATROLI_SHOP_URLS, or the list
in PATROLI_SHOP_URLS_FILE, data/toko.txt), it reads each shop's catalogue pages (product links and the
next page, at most `max_pages` catalogue pages and PATROLI_SHOP_MAX_PRODUCTS products per shop)
and every product page, whose schema.org Product is the listing. With no addresses but a base URL
for "shop" (the demo marketplace), it starts from that page as a directory of shops.

Recording fits MarketplaceSpider's: one PageRecord per fetch, kind "catalogue" for catalogue and
directory pages, "detail" for product pages; the patrolled shop's address stands where a keyword
would (PageRecord.keyword, RawListing.keyword), so coverage per shop reads like coverage per
keyword.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response

from crawler.items import PageRecord
from spiders.base import MarketplaceSpider, _split
from spiders.pages import shop as pages
from spiders.pages.outcome import detect_block_page


def read_shop_urls(path: str | Path) -> list[str]:
    """A plain file of shop addresses, one per line; '#' starts a comment."""
    from crawler.keywords import read_text_file

    lines = read_text_file(path).splitlines()  # KeywordError is a ValueError
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def invalid_urls(urls: list[str]) -> list[str]:
    return [u for u in urls if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).netloc]


class ShopSpider(MarketplaceSpider):
    name = "shop"
    marketplace = "shop"

    def __init__(self, *args: Any, urls: str | list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._urls = _split(urls)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        # Skip MarketplaceSpider.from_crawler: shops have no keywords and no single base URL.
        spider = super(MarketplaceSpider, cls).from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_pages = int(spider._max_pages or settings.getint("PATROLI_MAX_PAGES", 5))
        spider.max_products = settings.getint("PATROLI_SHOP_MAX_PRODUCTS", 500)
        spider.detail = True  # product pages are the listings
        urls = spider._urls or _split(settings.getlist("PATROLI_SHOP_URLS"))
        base = (settings.getdict("PATROLI_BASE_URLS").get("shop") or "").rstrip("/")
        listed = settings.get("PATROLI_SHOP_URLS_FILE")
        # A directory base URL (the demo marketplace's) comes before the file, so that a demo
        # patrol never reaches the real shops listed there.
        if not urls and not base and listed and Path(listed).exists():
            urls = read_shop_urls(listed)
        if bad := invalid_urls(urls):
            raise ValueError(f"alamat toko tidak sah (harus http:// atau https://): {', '.join(bad)}")
        if not urls and not base:
            raise ValueError(
                "spider shop butuh alamat toko: `patroli crawl-shops URL...`, -a urls=..., "
                f"atau daftar di {listed or 'PATROLI_SHOP_URLS_FILE'}"
            )
        spider.shop_urls = urls
        spider.directory = f"{base}/" if base and not urls else None
        spider.base_url = base
        return spider

    # -- requests -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        if self.directory:
            yield self._request(self.directory, self.parse_directory_page, "catalogue", self.directory, None)
        for url in self.shop_urls:
            yield self._catalogue(url, url, 1)

    def _request(self, url: str, callback, kind: str, shop: str, page: int | None) -> Request:
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={"kind": kind, "keyword": shop, "page": page, "shop": shop},
        )

    def _catalogue(self, url: str, shop: str, page: int) -> Request:
        return self._request(url, self.parse_catalogue_page, "catalogue", shop, page)

    # -- callbacks ------------------------------------------------------------------------------

    def _failed(self, response: Response, failed: PageRecord) -> Iterator[Any]:
        yield failed
        if failed.outcome == "throttled" and (retry := self._ask_again(response)):
            yield retry

    def _record(self, response: Response, outcome: str, **extra: Any) -> PageRecord:
        self.crawler.stats.inc_value(f"patroli/outcome/{outcome}")
        return self._page_record(response, outcome, **extra)

    def parse_directory_page(self, response: Response) -> Iterator[Any]:
        shops, failed = self._read(response, pages.parse_directory)
        if failed:
            yield from self._failed(response, failed)
            return
        for url in shops:
            yield self._catalogue(url, url, 1)
        if shops:
            yield self._record(response, "ok")
        else:
            block = detect_block_page(response.body)
            yield self._record(response, "blocked" if block else "empty", reason=block)

    def parse_catalogue_page(self, response: Response) -> Iterator[Any]:
        shop = response.meta["shop"]
        page = response.meta.get("page") or 1
        result, failed = self._read(response, pages.parse_catalogue)
        if failed:
            yield from self._failed(response, failed)
            return
        links, next_url = result
        seen = self.seen.setdefault(shop, set())
        # The address given may be a product page itself (its related products are links too).
        product = pages.parse_product(response.body, response.url, shop=shop) if page == 1 else None
        if product is not None and product.url.rstrip("/") == response.url.rstrip("/"):
            seen.add(response.url)
            product.keyword = shop
            product.capture_id = response.meta.get("capture_id")
            yield product
        else:
            product = None
        if not links:
            if product is not None:
                yield self._record(response, "ok", listings_found=1, new_listings=1)
            elif block := detect_block_page(response.body):
                yield self._record(response, "blocked", reason=block)
            else:
                yield self._record(response, "empty", reason="tidak ada tautan produk")
            return
        room = max(0, self.max_products - len(seen))
        new = [link for link in links if link not in seen][:room]
        seen.update(new)
        for link in new:
            yield self._request(link, self.parse_product_page, "detail", shop, None)
        yield self._record(response, "ok", listings_found=len(links), new_listings=len(new))
        # Like search paging: a catalogue page that brings nothing new ends the walk.
        if new and next_url and page < self.max_pages:
            yield self._catalogue(next_url, shop, page + 1)

    def parse_product_page(self, response: Response) -> Iterator[Any]:
        shop = response.meta["shop"]
        listing, failed = self._read(response, lambda body, url: pages.parse_product(body, url, shop=shop))
        if failed:
            yield from self._failed(response, failed)
            return
        if listing is None:
            block = detect_block_page(response.body)
            reason = block or "tidak ada schema.org Product di halaman ini"
            yield self._record(response, "blocked" if block else "empty", reason=reason)
            return
        listing.keyword = shop
        listing.capture_id = response.meta.get("capture_id")
        yield listing
        yield self._record(response, "ok", listings_found=1, new_listings=1)
