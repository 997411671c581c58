"""Shopee parser on the real captures in ../shared/fixtures/shopee, and on what a block is."""

from __future__ import annotations

import json

import pytest

from crawler.extract import ExtractError, extract_file
from crawler.normalize import normalize_listing
from spiders.pages import PageParseError, shopee

SEARCH = "shopee/search_items_mock_2020.json"
ITEM_GET = "shopee/item_get_detail_2020.json"
PDP = "shopee/pdp_get_pc_aerostreet_sneakers.json"
BLOCK = {
    "is_customized": False,
    "is_login": False,
    "action_type": 2,
    "error": 90309999,
    "tracking_id": "fa3814fa-694b-40ed-b19c-a74c78223638",
}


def _norm(raws):
    return {r.listing_id: normalize_listing(r, "2026-01-01T00:00:00Z") for r in raws}


def _current_shape(legacy: dict) -> dict:
    """The current search answer: each item's fields under `item_basic`, ids beside it."""
    doc = dict(legacy)
    doc["items"] = [
        {"item_basic": item, "itemid": item["itemid"], "shopid": item["shopid"], "adsid": None}
        for item in legacy["items"]
    ]
    return doc


# -- search, legacy flat items[] ---------------------------------------------------------------


def test_legacy_search_counts_and_paging(fixture_path):
    page = shopee.parse_search(fixture_path(SEARCH).read_bytes(), "")
    assert len(page.listings) == 50
    assert len({r.listing_id for r in page.listings}) == 50
    assert page.total == 9484967
    assert page.has_next is True
    assert page.blocked_reason is None
    assert {r.source for r in page.listings} == {"search_api_legacy"}
    assert {r.price_divisor for r in page.listings} == {100_000}


def test_legacy_search_values(fixture_path):
    page = shopee.parse_search(fixture_path(SEARCH).read_bytes(), "")
    listings = _norm(page.listings)

    first = listings["5424151845"]
    assert first.title.startswith("PREMIUM !!! Kaos Sunda DYHOPE Kaos Murah")
    assert (first.price_idr, first.price_max_idr, first.original_price_idr) == (
        85_000,
        95_000,
        None,
    )
    assert first.price_text == "8500000000"
    assert (first.sold_count, first.historical_sold) == (43, 46)
    assert first.seller_id == "87759532"
    assert first.seller_name is None  # the legacy search answer carries no shop name
    assert first.seller_location == "KAB. BANDUNG"
    assert first.is_cross_border is False
    assert first.rating == 5.0 and first.review_count == 36
    assert first.url == (
        "https://shopee.co.id/PREMIUM-Kaos-Sunda-DYHOPE-Kaos-Murah-Kaos-Cowo-Kaos-Custom-Kaos-Simple"
        "-Kaos-Quote-Kaos-Sablon-i.87759532.5424151845"
    )
    assert first.image_url == ("https://down-id.img.susercontent.com/file/0fe3f7f18134ceeb9664285c4fc0d7cc")

    discounted = listings["4625952305"]
    assert (discounted.price_idr, discounted.price_max_idr) == (74_250, None)
    assert discounted.original_price_idr == 99_000
    assert discounted.seller_location == "KOTA BANDUNG"
    assert (discounted.sold_count, discounted.historical_sold) == (13, 13)

    solo = listings["60499002"]
    assert (solo.price_idr, solo.price_max_idr, solo.original_price_idr) == (33_000, 34_500, 40_000)
    assert solo.seller_location == "KOTA SURAKARTA (SOLO)"
    assert solo.historical_sold == 143

    official = listings["2075032404"]
    assert official.is_official is True
    assert official.original_price_idr == 199_000 and official.price_idr == 70_000


def test_legacy_search_cross_border_flag(fixture_path):
    listings = _norm(shopee.parse_search(fixture_path(SEARCH).read_bytes(), "").listings)
    flagged = [item for item in listings.values() if item.is_cross_border]
    assert [item.listing_id for item in flagged] == ["2237667952"]
    item = flagged[0]
    assert item.title == "[Saham Siap] Balenciaga Kaos Lengan Pendek O-Neck T-Shirt Couple T Shirt"
    assert item.seller_location == "Luar Negeri"
    assert item.price_idr == 227_460 and item.price_max_idr is None
    assert (item.sold_count, item.historical_sold) == (6, 39)
    assert sum(1 for i in listings.values() if i.is_cross_border is False) == 49


# -- search, current item_basic shape --------------------------------------------------------


def test_current_search_shape_reads_item_basic(fixture_path):
    legacy = json.loads(fixture_path(SEARCH).read_text())
    current = _current_shape(legacy)
    current["items"][0]["item_basic"] = {**legacy["items"][0], "shop_name": "Dyhope Store"}
    page = shopee.parse_search(json.dumps(current), "")
    assert len(page.listings) == 50
    assert {r.source for r in page.listings} == {"search_api"}
    listings = _norm(page.listings)
    first = listings["5424151845"]
    assert first.seller_name == "Dyhope Store"
    assert (first.price_idr, first.price_max_idr, first.historical_sold) == (85_000, 95_000, 46)
    assert listings["2237667952"].is_cross_border is True
    # Same values as the legacy shape, field for field, apart from the shape name and shop name.
    legacy_page = shopee.parse_search(json.dumps(legacy), "")
    for old, new in zip(legacy_page.listings, page.listings, strict=True):
        new.source, new.seller_name = old.source, old.seller_name
        assert old == new


def test_listing_urls_follow_the_base_url_of_the_request(fixture_path):
    url = "http://127.0.0.1:8123/shopee/api/v4/search/search_items?keyword=kaos&newest=0"
    page = shopee.parse_search(fixture_path(SEARCH).read_bytes(), url)
    first = page.listings[0]
    assert first.url.startswith("http://127.0.0.1:8123/shopee/PREMIUM-Kaos-Sunda-")
    assert first.url.endswith("-i.87759532.5424151845")
    assert first.seller_url == "http://127.0.0.1:8123/shopee/shop/87759532"


# -- product APIs ------------------------------------------------------------------------------


def test_pdp_get_pc_payload(fixture_path):
    raw = shopee.parse_detail(fixture_path(PDP).read_bytes(), "")
    assert raw.source == "pdp_get_pc"
    item = normalize_listing(raw)
    assert item.listing_id == "28618475570"
    assert item.title == "Aerostreet 37-44 Hoops Low 2.0 Gum Hitam Hitam - Sepatu Sneakers Casual"
    assert (item.price_idr, item.price_max_idr, item.original_price_idr) == (179_900, None, 359_800)
    assert item.seller_id == "177400943"
    assert item.seller_name == "AEROSTREET Official Shop"
    assert item.seller_location == "KAB. KLATEN"
    assert item.is_official is True
    assert item.is_cross_border is False
    assert item.historical_sold == 6058
    assert item.sold_count is None  # get_pc states no 30-day count
    assert item.rating == 4.9 and item.review_count == 3314
    assert item.category_path == "Sepatu Pria / Sneakers"
    assert item.description.startswith("TIDAK AKAN JEBOL setelah dicuci atau kehujanan")
    assert item.url == (
        "https://shopee.co.id/Aerostreet-37-44-Hoops-Low-2-0-Gum-Hitam-Hitam-Sepatu-Sneakers-Casual"
        "-i.177400943.28618475570"
    )


def test_pdp_get_pc_full_envelope_reads_the_same(fixture_path):
    payload = json.loads(fixture_path(PDP).read_text())
    envelope = {"bff_meta": None, "error": None, "error_msg": None, "data": payload}
    bare = shopee.parse_detail(json.dumps(payload), "")
    wrapped = shopee.parse_detail(json.dumps(envelope), "")
    assert wrapped == bare


def test_legacy_item_get(fixture_path):
    raw = shopee.parse_detail(fixture_path(ITEM_GET).read_bytes(), "")
    assert raw.source == "item_get"
    item = normalize_listing(raw)
    assert item.listing_id == "1636649723"
    assert item.title.startswith("LAPTOP SEKEN SEJUTAAN BUAT UNBK CORE 2 DUO")
    assert (item.price_idr, item.price_max_idr, item.original_price_idr) == (
        1_325_000,
        1_575_000,
        1_400_000,
    )
    assert (item.sold_count, item.historical_sold) == (30, 1167)
    assert item.seller_id == "18300679" and item.seller_location == "KOTA JAKARTA BARAT"
    assert item.is_cross_border is False and item.is_preorder is False
    assert item.category_path == "Komputer & Aksesoris / Laptop / Laptop Konsumer"
    assert item.rating == 4.84 and item.review_count == 861
    assert item.description.startswith("ISI PAKET : UNIT LAPTOP ADAPTOR BAWAAN")


def test_extract_file_on_every_capture(fixture_path):
    counts = {
        SEARCH: 50,
        ITEM_GET: 1,
        PDP: 1,
    }
    for relative, count in counts.items():
        listings = extract_file(fixture_path(relative), "shopee")
        assert len(listings) == count, relative
        assert all(item.price_idr and item.price_idr > 0 for item in listings)
        assert all(item.marketplace == "shopee" for item in listings)


# -- blocked is not empty ----------------------------------------------------------------------


def test_anti_bot_payload_is_blocked_not_empty():
    page = shopee.parse_search(json.dumps(BLOCK), "")
    assert page.listings == []
    assert page.blocked_reason == "anti-bot Shopee (error 90309999)"
    assert shopee.blocked_reason(json.dumps(BLOCK).encode()) == "anti-bot Shopee (error 90309999)"
    with pytest.raises(PageParseError, match="90309999"):
        shopee.extract(json.dumps(BLOCK))
    with pytest.raises(PageParseError, match="90309999"):
        shopee.parse_detail(json.dumps(BLOCK))


def test_other_error_codes_are_blocked_with_their_message():
    page = shopee.parse_search(json.dumps({"error": 19, "error_msg": "Login Required"}), "")
    assert page.blocked_reason == "Shopee error 19 (Login Required)"


def test_items_null_is_blocked_unless_the_answer_says_zero_results():
    withheld = {"error": None, "total_count": 120, "nomore": False, "items": None}
    assert "items: null" in shopee.parse_search(json.dumps(withheld), "").blocked_reason
    no_count = {"error": None, "items": None}
    assert shopee.parse_search(json.dumps(no_count), "").blocked_reason is not None
    nothing = {"error": None, "total_count": 0, "nomore": True, "items": None}
    page = shopee.parse_search(json.dumps(nothing), "")
    assert (page.blocked_reason, page.listings, page.total, page.has_next) == (None, [], 0, False)


def test_real_empty_result_is_empty_not_blocked():
    page = shopee.parse_search(json.dumps({"error": None, "total_count": 0, "nomore": True, "items": []}), "")
    assert page.blocked_reason is None and page.listings == [] and page.total == 0
    assert shopee.extract(json.dumps({"error": 0, "items": []})) == []


def test_captcha_html_is_blocked_in_search_and_an_error_in_extract():
    html = "<html><body><div id='captcha'>Verifikasi keamanan</div></body></html>"
    assert shopee.parse_search(html, "").blocked_reason.startswith("halaman anti-bot")
    with pytest.raises(PageParseError, match="halaman HTML"):
        shopee.extract(html)


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"items": [', "JSON tidak sah"),
        (b"", "JSON tidak sah"),
        (b"[1, 2]", "JSON list"),
        (b'{"foo": 1, "bar": []}', "kunci: bar, foo"),
        (b'{"items": "kaos"}', "kunci: items"),
        (b'{"code": 200, "status": "OK", "data": {"products": []}}', "kunci: code, data, status"),
    ],
)
def test_malformed_or_foreign_bodies_raise(body, message):
    with pytest.raises(PageParseError, match=message):
        shopee.extract(body)


def test_wrong_kind_for_the_entry_point(fixture_path):
    with pytest.raises(PageParseError, match="bukan hasil pencarian"):
        shopee.parse_search(fixture_path(PDP).read_bytes(), "")
    with pytest.raises(PageParseError, match="bukan halaman produk"):
        shopee.parse_detail(fixture_path(SEARCH).read_bytes(), "")


def test_extract_file_names_the_file_and_reason(tmp_path):
    bad = tmp_path / "blok.json"
    bad.write_text(json.dumps(BLOCK))
    with pytest.raises(ExtractError, match=r"blok\.json: jawaban Shopee tanpa data"):
        extract_file(bad, "shopee")


def test_items_without_ids_are_skipped_and_a_page_of_only_those_is_an_error():
    good = {"itemid": 11, "shopid": 22, "name": "Kain Tenun Ikat Sumba", "price": 150000000000}
    doc = {"error": None, "items": [{"item_basic": {"name": "tanpa id"}}, {"item_basic": good}]}
    page = shopee.parse_search(json.dumps(doc), "")
    assert [r.listing_id for r in page.listings] == ["11"]
    assert normalize_listing(page.listings[0]).price_idr == 1_500_000
    with pytest.raises(PageParseError, match="tidak satu pun"):
        shopee.parse_search(json.dumps({"items": [{"item_basic": {"name": "x"}}]}), "")


def test_missing_fields_stay_unknown_and_hostile_titles_stay_data():
    title = '=HYPERLINK("http://x")<script>alert(1)</script> ../../etc/passwd'
    item = {"itemid": 5, "shopid": 6, "name": title, "price": 0, "price_min": -1}
    raw = shopee.parse_search(json.dumps({"items": [item]}), "").listings[0]
    listing = normalize_listing(raw)
    assert listing.title == title
    assert listing.price_idr is None  # 0 / -1 are "no price", never Rp0
    assert listing.is_cross_border is None  # neither cb_option nor shop_location given
    assert listing.sold_count is None and listing.rating is None
    assert "<" not in listing.url and "/../" not in listing.url and '"' not in listing.url
    assert listing.url.endswith("-i.6.5")


def test_cross_border_rule():
    assert shopee.cross_border(1, "KOTA BANDUNG") is True
    assert shopee.cross_border(0, "Luar Negeri") is True
    assert shopee.cross_border(None, "luar negeri") is True
    assert shopee.cross_border(0, "KOTA SURAKARTA (SOLO)") is False
    assert shopee.cross_border(0, None) is False
    assert shopee.cross_border(None, None) is None
