"""Each rule, positive and negative, on listings written for the test (not the labelled set)."""

from __future__ import annotations

import itertools

import pytest

from crawler.items import Listing
from matchers import load_matcher

_ids = itertools.count(1)


def listing(title, price=None, desc=None, loc="Kota Pekalongan", xb=None, **kw) -> Listing:
    n = next(_ids)
    return Listing(
        marketplace=kw.pop("marketplace", "tokopedia"),
        listing_id=kw.pop("listing_id", f"T{n}"),
        url=kw.pop("url", f"https://www.tokopedia.com/toko{n}/produk-{n}"),
        title=title,
        price_idr=price,
        description=desc,
        seller_location=loc,
        seller_name=kw.pop("seller_name", f"Toko {n}"),
        is_cross_border=xb,
        **kw,
    )


@pytest.fixture(scope="module")
def matcher():
    return load_matcher()


def flags(assessment, rule):
    return [f for f in assessment.flags if f.rule == rule]


# -- CROSS_BORDER_UNDER_USD100 ------------------------------------------------------------------


def test_cross_border_under_usd100_flags_with_rate_and_article(matcher):
    a = matcher.assess(
        listing("Dress Batik Wanita Pantai", 95_000, loc="Luar Negeri", xb=True, marketplace="shopee")
    )
    (flag,) = flags(a, "CROSS_BORDER_UNDER_USD100")
    assert flag.severity == "high"
    assert "Rp95.000" in flag.reason_id and "USD 100" in flag.reason_id and "Rp15.500/USD" in flag.reason_id
    assert "2023-10" in flag.reason_id
    assert flag.legal_basis.startswith("Permendag 31/2023 Pasal 19 ayat (2)")
    assert flag.evidence["unit_price_usd"] == 6.13
    assert flag.matcher_version == matcher.version
    assert a.likely_imported is True


def test_cross_border_uses_the_unit_price_of_a_pack(matcher):
    a = matcher.assess(listing("Kimono Batik Isi 2 Pcs", 95_000, loc="Luar Negeri", xb=True))
    assert flags(a, "CROSS_BORDER_UNDER_USD100")[0].evidence["unit_price_idr"] == 47_500


def test_cross_border_location_without_platform_flag_counts(matcher):
    a = matcher.assess(listing("Tas Rotan Wanita", 80_000, loc="Luar Negeri", xb=None))
    assert len(flags(a, "CROSS_BORDER_UNDER_USD100")) == 1


def test_cross_border_not_flagged_at_or_above_usd100(matcher):
    a = matcher.assess(listing("Set Kursi Rotan Sintetis", 1_600_000, loc="Luar Negeri", xb=True))
    assert flags(a, "CROSS_BORDER_UNDER_USD100") == []


def test_domestic_listing_is_not_cross_border(matcher):
    a = matcher.assess(listing("Dress Batik Wanita", 95_000, loc="Kota Jakarta Barat", xb=False))
    assert flags(a, "CROSS_BORDER_UNDER_USD100") == []


def test_positive_list_goods_may_be_sold_cross_border(matcher):
    a = matcher.assess(listing("Buku Batik Indonesia Sejarah Motif", 90_000, loc="Luar Negeri", xb=True))
    assert flags(a, "CROSS_BORDER_UNDER_USD100") == []


def test_cross_border_reads_a_usd_price(matcher):
    item = listing(
        "Rattan Bag Women Handmade", None, loc="Luar Negeri", xb=True, currency="USD", price_original=20.0
    )
    (flag,) = flags(matcher.assess(item), "CROSS_BORDER_UNDER_USD100")
    assert flag.evidence["unit_price_usd"] == 20.0


# -- BELOW_FLOOR --------------------------------------------------------------------------------


def test_below_floor_names_price_floor_and_source(matcher):
    a = matcher.assess(listing("Kain Batik Tulis Lasem Motif Latohan 2,5m", 150_000))
    (flag,) = flags(a, "BELOW_FLOOR")
    assert a.category == "batik_tulis" and a.below_local_cost is True
    assert "Rp150.000" in flag.reason_id and "Rp300.000" in flag.reason_id
    assert "suara.com" in flag.reason_id and "keyakinan sedang" in flag.reason_id
    assert flag.severity == "high"  # below the 200k strong-flag level too
    assert flag.evidence["floor_idr"] == 300_000


def test_above_floor_is_not_flagged(matcher):
    a = matcher.assess(listing("Kain Batik Tulis Lasem Motif Latohan 2,5m", 850_000))
    assert flags(a, "BELOW_FLOOR") == [] and a.below_local_cost is False


def test_below_floor_per_metre_is_pro_rated(matcher):
    cheap = matcher.assess(listing("Kain Batik Printing Meteran Katun Per Meter", 15_000))
    fair = matcher.assess(listing("Kain Batik Printing Meteran Katun Per Meter", 25_000))
    (flag,) = flags(cheap, "BELOW_FLOOR")
    assert flag.evidence["floor_idr"] == 22_500 and flag.evidence["unit"] == "meter"
    assert "per meter" in flag.reason_id
    assert flags(fair, "BELOW_FLOOR") == []


def test_below_floor_roll_of_50_yards(matcher):
    cheap = matcher.assess(listing("Kain Batik Rollan Motif Random 1 Roll 50 Yard", 690_000))
    fair = matcher.assess(listing("Kain Motif Batik per Roll 50 Yard Katun Print", 1_250_000))
    assert flags(cheap, "BELOW_FLOOR")[0].evidence["unit_price_idr"] == 15_092
    assert flags(fair, "BELOW_FLOOR") == []


def test_below_floor_pack_price_is_divided(matcher):
    pack = matcher.assess(listing("Kemeja Batik Pria Isi 2 Pcs Motif Random", 69_000))
    single = matcher.assess(listing("Kemeja Batik Pria Motif Kawung", 69_000))
    assert pack.unit_price_idr == 34_500 and pack.below_local_cost is True
    assert single.below_local_cost is False


def test_below_floor_kodi(matcher):
    a = matcher.assess(listing("Seragam Batik Sekolah Per Kodi Motif Custom", 1_050_000))
    assert a.unit_price_idr == 52_500 and a.below_local_cost is True


def test_garment_claiming_tulis_is_held_to_the_tulis_floor(matcher):
    a = matcher.assess(listing("Kemeja Batik Tulis Pria Lengan Panjang", 250_000))
    assert a.category == "pakaian_batik"
    assert flags(a, "BELOW_FLOOR")[0].evidence["floor_idr"] == 300_000


def test_songket_floor_only_for_hand_woven_claims(matcher):
    machine = matcher.assess(
        listing("Kain Songket Mesin Motif Pucuk Rebung", 120_000, desc="Bukan tenun tangan.")
    )
    hand = matcher.assess(listing("Kain Songket Palembang Tenun Tangan Motif Lepus", 150_000))
    assert machine.below_local_cost is False
    assert hand.below_local_cost is True


def test_category_without_floor_is_never_below_floor(matcher):
    a = matcher.assess(listing("Benang Rajut Milk Cotton 5ply 50gr", 4_500))
    assert a.category == "benang" and a.below_local_cost is False


def test_rattan_floor_applies_to_bags_not_baskets(matcher):
    bag = matcher.assess(listing("Tas Rotan Bulat Wanita", 45_000))
    basket = matcher.assess(listing("Keranjang Rotan Kecil Serbaguna", 45_000))
    assert bag.below_local_cost is True and basket.below_local_cost is False


# -- TECHNIQUE_MISLABEL -------------------------------------------------------------------------


def test_tulis_at_printing_price_with_printing_traits_is_mislabelled(matcher):
    a = matcher.assess(
        listing(
            "Kain Batik Tulis Halus Motif Parang 2m",
            66_000,
            desc="Motif simetris berulang, sisi belakang agak pudar.",
        )
    )
    (flag,) = flags(a, "TECHNIQUE_MISLABEL")
    assert a.mislabelled_technique is True
    assert flag.evidence["claim"] == "tulis"
    assert set(flag.evidence["contradictions"]) == {"pale_reverse", "repeating_motif"}
    assert "Mengaku batik tulis" in flag.reason_id and "Rp66.000" in flag.reason_id


def test_coarse_tulis_below_floor_without_printing_traits_is_not_mislabelled(matcher):
    a = matcher.assess(
        listing(
            "Batik Tulis Bayat Kasar Motif Tradisional Kain 2 Meter",
            225_000,
            desc="Tulis kasar satu warna, garis klowong tidak rata, tembus bolak balik.",
        )
    )
    assert a.below_local_cost is True and a.mislabelled_technique is False


@pytest.mark.parametrize(
    "reverse", ["sisi belakang tidak putih", "bagian belakang gak pucat", "balik kain tdk pudar"]
)
def test_a_reverse_side_said_not_to_be_pale_is_no_printing_cue(matcher, reverse):
    a = matcher.assess(
        listing("Kain Batik Cap Kasar Motif Kawung 2m", 88_000, desc=f"Warna {reverse}, tembus.")
    )
    assert a.below_local_cost is True and a.mislabelled_technique is False
    pale = matcher.assess(
        listing("Kain Batik Cap Kasar Motif Kawung 2m", 88_000, desc="Warna sisi belakang putih.")
    )
    assert pale.mislabelled_technique is True


def test_negated_claim_is_not_a_claim(matcher):
    a = matcher.assess(
        listing(
            "Kain Motif Batik Parang 2m",
            30_000,
            desc="Jenis printing (bukan tulis/cap), warna belakang pucat.",
        )
    )
    assert a.category == "batik_printing" and a.mislabelled_technique is False


def test_printing_word_next_to_tulis_claim_below_floor(matcher):
    a = matcher.assess(listing("Kemeja Batik Tulis Sutra Pria 185rb", 185_000, desc="Motif tulis printing."))
    assert flags(a, "TECHNIQUE_MISLABEL")[0].severity == "high"


def test_declared_combination_above_the_cap_floor_is_honest(matcher):
    a = matcher.assess(
        listing("Kemeja Batik Pria Lengan Panjang", 237_000, desc="Batik printing kombinasi cap.")
    )
    assert a.mislabelled_technique is False


def test_lurik_tenun_admitting_print_is_mislabelled_without_a_floor(matcher):
    a = matcher.assess(
        listing("Kain Lurik Tenun Motif Jawa Per Meter", 12_000, desc="Motif lurik cetak, polyester.")
    )
    assert a.category == "lurik" and a.mislabelled_technique is True and a.below_local_cost is False


def test_honest_printed_lurik_is_not_mislabelled(matcher):
    a = matcher.assess(listing("Kain Motif Lurik Printing Katun Per Meter (Bukan Tenun)", 22_000))
    assert a.category == "lurik" and a.mislabelled_technique is False


def test_hand_carving_claim_in_resin_is_mislabelled(matcher):
    a = matcher.assess(listing("Patung Kayu Ukir Tangan Bali 30cm Bahan Resin", 35_000))
    assert a.category == "kerajinan_kayu" and a.mislabelled_technique is True


def test_imported_tulis_below_floor_is_mislabelled(matcher):
    a = matcher.assess(listing("Batik Tulis Kain Sarung Tradisional", 52_000, loc="Luar Negeri", xb=True))
    (flag,) = flags(a, "TECHNIQUE_MISLABEL")
    assert flag.evidence["decided_by"] == "imported_below_floor"


# -- IMPORT_SIGNALS -----------------------------------------------------------------------------


def test_seller_admission_of_import(matcher):
    a = matcher.assess(
        listing("Tas Rotan Bulat Wanita", 150_000, desc="Barang import ready stok.", loc="Kota Bandung")
    )
    (flag,) = flags(a, "IMPORT_SIGNALS")
    assert a.likely_imported is True
    assert [s["id"] for s in flag.evidence["signals"]] == ["import_stock"]
    assert "Skor sinyal impor 4" in flag.reason_id


def test_import_as_fabric_marketing_is_not_enough(matcher):
    a = matcher.assess(listing("Kain Katun Jepang Import Per Meter Motif Bunga", 45_000, loc="Kab. Bandung"))
    assert a.likely_imported is False and flags(a, "IMPORT_SIGNALS") == []


def test_import_word_plus_wholesale_hub(matcher):
    hub = matcher.assess(listing("Keranjang Bambu Piknik Import", 89_000, loc="KOTA JAKARTA BARAT"))
    elsewhere = matcher.assess(listing("Keranjang Bambu Piknik Import", 89_000, loc="Kota Malang"))
    assert hub.likely_imported is True and elsewhere.likely_imported is False


def test_cjk_text_is_import_evidence(matcher):
    a = matcher.assess(listing("牛奶棉 Benang Rajut Milk Cotton", 4_500, loc="Kota Tangerang"))
    signals = {s["id"] for s in flags(a, "IMPORT_SIGNALS")[0].evidence["signals"]}
    assert signals == {"cjk_text", "wholesale_hub"}


def test_shipped_from_abroad_and_china_hub(matcher):
    a = matcher.assess(
        listing("Kemeja Batik Pria", 79_000, desc="Stok import Guangzhou. Dikirim dari luar negeri.")
    )
    assert flags(a, "IMPORT_SIGNALS")[0].severity == "high"


def test_korean_style_is_not_origin(matcher):
    a = matcher.assess(listing("Blouse Batik Korean Look Lengan Balon", 79_000, loc="Kota Jakarta Barat"))
    assert a.likely_imported is False


def test_price_alone_is_not_import(matcher):
    a = matcher.assess(listing("Kemeja Batik Lengan Pendek", 17_000, desc="Batik printing, bahan katun."))
    assert a.below_local_cost is True and a.likely_imported is False


# -- risk ---------------------------------------------------------------------------------------


def test_risk_is_zero_without_flags_and_grows_with_them(matcher):
    clean = matcher.assess(
        listing("Kain Batik Tulis Lasem 2,5m", 2_200_000, desc="Dikerjakan pembatik Lasem.")
    )
    one = matcher.assess(listing("Kain Batik Tulis Lasem 2,5m", 250_000))
    many = matcher.assess(
        listing(
            "Kain Batik Tulis Motif Parang Microfiber",
            27_500,
            desc="Kain micro. Barang china.",
            loc="Kota Bekasi",
        )
    )
    assert clean.risk == 0 and clean.flags == []
    assert 0 < one.risk < many.risk <= 100


def test_ikat_claim_on_machine_jacquard_below_the_floor_is_mislabelled(matcher):
    a = matcher.assess(listing("Kain Tenun Ikat Sumba 2m Jaquard Mesin", 60_000, loc="Kota Bandung"))
    assert (a.category, a.below_local_cost, a.mislabelled_technique) == ("tenun_ikat", True, True)
    assert flags(a, "TECHNIQUE_MISLABEL")[0].evidence["contradictions"] == {
        "machine_weave": ["jacquard", "mesin"]
    }


def test_honest_machine_woven_lurik_is_not_mislabelled(matcher):
    a = matcher.assess(listing("Kain Lurik Tenun Mesin Per Meter", 18_000, loc="Kab. Klaten"))
    assert (a.category, a.mislabelled_technique) == ("lurik", False)


@pytest.mark.parametrize(
    ("desc", "imported"),
    [
        ("Produk luar negeri, kualitas bagus.", True),
        ("Barang luar, stok terbatas.", True),
        ("Made in Bangladesh.", True),
        ("Produk luar biasa halus, jahitan rapi.", False),
        ("Bukan produk luar, asli buatan Pekalongan.", False),
        ("Bisa kirim luar kota dan luar pulau.", False),
    ],
)
def test_foreign_made_admission(matcher, desc, imported):
    a = matcher.assess(listing("Kemeja Batik Pria Lengan Pendek", 85_000, desc=desc))
    assert a.likely_imported is imported


def test_word_for_word_translated_template_is_import_evidence(matcher):
    desc = "Paket termasuk: 1 x tas. Mohon izinkan perbedaan 1-2 cm karena pengukuran manual."
    a = matcher.assess(listing("Tas Rotan Wanita Bulat Anyaman", 95_000, desc=desc))
    assert a.likely_imported is True
    words = {w for s in flags(a, "IMPORT_SIGNALS")[0].evidence["signals"] for w in s["words"]}
    assert {"paket termasuk", "mohon izinkan"} <= words


def test_fabric_combination_is_not_the_kombinasi_technique(matcher):
    a = matcher.assess(
        listing("Gamis Batik Kombinasi Polos Jumbo", 95_000, desc="Batik printing + kain polos.")
    )
    assert (a.category, a.below_local_cost, a.mislabelled_technique) == ("pakaian_batik", False, False)
    cap = matcher.assess(listing("Kemeja Batik Cap Tulis Kombinasi Lengan Pendek", 95_000))
    assert cap.below_local_cost is True  # the SNI 8304 kombinasi is held to the cap floor
    cloth = matcher.assess(listing("Kain Batik Kombinasi Katun Prima 2m", 95_000))
    assert (cloth.category, cloth.below_local_cost) == ("batik_cap", True)  # kombinasi on cotton


@pytest.mark.parametrize(
    "desc",
    ["Sisi dalam putih, motif rapi.", "Kain tipis, stok ratusan lembar."],
)
def test_pale_inside_or_hundreds_in_stock_contradict_tulis_at_printing_price(matcher, desc):
    a = matcher.assess(listing("Kain Batik Tulis Solo 2m", 60_000, desc=desc))
    assert (a.below_local_cost, a.mislabelled_technique) == (True, True)


def test_hand_carving_claim_on_laser_cut_mdf_is_mislabelled(matcher):
    a = matcher.assess(
        listing("Kaligrafi Ukir Tangan Kayu Jati", 85_000, desc="Dibuat mesin laser cut dari MDF.")
    )
    assert (a.category, a.mislabelled_technique) == ("kerajinan_kayu", True)


@pytest.mark.parametrize(
    ("title", "imported"),
    [
        ("Kain Songket Malaysia Import Benang Emas", True),
        ("Kain Tenun Ikat Impor dari Thailand Motif Mudmee", True),
        ("Kain Katun Bahan Import Korea Per Meter Twill", False),  # fabric marketing comes first
    ],
)
def test_import_from_a_named_country_in_either_order(matcher, title, imported):
    assert matcher.assess(listing(title, 250_000, loc="Kota Surabaya")).likely_imported is imported


def test_a_yarn_named_milk_cotton_is_not_cotton_fabric_marketing(matcher):
    a = matcher.assess(listing("Benang Rajut Milk Cotton Import 50gr", 6_000, loc="KOTA JAKARTA BARAT"))
    assert (a.category, a.likely_imported) == ("benang", True)


@pytest.mark.parametrize(
    "desc",
    [
        "Warna hanya satu sisi, motif rapi.",
        "Proses sublimasi, warna cerah.",
        "Kain halus tidak berbau malam.",
        "Motif presisi dengan pengulangan motif sempurna.",
    ],
)
def test_more_printing_traits_contradict_tulis_below_the_floor(matcher, desc):
    a = matcher.assess(listing("Kain Batik Tulis Motif Parang 2m", 80_000, desc=desc))
    assert (a.below_local_cost, a.mislabelled_technique) == (True, True)


def test_kesan_or_nuansa_tulis_is_a_hedge_not_a_claim(matcher):
    a = matcher.assess(listing("Kain Batik Kesan Tulis Motif Parang 2m", 60_000))
    assert (a.category, a.mislabelled_technique) == ("batik_printing", False)


@pytest.mark.parametrize(
    "desc",
    [
        "100% new. Please allow 1-3cm error due to manual measurement.",
        "Ships from China, 7-14 days.",
    ],
)
def test_supplier_templates_in_english(matcher, desc):
    a = matcher.assess(listing("Tas Rotan Wanita Bulat", 95_000, desc=desc))
    assert a.likely_imported is True
