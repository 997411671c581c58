"""Blibli parser on the real captures in ../shared/fixtures/blibli."""

from __future__ import annotations

import json

import pytest

from crawler.extract import ExtractError, extract_file
from crawler.normalize import normalize_listing
from spiders.pages import PageParseError, blibli

IPHONE = "blibli/search_products_1.json"
EVENTS = "blibli/search_products_devilpenakut.json"
KAOS = "blibli/search_kaos_mock_2020.json"
DETAIL = "blibli/product_detail_mock_2020.json"
CATEGORIES = "blibli/categories.json"
AKAMAI = (
    "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n"
    "You don't have permission to access this server.<P>\nReference #18.5f3c1cb8.1700000000\n"
    "</BODY>\n</HTML>\n"
)


def _norm(raws):
    return {r.listing_id: normalize_listing(r, "2026-01-01T00:00:00Z") for r in raws}


def test_search_plain_wrapper_iphone(fixture_path):
    page = blibli.parse_search(fixture_path(IPHONE).read_bytes(), "")
    assert len(page.listings) == 15
    assert (page.total, page.has_next, page.blocked_reason) == (15, False, None)
    listings = _norm(page.listings)

    first = listings["APF-70017-00048"]
    assert first.title == "iPhone 11"
    assert (first.price_idr, first.original_price_idr) == (6_839_000, 7_499_000)
    assert first.price_text == "Rp6.839.000"
    assert first.seller_id == "APF-70017"
    assert first.seller_name == "Blibli - Apple Authorised Reseller"
    assert first.seller_location == "Kota Jakarta Timur"
    assert (first.sold_count, first.sold_text) == (5_000, "5 rb")
    assert (first.rating, first.review_count) == (4.9, 1478)
    assert first.is_official is True and first.is_preorder is False
    assert first.is_cross_border is None  # Blibli states no cross-border flag
    assert first.category_path == "Handphone & Tablet / Handphone / iPhone"
    assert first.url == "https://www.blibli.com/p/iphone-11/ps--APF-70017-00048?ds=APF-70017-00048-00005"

    fourteen = listings["APF-70017-00169"]
    assert (fourteen.sold_count, fourteen.sold_text) == (1_300, "1,3 rb")
    assert fourteen.price_idr == 12_669_000

    semarang = listings["APF-70017-00139"]
    assert semarang.title == "iPhone 14 Pro"
    assert semarang.seller_location == "Kota Semarang"
    assert (semarang.price_idr, semarang.original_price_idr) == (23_499_000, 26_999_000)
    assert (semarang.sold_count, semarang.review_count) == (2_500, 845)


def test_search_plain_wrapper_events(fixture_path):
    page = blibli.parse_search(fixture_path(EVENTS).read_bytes(), "")
    assert len(page.listings) == 40
    assert (page.total, page.has_next) == (111, True)
    listings = _norm(page.listings)

    voucher = listings["YAP-70070-00040"]
    assert voucher.title == "VOUCHER+ YPPI"
    assert voucher.price_idr == 50_000 and voucher.original_price_idr is None
    assert voucher.sold_count is None  # no soldRangeCount on this one
    assert voucher.rating is None and voucher.review_count == 0
    assert voucher.seller_name == "yayasan putra pariwisata id"
    assert voucher.category_path == "Tour & Travel / Event / Tiket Event / Non-Musik"

    bantul = listings["CRC-70025-00001"]
    assert (bantul.title, bantul.price_idr, bantul.sold_count) == (
        "Indoor Festival A Only",
        289_000,
        664,
    )
    assert bantul.seller_location == "Kab. Bantul" and bantul.seller_name == "crsl concert 4"

    uss = listings["LOF-70023-00022"]
    assert (uss.price_idr, uss.original_price_idr) == (50_000, 100_000)

    one_rupiah = listings["SUM-70309-00002"]
    assert one_rupiah.title == "Tebus Murah RP 1" and one_rupiah.price_idr == 1


def test_search_nested_wrapper_kaos(fixture_path):
    # The 2020 capture wraps the whole response once more: {"data": {"code", "status", "data"}}.
    page = blibli.parse_search(fixture_path(KAOS).read_bytes(), "")
    assert len(page.listings) == 32
    assert (page.total, page.has_next) == (4633, True)
    listings = _norm(page.listings)

    blucrat = listings["MTA-7071274"]
    assert blucrat.title == "Blucrat Kaos Apparel Script Kaos Distro Pria"
    assert (blucrat.price_idr, blucrat.original_price_idr) == (99_000, 149_000)
    assert blucrat.price_text == "Rp 99.000"
    assert blucrat.seller_id == "UMB-60239"
    assert blucrat.seller_name is None  # this older answer names no merchant
    assert blucrat.seller_location == "Bandung"
    assert blucrat.category_path == "Galeri Indonesia"
    assert blucrat.url == (
        "https://www.blibli.com/p/blucrat-kaos-apparel-script-kaos-distro-pria/pc--MTA-7071274"
        "?ds=UMB-60239-00003-00009"
    )

    socks = listings["MTA-3428681"]
    assert socks.title == "Soka Kaos Kaki Sekolah"
    assert (socks.price_idr, socks.price_max_idr) == (15_500, 16_500)
    assert socks.price_text == "Rp 15.500 - Rp 16.500"

    shinzen = listings["MTA-6983535"]
    assert (shinzen.price_idr, shinzen.original_price_idr) == (599_000, 1_200_000)
    assert shinzen.seller_location == "Bekasi"

    motdid = listings["MTA-3539507"]
    assert (motdid.rating, motdid.review_count, motdid.seller_location) == (5.0, 3, "Denpasar")

    # A product code that is not MTA-: the ps-- kind.
    assert listings["UMM-60236-00046"].url.endswith("/ps--UMM-60236-00046?ds=UMM-60236-00046-00001")


def test_product_summary(fixture_path):
    raw = blibli.parse_detail(fixture_path(DETAIL).read_bytes(), "")
    item = normalize_listing(raw)
    assert item.listing_id == "MTA-4066661"  # the same id the search gives this product
    assert item.title == "Lapakoe Kaos Pria"
    assert item.url == "https://www.blibli.com/p/lapakoe-kaos-pria/pc--MTA-4066661?ds=UM2-60023-00074"
    assert item.seller_id == "UM2-60023"
    assert item.category_path == "Fashion Pria / Pakaian Pria / T-Shirt Pria"
    assert item.price_idr is None  # the summary states no price: unknown, not 0
    assert item.rating is None and item.review_count == 0
    assert item.image_url.endswith(
        "/MTA-4066661/lapakoe_lapakoe__jangan_ngajak_bersatatus__kaos_pria_full03.jpg"
    )
    assert item.description.startswith("Short sleeve t-shirt Desain trendy Round neckline")
    assert "Lapakoe Kaos Pria merupakan short sleeve t-shirt berbahan cotton combed 30s" in item.description
    assert "<" not in item.description and "&nbsp;" not in item.description
    assert item.description.endswith(
        "Spesifikasi: Material: cotton 30s; Petunjuk Perawatan: jangan di campur dengan warna lain;"
        " Daerah Asal: Jawa Timur; Brand: Lapakoe"
    )
    assert raw.source == "product_summary"


def test_search_and_summary_ids_agree(fixture_path):
    search = {r.listing_id for r in blibli.extract(fixture_path(KAOS).read_bytes())}
    detail = blibli.extract(fixture_path(DETAIL).read_bytes())[0]
    assert detail.listing_id in search


def test_categories_api_is_not_a_listing_page(fixture_path):
    with pytest.raises(PageParseError, match="daftar kategori Blibli"):
        blibli.extract(fixture_path(CATEGORIES).read_bytes())
    with pytest.raises(ExtractError, match=r"categories\.json: ini daftar kategori"):
        extract_file(fixture_path(CATEGORIES), "blibli")


def test_extract_file_on_every_listing_capture(fixture_path):
    counts = {IPHONE: 15, EVENTS: 40, KAOS: 32, DETAIL: 1}
    for relative, count in counts.items():
        listings = extract_file(fixture_path(relative), "blibli")
        assert len(listings) == count, relative
        assert all(item.marketplace == "blibli" and item.title for item in listings)
    priced = extract_file(fixture_path(KAOS), "blibli")
    assert all(item.price_idr and item.price_idr >= 15_500 for item in priced)


def test_listing_urls_follow_the_base_url_of_the_request(fixture_path):
    url = "http://127.0.0.1:8123/blibli/backend/search/products?searchTerm=kaos&page=1&start=0"
    first = blibli.parse_search(fixture_path(KAOS).read_bytes(), url).listings[0]
    assert first.url == (
        "http://127.0.0.1:8123/blibli/p/blucrat-kaos-apparel-script-kaos-distro-pria/pc--MTA-7071274"
        "?ds=UMB-60239-00003-00009"
    )
    assert blibli.product_ref(first.url) == ("pc--MTA-7071274", "UMB-60239-00003-00009")


# -- blocked and bad input ---------------------------------------------------------------------


def test_akamai_access_denied_is_blocked():
    page = blibli.parse_search(AKAMAI, "")
    assert page.listings == [] and page.blocked_reason.startswith("halaman anti-bot")
    with pytest.raises(PageParseError, match="halaman HTML"):
        blibli.extract(AKAMAI)


def test_refusing_json_status_is_blocked_and_other_errors_raise():
    refused = {"code": 401, "status": "UNAUTHORIZED", "data": None}
    assert blibli.parse_search(json.dumps(refused), "").blocked_reason == (
        "Blibli menolak permintaan (status UNAUTHORIZED)"
    )
    broken = {"code": 400, "status": "BAD_REQUEST", "errors": {"searchTerm": ["kosong"]}}
    with pytest.raises(PageParseError, match="status BAD_REQUEST"):
        blibli.parse_search(json.dumps(broken), "")


def test_real_empty_search_is_empty():
    empty = {
        "code": 200,
        "status": "OK",
        "data": {"products": [], "paging": {"page": 1, "total_page": 0, "total_item": 0}},
    }
    page = blibli.parse_search(json.dumps(empty), "")
    assert (page.listings, page.total, page.has_next, page.blocked_reason) == ([], 0, False, None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"code": 200, "data": {', "JSON tidak sah"),
        (b"", "JSON tidak sah"),
        (b'"OK"', "JSON str"),
        (b'{"code": 200, "status": "OK"}', "kunci: code, status"),
        (b'{"code": 200, "status": "OK", "data": {"foo": 1}}', "kunci: foo"),
        (b'{"code": 200, "status": "OK", "data": "x"}', "data bertipe str"),
        (b'{"items": [], "error": null, "total_count": 0}', "kunci: error, items, total_count"),
    ],
)
def test_malformed_or_foreign_bodies_raise(body, message):
    with pytest.raises(PageParseError, match=message):
        blibli.extract(body)


def test_wrong_kind_for_the_entry_point(fixture_path):
    with pytest.raises(PageParseError, match="bukan hasil pencarian Blibli"):
        blibli.parse_search(fixture_path(DETAIL).read_bytes(), "")
    with pytest.raises(PageParseError, match="bukan ringkasan produk Blibli"):
        blibli.parse_detail(fixture_path(IPHONE).read_bytes(), "")


def test_products_without_id_or_name_are_skipped():
    good = {
        "id": "TEN-60001-00001",
        "name": "Kain Tenun Ikat Sumba",
        "price": {"minPrice": 1250000.0},
    }
    doc = {"code": 200, "status": "OK", "data": {"products": [{"name": ""}, good]}}
    page = blibli.parse_search(json.dumps(doc), "")
    assert [r.listing_id for r in page.listings] == ["TEN-60001-00001"]
    item = normalize_listing(page.listings[0])
    assert item.price_idr == 1_250_000
    assert page.has_next is None  # no paging block: the page does not say
    with pytest.raises(PageParseError, match="tidak satu pun"):
        blibli.parse_search(json.dumps({"code": 200, "status": "OK", "data": {"products": [{}]}}), "")


def test_hostile_url_and_title_stay_data():
    product = {
        "id": "X-1",
        "name": "<img src=x onerror=alert(1)> =cmd|' /C calc'!A0",
        "url": "javascript:alert(1)//p/x/ps--X-1?ds=<b>",
        "price": {"priceDisplay": "Rp15rb"},
    }
    doc = {"code": 200, "status": "OK", "data": {"products": [product]}}
    item = normalize_listing(blibli.parse_search(json.dumps(doc), "").listings[0])
    assert item.title == "<img src=x onerror=alert(1)> =cmd|' /C calc'!A0"
    assert item.url.startswith("https://www.blibli.com/")
    assert "?ds=" not in item.url  # a ds that is not a SKU is dropped
    assert item.price_idr == 15_000
