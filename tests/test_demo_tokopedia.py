"""The demo's Tokopedia renderer, by round trip: DemoListing -> render -> the real parser -> same values."""

from __future__ import annotations

import json

import pytest

from crawler.demo.catalogue import Catalogue
from crawler.demo.records import DemoListing, DemoRequest, DemoShop
from crawler.demo.shapes import tokopedia as shape
from crawler.normalize import normalize_listing, parse_count
from spiders.pages import tokopedia as tp
from spiders.pages.outcome import classify_http, detect_block_page

BASE = "http://127.0.0.1:8765/tokopedia"
GQL = "http://127.0.0.1:8765/tokopedia-gql"

LASEM = DemoShop("31000007", 'Batik Tulis <Lasem> & "Sekar"', "batiktulislasemsekar", "Kab. Rembang")
OFFICIAL = DemoShop("31000008", "Tenun Sumba Official", "tenunsumbaofficial", "Kab. Sumba Timur", True)
HUB = DemoShop("31000009", "Grosir Kain Murah 88", "grosirkainmurah88", "Kota Jakarta Barat")


def _item(n: int, title: str, price: int, sold: int, shop: DemoShop, **kw) -> DemoListing:
    fields = dict(
        marketplace="tokopedia",
        listing_id=str(1_000_000_000 + n),
        slug=f"produk-{n}",
        title=title,
        description="Dibuat dengan tangan.\n\nPO 14 hari.",
        price_idr=price,
        original_price_idr=None,
        sold_count=sold,
        rating=4.8,
        review_count=sold // 3,
        shop=shop,
        category="batik_tulis",
        category_path="Fashion Wanita / Batik Wanita / Kain Batik",
        image_url=f"https://images.example/demo/{n}.jpg",
    )
    fields.update(kw)
    return DemoListing(**fields)


ITEMS = [
    _item(1, "Kain Batik Tulis Lasem Motif Latohan", 1_250_000, 423, LASEM),
    _item(
        2, 'Batik "Tulis" <script>alert(1)</script> & Cap', 85_000, 4_321, LASEM, original_price_idr=120_000
    ),
    _item(3, "Kain Tenun Ikat Sumba – Motif Kuda ✓", 3_500_000, 0, OFFICIAL, rating=None, review_count=0),
    _item(4, '=HYPERLINK("http://x") Kain Songket Palembang Murah', 45_000, 18_456, HUB, is_preorder=True),
]


class FakeCatalogue:
    """What a shape sees of the catalogue, over a fixed list."""

    def __init__(self, items: list[DemoListing], total: int | None = None):
        self.items = items
        self.total = len(items) if total is None else total

    def search(self, marketplace, keyword, offset, limit):
        return self.total, self.items[offset : offset + limit]

    def get(self, marketplace, listing_id):
        return next((i for i in self.items if i.listing_id == listing_id), None)


def _search(catalogue, keyword="batik tulis", page: int | None = None):
    query = {"st": ["product"], "q": [keyword]}
    if page is not None:
        query["page"] = [str(page)]
    req = DemoRequest("GET", "/search", query, b"", {}, BASE)
    return shape.handle(req, catalogue)


def _pdp(catalogue, shop_domain: str, key: str):
    body = json.dumps(tp.pdp_request_body(shop_domain, key)).encode()
    req = DemoRequest(
        "POST", "/graphql/PDPGetLayoutQuery", {}, body, {"content-type": "application/json"}, GQL
    )
    return shape.handle(req, catalogue)


def _expected_sold(count: int) -> int | None:
    # The search page shows "Terjual 4,3 rb": the count as displayed, rounded down.
    return parse_count(shape.sold_label(count)) if count else None


def test_search_round_trip():
    response = _search(FakeCatalogue(ITEMS))
    assert response.status == 200 and response.content_type.startswith("text/html")
    page = tp.parse_search(response.body, f"{BASE}/search?st=product&q=batik+tulis")
    assert (len(page.listings), page.total, page.has_next) == (4, 4, False)
    for item, raw in zip(ITEMS, page.listings, strict=True):
        listing = normalize_listing(raw)
        assert listing.listing_id == item.listing_id
        assert listing.title == item.title
        assert listing.price_idr == item.price_idr
        assert listing.original_price_idr == item.original_price_idr
        assert listing.seller_name == item.shop.name
        assert listing.seller_id == item.shop.shop_id
        assert listing.seller_location == item.shop.city
        assert listing.url == f"{BASE}/{item.shop.domain}/{item.slug}-{item.listing_id}"
        assert listing.sold_count == _expected_sold(item.sold_count)
        assert listing.rating == item.rating
        assert listing.review_count == item.review_count
        assert listing.is_official is item.shop.is_official
        assert listing.image_url == item.image_url
    assert [normalize_listing(r).sold_count for r in page.listings] == [423, 4_300, None, 18_000]


def test_search_cards_alone_round_trip():
    """The DOM cards carry the same title, price, shop, location and URL as the cache."""
    html = _search(FakeCatalogue(ITEMS)).body.decode().replace("window.__cache=", "window.__off=")
    page = tp.parse_search(html, BASE)
    assert len(page.listings) == 4
    for item, raw in zip(ITEMS, page.listings, strict=True):
        assert raw.source == "search_card"
        assert (raw.title, raw.seller_name, raw.seller_location) == (
            item.title,
            item.shop.name,
            item.shop.city,
        )
        assert normalize_listing(raw).price_idr == item.price_idr
        assert raw.url == f"{BASE}/{item.shop.domain}/{item.slug}-{item.listing_id}"


def test_hostile_titles_are_escaped():
    body = _search(FakeCatalogue(ITEMS)).body.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # in the card, as text
    assert body.count("<script>") == 1  # only the page's own state script


def test_pagination_sixty_per_page():
    items = [_item(n, f"Kain Batik Tulis {n}", 100_000 + n, n, LASEM) for n in range(1, 131)]
    catalogue = FakeCatalogue(items)
    pages = [tp.parse_search(_search(catalogue, page=p).body, BASE) for p in (None, 2, 3, 4)]
    assert [len(p.listings) for p in pages] == [60, 60, 10, 0]
    assert [p.has_next for p in pages] == [True, True, False, False]
    assert [p.total for p in pages] == [130, 130, 130, 130]
    assert pages[1].listings[0].listing_id == items[60].listing_id
    ids = [raw.listing_id for p in pages for raw in p.listings]
    assert ids == [i.listing_id for i in items]


def test_empty_search_is_a_page_with_no_results():
    page = tp.parse_search(_search(FakeCatalogue([]), keyword="tidak ada").body, BASE)
    assert (page.listings, page.total, page.has_next) == ([], 0, False)


def test_bad_page_parameter_means_page_one():
    catalogue = FakeCatalogue(ITEMS)
    for value in ("abc", "-3", "0"):
        req = DemoRequest("GET", "/search", {"q": ["batik"], "page": [value]}, b"", {}, BASE)
        assert len(tp.parse_search(shape.handle(req, catalogue).body, BASE).listings) == 4


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.listing_id)
def test_pdp_round_trip(item):
    response = _pdp(FakeCatalogue(ITEMS), item.shop.domain, f"{item.slug}-{item.listing_id}")
    assert response.status == 200 and response.content_type.startswith("application/json")
    listing = normalize_listing(tp.parse_pdp(response.body, f"{GQL}/graphql/PDPGetLayoutQuery"))
    assert listing.listing_id == item.listing_id
    assert listing.title == item.title
    assert listing.price_idr == item.price_idr
    assert listing.original_price_idr == item.original_price_idr
    assert listing.seller_name == item.shop.name
    assert listing.url == f"{BASE}/{item.shop.domain}/{item.slug}-{item.listing_id}"
    assert listing.sold_count == item.sold_count  # the product page gives the exact count
    assert listing.rating == item.rating
    assert listing.description == "Dibuat dengan tangan. PO 14 hari."  # one line, as normalised
    assert listing.category_path == item.category_path
    assert listing.is_preorder is item.is_preorder
    assert listing.seller_url == f"{BASE}/{item.shop.domain}"


def test_pdp_unknown_product_and_bad_requests():
    catalogue = FakeCatalogue(ITEMS)
    missing = _pdp(catalogue, "batiktulislasemsekar", "produk-1-999")
    with pytest.raises(tp.PageParseError, match="product not found"):
        tp.parse_pdp(missing.body)
    wrong_shop = _pdp(catalogue, "tokolain", f"produk-1-{ITEMS[0].listing_id}")
    assert json.loads(wrong_shop.body)[0]["data"]["pdpGetLayout"] is None
    bad = DemoRequest("POST", "/graphql/PDPGetLayoutQuery", {}, b"{not json", {}, GQL)
    assert shape.handle(bad, catalogue).status == 400
    get = DemoRequest("GET", "/graphql/PDPGetLayoutQuery", {}, b"", {}, GQL)
    assert shape.handle(get, catalogue) is None
    assert shape.handle(DemoRequest("GET", "/cart", {}, b"", {}, BASE), catalogue) is None
    # The search page is not served on the GraphQL host, nor the GraphQL path on www.
    assert shape.handle(DemoRequest("GET", "/search", {"q": ["x"]}, b"", {}, GQL), catalogue) is None


def test_blocked_is_akamai_access_denied():
    req = DemoRequest("GET", "/search", {"q": ["batik"]}, b"", {}, BASE)
    response = shape.blocked(req)
    assert response.status == 403
    assert classify_http(response.status) == ("blocked", "HTTP 403")
    assert detect_block_page(response.body) is not None
    with pytest.raises(tp.PageParseError):
        tp.parse_search(response.body, BASE)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 3000, seed=11)


def test_generated_catalogue_round_trip(catalogue):
    """Every Tokopedia listing the catalogue finds for a keyword, through search and product page."""
    total, expected = catalogue.search("tokopedia", "batik", 0, 60)
    assert expected, "the demo catalogue should hold batik on Tokopedia"
    page = tp.parse_search(_search(catalogue, keyword="batik").body, BASE)
    assert page.total == total
    assert [raw.listing_id for raw in page.listings] == [i.listing_id for i in expected]
    for item, raw in zip(expected, page.listings, strict=True):
        listing = normalize_listing(raw)
        assert (listing.title, listing.price_idr, listing.seller_name, listing.seller_location) == (
            item.title,
            item.price_idr,
            item.shop.name,
            item.shop.city,
        )
        assert listing.sold_count == _expected_sold(item.sold_count)
        domain, key = tp.product_key(raw.url)
        detail = normalize_listing(tp.parse_pdp(_pdp(catalogue, domain, key).body))
        assert (detail.listing_id, detail.title, detail.price_idr, detail.sold_count) == (
            item.listing_id,
            item.title,
            item.price_idr,
            item.sold_count,
        )
