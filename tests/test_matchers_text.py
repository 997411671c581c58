"""Text normalisation and units: the words the rules see, and what one price buys."""

from __future__ import annotations

import pytest

from matchers import load_matcher
from matchers.text import BOUNDARY, has_cjk, normalise, strip_noise, tokenize
from matchers.units import quantity, read_quantity, unit_price


@pytest.fixture(scope="module")
def rules():
    return load_matcher().ref.text


def test_tokenize_lowers_strips_accents_emoji_and_splits_numbers():
    assert tokenize("🔥🔥 KAIN Batík 2m!!! Isi2pcs") == [
        "kain",
        "batik",
        "2",
        "m",
        BOUNDARY,
        "isi",
        "2",
        "pcs",
    ]


def test_tokenize_keeps_decimal_comma_and_marks_clause_ends():
    assert tokenize("Ukuran 2,25 x 1,05 m. (bukan tulis/cap)") == [
        "ukuran", "2,25", "x", "1,05", "m", BOUNDARY, "bukan", "tulis", "cap",
    ]  # fmt: skip


def test_tokenize_collapses_elongated_letters_but_not_digits():
    assert tokenize("murahhhh 1000") == ["murah", "1000"]


def test_spelling_variants_are_rewritten(rules):
    text = normalise("Tas Rattan Handwoven IMPOR Permeter ready stock", rules)
    assert text.tokens == ["tas", "rotan", "tenun", "tangan", "import", "per", "meter", "ready", "stok"]


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [
        ("Btk Tls Lasem", ["batik", "tulis", "lasem"]),
        ("Kain Bathik Mtf Megamendung", ["kain", "batik", "motif", "mega", "mendung"]),
        ("Stok dr Tiongkok, motif sm smua", ["stok", "dari", "china", BOUNDARY, "motif", "sama", "semua"]),
        ("Jaquard murmer 2 mtr", ["jacquard", "murah", "meriah", "2", "meter"]),
        ("gak luntur, engga pudar", ["tidak", "luntur", BOUNDARY, "tidak", "pudar"]),
        ("Rayon Rollan 50 yds", ["rayon", "roll", "50", "yard"]),
        ("Gamis Batik Kombinasi Polos", ["gamis", "batik", "paduan", "polos"]),
        ("Kain Kaos Cotton Combed", ["kain", "jersey", "cotton", "combed"]),
        ("Produk luar biasa, kirim luar kota", ["produk", "luarbiasa", BOUNDARY, "kirim", "luarkota"]),
        ("Hiasan Dinding Ukir", ["pajangan", "dinding", "ukir"]),
        ("Corak sama semua", ["motif", "sama", "semua"]),
        # "/" before a unit is "per"; elsewhere it only separates words
        ("Kain Rayon Rp25.000/mtr", ["kain", "rayon", "rp", "25.000", "per", "meter"]),
        ("Harga/pcs, ukuran M/L/XL", ["harga", "per", "pcs", BOUNDARY, "ukuran", "m", "l", "xl"]),
        ("Bukan tulis/cap, 2/3 lusin", ["bukan", "tulis", "cap", BOUNDARY, "2", "3", "lusin"]),
    ],
)
def test_seller_abbreviations_are_spelt_out(rules, raw, tokens):
    assert normalise(raw, rules).tokens == tokens


def test_cjk_is_detected_and_kept_as_a_token(rules):
    text = normalise("牛奶棉 Benang Rajut", rules)
    assert text.raw_has_cjk is True
    assert text.tokens == ["牛奶棉", "benang", "rajut"]
    assert has_cjk("Benang rajut") is False


def test_promo_noise_is_dropped_for_title_comparison(rules):
    tokens = normalise("[FREE ONGKIR] Kain Batik Murah Ready Stok COD Termurah", rules).tokens
    assert strip_noise(tokens, rules) == ["kain", "batik"]


@pytest.mark.parametrize(
    ("title", "description", "count", "length_m", "piece_m"),
    [
        ("Kain Batik Printing Per Meter", None, 1.0, 1.0, None),
        ("Kain Batik Meteran Rayon", None, 1.0, 1.0, None),
        ("Kain Rayon 15rb/meter", None, 1.0, 1.0, None),
        ("Kain Satin Harga Per Yard", None, 1.0, 0.91, None),
        ("Sandal Anyaman Pandan Per Pasang", None, 1.0, None, None),
        ("Sandal Anyaman Pandan Isi 3 Pasang", None, 3.0, None, None),
        ("KAIN BATIK ROLLAN 1 ROLL 50 YARD", None, 1.0, 45.72, None),
        ("Kain Motif Batik", "Harga per roll isi 50 yard (±45,7 m).", 1.0, 45.72, None),
        ("Kemeja Batik Isi 3 Pcs", None, 3.0, None, None),
        ("Kemeja Batik (Isi 2 Pcs) Random", None, 2.0, None, None),
        ("Kimono Batik 2pcs Cardigan", None, 2.0, None, None),
        ("Benang Jahit Per Lusin", None, 12.0, None, None),
        ("Seragam Batik Per Kodi", None, 20.0, None, None),
        ("Sapu tangan batik 2 lusin", None, 24.0, None, None),
        ("Besek Bambu Isi 10 Pcs", None, 10.0, None, None),
        ("Kain Batik Tulis 2,25 m", None, 1.0, None, 2.25),
        ("Kain Batik Cap", "Ukuran 2,4 x 1,05 m, bahan primisima.", 1.0, None, 2.4),
        ("Kemeja Batik", "Harga untuk 2 pcs. Bahan micro.", 2.0, None, None),
        ("Kemeja Batik", "Ready 200 pcs per motif.", 1.0, None, None),
        ("Kain Batik Tulis", "Beli 10 lembar harga khusus.", 1.0, None, None),
        ("Kain Lurik ATBM", "Lebar 70 cm, harga per meter.", 1.0, 1.0, None),
        # a rupiah amount right before a length word is a price per length
        ("Kain Rayon Motif Bunga Rp 21.500/meter", None, 1.0, 1.0, None),
        ("Kain Polyester 12.500/yard", None, 1.0, 0.91, None),
        ("Kain Rayon", "Ready 1.000 meter, harga grosir.", 1.0, None, None),
        ("Kain Satin Harga Per 1 Yard", None, 1.0, 0.91, None),
        ("Kain Printing Rollan 100 Yard", None, 1.0, 91.44, None),
        # se- means one
        ("Seragam Batik SD Selusin", None, 12.0, None, None),
        ("Kemeja Batik Sekodi Campur Ukuran", None, 20.0, None, None),
        ("Sandal Pandan Hotel Sepasang", None, 1.0, None, None),
        # "isi N <thing>" is N pieces; "isi N <measure>" is not a pack
        ("Sendok Kayu Set Isi 4 Sendok Makan", None, 4.0, None, None),
        ("Canting Tembaga Isi 3 Ukuran", None, 3.0, None, None),
        ("Benang Rajut Isi 50 Gram", None, 1.0, None, None),
        ("Masker Kain Isi 3 Ply", None, 1.0, None, None),
        # "N lembar/potong" in the title is a pack; in a description it is often stock
        ("Kain Batik Cap 2 Lembar Motif Parang", None, 2.0, None, None),
        ("Kemeja Batik Pria 3 Potong Motif Random", None, 3.0, None, None),
        ("Kain Batik Cap Motif Parang", "Sisa 2 lembar, ada 3 potong lagi.", 1.0, None, None),
        ("Kain Batik Cap Motif Parang 2 Pack", None, 1.0, None, None),
        ("Kain Ceruty Babydoll /meter Premium", None, 1.0, 1.0, None),
    ],
)
def test_quantity(rules, title, description, count, length_m, piece_m):
    q = quantity(normalise(title, rules), normalise(description, rules), rules)
    assert (q.count, q.length_m if q.length_m is None else round(q.length_m, 2), q.piece_length_m) == (
        count,
        length_m,
        piece_m,
    )


def test_no_quantity_words_means_one_piece(rules):
    assert read_quantity(normalise("Tas Rotan Bulat Bali", rules), rules) is None
    assert quantity(normalise("Tas Rotan Bulat Bali", rules), normalise(None, rules), rules).count == 1.0


def test_unit_price_per_piece_and_per_metre(rules):
    pack = quantity(normalise("Kemeja Batik Isi 2 Pcs", rules), normalise("", rules), rules)
    roll = quantity(normalise("1 roll 50 yard", rules), normalise("", rules), rules)
    assert unit_price(69_000, pack) == 34_500
    assert unit_price(690_000, roll) == 15_092
    assert unit_price(None, pack) is None
    assert unit_price(0, pack) is None
