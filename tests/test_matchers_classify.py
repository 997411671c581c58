"""Category classification: product-type lexicons, distractors, and the product head of a title.

Every title here is written for the test (none is copied from a labelled set).
"""

from __future__ import annotations

import itertools

import pytest

from crawler.items import Listing
from matchers import load_matcher

_ids = itertools.count(1)


def listing(title, price=100_000, desc=None, loc="Kota Semarang") -> Listing:
    n = next(_ids)
    return Listing(
        marketplace="tokopedia",
        listing_id=f"C{n}",
        url=f"https://www.tokopedia.com/toko{n}/produk-{n}",
        title=title,
        price_idr=price,
        description=desc,
        seller_location=loc,
        seller_name=f"Toko {n}",
    )


@pytest.fixture(scope="module")
def matcher():
    return load_matcher()


def category(matcher, title, price=100_000, desc=None) -> str:
    return matcher.assess(listing(title, price, desc)).category


# -- tools, inputs and food head the title: not a craft -----------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Canting Tulis Tembaga Isi 3 Ukuran",
        "Lilin Malam Batik Tembok 1 Kg",
        "Pewarna Batik Naptol 100 Gram",
        "Naptol AS-BO Pewarna Kain 100 Gram",
        "Stempel Cap Batik Tembaga Motif Parang",
        "Paket Alat Membatik Lengkap Untuk Pemula",
        "Alat Tenun Gedog Kayu Mini",
        "Kue Batik Coklat Oleh Oleh Pekalongan",
        "Roti Bolu Motif Batik Kukus Pandan",
        "Pohon Bambu Hias Kuning",
        "Pandan Wangi Segar 1 Ikat",
    ],
)
def test_tool_input_or_food_heading_the_title_is_other(matcher, title):
    assert category(matcher, title, 35_000) == "other"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Batik Tulis Halus Lasem Canting Tangan 2,5 m", "batik_tulis"),
        ("Kain Batik Cap Bau Malam Asli 2 m", "batik_cap"),
        ("Kain Tenun Ikat Pewarna Alam Sumba", "tenun_ikat"),
        ("Pewarna Alam | Kain Tenun Ikat Sumba Hinggi", "tenun_ikat"),
        ("Keranjang Bambu Kue Lebaran Tutup", "anyaman_bambu"),
        ("Tempat Kue Rotan Anyaman Bulat", "anyaman_rotan"),
        ("Kain Tenun Ikat Motif Bunga Pohon Hayat", "tenun_ikat"),
    ],
)
def test_the_same_words_after_the_craft_word_do_not_make_it_other(matcher, title, expected):
    assert category(matcher, title, 900_000) == expected


# -- materials and printed motifs ---------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Keranjang Baju Kotor Plastik Motif Anyaman Rotan",
        "Tempat Sampah Plastik Motif Rotan Tutup",
        "Karpet Lantai Vinyl Motif Anyaman Bambu",
        "Tas Spunbond Motif Batik Seminar",
    ],
)
def test_a_craft_look_in_plastic_or_vinyl_is_other_even_after_a_container_word(matcher, title):
    assert category(matcher, title, 45_000) == "other"


@pytest.mark.parametrize(
    "title",
    [
        "Sajadah Lipat Motif Tenun Ikat Travel",
        "Totebag Kanvas Motif Batik Parang Resleting",
        "Tas Selempang Motif Songket Kanvas",
        "Lukisan Kanvas Motif Tenun Dayak",
        "Pashmina Ceruty Motif Batik Kawung",
        "Karpet Lantai Motif Tenun Ikat 160x210",
    ],
)
def test_a_printed_craft_motif_on_another_product_is_other(matcher, title):
    assert category(matcher, title, 55_000) == "other"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Tas Rotan Bulat Anyaman Bali", "anyaman_rotan"),
        ("Tas Tenun Ikat Sumba Handmade", "tenun_ikat"),
        ("Tas Batik Tulis Madura Kulit Sintetis", "batik_tulis"),
        ("Sajadah Songket Palembang Tenun Tangan", "songket"),
        ("Karpet Pandan Anyaman 2x3", "anyaman_pandan"),
    ],
)
def test_a_product_made_of_the_craft_keeps_its_category(matcher, title, expected):
    assert category(matcher, title, 950_000) == expected


# -- wood ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Sendok Makan Kayu Sonokeling Isi 3",
        "Piring Saji Kayu Jati Bulat 25 cm",
        "Nampan Kayu Mahoni Handmade",
        "Spatula Kayu Jati Alat Masak",
        "Miniatur Kapal Pinisi Kayu Jati",
        "Pajangan Dinding Ukir Tangan Motif Bunga",
    ],
)
def test_everyday_goods_of_wood_and_carvings_are_wood_crafts(matcher, title):
    assert category(matcher, title, 60_000) == "kerajinan_kayu"


@pytest.mark.parametrize(
    "title",
    [
        "Sendok Makan Stainless Isi 12",
        "Mangkok Keramik Motif Kayu",
        "Lemari Pakaian Kayu Mahoni 3 Pintu",
        "Meja Tamu Kayu Jati Minimalis",
        "Rak Sepatu Motif Kayu Susun 4",
    ],
)
def test_wood_alone_or_a_product_without_wood_is_not_a_wood_craft(matcher, title):
    assert category(matcher, title, 60_000) == "other"


def test_wood_word_in_the_next_clause_does_not_make_a_wooden_product(matcher):
    assert category(matcher, "Sendok Makan Stainless | Kayu Jati Bonus", 30_000) == "other"


# -- batik without the word batik ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "price", "expected"),
    [
        ("Kain Tulis Madura Motif Sekar Jagad 2,5 m", 650_000, "batik_tulis"),
        ("Kain Print Motif Parang Rusak Per Meter Katun", 25_000, "batik_printing"),
        ("Kain Motif Truntum Printing 2 m", 40_000, "batik_printing"),
        ("Kain Rayon Motif Kawung Rollan 50 Yard", 1_300_000, "batik_printing"),
        ("Kemeja Pria Motif Sido Mukti Lengan Panjang", 150_000, "pakaian_batik"),
    ],
)
def test_named_batik_motifs_and_kain_tulis_are_batik(matcher, title, price, expected):
    assert category(matcher, title, price) == expected


@pytest.mark.parametrize(
    "title",
    ["Parang Golok Baja Tempa 40 cm", "Gula Aren Kawung Asli 1 Kg", "Lantai Keramik Motif Kawung 40x40"],
)
def test_motif_names_that_are_everyday_words_do_not_make_batik(matcher, title):
    assert category(matcher, title, 50_000) == "other"


@pytest.mark.parametrize(
    "title",
    ["Mukena Motif Batik Rayon Dewasa", "Batik Pria Lengan Pendek Motif Kawung Slimfit"],
)
def test_more_garment_words_make_a_batik_garment(matcher, title):
    assert category(matcher, title, 120_000) == "pakaian_batik"


# -- a weave's motif on yard goods -----------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Kain Jacquard Motif Songket Per Meter Bahan Seragam",
        "Kain Jacquard Motif Tenun Ikat Meteran",
        "Kain Bordir Motif Songket Per Meter",
    ],
)
def test_weave_motif_on_yard_goods_is_yard_goods(matcher, title):
    assert category(matcher, title, 40_000) == "kain_meteran"


def test_a_claimed_weave_with_a_motif_name_stays_the_weave(matcher):
    assert category(matcher, "Kain Tenun Ikat Troso Motif Songket ATBM", 250_000) == "tenun_ikat"


# -- yard goods, yarn and merchandise -----------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Bahan Kain Katun Per Yard Lebar 150", "kain_meteran"),
        ("Kain Kaos Cotton Combed 30s Per Kg", "kain_meteran"),
        ("Benang Rajut Acrylic 100 Gram Warna Pastel", "benang"),
        ("Benang Karet Elastis Per Gulung", "benang"),
        ("Tempat Tisu Kayu Jati Minimalis", "kerajinan_kayu"),
    ],
)
def test_yard_goods_yarn_and_wooden_boxes(matcher, title, expected):
    assert category(matcher, title, 20_000) == expected


@pytest.mark.parametrize(
    "title",
    [
        "Botol Minum Motif Batik Stainless 500ml",
        "Helm Motif Batik Parang Half Face",
        "Sarung HP Batik Universal Resleting",
        "Gantungan Kunci Akrilik Motif Batik Isi 50",
    ],
)
def test_merchandise_with_a_batik_motif_is_other(matcher, title):
    assert category(matcher, title, 30_000) == "other"


# -- motif names are motifs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Kain Mega Mendung Cirebon 2 m", "batik_printing"),
        ("Kemeja Pria Mega Mendung Lengan Pendek", "pakaian_batik"),
        ("Sarung Bantal Mega Mendung Cirebon", "other"),
        ("Sandal Jepit Kawung Oleh Oleh", "other"),
    ],
)
def test_a_batik_motif_name_makes_cloth_batik_but_not_a_pillow_case(matcher, title, expected):
    assert category(matcher, title, 50_000) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Kain Motif Songket 2 m", "kain_meteran"),
        ("Kain Motif Tenun Ikat NTT 2 m Murah", "kain_meteran"),
        ("Sajadah Motif Songket Lipat", "other"),
        ("Songket Motif Pucuk Rebung Benang Emas", "songket"),
    ],
)
def test_cloth_with_a_weave_motif_is_yard_goods(matcher, title, expected):
    assert category(matcher, title, 50_000) == expected


@pytest.mark.parametrize(
    "desc",
    [
        "Garis klowong tidak seragam, tembus bolak balik.",
        "Cocok untuk jarik atau bahan kemeja.",
        "Motif seragam di seluruh kain.",
    ],
)
def test_uniform_as_an_adjective_or_cloth_for_a_shirt_is_not_a_garment(matcher, desc):
    assert category(matcher, "Batik Tulis Bayat Klaten Kasar", 650_000, desc) == "batik_tulis"


def test_a_garment_named_in_the_description_makes_a_batik_garment(matcher):
    assert category(matcher, "Batik Tulis Madura Lengan Panjang", 650_000) == "pakaian_batik"
    desc = "Seragam kantor, bahan katun."
    assert category(matcher, "Batik Cap Pekalongan Motif Kawung", 150_000, desc) == "pakaian_batik"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Kain Troso Jepara Motif Lombok 2m", "tenun_ikat"),
        ("Sarung Samarinda Asli Motif Kotak", "tenun_ikat"),
        ("Water Hyacinth Storage Basket Handmade", "anyaman_pandan"),
    ],
)
def test_weaving_centres_and_english_fibre_names(matcher, title, expected):
    assert category(matcher, title, 350_000) == expected
