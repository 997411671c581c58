"""Independent web shop parser, on the project's own WooCommerce/Shopify/microdata/OpenGraph pages.

There is no real web shop capture in ../shared: the pages in tests/data/shop/ are written for
these tests (tests/README.md), in the markup the platforms emit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract import ExtractError, extract_file
from crawler.normalize import normalize_listing
from spiders.pages import PageParseError, shop

DATA = Path(__file__).parent / "data" / "shop"
WOO = "https://batiksekarlasem.example"
SHOPIFY = "https://lipasikka.example"


def page(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_woocommerce_product():
    url = f"{WOO}/product/kain-batik-tulis-lasem-latohan/"
    item = shop.parse_product(page("woo_product.html"), url)
    assert item.marketplace == "shop"
    assert item.listing_id == "batiksekarlasem.example#BSL-LAT-07"
    assert item.url == url
    assert item.title == "Kain Batik Tulis Lasem Latohan"
    assert (item.price, item.price_max, item.currency) == ("1250000", None, "IDR")
    assert (item.rating, item.review_count) == ("4.86", "7")
    assert item.seller_id == "batiksekarlasem.example"
    assert item.seller_name == "Batik Sekar Lasem"  # the Offer's seller
    assert item.seller_url == WOO
    assert item.category_path == "Kain / Batik Tulis"  # Yoast breadcrumb, home and product dropped
    assert item.description == (
        "Batik tulis Lasem motif latohan, dikerjakan tangan selama 3 bulan.\n"
        "Pewarna alam. Ukuran 250 x 105 cm."
    )
    assert item.image_url == f"{WOO}/wp-content/uploads/2024/05/latohan-1.jpg"
    assert item.source == "shop_jsonld"
    assert normalize_listing(item).price_idr == 1_250_000


def test_woocommerce_variable_product_is_a_price_range():
    url = "https://rumahsongketdewi.example/product/songket-palembang-lepus/"
    item = shop.parse_product(page("woo_product_variable.html"), url)
    assert (item.price, item.price_max) == ("3500000", "6750000")
    assert item.is_preorder is True  # schema.org PreOrder
    assert item.seller_name == "Rumah Songket Dewi"
    listing = normalize_listing(item)
    assert (listing.price_idr, listing.price_max_idr) == (3_500_000, 6_750_000)


def test_shopify_product_offers_per_variant():
    url = f"{SHOPIFY}/products/tenun-ikat-sikka-mawarani"
    item = shop.parse_product(page("shopify_product.html"), url)
    assert item.listing_id == "lipasikka.example#LST-MAW-01"
    assert (item.price, item.price_max, item.currency) == ("2750000", "3900000", "IDR")
    assert item.seller_name == "Lipa Sikka Tenun"  # Organization node (the offers name none)
    assert item.seller_url == SHOPIFY
    assert "PO 14 hari" in item.description
    assert item.image_url == f"{SHOPIFY}/cdn/shop/products/mawarani.jpg?v=1700000000&width=1920"


def test_microdata_only_product():
    url = "https://anyamansasak.example/katalog/tas-rotan-bulat-lombok/"
    item = shop.parse_product(page("microdata_product.html"), url)
    assert item.listing_id == "anyamansasak.example#AS-TRB-20"
    assert item.title == "Tas Rotan Bulat Lombok Diameter 20 cm"
    assert (item.price, item.currency) == ("185000", "IDR")  # the content attribute, not "185.000"
    assert (item.rating, item.review_count) == ("4.7", "23")
    assert item.seller_name == "Anyaman Sasak"  # only the brand names the maker
    assert item.seller_url == "https://anyamansasak.example/"
    assert item.category_path == "Tas"
    assert item.image_url == "https://anyamansasak.example/gambar/tas-rotan-bulat.jpg"
    assert item.description == "Dianyam tangan oleh pengrajin Sasak di Desa Beleke. Bukan impor."
    assert item.source == "shop_microdata"


def test_opengraph_only_product_with_sale_price():
    url = "https://tenunjembrana.example/songket-bali-cepuk"
    item = shop.parse_product(page("og_product.html"), url)
    assert item.listing_id == "tenunjembrana.example#TJ-CEPUK-3"
    assert item.title == "Songket Bali Benang Sutra Motif Cepuk"
    assert (item.price, item.original_price, item.currency) == ("3950000", "4500000", "IDR")
    assert item.seller_name == "Tenun Jembrana"  # og:site_name
    assert item.source == "shop_opengraph"
    listing = normalize_listing(item)
    assert (listing.price_idr, listing.original_price_idr) == (3_950_000, 4_500_000)


def test_shop_address_names_the_shop_and_keys_the_listing():
    # The spider passes the shop's address: a shop under a path (the demo, a shared host).
    url = "http://127.0.0.1:8123/shop/lipasikka/products/tenun-ikat-sikka-mawarani"
    item = shop.parse_product(page("shopify_product.html"), url, shop="http://127.0.0.1:8123/shop/lipasikka/")
    assert item.seller_id == "127.0.0.1/shop/lipasikka"
    assert item.listing_id == "127.0.0.1/shop/lipasikka#LST-MAW-01"


@pytest.mark.parametrize(
    "url, key",
    [
        ("https://www.batiksekarlasem.example/shop/page/2/", "batiksekarlasem.example"),
        ("https://lipasikka.example/collections/all?page=3", "lipasikka.example"),
        ("https://lipasikka.example/collections/kain/products/x", "lipasikka.example"),
        ("http://127.0.0.1:9000/shop/batikwarna/shop/page/2/", "127.0.0.1/shop/batikwarna"),
        ("http://127.0.0.1:9000/shop/batikwarna/product/kain-7/", "127.0.0.1/shop/batikwarna"),
        ("http://127.0.0.1:9000/shop/batikwarna/", "127.0.0.1/shop/batikwarna"),
        ("https://toko.example/id/", "toko.example/id"),
    ],
)
def test_shop_key(url, key):
    assert shop.shop_key(url) == key


def test_product_without_any_id_is_keyed_by_its_path():
    html = (
        '<html><head><script type="application/ld+json">{"@type":"Product","name":"Kain Ulos",'
        '"offers":{"@type":"Offer","price":"600000","priceCurrency":"IDR"}}</script></head></html>'
    )
    item = shop.parse_product(html, "https://ulos.example/katalog/kain-ulos-ragihotang?ref=ig")
    assert item.listing_id == "ulos.example/katalog/kain-ulos-ragihotang"
    assert item.seller_id == "ulos.example"


def test_woocommerce_catalogue_links_and_next_page():
    links, next_url = shop.parse_catalogue(page("woo_shop_page2.html"), f"{WOO}/shop/page/2/")
    assert links == [
        f"{WOO}/product/kain-batik-tulis-lasem-latohan/",
        f"{WOO}/product/selendang-batik-lasem-bang-biron/",
        f"{WOO}/product/kemeja-batik-lasem-tiga-negeri/",
        f"{WOO}/?product=taplak-batik-lasem",
    ]  # add-to-cart links, categories, feeds, cart and Instagram are not products
    assert next_url == f"{WOO}/shop/page/3/"


def test_shopify_collection_links_and_next_page():
    links, next_url = shop.parse_catalogue(page("shopify_collection.html"), f"{SHOPIFY}/collections/all")
    assert links == [
        f"{SHOPIFY}/collections/all/products/tenun-ikat-sikka-mawarani",
        f"{SHOPIFY}/products/selendang-ikat-sikka",
        f"{SHOPIFY}/products/sarung-ikat-sikka-utan",
    ]  # ?variant= dropped, .json and another host's link left out
    assert next_url == f"{SHOPIFY}/collections/all?page=2"


@pytest.mark.parametrize(
    "nav, expected",
    [
        ('<a href="/katalog?page=3">3</a><a href="/katalog?page=2">2</a>', "/katalog?page=2"),
        ('<a href="/katalog?page=1">Berikutnya</a>', None),  # not after the current page
        (
            '<span class="next"><a href="/katalog?page=2" title="Next »">Next »</a></span>',
            "/katalog?page=2",
        ),
        ('<a rel="next" href="/katalog/halaman-dua">›</a>', "/katalog/halaman-dua"),
        ('<a href="https://lain.example/katalog?page=2">Next</a>', None),  # another site
        ('<a href="/katalog">Beranda</a>', None),
    ],
)
def test_next_page_forms(nav, expected):
    _, next_url = shop.parse_catalogue(f"<html><body>{nav}</body></html>", "https://t.example/katalog")
    assert next_url == (f"https://t.example{expected}" if expected else None)


def test_a_catalogue_is_not_a_product():
    assert shop.parse_product(page("shopify_collection.html"), f"{SHOPIFY}/collections/all") is None
    with pytest.raises(PageParseError, match=r"halaman katalog \(3 tautan produk\)"):
        shop.extract(page("shopify_collection.html"), f"{SHOPIFY}/collections/all")


def test_listing_page_with_products_in_full():
    html = (
        '<html><head><script type="application/ld+json">[{"@type":"Product","name":"Kain A",'
        '"sku":"A1","url":"/product/kain-a/","offers":{"price":"100000","priceCurrency":"IDR"}},'
        '{"@type":"Product","name":"Kain B","sku":"B2","url":"/product/kain-b/",'
        '"offers":{"price":"200000","priceCurrency":"IDR"}}]</script></head></html>'
    )
    url = "https://kain.example/shop/"
    assert shop.parse_product(html, url) is None  # two products: no single main product
    raws = shop.extract(html, url)
    assert [(r.listing_id, r.price, r.url) for r in raws] == [
        ("kain.example#A1", "100000", "https://kain.example/product/kain-a/"),
        ("kain.example#B2", "200000", "https://kain.example/product/kain-b/"),
    ]


def test_extract_product_page():
    raws = shop.extract(page("woo_product.html"), f"{WOO}/product/kain-batik-tulis-lasem-latohan/")
    assert [r.listing_id for r in raws] == ["batiksekarlasem.example#BSL-LAT-07"]


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "kosong"),
        ('{"products": []}', "JSON"),
        ("<html><body><p>Selamat datang</p></body></html>", "tidak ada schema.org Product"),
        (
            "<html><head><title>Just a moment...</title></head><body>"
            "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate'></script></body></html>",
            "diblokir",
        ),
    ],
)
def test_extract_refuses(body, message):
    with pytest.raises(PageParseError, match=message):
        shop.extract(body, "https://t.example/")


def test_hostile_values_stay_text():
    html = (
        '<html><head><script type="application/ld+json">{"@type":"Product",'
        '"name":"=cmd|\' /C calc\'!A0 <img src=x onerror=alert(1)>","sku":"../../etc/passwd",'
        '"offers":{"price":"Rp15rb","priceCurrency":"idr"}}</script></head></html>'
    )
    item = shop.parse_product(html, "https://t.example/product/x/")
    assert item.title == "=cmd|' /C calc'!A0 <img src=x onerror=alert(1)>"
    assert item.listing_id == "t.example#../../etc/passwd"  # an id string, never a path
    assert item.currency == "IDR"
    assert normalize_listing(item).price_idr == 15_000


def test_broken_jsonld_falls_back_to_other_syntaxes():
    html = (
        '<html><head><script type="application/ld+json">{"@type": "Product", "name": </script>'
        '<meta property="og:type" content="product">'
        '<meta property="og:title" content="Kain Sasirangan">'
        '<meta property="product:price:amount" content="275000"></head></html>'
    )
    item = shop.parse_product(html, "https://sasirangan.example/produk/kain-sasirangan")
    assert (item.title, item.price, item.currency) == ("Kain Sasirangan", "275000", None)
    assert item.listing_id == "sasirangan.example/produk/kain-sasirangan"


def test_one_broken_jsonld_block_does_not_hide_the_next():
    html = (
        '<html><head><script type="application/ld+json">{"@type": "WebSite", "name": </script>'
        '<script type="application/ld+json">{"@type":"Product","name":"Kain Gringsing","sku":"G1",'
        '"offers":{"@type":"Offer","price":"9500000","priceCurrency":"IDR"}}</script></head></html>'
    )
    item = shop.parse_product(html, "https://tenganan.example/product/kain-gringsing/")
    assert (item.listing_id, item.price) == ("tenganan.example#G1", "9500000")


def test_extract_file_dispatches_to_shop():
    (listing,) = extract_file(
        DATA / "og_product.html", "shop", "https://tenunjembrana.example/songket-bali-cepuk"
    )
    assert (listing.listing_id, listing.price_idr, listing.original_price_idr) == (
        "tenunjembrana.example#TJ-CEPUK-3",
        3_950_000,
        4_500_000,
    )
    with pytest.raises(ExtractError, match="halaman katalog"):
        extract_file(DATA / "woo_shop_page2.html", "shop", "https://batiksekarlasem.example/shop/page/2/")
