"""spiders/pages/tokopedia.py on the real captures in ../shared/fixtures/tokopedia/."""

from __future__ import annotations

import json

import pytest

from crawler.normalize import normalize_listing
from spiders.pages import PageParseError
from spiders.pages import tokopedia as tp

SEARCH = "tokopedia/search_handphone_page.html"
TOPADS = "tokopedia/search_iphone11_displayAdsV3.json"
PDP = "tokopedia/pdp_get_layout_hoodie.json"
PAGE_URL = "https://www.tokopedia.com/p/handphone-tablet/handphone?page=2"


@pytest.fixture
def search_html(fixture_path) -> bytes:
    return fixture_path(SEARCH).read_bytes()


def _by_id(listings, listing_id):
    return next(item for item in listings if item.listing_id == listing_id)


def _core(item):
    return (item.title, item.price, item.seller_name, item.seller_location, item.url)


# -- the rendered search page -----------------------------------------------------------------


def test_search_page_counts(search_html):
    page = tp.parse_search(search_html, PAGE_URL)
    # 60 results of searchProduct + 15 sponsored products of displayAdsV3; the 20
    # "Rekomendasi untuk Anda" items and the 3 shop headline ads are not results.
    assert len(page.listings) == 75
    assert [item.source for item in page.listings].count("search_html") == 60
    assert [item.source for item in page.listings].count("topads") == 15
    assert len({item.listing_id for item in page.listings}) == 75
    assert len({item.url for item in page.listings}) == 75
    assert page.total == 1_535_609
    assert page.has_next is True


def test_search_page_values(search_html):
    listings = tp.parse_search(search_html, PAGE_URL).listings
    first = listings[0]
    assert first.listing_id == "2115198279"
    assert _core(first) == (
        "Infinix Note 10 Pro 8/128 GB - Garansi Resmi",
        "Rp2.778.000",
        "Wahana Selular",
        "Jakarta Timur",
        "https://www.tokopedia.com/wahanaselular/infinix-note-10-pro-8-128-gb-garansi-resmi-purple",
    )
    assert (first.sold, first.rating, first.review_count) == ("Terjual 423", "5", "207")
    assert (first.seller_id, first.seller_url) == (
        "6817316",
        "https://www.tokopedia.com/wahanaselular",
    )
    assert first.is_official is True and first.is_preorder is False

    candybar = _by_id(listings, "991797508")
    assert _core(candybar) == (
        "Hp Murah Evercoss N1D Candybar",
        "Rp135.000",
        "Kreasindo Online",
        "Jakarta Pusat",
        "https://www.tokopedia.com/kreasindoonline/hp-murah-evercoss-n1d-candybar-hitam",
    )
    assert candybar.sold == "Terjual 4,3 rb"

    discounted = _by_id(listings, "1655592798")
    assert (discounted.price, discounted.original_price) == ("Rp1.309.900", "Rp1.499.000")
    assert discounted.seller_name == "Shopyz ID"

    last = listings[59]
    assert last.listing_id == "1984063329"
    assert _core(last) == (
        "POCO M3 pro 5G 6/128GB GARANSI RESMI",
        "Rp2.999.000",
        "centralphone73",
        "Jakarta Barat",
        "https://www.tokopedia.com/centralphone73/poco-m3-pro-5g-6-128gb-garansi-resmi-biru",
    )


def test_search_page_sponsored_values(search_html):
    ad = _by_id(tp.parse_search(search_html, PAGE_URL).listings, "2247226708")
    assert ad.source == "topads"
    assert _core(ad) == (
        "IPHONE 7 32GB 128GB SECOND LIKE NEW MULUS 99% GARANSI TOKO 7HARI - 32 gb, Blackmatte",
        "Rp1.980.000",
        "Millennial PhoneStore",
        "Jakarta Barat",
        "https://www.tokopedia.com/millennialphonestore/"
        "iphone-7-32gb-128gb-second-like-new-mulus-99-garansi-toko-7hari-32-gb-blackmatte",
    )
    # TopAds gives a 0-100 score (98): shown as 4.9 stars.
    assert (ad.rating, ad.review_count, ad.is_official) == ("4.9", "11", False)


def test_search_page_leaves_out_widgets(search_html):
    urls = {item.url for item in tp.parse_search(search_html, PAGE_URL).listings}
    # A "Rekomendasi untuk Anda" card, present in the DOM and in the cache's widget.
    assert "https://www.tokopedia.com/happystore95/xiaomi-redmi-2-1-8-4g-garansi-1-thn" not in urls


def test_search_page_normalizes(search_html):
    listings = [normalize_listing(item) for item in tp.parse_search(search_html, PAGE_URL).listings]
    first = listings[0]
    assert (first.price_idr, first.sold_count, first.rating, first.review_count) == (
        2_778_000,
        423,
        5.0,
        207,
    )
    assert all(item.price_idr and item.price_idr > 0 for item in listings)
    assert _by_id(listings, "991797508").sold_count == 4_300


def test_search_page_cards_alone(search_html):
    """Without the Apollo state the cards are read: same titles, prices, shops, locations."""
    html = search_html.decode("utf-8").replace("window.__cache=", "window.__no_cache=")
    page = tp.parse_search(html, PAGE_URL)
    # 80 cards, one product shown twice (a result and a recommendation): 79 listings.
    assert len(page.listings) == 79
    assert page.total is None
    assert page.has_next is True  # the "Halaman berikutnya" button
    with_cache = {item.url: item for item in tp.parse_search(search_html, PAGE_URL).listings}
    from_cards = [item for item in page.listings if item.url in with_cache]
    assert len(from_cards) == 75
    for item in from_cards:
        assert _core(item) == _core(with_cache[item.url])
    discounted = next(i for i in page.listings if i.title.startswith("SAMSUNG GALAXY M02 - 5000mAh"))
    assert (discounted.price, discounted.original_price) == ("Rp1.309.900", "Rp1.499.000")
    assert discounted.listing_id == (
        "shopyzid/samsung-galaxy-m02-5000mah-battery-2gb-32gb-2-32-garansi-resmi-birutanpabonus"
    )
    assert (discounted.review_count, discounted.is_official, discounted.source) == (
        "523",
        True,
        "search_card",
    )
    sponsored = next(i for i in page.listings if i.title.startswith("IPHONE 7 32GB 128GB"))
    assert sponsored.source == "topads"
    assert sponsored.url == _by_id(with_cache.values(), "2247226708").url


def test_search_page_empty_result():
    state = {
        "ROOT_QUERY": {
            'searchProduct({"params":"page=1&q=kain%20tenun%20xyz&rows=60&start=0"})': {
                "type": "id",
                "generated": True,
                "id": "$ROOT_QUERY.searchProduct",
            }
        },
        "$ROOT_QUERY.searchProduct": {"count": 0, "products": []},
    }
    html = (
        "<html><body><p>Oops, produk nggak ditemukan</p>"
        f"<script>window.__cache={json.dumps(state)};</script></body></html>"
    )
    page = tp.parse_search(html, "https://www.tokopedia.com/search?st=product&q=kain+tenun+xyz")
    assert (page.listings, page.total, page.has_next) == ([], 0, False)


def test_search_page_titles_stay_text():
    hostile = '<img src=x onerror=alert(1)> =HYPERLINK("http://evil")'
    state = {
        "ROOT_QUERY": {'searchProduct({"params":"page=1&rows=60"})': {"type": "id", "id": "S"}},
        "S": {"count": 1, "products": [{"type": "id", "id": "P1"}]},
        "P1": {
            "id": 7,
            "name": hostile,
            "url": "https://www.tokopedia.com/toko/produk-1?whid=0",
            "price": "Rp10.000",
            "shop": {"type": "id", "id": "T1"},
        },
        "T1": {"id": 3, "name": "Toko </script>", "location": "Solo"},
    }
    # The page escapes "</" inside its script as the real site does (\u002F).
    payload = json.dumps(state).replace("</", "<\\u002F")
    page = tp.parse_search(f"<script>window.__cache={payload};</script>", "")
    (item,) = page.listings
    assert (item.title, item.seller_name, item.seller_location) == (
        hostile,
        "Toko </script>",
        "Solo",
    )
    assert item.url == "https://www.tokopedia.com/toko/produk-1"
    assert page.has_next is False


# -- TopAds displayAdsV3 ----------------------------------------------------------------------


def test_topads_counts_and_values(fixture_path):
    page = tp.parse_topads(fixture_path(TOPADS).read_bytes())
    assert len(page.listings) == 25
    assert len({item.listing_id for item in page.listings}) == 25
    first = page.listings[0]
    assert first.listing_id == "12231417940"
    assert _core(first) == (
        "Apple iPhone 11 Garansi Resmi - 64GB 128GB - Promo 64 gb, WHITE",
        "Rp6.779.000",
        "iSmile Official Store",
        "Jakarta Pusat",
        "https://www.tokopedia.com/ismileofficial/apple-iphone-11-garansi-resmi-64gb-128gb-promo-64-gb-white-feef4",
    )
    assert (first.original_price, first.sold, first.rating, first.review_count) == (
        "Rp7,99jt",
        "2rb+ terjual",
        "5.0",
        "1.069",
    )
    assert (first.is_official, first.category_path) == (True, "handphone-tablet / handphone / ios")
    kino = page.listings[8]
    assert _core(kino) == (
        "iphone 11 64gb 128gb 256gb Second Fulset EX inter Kondisi Mulus",
        "Rp4.155.000",
        "kino phone cell",
        "Jakarta Pusat",
        "https://www.tokopedia.com/hp-android-ios/iphone-11-64gb-128gb-256gb-second-fulset-ex-inter-kondisi-mulus-64gb-minus",
    )
    # "Cashback 41,5rb" is a price label, not the sold count.
    assert kino.sold == "1rb+ terjual"
    last = page.listings[24]
    assert (last.listing_id, last.seller_name, last.sold) == (
        "4686595975",
        "starcellular_official",
        "15 terjual",
    )
    # A new product with no reviews: no rating, never 0.
    fresh = _by_id(page.listings, "12633409056")
    assert (fresh.rating, fresh.sold, normalize_listing(fresh).rating) == (None, None, None)


# -- PDP layout -------------------------------------------------------------------------------


def test_pdp_values(fixture_path):
    item = tp.parse_pdp(fixture_path(PDP).read_bytes(), "https://gql.tokopedia.com/graphql/PDPGetLayoutQuery")
    assert (item.listing_id, item.source) == ("525027826", "pdp")
    assert _core(item) == (
        "Jaket Zipper Hoodie Mocca - M",
        "66900",
        "Hoodie Center",
        None,  # the layout does not say where the shop is; the search card does
        "https://www.tokopedia.com/hoodiecenter/jaket-zipper-hoodie-mocca-m",
    )
    assert (item.seller_id, item.seller_url) == ("389824", "https://www.tokopedia.com/hoodiecenter")
    assert (item.sold, item.rating, item.review_count, item.currency) == ("81", "5", "41", "IDR")
    assert item.category_path == "Fashion Pria / Outerwear Pria / Hoodie  Pria"
    assert (
        item.description
        == "***HARAP DI BACA SAMPAI SELESAI***\n\nJaket Standar Distro Kualitas Export.\n".strip()
    )
    # The campaign is not active: its originalPrice (89999) is no strike-through price.
    assert item.original_price is None
    assert (item.is_official, item.is_preorder) == (False, False)
    assert item.image_url.endswith("2999308_d0a9ad09-823a-4695-a9e0-b874c5290cc4_1000_1000")
    listing = normalize_listing(item)
    assert (listing.price_idr, listing.sold_count, listing.rating, listing.category_path) == (
        66_900,
        81,
        5.0,
        "Fashion Pria / Outerwear Pria / Hoodie Pria",
    )


def test_pdp_wrapped_as_the_api_answers(fixture_path):
    layout = json.loads(fixture_path(PDP).read_text())
    for body in ([{"data": {"pdpGetLayout": layout}}], {"data": {"pdpGetLayout": layout}}):
        assert tp.parse_pdp(json.dumps(body)).listing_id == "525027826"
        assert [item.listing_id for item in tp.extract(json.dumps(body))] == ["525027826"]
    # The shape is told by structure, not by where a key happens to sit in the text.
    session = json.loads(layout["pdpSession"])
    session["vd"] = {str(n): {"p": n} for n in range(2_000)}  # a product with many variants
    layout["pdpSession"] = json.dumps(session)
    assert [item.listing_id for item in tp.extract(json.dumps(layout))] == ["525027826"]


def test_pdp_active_campaign_prices(fixture_path):
    layout = json.loads(fixture_path(PDP).read_text())
    for component in layout["components"]:
        for data in component["data"]:
            if "campaign" in data:
                data["campaign"].update(isActive=True, discountedPrice=59900, originalPrice=66900)
    item = tp.parse_pdp(json.dumps(layout))
    assert (item.price, item.original_price) == ("59900", "66900")


# -- extract() and malformed input ------------------------------------------------------------


@pytest.mark.parametrize(("relative", "count"), [(SEARCH, 75), (TOPADS, 25), (PDP, 1)])
def test_extract_sniffs_each_capture(fixture_path, relative, count):
    assert len(tp.extract(fixture_path(relative).read_bytes(), "")) == count


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "kosong"),
        (b"\x00\x01\x02 binary", "bukan HTML maupun JSON"),
        (b'{"foo": 1', "JSON rusak"),
        (b'{"foo": 1}', "bukan respons Tokopedia"),
        (b'[{"errors":[{"message":"Too many requests"}],"data":null}]', "Too many requests"),
        (b'[{"data":{"pdpGetLayout":null}}]', "tidak ditemukan"),
        (b'[{"data":{"displayAdsV3":{"data":"x"}}}]', "displayAdsV3"),
        (b"<html><body><h1>Access Denied</h1></body></html>", "bukan halaman pencarian"),
        (b'<html><script>window.__cache={"ROOT_QUERY": {</script></html>', "window.__cache"),
        (b"No,Title,Price\n1,Kain,Rp10.000\n", "bukan HTML maupun JSON"),
    ],
)
def test_extract_malformed(body, reason):
    with pytest.raises(PageParseError, match=reason):
        tp.extract(body, "")


def test_truncated_search_page(search_html):
    # A download cut in the middle of the Apollo state: refused, not half-read.
    cut = search_html[: search_html.index(b"window.__cache=") + 5000]
    with pytest.raises(PageParseError, match="window.__cache"):
        tp.parse_search(cut, PAGE_URL)


def test_pdp_malformed():
    with pytest.raises(PageParseError, match="basicInfo"):
        tp.parse_pdp(b'{"data": {"other": 1}}')
    with pytest.raises(PageParseError, match="id, URL atau nama"):
        tp.parse_pdp(b'{"basicInfo": {"id": "1"}, "components": []}')


# -- request side -----------------------------------------------------------------------------


def test_product_key_and_request_body_round_trip():
    url = "https://www.tokopedia.com/hoodiecenter/jaket-zipper-hoodie-mocca-m"
    shop, key = tp.product_key(url)
    assert (shop, key) == ("hoodiecenter", "jaket-zipper-hoodie-mocca-m")
    body = tp.pdp_request_body(shop, key)
    assert body[0]["operationName"] == "PDPGetLayoutQuery"
    assert body[0]["variables"]["shopDomain"] == "hoodiecenter"
    assert tp.read_pdp_request_body(json.dumps(body)) == (shop, key)
    with pytest.raises(ValueError, match="operationName"):
        tp.read_pdp_request_body(b'[{"operationName": "Other"}]')
    with pytest.raises(ValueError, match="bukan URL produk"):
        tp.product_key("https://www.tokopedia.com/")


def test_search_url():
    assert tp.search_url("https://www.tokopedia.com/", "batik tulis", 1) == (
        "https://www.tokopedia.com/search?st=product&q=batik+tulis"
    )
    assert tp.search_url("http://127.0.0.1:8000/tokopedia", "kain & tenun", 3) == (
        "http://127.0.0.1:8000/tokopedia/search?st=product&q=kain+%26+tenun&page=3"
    )


def test_canonical_url():
    ad = (
        "https://ta.tokopedia.com/promo/v1/clicks/8a?r=https%3A%2F%2Fwww.tokopedia.com%2Fwishph"
        "%2Fiphone-xr%3Fsrc%3Dtopads&page=2"
    )
    assert tp.canonical_url(ad) == "https://www.tokopedia.com/wishph/iphone-xr"
    assert tp.canonical_url("/toko/produk?whid=0", "https://www.tokopedia.com/search") == (
        "https://www.tokopedia.com/toko/produk"
    )
    assert tp.canonical_url("javascript:alert(1)") is None
    assert tp.canonical_url("https://ta.tokopedia.com/promo/v1/clicks/8a") is None


def test_search_card_with_field_testids():
    """The later card shape (2022-2024) names its fields with data-testid: read those first."""
    html = """<html><body><div data-testid="divSRPContentProducts">
      <div data-testid="master-product-card">
        <a href="https://www.tokopedia.com/rasajuara/seblak-juara-instan?extParam=ivf%3Dfalse">
          <img data-testid="imgSRPProdMain" src="https://images.tokopedia.net/img/cache/200-square/a.jpg"
               alt="product-image"></a>
        <div data-testid="spnSRPProdName">SEBLAK JUARA INSTAN MASAK BASAH ASLI BANDUNG</div>
        <div data-testid="lblProductSlashPrice">Rp25.000</div>
        <div data-testid="spnSRPProdPrice">Rp22.000</div>
        <div><span data-testid="spnSRPProdTabShopLoc">Bandung</span
          ><span>Rasa Juara Indonesia</span></div>
        <span class="prd_label-integrity">Terjual 750+</span>
        <span class="prd_rating-average-text">4.9</span>
      </div></div></body></html>"""
    (item,) = tp.parse_search(html, "https://www.tokopedia.com/search?st=product&q=seblak").listings
    assert _core(item) == (
        "SEBLAK JUARA INSTAN MASAK BASAH ASLI BANDUNG",
        "Rp22.000",
        "Rasa Juara Indonesia",
        "Bandung",
        "https://www.tokopedia.com/rasajuara/seblak-juara-instan",
    )
    assert (item.original_price, item.sold, item.rating) == ("Rp25.000", "Terjual 750+", "4.9")
    assert item.image_url == "https://images.tokopedia.net/img/cache/200-square/a.jpg"
    assert item.listing_id == "rasajuara/seblak-juara-instan"
