"""The demo's Blibli shape: DemoListing -> rendered API JSON -> the Blibli parser -> the same values."""

from __future__ import annotations

import json
import math

import pytest

from crawler.demo.catalogue import Generator
from crawler.demo.shapes import blibli as shape
from crawler.normalize import normalize_listing, parse_count
from spiders.base import merge_detail
from spiders.pages import blibli as parser
from tests.stubs_shopee_blibli import BASE, StubCatalogue, demo_request, listing, shop

SEARCH = f"{BASE}/blibli/backend/search/products"


def _items():
    return [
        listing("1000000001", marketplace="blibli", sold_count=1_342),
        listing(
            "1000000002",
            marketplace="blibli",
            title="Kain Batik Tulis Pesisiran Promo",
            price_idr=85_000,
            original_price_idr=120_000,
            sold_count=0,
            rating=None,
            review_count=0,
        ),
        listing(
            "1000000003",
            marketplace="blibli",
            title="Batik Tulis <script>alert(1)</script> & Co",
            description="Ready stok.\n\nPO 14 hari untuk warna lain <b>tulis</b> & cap.",
            shop=shop("31337002", name="Batik Official Store", is_official=True, city="Kota Pekalongan"),
            is_preorder=True,
            sold_count=2_500_000,
        ),
    ]


def _search(catalogue, term="batik tulis", page=1, start=None, per_page=None):
    url = f"{SEARCH}?sort=0&page={page}&searchTerm={term.replace(' ', '%20')}&channelId=web"
    if start is not None:
        url += f"&start={start}"
    if per_page is not None:
        url += f"&itemPerPage={per_page}"
    return url, shape.handle(demo_request(url, "blibli"), catalogue)


def _sold(count: int) -> int | None:
    """What Blibli's rounded-down sold range reads back as."""
    if count == 0:
        return None
    for size in (1_000_000, 1_000):
        if count >= size:
            return math.floor(count * 10 / size) * size // 10
    return count


def _expected(item):
    return {
        "listing_id": item.listing_id,
        "title": item.title,
        "price_idr": item.price_idr,
        "original_price_idr": item.original_price_idr
        if item.original_price_idr and item.original_price_idr > item.price_idr
        else None,
        "sold_count": _sold(item.sold_count),
        "rating": item.rating,
        "review_count": item.review_count,
        "seller_id": item.shop.shop_id,
        "seller_name": item.shop.name,
        "seller_location": item.shop.city,
        "is_official": item.shop.is_official,
        "is_preorder": item.is_preorder,
        "category_path": item.category_path,
        "image_url": item.image_url,
        "is_cross_border": None,
        "url": f"{BASE}/blibli/p/{item.slug}/ps--{item.listing_id}?ds={item.listing_id}-00001",
    }


def test_search_round_trip():
    items = _items()
    url, response = _search(StubCatalogue(items))
    assert response.status == 200 and response.content_type.startswith("application/json")
    page = parser.parse_search(response.body, url)
    assert (page.total, page.has_next, page.blocked_reason) == (3, False, None)
    got = [normalize_listing(r) for r in page.listings]
    for item, listing_ in zip(items, got, strict=True):
        assert {k: getattr(listing_, k) for k in _expected(item)} == _expected(item)
    assert [g.sold_text for g in got] == ["1,3 rb", None, "2,5 jt"]
    assert got[0].price_text == "Rp1.250.000"


def test_sold_display_reads_back_as_the_rounded_count():
    for count in (1, 751, 999, 1_000, 1_342, 5_000, 99_950, 999_999, 1_250_000):
        assert parse_count(shape.sold_display(count, "rb")) == _sold(count), count
    assert shape.sold_display(1_342, "k") == "1,3 k"  # the English variant, as in the captures


def test_search_paging_by_page_and_start():
    items = [listing(str(1000000100 + n), marketplace="blibli", title=f"Batik Tulis {n}") for n in range(7)]
    catalogue = StubCatalogue(items)
    url, response = _search(catalogue, page=2, start=3, per_page=3)
    page = parser.parse_search(response.body, url)
    assert [r.listing_id for r in page.listings] == ["1000000103", "1000000104", "1000000105"]
    assert (page.total, page.has_next) == (7, True)
    paging = json.loads(response.body)["data"]["paging"]
    assert paging == {"page": 2, "total_page": 3, "item_per_page": 3, "total_item": 7}
    # Without `start`, the offset follows the page number.
    url, response = _search(catalogue, page=3, per_page=3)
    page = parser.parse_search(response.body, url)
    assert [r.listing_id for r in page.listings] == ["1000000106"]
    assert page.has_next is False


def test_default_page_size_is_forty():
    items = [listing(str(1000000200 + n), marketplace="blibli", title=f"Songket {n}") for n in range(45)]
    url, response = _search(StubCatalogue(items), term="songket")
    page = parser.parse_search(response.body, url)
    assert len(page.listings) == 40 and page.has_next is True


def test_no_results_is_empty_and_bad_parameters_are_a_400():
    catalogue = StubCatalogue(_items())
    url, response = _search(catalogue, term="tenun ikat sumba")
    page = parser.parse_search(response.body, url)
    assert (page.listings, page.total, page.has_next, page.blocked_reason) == ([], 0, False, None)
    _, bad = _search(catalogue, page=0)
    assert bad.status == 400 and json.loads(bad.body)["status"] == "BAD_REQUEST"
    _, bad = _search(catalogue, per_page=1000)
    assert bad.status == 400


@pytest.mark.parametrize("api", ["product-detail", "product"])
def test_product_summary_round_trip_and_merge(api):
    items = _items()
    catalogue = StubCatalogue(items)
    search_url, response = _search(catalogue)
    found = parser.parse_search(response.body, search_url).listings
    for item, from_search in zip(items, found, strict=True):
        formatted, ds = parser.product_ref(from_search.url)
        assert (formatted, ds) == (f"ps--{item.listing_id}", f"{item.listing_id}-00001")
        url = f"{BASE}/blibli/backend/{api}/products/{formatted}/_summary?defaultItemSku={ds}&cnc=false"
        response = shape.handle(demo_request(url, "blibli"), catalogue)
        assert response.status == 200
        detail = parser.parse_detail(response.body, url)
        assert (detail.listing_id, detail.url, detail.seller_id) == (
            from_search.listing_id,
            from_search.url,
            from_search.seller_id,
        )
        merged = normalize_listing(merge_detail(from_search, detail))
        expected = _expected(item)
        assert {k: getattr(merged, k) for k in expected} == expected
        assert merged.source == "product_summary"
    # The description is HTML on the wire and plain text after parsing, markup and all as text.
    assert merged.description == "Ready stok. PO 14 hari untuk warna lain <b>tulis</b> & cap."


def test_unknown_product_is_a_json_404():
    catalogue = StubCatalogue(_items())
    req = demo_request(f"{BASE}/blibli/backend/product-detail/products/ps--42/_summary", "blibli")
    response = shape.handle(req, catalogue)
    assert response.status == 404 and json.loads(response.body)["status"] == "NOT_FOUND"
    assert shape.handle(demo_request(f"{BASE}/blibli/cart", "blibli"), catalogue) is None


def test_blocked_is_akamais_access_denied():
    response = shape.blocked(demo_request(f"{SEARCH}?searchTerm=batik", "blibli"))
    assert response.status == 403 and response.content_type == "text/html"
    assert b"<TITLE>Access Denied</TITLE>" in response.body
    assert parser.parse_search(response.body, SEARCH).blocked_reason.startswith("halaman anti-bot")


def test_rendered_keys_are_the_real_captures_keys(fixture_path):
    """No invented keys: what the demo serves is a subset of what Blibli really sends."""
    real = [
        json.loads(fixture_path(f"blibli/{name}").read_text())
        for name in ("search_products_1.json", "search_products_devilpenakut.json")
    ]
    real_data_keys = set().union(*(r["data"].keys() for r in real))
    real_product_keys = set().union(*(p.keys() for r in real for p in r["data"]["products"]))
    real_detail = json.loads(fixture_path("blibli/product_detail_mock_2020.json").read_text())["data"]
    _, response = _search(StubCatalogue(_items()))
    served = json.loads(response.body)
    assert set(served) == {"code", "status", "data"}
    assert set(served["data"]) <= real_data_keys
    for product in served["data"]["products"]:
        assert set(product) <= real_product_keys
        assert set(product["price"]) <= {
            "priceDisplay",
            "strikeThroughPriceDisplay",
            "discount",
            "minPrice",
            "offerPriceDisplay",
            "isPriceRange",
        }
    summary = shape.summary_data(_items()[0], f"{BASE}/blibli")
    assert set(summary) == set(real_detail["data"])


def test_generated_catalogue_listings_round_trip():
    generator = Generator(3000, seed=5)
    items = [i for i in map(generator.listing, range(3000)) if i.marketplace == "blibli"]
    assert len(items) > 150
    body = {"code": 200, "status": "OK", "data": {"products": [shape.search_product(i) for i in items]}}
    got = [normalize_listing(r) for r in parser.parse_search(json.dumps(body), SEARCH).listings]
    assert len(got) == len(items)
    for item, listing_ in zip(items, got, strict=True):
        assert {k: getattr(listing_, k) for k in _expected(item)} == _expected(item)
