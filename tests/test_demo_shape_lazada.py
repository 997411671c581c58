"""The demo's Lazada shape, by round trip: DemoListing -> rendered page -> parser -> same values."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.demo.catalogue import Catalogue
from crawler.demo.records import DemoListing, DemoRequest
from crawler.demo.shapes import lazada as shape
from crawler.normalize import normalize_listing, parse_count
from spiders.pages import lazada

BASE = "http://127.0.0.1:8765/lazada"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 3000, seed=5)


def request(target: str) -> DemoRequest:
    parts = urlsplit(target)
    return DemoRequest("GET", parts.path, parse_qs(parts.query), b"", {}, BASE)


def get(catalogue, target: str):
    response = shape.handle(request(target), catalogue)
    assert response is not None and response.status == 200
    return response


def shown_sold(listing: DemoListing) -> int | None:
    text = shape.sold_text(listing.sold_count)
    return parse_count(text) if text else None


def assert_card_values(raw, listing: DemoListing) -> None:
    got = normalize_listing(raw)
    assert raw.listing_id == listing.listing_id
    assert raw.url == shape.product_url(BASE, listing)
    assert raw.title == listing.title
    assert got.price_idr == listing.price_idr
    assert got.currency == "IDR"
    assert got.original_price_idr == listing.original_price_idr
    assert got.sold_count == shown_sold(listing)
    assert got.review_count == (listing.review_count or None)
    assert raw.seller_location == listing.shop.city
    assert raw.is_cross_border is listing.is_cross_border
    assert raw.is_official is (True if listing.shop.is_official else None)


def test_search_html_round_trip(catalogue):
    total, expected = catalogue.search("lazada", "batik", 0, shape.PAGE_SIZE)
    assert total > shape.PAGE_SIZE  # so that paging is exercised
    response = get(catalogue, "/catalog/?q=batik")
    page = lazada.parse_search(response.body, f"{BASE}/catalog/?q=batik")
    assert page.total == total
    assert page.has_next is True
    assert page.blocked_reason is None
    assert [r.listing_id for r in page.listings] == [x.listing_id for x in expected]
    for raw, listing in zip(page.listings, expected, strict=True):
        assert_card_values(raw, listing)
        assert raw.image_url == listing.image_url
        assert raw.seller_name is None  # the card does not name the seller, as on Lazada
    # Only the first result has an ld+json Product, as in the real capture: its rating.
    first = expected[0]
    assert page.listings[0].rating == (f"{first.rating:.1f}" if first.rating and first.review_count else None)
    assert all(r.rating is None for r in page.listings[1:])


def test_search_json_round_trip(catalogue):
    total, expected = catalogue.search("lazada", "batik", shape.PAGE_SIZE, shape.PAGE_SIZE)
    response = get(catalogue, "/catalog/?ajax=true&q=batik&page=2")
    assert response.content_type.startswith("application/json")
    page = lazada.parse_search(response.body, f"{BASE}/catalog/?ajax=true&q=batik&page=2")
    assert page.total == total
    assert page.has_next is (total > 2 * shape.PAGE_SIZE)
    assert [r.listing_id for r in page.listings] == [x.listing_id for x in expected]
    for raw, listing in zip(page.listings, expected, strict=True):
        assert_card_values(raw, listing)
        got = normalize_listing(raw)
        assert (raw.seller_name, raw.seller_id) == (listing.shop.name, listing.shop.shop_id)
        assert got.rating == listing.rating
        assert raw.source == "search_json"


def test_last_page_and_empty_search(catalogue):
    total, _ = catalogue.search("lazada", "batik", 0, 1)
    last = -(-total // shape.PAGE_SIZE)
    for target in (f"/catalog/?q=batik&page={last}", f"/catalog/?ajax=true&q=batik&page={last}"):
        page = lazada.parse_search(get(catalogue, target).body, BASE + target)
        assert page.has_next is False
        assert len(page.listings) == total - (last - 1) * shape.PAGE_SIZE
    for target in ("/catalog/?q=zzqx", "/catalog/?ajax=true&q=zzqx"):
        page = lazada.parse_search(get(catalogue, target).body, BASE + target)
        assert (page.listings, page.total, page.has_next, page.blocked_reason) == ([], 0, False, None)


def test_cross_border_and_official_listings_round_trip(catalogue):
    crossed = [x for x in catalogue.iter_all("lazada") if x.is_cross_border]
    official = [x for x in catalogue.iter_all("lazada") if x.shop.is_official]
    assert crossed and official
    for listing in (crossed[0], official[0]):
        html = shape.search_html(BASE, "x", 1, 1, [listing])
        data = shape.search_json(BASE, "x", 1, 1, [listing])
        for body in (html, data):
            (raw,) = lazada.parse_search(body, f"{BASE}/catalog/?q=x").listings
            assert_card_values(raw, listing)


def test_product_page_round_trip(catalogue):
    listing = next(x for x in catalogue.iter_all("lazada") if x.original_price_idr and x.rating)
    url = shape.product_url(BASE, listing)
    response = get(catalogue, url.removeprefix(BASE))
    raw = lazada.parse_product(response.body, url)
    got = normalize_listing(raw)
    assert raw.listing_id == listing.listing_id
    assert raw.url == url
    assert raw.title == listing.title
    assert (got.price_idr, got.original_price_idr) == (listing.price_idr, listing.original_price_idr)
    assert (got.rating, got.review_count) == (listing.rating, listing.review_count)
    assert (raw.seller_name, raw.seller_id) == (listing.shop.name, listing.shop.shop_id)
    assert raw.seller_url == f"{BASE}/shop/{listing.shop.domain}/"
    assert raw.category_path == listing.category_path
    assert raw.description == listing.description
    assert raw.image_url == listing.image_url
    assert lazada.extract(response.body, url)[0].listing_id == listing.listing_id


def test_unknown_paths_are_404(catalogue):
    assert shape.handle(request("/products/kain-i1.html"), catalogue) is None
    assert shape.handle(request("/customer/account"), catalogue) is None


@pytest.mark.parametrize("target", ["/catalog/?q=batik", "/catalog/?ajax=true&q=batik"])
def test_blocked_answers_are_read_as_blocked(target):
    response = shape.blocked(request(target))
    assert response.status == 200  # Lazada's punish page is not an HTTP error
    page = lazada.parse_search(response.body, BASE + target)
    assert page.listings == [] and page.blocked_reason


def test_hostile_title_survives_the_page(catalogue):
    listing = next(catalogue.iter_all("lazada"))
    hostile = dataclasses.replace(
        listing, title='Kain "</script><script>alert(1)</script> & =1+1', description="</script>x"
    )
    for body in (
        shape.search_html(BASE, "k", 1, 1, [hostile]),
        shape.search_json(BASE, "k", 1, 1, [hostile]),
    ):
        (raw,) = lazada.parse_search(body, f"{BASE}/catalog/?q=k").listings
        assert raw.title == hostile.title
    raw = lazada.parse_product(shape.product_html(BASE, hostile), shape.product_url(BASE, hostile))
    assert (raw.title, raw.description) == (hostile.title, "</script>x")
