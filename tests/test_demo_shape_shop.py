"""The demo's independent web shops, by round trip: DemoListing -> page -> shop parser -> same values."""

from __future__ import annotations

import dataclasses
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.demo.catalogue import Catalogue
from crawler.demo.records import DemoListing, DemoRequest
from crawler.demo.shapes import shop as shape
from crawler.normalize import normalize_listing
from spiders.pages import PageParseError, shop

BASE = "http://127.0.0.1:8765/shop"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 3000, seed=5)


@pytest.fixture(scope="module")
def by_style(catalogue):
    """The biggest shop of each style, with its listings."""
    found: dict[str, tuple] = {}
    for s in catalogue.shops("shop"):
        style = shape.style_of(s)
        _, items = catalogue.by_shop("shop", s.shop_id, 0, 1000)
        if style not in found or len(items) > len(found[style][1]):
            found[style] = (s, items)
    assert set(found) == set(shape.STYLES)
    return found


def request(url: str) -> DemoRequest:
    parts = urlsplit(url)
    return DemoRequest("GET", parts.path.removeprefix("/shop"), parse_qs(parts.query), b"", {}, BASE)


def get(catalogue, url: str) -> bytes:
    response = shape.handle(request(url), catalogue)
    assert response is not None and response.status == 200, url
    return response.body


def key(listing: DemoListing) -> str:
    return f"127.0.0.1/shop/{listing.shop.domain}"


def test_styles_are_spread_over_the_shops(catalogue):
    counts = Counter(shape.style_of(s) for s in catalogue.shops("shop"))
    assert set(counts) == set(shape.STYLES)
    assert min(counts.values()) >= 5


@pytest.mark.parametrize("style", shape.STYLES)
def test_catalogue_pages_list_every_product_once(catalogue, by_style, style, monkeypatch):
    demo_shop, items = by_style[style]
    # Demo shops hold a handful of listings: small pages make every style paginate.
    monkeypatch.setitem(shape.PAGE_SIZES, style, 2)
    assert len(items) >= 5
    url = shape.shop_root(BASE, demo_shop)
    seen: list[str] = []
    pages = 0
    while url and pages < 100:
        links, url = shop.parse_catalogue(get(catalogue, url), url)
        seen.extend(links)
        pages += 1
    assert pages == -(-len(items) // 2)
    # Shopify lists products under the collection; both paths name the same product page.
    handles = [link.rstrip("/").rsplit("/", 1)[1].removesuffix(".html") for link in seen]
    assert handles == [f"{x.slug}-{x.listing_id}" for x in items]
    assert len(set(seen)) == len(seen)


@pytest.mark.parametrize("style", shape.STYLES)
def test_product_page_round_trip(catalogue, by_style, style):
    demo_shop, items = by_style[style]
    for listing in items:
        url = shape.product_url(BASE, listing)
        raw = shop.parse_product(get(catalogue, url), url, shop=shape.shop_root(BASE, demo_shop))
        got = normalize_listing(raw)
        assert raw.marketplace == "shop"
        assert raw.listing_id == f"{key(listing)}#{listing.listing_id}"
        assert raw.seller_id == key(listing)
        assert raw.url == url
        assert raw.title == listing.title
        assert got.price_idr == listing.price_idr
        assert got.currency == "IDR"
        assert raw.seller_name == demo_shop.name
        assert raw.description == listing.description
        assert raw.image_url == listing.image_url
        assert raw.is_preorder is (True if listing.is_preorder else None)
        # What each platform's structured data carries, and only that:
        has_rating = style in ("woocommerce", "microdata") and listing.rating and listing.review_count
        assert got.rating == (listing.rating if has_rating else None)
        assert got.review_count == (listing.review_count if has_rating else None)
        has_path = style != "shopify"
        assert raw.category_path == (listing.category_path if has_path else None)
        on_sale = listing.original_price_idr and listing.original_price_idr > listing.price_idr
        assert got.original_price_idr == (
            listing.original_price_idr if style == "opengraph" and on_sale else None
        )
        assert (
            raw.source
            == {
                "woocommerce": "shop_jsonld",
                "shopify": "shop_jsonld",
                "microdata": "shop_microdata",
                "opengraph": "shop_opengraph",
            }[style]
        )


def test_product_read_without_the_shop_address_gets_the_same_ids(catalogue, by_style):
    for _shop, items in by_style.values():
        listing = items[0]
        url = shape.product_url(BASE, listing)
        (raw,) = shop.extract(get(catalogue, url), url)
        assert (raw.listing_id, raw.seller_id) == (f"{key(listing)}#{listing.listing_id}", key(listing))


def test_directory_lists_every_shop(catalogue):
    body = get(catalogue, f"{BASE}/")
    assert shop.parse_directory(body, f"{BASE}/") == shape.shop_urls(BASE, catalogue)


def test_unknown_and_foreign_paths_are_404(catalogue, by_style):
    demo_shop, items = by_style["woocommerce"]
    other, _ = by_style["shopify"]
    assert shape.handle(request(f"{BASE}/tidak-ada/"), catalogue) is None
    assert shape.handle(request(f"{shape.shop_root(BASE, demo_shop)}product/x-1/"), catalogue) is None
    # A listing of another shop is not served under this shop's root.
    stranger = f"{shape.shop_root(BASE, other)}product/{items[0].slug}-{items[0].listing_id}/"
    assert shape.handle(request(stranger), catalogue) is None
    assert shape.handle(request(f"{shape.shop_root(BASE, demo_shop)}shop/page/99/"), catalogue) is None


def test_blocked_is_a_cloudflare_challenge():
    response = shape.blocked(request(f"{BASE}/tokoapa/"))
    assert response.status == 403
    with pytest.raises(PageParseError, match="diblokir"):
        shop.extract(response.body, f"{BASE}/tokoapa/")


@pytest.mark.parametrize("style", shape.STYLES)
def test_hostile_text_survives(by_style, style):
    demo_shop, items = by_style[style]
    hostile = dataclasses.replace(
        items[0], title='Kain "</script><b>x</b> & =SUM(A1)', description="</script>'\" <murah> & =1+1"
    )
    url = shape.product_url(BASE, hostile)
    raw = shop.parse_product(shape.product_html(BASE, hostile), url)
    assert (raw.title, raw.description) == (hostile.title, hostile.description)
