"""The demo's Shopee shape: DemoListing -> rendered API JSON -> the Shopee parser -> the same values."""

from __future__ import annotations

import json

from crawler.demo.catalogue import Generator
from crawler.demo.shapes import shopee as shape
from crawler.normalize import normalize_listing
from spiders.pages import shopee as parser
from tests.stubs_shopee_blibli import BASE, StubCatalogue, demo_request, listing, shop

SEARCH = f"{BASE}/shopee/api/v4/search/search_items"


def _items():
    return [
        listing("1000000001"),
        listing(
            "1000000002",
            title="Kain Batik Tulis Pesisiran Promo",
            price_idr=85_000,
            original_price_idr=120_000,
        ),
        listing(
            "1000000003",
            title="Batik Tulis Import Murah Grosir",
            price_idr=27_500,
            sold_count=0,
            rating=None,
            review_count=0,
            is_cross_border=True,
            is_preorder=True,
            shop=shop("31337009", name="Global Textile Store", city="Luar Negeri", kind="cross_border"),
        ),
        listing(
            "1000000004",
            title='Batik Tulis "Resmi" <b>=1+1</b> ../../x',
            shop=shop("31337002", name="Batik Official Store", is_official=True, city="Kota Pekalongan"),
            original_price_idr=1_000_000,  # lower than the price: not a discount
        ),
    ]


def _search(catalogue, keyword="batik tulis", newest=0, limit=60):
    url = f"{SEARCH}?by=relevancy&keyword={keyword.replace(' ', '%20')}&limit={limit}&newest={newest}&order=desc&page_type=search"
    response = shape.handle(demo_request(url, "shopee"), catalogue)
    return url, response


def _expected(item):
    return {
        "listing_id": item.listing_id,
        "title": item.title,
        "price_idr": item.price_idr,
        "original_price_idr": item.original_price_idr
        if item.original_price_idr and item.original_price_idr > item.price_idr
        else None,
        "sold_count": item.sold_count,
        "historical_sold": item.sold_count,
        "rating": item.rating,
        "review_count": item.review_count,
        "seller_id": item.shop.shop_id,
        "seller_name": item.shop.name,
        "seller_location": "Luar Negeri" if item.is_cross_border else item.shop.city,
        "is_cross_border": item.is_cross_border,
        "is_official": item.shop.is_official,
        "currency": "IDR",
    }


def test_search_round_trip():
    items = _items()
    url, response = _search(StubCatalogue(items))
    assert response.status == 200 and response.content_type.startswith("application/json")
    page = parser.parse_search(response.body, url)
    assert page.blocked_reason is None
    assert (page.total, page.has_next) == (4, False)
    got = [normalize_listing(r) for r in page.listings]
    assert [g.listing_id for g in got] == [i.listing_id for i in items]
    for item, listing_ in zip(items, got, strict=True):
        assert {k: getattr(listing_, k) for k in _expected(item)} == _expected(item)
        assert listing_.url.startswith(f"{BASE}/shopee/")
        assert listing_.url.endswith(f"-i.{item.shop.shop_id}.{item.listing_id}")
        assert listing_.source == "search_api"
    assert got[3].title == 'Batik Tulis "Resmi" <b>=1+1</b> ../../x'
    assert "/../" not in got[3].url and "<" not in got[3].url


def test_cross_border_is_served_as_shopee_flags_it():
    _, response = _search(StubCatalogue(_items()))
    basics = {e["itemid"]: e["item_basic"] for e in json.loads(response.body)["items"]}
    assert (basics[1000000003]["cb_option"], basics[1000000003]["shop_location"]) == (1, "Luar Negeri")
    assert (basics[1000000001]["cb_option"], basics[1000000001]["shop_location"]) == (0, "Kab. Rembang")
    assert basics[1000000001]["price"] == 125_000_000_000
    assert basics[1000000002]["price_before_discount"] == 12_000_000_000
    assert basics[1000000001]["price_before_discount"] == 0
    assert basics[1000000001]["price_min_before_discount"] == -1


def test_search_paging_by_newest_offset():
    items = [listing(str(1000000100 + n), title=f"Batik Tulis Lasem {n}") for n in range(7)]
    catalogue = StubCatalogue(items)
    url, response = _search(catalogue, newest=3, limit=3)
    page = parser.parse_search(response.body, url)
    assert [r.listing_id for r in page.listings] == ["1000000103", "1000000104", "1000000105"]
    assert (page.total, page.has_next) == (7, True)
    url, response = _search(catalogue, newest=6, limit=3)
    page = parser.parse_search(response.body, url)
    assert [r.listing_id for r in page.listings] == ["1000000106"]
    assert page.has_next is False


def test_no_results_is_empty_not_blocked():
    url, response = _search(StubCatalogue(_items()), keyword="songket palembang")
    page = parser.parse_search(response.body, url)
    assert (page.listings, page.total, page.blocked_reason, page.has_next) == ([], 0, None, False)


def test_bad_search_parameters_are_a_400():
    catalogue = StubCatalogue(_items())
    assert _search(catalogue, limit=0)[1].status == 400
    req = demo_request(f"{SEARCH}?keyword=batik&newest=abc", "shopee")
    assert shape.handle(req, catalogue).status == 400


def test_product_round_trip():
    items = _items()
    catalogue = StubCatalogue(items)
    for item in items:
        url = f"{BASE}/shopee/api/v4/pdp/get_pc?item_id={item.listing_id}&shop_id={item.shop.shop_id}"
        response = shape.handle(demo_request(url, "shopee"), catalogue)
        assert response.status == 200
        raw = parser.parse_detail(response.body, url)
        assert raw.source == "pdp_get_pc"
        got = normalize_listing(raw)
        expected = _expected(item)
        expected["sold_count"] = None  # get_pc states only the all-time count
        assert {k: getattr(got, k) for k in expected} == expected
        assert got.description == "Dibatik tangan, proses 3 minggu. Pewarna alam, kain primisima."
        assert got.category_path == item.category_path
        assert got.is_preorder is item.is_preorder
        assert got.url.endswith(f"-i.{item.shop.shop_id}.{item.listing_id}")


def test_product_of_another_shop_or_unknown_is_not_found():
    catalogue = StubCatalogue(_items())
    wrong_shop = demo_request(f"{BASE}/shopee/api/v4/pdp/get_pc?item_id=1000000001&shop_id=1", "shopee")
    assert shape.handle(wrong_shop, catalogue) is None
    unknown = demo_request(f"{BASE}/shopee/api/v4/pdp/get_pc?item_id=9&shop_id=31337001", "shopee")
    assert shape.handle(unknown, catalogue) is None
    missing = demo_request(f"{BASE}/shopee/api/v4/pdp/get_pc?item_id=1000000001", "shopee")
    assert shape.handle(missing, catalogue).status == 400
    assert shape.handle(demo_request(f"{BASE}/shopee/cart", "shopee"), catalogue) is None


def test_blocked_is_shopees_json_error():
    req = demo_request(f"{SEARCH}?keyword=batik&newest=0", "shopee")
    response = shape.blocked(req)
    assert response.status == 200 and response.content_type.startswith("application/json")
    body = json.loads(response.body)
    assert body["error"] == 90309999 and body["action_type"] == 2 and body["is_login"] is False
    assert len(body["tracking_id"]) == 36
    assert parser.parse_search(response.body, SEARCH).blocked_reason == "anti-bot Shopee (error 90309999)"


def test_rendered_keys_are_the_real_captures_keys(fixture_path):
    """No invented keys: what the demo serves is a subset of what Shopee really sends."""
    real_search = json.loads(fixture_path("shopee/search_items_mock_2020.json").read_text())
    real_pdp = json.loads(fixture_path("shopee/pdp_get_pc_aerostreet_sneakers.json").read_text())
    _, response = _search(StubCatalogue(_items()))
    served = json.loads(response.body)
    assert set(served) == set(real_search)
    real_item_keys = set().union(*(item.keys() for item in real_search["items"]))
    for entry in served["items"]:
        # shop_name: current answers carry it in item_basic; the 2020 capture predates it.
        assert set(entry["item_basic"]) - real_item_keys == {"shop_name"}
        assert set(entry) - {"item_basic", "tracking_info"} <= real_item_keys
    payload = shape.pdp_payload(_items()[0])
    assert set(payload) <= set(real_pdp)
    assert set(payload["item"]) <= set(real_pdp["item"])
    assert set(payload["shop_detailed"]) <= set(real_pdp["shop_detailed"])
    assert set(payload["product_review"]) <= set(real_pdp["product_review"])


def test_generated_catalogue_listings_round_trip():
    generator = Generator(3000, seed=5)
    items = [i for i in map(generator.listing, range(3000)) if i.marketplace == "shopee"]
    assert len(items) > 500 and any(i.is_cross_border for i in items)
    body = {"error": None, "total_count": len(items), "nomore": True}
    body["items"] = [{"item_basic": shape.item_basic(i)} for i in items]
    got = [normalize_listing(r) for r in parser.parse_search(json.dumps(body), SEARCH).listings]
    assert len(got) == len(items)
    for item, listing_ in zip(items, got, strict=True):
        assert {k: getattr(listing_, k) for k in _expected(item)} == _expected(item)
