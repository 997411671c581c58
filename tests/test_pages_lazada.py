"""Lazada page parser: the real lazada.com.ph search capture, and the project's own JSON/PDP pages.

The `?ajax=true` JSON and product-page files under tests/data/lazada/ are the project's own,
written from public scrapers' field names (see tests/README.md): no real capture of them exists.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract import ExtractError, extract_file
from crawler.items import RawListing
from crawler.normalize import normalize_listing
from spiders.pages import PageParseError, lazada

DATA = Path(__file__).parent / "data" / "lazada"
CAPTURE = "lazada/search_diapers_watson_PH.html"
CAPTURE_URL = "https://www.lazada.com.ph/catalog/?q=diapers+watson"
PH = "https://www.lazada.com.ph/products/"


@pytest.fixture
def capture(fixture_path):
    return lazada.parse_search(fixture_path(CAPTURE).read_bytes(), CAPTURE_URL)


def by_id(page, item_id: str) -> RawListing:
    return next(item for item in page.listings if item.listing_id == item_id)


# -- the real search capture --------------------------------------------------------------


def test_capture_counts_and_paging(capture):
    assert len(capture.listings) == 40
    assert len({item.listing_id for item in capture.listings}) == 40
    assert capture.total == 2768
    assert capture.has_next is True
    assert capture.blocked_reason is None
    assert {item.currency for item in capture.listings} == {"PHP"}
    assert {item.source for item in capture.listings} == {"search_html"}


def test_capture_itemlist_order_is_card_order(capture):
    # The ld+json ItemList names the first ten; merged, they are the first ten cards.
    assert [item.listing_id for item in capture.listings[:10]] == [
        "2894375047", "2894054309", "2709666767", "2894365373", "2709715422",
        "2709663694", "7949571", "3320066430", "2709816053", "722594620",
    ]  # fmt: skip


def test_capture_first_listing(capture):
    item = capture.listings[0]
    assert item.listing_id == "2894375047"
    assert item.title == "WATSONS Love My Little Ones Baby Diaper Dry Pants Extra Large 40s"
    assert (
        item.url == PH + "watsons-love-my-little-ones-baby-diaper-dry-pants-extra-large-40s-i2894375047.html"
    )
    assert item.price == "₱305"
    assert item.original_price is None
    assert item.sold == "2k+ sold"
    assert item.review_count == "384"
    assert item.rating is None  # the card draws stars; no ld+json Product for this one
    assert item.seller_location == "Laguna"
    assert item.seller_name is None  # search cards do not name the seller
    assert item.is_official is True  # LazMall badge
    assert item.is_cross_border is False  # ships from a Philippine province
    assert item.image_url is None  # the saved page points at ./lazada_files/, not a real URL


@pytest.mark.parametrize(
    "item_id, title, price, sold, reviews, location, official",
    [
        ("7949571", "Watsons BSN Medical Leukoplast 25cmx5cm", "₱234.75", "1k+ sold", "73",
         "Laguna", True),
        ("2444638942", "Kleenfant Diaper Changing Spray (150 ml) Tiny Bottle Extra Gentle and "
         "Sensitive Rash Spray for Baby Product", "₱129", "6k+ sold", "1663", "Bulacan", True),
        ("2293791805", "HAPPY DIAPER (30 PCS)", "₱215", "899 sold", "124", "Metro Manila", None),
        ("3392171198", "WATSONS Ascorbic acid 500mg 1 Tablet (Sold per Tablet)", "₱2.5",
         "9,999+ sold", "314", "Laguna", True),
        ("4271214524", "WATSONS Baby Diaper Pants XXL 40s", "₱963.99", None, None, "Abra", None),
    ],
)  # fmt: skip
def test_capture_listing_values(capture, item_id, title, price, sold, reviews, location, official):
    item = by_id(capture, item_id)
    assert item.title == title
    assert item.price == price
    assert item.currency == "PHP"
    assert item.sold == sold
    assert item.review_count == reviews
    assert item.seller_location == location
    assert item.is_official is official
    assert item.url.startswith(PH) and item.url.endswith(f"-i{item_id}.html")
    assert "?" not in item.url  # tracking query (spm=...) dropped


def test_capture_ldjson_product_merged_into_its_card(capture):
    # The page's one ld+json Product (sku "265078143_PH") is the card 265078143: one listing,
    # title/price/sold/location from the card, rating and image from the ld+json.
    item = by_id(capture, "265078143")
    assert item.title == "WATSONS Soft & Clean Round Puffs 100pcs"
    assert item.price == "₱79"
    assert item.sold == "9,999+ sold"
    assert item.rating == "5.0"
    assert item.review_count == "2057"
    assert item.image_url == "https://ph-live-01.slatic.net/p/5584ee1b19044987e7b4064c658cad4b.png"
    assert item.seller_location == "Laguna"


def test_capture_normalises_as_foreign_currency(capture):
    listing = normalize_listing(capture.listings[0])
    assert listing.currency == "PHP"
    assert listing.price_idr is None  # never converted or guessed
    assert listing.price_original == 305.0
    assert listing.price_text == "₱305"
    assert listing.sold_count == 2000
    assert listing.review_count == 384
    assert listing.is_cross_border is False


def test_capture_extract_matches_parse(fixture_path):
    raws = lazada.extract(fixture_path(CAPTURE).read_bytes(), CAPTURE_URL)
    assert [r.listing_id for r in raws][:3] == ["2894375047", "2894054309", "2709666767"]
    assert len(raws) == 40


def test_php_thousands_with_cents_keep_the_amount():
    raw = RawListing("lazada", "1", "https://www.lazada.com.ph/products/x-i1.html", "x",
                     price="₱1,299.00", currency="PHP")  # fmt: skip
    listing = normalize_listing(raw)
    assert (listing.price_idr, listing.price_original, listing.currency) == (None, 1299.0, "PHP")


def test_php_cents_are_kept_in_price_original():
    raw = RawListing("lazada", "1", "https://www.lazada.com.ph/products/x-i1.html", "x",
                     price="₱234.75", currency="PHP")  # fmt: skip
    assert normalize_listing(raw).price_original == 234.75


def test_capture_cents_are_kept(capture):
    assert normalize_listing(by_id(capture, "7949571")).price_original == 234.75
    assert normalize_listing(by_id(capture, "3392171198")).price_original == 2.5


# -- merging the HTML sources ---------------------------------------------------------------

_STATE_PAGE = """<html><head>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"ItemList",
 "itemListElement":[{"@type":"ListItem","position":1,"url":"//www.lazada.co.id/products/kain-i501.html"},
 {"@type":"ListItem","position":2,"url":"//www.lazada.co.id/products/selendang-i502.html"}]}</script>
</head><body>
<div data-qa-locator="general-products">
 <div data-qa-locator="product-item" data-item-id="501">
  <a href="https://www.lazada.co.id/products/kain-i501.html?spm=x" title="Kain Batik Tulis Lasem">
   <img type="product" alt="Kain Batik Tulis Lasem" src="data:image/png;base64,AAAA"></a>
  <span>Rp750.000</span><del>Rp900.000</del><span>17% Off</span>
  <span>12 Terjual</span><span>(5)</span><span title="Jawa Tengah">Jawa Tengah</span>
 </div>
</div>
<script>window.pageData = {"mods":{"listItems":[
 {"name":"Kain Batik Tulis Lasem Motif Latohan","itemId":"501","priceShow":"Rp750.000",
  "productUrl":"//www.lazada.co.id/products/kain-i501.html","sellerName":"Batik Lasem Sekar",
  "sellerId":"77","ratingScore":"4.8","review":"5","location":"Kab. Rembang",
  "image":"https://id-test-11.slatic.net/p/501.jpg"}]},
 "mainInfo":{"totalResults":"2","page":"1","pageSize":"40"}};</script>
</body></html>"""


def test_html_sources_merge_without_duplicates():
    page = lazada.parse_search(_STATE_PAGE, "https://www.lazada.co.id/catalog/?q=batik")
    assert [item.listing_id for item in page.listings] == ["501", "502"]
    first, second = page.listings
    # The embedded state wins (complete, the site's own record); the card fills the rest.
    assert first.title == "Kain Batik Tulis Lasem Motif Latohan"
    assert first.seller_name == "Batik Lasem Sekar"
    assert first.seller_id == "77"
    assert first.seller_location == "Kab. Rembang"
    assert first.rating == "4.8"
    assert first.original_price == "Rp900.000"  # only the card shows the struck price
    assert first.sold == "12 Terjual"
    assert first.image_url == "https://id-test-11.slatic.net/p/501.jpg"
    assert first.currency == "IDR"
    # An ItemList entry with no card and no state: kept (URL and id), its title unknown.
    assert second.url == "https://www.lazada.co.id/products/selendang-i502.html"
    assert second.title == ""
    assert page.total == 2
    assert page.has_next is False


def test_empty_search_page_is_empty_not_an_error():
    html = (
        '<html><body><div><span>0 barang ditemukan untuk "</span><span>x</span></div>'
        '<div data-qa-locator="general-products"></div></body></html>'
    )
    page = lazada.parse_search(html, "https://www.lazada.co.id/catalog/?q=x")
    assert page.listings == []
    assert page.total == 0
    assert page.has_next is False
    assert page.blocked_reason is None
    assert lazada.extract(html) == []


# -- JSON search API (own file, see tests/README.md) ----------------------------------------


def test_search_json_values():
    body = (DATA / "search_ajax_tenun.json").read_bytes()
    page = lazada.parse_search(body, "https://www.lazada.co.id/catalog/?ajax=true&q=kain+tenun")
    assert page.total == 83
    assert page.has_next is True
    assert [i.listing_id for i in page.listings] == ["7712340011", "7712340022", "7712340033"]
    first, cheap, third = page.listings
    assert first.url == (
        "https://www.lazada.co.id/products/kain-tenun-ikat-sumba-motif-kuda-i7712340011-s13523455011.html"
    )
    assert (first.price, first.original_price, first.currency) == (
        "Rp1.850.000",
        "Rp2.100.000",
        "IDR",
    )
    assert (first.sold, first.rating, first.review_count) == ("52 Terjual", "4.9", "37")
    assert (first.seller_name, first.seller_id) == ("Tenun Prailiu Official", "1000342211")
    assert first.seller_location == "Nusa Tenggara Timur"
    assert (first.is_official, first.is_cross_border) == (True, False)
    assert cheap.is_cross_border is True
    assert cheap.seller_location == "Luar Negeri"
    assert cheap.original_price is None
    assert third.is_cross_border is False
    assert third.image_url is None
    listing = normalize_listing(first)
    assert (listing.price_idr, listing.original_price_idr) == (1_850_000, 2_100_000)
    assert normalize_listing(cheap).sold_count == 1200


def test_search_json_last_page_and_empty():
    tail = (
        '{"mods":{"listItems":[{"name":"A","itemId":"9"}]},'
        '"mainInfo":{"page":"3","pageSize":"40","totalResults":"81"}}'
    )
    assert lazada.parse_search(tail).has_next is False
    empty = lazada.parse_search('{"mods":{"filter":{}},"mainInfo":{"totalResults":"0"}}')
    assert (empty.listings, empty.total, empty.has_next) == ([], 0, False)


def test_cross_border_from_location_overseas_without_flag():
    body = '{"mods":{"listItems":[{"name":"A","itemId":"9","location":"Overseas","priceShow":"₱99.00"}]}}'
    item = lazada.parse_search(body, "https://www.lazada.com.ph/catalog/?ajax=true&q=a").listings[0]
    assert (item.is_cross_border, item.currency, item.url) == (
        True, "PHP", "https://www.lazada.com.ph/products/-i9.html",
    )  # fmt: skip


def test_blocked_json_is_blocked_not_empty():
    page = lazada.parse_search((DATA / "punish.json").read_bytes())
    assert page.listings == []
    assert page.blocked_reason.startswith("anti-bot Lazada (")
    with pytest.raises(PageParseError, match="diblokir"):
        lazada.extract((DATA / "punish.json").read_bytes())


def test_blocked_html_punish_page():
    html = (
        "<html><head><title>Verifikasi</title></head><body><div id='nc_1_wrapper'>"
        "Geser untuk verifikasi</div><script>var url='/_____tmd_____/punish?x5secdata=ab'"
        "</script></body></html>"
    )
    page = lazada.parse_search(html, "https://www.lazada.co.id/catalog/?q=batik")
    assert page.listings == [] and page.blocked_reason is not None
    with pytest.raises(PageParseError, match="diblokir"):
        lazada.extract(html)


# -- product page (own file) ----------------------------------------------------------------


def test_product_page_values():
    url = "https://www.lazada.co.id/products/kain-tenun-ikat-sumba-motif-kuda-i7712340011-s13523455011.html"
    item = lazada.parse_product((DATA / "product_tenun.html").read_bytes(), url)
    assert item.listing_id == "7712340011"
    assert item.url == url
    assert item.title == "Kain Tenun Ikat Sumba Motif Kuda 200x110 cm Pewarna Alam"
    assert (item.price, item.original_price, item.currency) == ("Rp1.850.000", "Rp2.100.000", "IDR")
    assert (item.rating, item.review_count) == ("4.9", "37")
    assert (item.seller_name, item.seller_id) == ("Tenun Prailiu Official", "1000342211")
    assert item.seller_url == "https://www.lazada.co.id/shop/tenun-prailiu/"
    assert item.category_path == "Fashion Wanita / Kain / Kain Tenun"
    assert item.description == (
        "Ditenun tangan oleh mama-mama di Prailiu.\n"
        "Pewarna alam: akar mengkudu & nila. PO 14 hari.\n"
        "Ukuran 200 x 110 cm\nBenang kapas pintal tangan"
    )
    assert item.source == "pdp"
    assert lazada.extract((DATA / "product_tenun.html").read_bytes(), url)[0].listing_id == "7712340011"


def test_product_page_from_ldjson_only_uses_offer_range():
    html = (
        '<html><head><script type="application/ld+json">{"@type":"Product","name":"Songket",'
        '"url":"https://www.lazada.co.id/products/songket-i42.html","offers":{"@type":"AggregateOffer",'
        '"lowPrice":"350000","highPrice":"500000","priceCurrency":"IDR"}}</script></head></html>'
    )
    item = lazada.parse_product(html, "")
    assert (item.listing_id, item.price, item.price_max, item.currency) == (
        "42",
        "350000",
        "500000",
        "IDR",
    )
    assert normalize_listing(item).price_max_idr == 500_000


# -- not Lazada at all ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "kosong"),
        ("<html><body><p>Halo</p></body></html>", "bukan halaman pencarian atau produk Lazada"),
        ('{"items": []}', "mods.listItems"),
        ("{not json", "JSON rusak"),
    ],
)
def test_extract_refuses_other_pages(body, message):
    with pytest.raises(PageParseError, match=message):
        lazada.extract(body)


def test_hostile_title_stays_text():
    body = (
        '{"mods":{"listItems":[{"name":"<script>alert(1)</script> =HYPERLINK(\\"x\\")",'
        '"itemId":"5","priceShow":"Rp15rb"}]}}'
    )
    item = lazada.parse_search(body, "https://www.lazada.co.id/catalog/?ajax=true&q=a").listings[0]
    assert item.title == '<script>alert(1)</script> =HYPERLINK("x")'
    assert normalize_listing(item).price_idr == 15_000


def test_extract_file_dispatches_to_lazada(fixture_path):
    listings = extract_file(fixture_path(CAPTURE), "lazada", CAPTURE_URL)
    assert len(listings) == 40
    first = listings[0]
    assert (first.marketplace, first.listing_id, first.currency) == ("lazada", "2894375047", "PHP")
    assert (first.price_idr, first.price_original, first.price_text) == (None, 305.0, "₱305")
    with pytest.raises(ExtractError, match=r"punish\.json: diblokir"):
        extract_file(DATA / "punish.json", "lazada")
