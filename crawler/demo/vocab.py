"""Words the demo catalogue is made of: craft categories, motifs, places, shop names, import tells.

Prices are rupiah ranges per listed unit, drawn from the price references in the domain brief
(../shared/docs/domain.md section 2 and 5): genuine listings sit inside the local range, suspicious
ones below the floor.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CategorySpec:
    name: str
    weight: float
    titles: tuple[str, ...]  # templates; {motif} {region} {size} {colour} {extra}
    price: tuple[int, int]  # genuine local price range
    floor: int | None  # the domain brief's floor; None: no floor for this category
    regions: tuple[str, ...]  # where genuine makers are (city strings as marketplaces show them)
    path: str  # marketplace category path
    motifs: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()


BATIK_MOTIFS = (
    "Parang",
    "Kawung",
    "Mega Mendung",
    "Sekar Jagad",
    "Truntum",
    "Sidomukti",
    "Lasem Latohan",
    "Tiga Negeri",
    "Jlamprang",
    "Buketan",
    "Sogan Klasik",
    "Gringsing",
    "Liong",
    "Kembang Kopi",
)
TENUN_MOTIFS = ("Kuda", "Mamuli", "Ayam", "Rusa", "Kaif", "Bunga Pohon", "Patola", "Buna")
SONGKET_MOTIFS = ("Lepus Bintang", "Tretes Mender", "Bungo Pacik", "Nago Besaung", "Limar")
COLOURS = ("Sogan", "Biru Indigo", "Merah Marun", "Hitam", "Coklat", "Hijau Botol", "Navy")

BATIK_CITIES = (
    "Kota Pekalongan",
    "Kab. Pekalongan",
    "Kota Surakarta",
    "Kab. Sukoharjo",
    "Kab. Rembang",
    "Kab. Cirebon",
    "Kota Yogyakarta",
    "Kab. Bantul",
    "Kab. Klaten",
    "Kab. Tuban",
    "Kab. Pamekasan",
    "Kab. Sragen",
)
TENUN_CITIES = (
    "Kab. Sumba Timur",
    "Kab. Sumba Barat",
    "Kota Kupang",
    "Kab. Sikka",
    "Kab. Jepara",
    "Kab. Lombok Tengah",
    "Kab. Toraja Utara",
)
SONGKET_CITIES = ("Kota Palembang", "Kab. Ogan Ilir", "Kota Padang", "Kab. Tanah Datar")
ROTAN_CITIES = ("Kab. Cirebon", "Kab. Lombok Tengah", "Kab. Gianyar", "Kota Banjarmasin")
BAMBU_CITIES = ("Kab. Tasikmalaya", "Kab. Sleman", "Kab. Bangli", "Kab. Magetan")
KAYU_CITIES = ("Kab. Jepara", "Kab. Gianyar", "Kab. Bantul", "Kab. Blora")
TEXTILE_CITIES = ("Kota Bandung", "Kab. Bandung", "Kab. Pekalongan", "Kab. Klaten", "Kota Surakarta")

# Wholesale hubs where imported stock is resold (labelled README: Jakarta Utara/Barat/Pusat, ...).
HUB_CITIES = ("Jakarta Utara", "Jakarta Barat", "Jakarta Pusat", "Kota Tangerang", "Kota Bekasi")

CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "batik_tulis",
        0.14,
        (
            "Kain Batik Tulis {region} Motif {motif} Pewarna Alam",
            "Batik Tulis Asli {region} {motif} {colour} 2 Meter",
            "Kain Batik Tulis Halus Motif {motif} Canting Tangan",
            "Jarik Batik Tulis {motif} Sogan {region}",
        ),
        (350_000, 2_500_000),
        300_000,
        BATIK_CITIES,
        "Fashion / Batik / Kain Batik",
        BATIK_MOTIFS,
        (
            "Batik tulis tangan dikerjakan pembatik kami di {region}, proses 1-2 bulan. Ukuran 2 x 1,15 m.",
            "Dibuat dengan canting dan malam, warna tembus bolak-balik. Pewarna alam. Stok terbatas.",
            "Kain batik tulis asli {region}, bukan printing. Setiap kain motifnya sedikit berbeda.",
        ),
    ),
    CategorySpec(
        "batik_cap",
        0.10,
        (
            "Kain Batik Cap {region} Motif {motif} Katun Primisima",
            "Batik Cap Motif {motif} {colour} Bahan Katun 2 m",
            "Kain Batik Cap Kombinasi Tulis {motif} {region}",
        ),
        (130_000, 350_000),
        100_000,
        BATIK_CITIES,
        "Fashion / Batik / Kain Batik",
        BATIK_MOTIFS,
        (
            "Batik cap tembaga, dikerjakan di workshop kami {region}. Katun primisima, ukuran 2 x 1,1 m.",
            "Proses cap dengan malam, pewarnaan naptol. Bau malam masih terasa.",
        ),
    ),
    CategorySpec(
        "batik_printing",
        0.08,
        (
            "Kain Batik Printing Motif {motif} {colour} Per Meter",
            "Kain Motif Batik {motif} Printing Katun 2 Meter",
        ),
        (50_000, 95_000),
        45_000,
        TEXTILE_CITIES,
        "Fashion / Batik / Kain Batik",
        BATIK_MOTIFS,
        ("Batik printing, motif rapi, cocok untuk seragam. Bahan katun.",),
    ),
    CategorySpec(
        "pakaian_batik",
        0.16,
        (
            "Kemeja Batik Pria Lengan Pendek Motif {motif} {colour}",
            "Dress Batik Wanita Motif {motif} Katun",
            "Blus Batik {region} Motif {motif} All Size",
            "Kemeja Batik Cap {motif} Lengan Panjang Slimfit",
        ),
        (85_000, 450_000),
        60_000,
        BATIK_CITIES,
        "Fashion Pria / Batik Pria / Kemeja Batik",
        BATIK_MOTIFS,
        (
            "Dijahit rapi oleh penjahit kami di {region}. Bahan katun adem, ukuran M-XXL.",
            "Kemeja batik cap, kancing batok, furing. Produksi UMKM {region}.",
        ),
    ),
    CategorySpec(
        "tenun_ikat",
        0.10,
        (
            "Kain Tenun Ikat {region} Motif {motif} Tenun Tangan",
            "Kain Tenun {region} Asli ATBM Motif {motif}",
            "Selendang Tenun Ikat Motif {motif} Pewarna Alam",
        ),
        (250_000, 3_500_000),
        150_000,
        TENUN_CITIES,
        "Fashion / Kain Tradisional / Kain Tenun",
        TENUN_MOTIFS,
        (
            "Ditenun tangan oleh penenun di {region}, pewarna alam (mengkudu, nila). Proses berbulan-bulan.",
            "Tenun ikat asli, benang diikat dan dicelup manual. Ukuran kurang lebih 180 x 60 cm.",
        ),
    ),
    CategorySpec(
        "songket",
        0.06,
        (
            "Kain Songket Palembang Tenun Tangan Motif {motif}",
            "Songket {region} Benang Emas Motif {motif}",
        ),
        (500_000, 6_000_000),
        300_000,
        SONGKET_CITIES,
        "Fashion / Kain Tradisional / Songket",
        SONGKET_MOTIFS,
        ("Songket tenun tangan pengrajin {region}, benang emas, pengerjaan 1-3 bulan.",),
    ),
    CategorySpec(
        "anyaman_rotan",
        0.12,
        (
            "Tas Rotan Bulat Anyaman Tangan {region} Diameter 20 cm",
            "Tas Rotan Ketak {region} Motif {motif} Handmade",
            "Keranjang Rotan Anyaman Tangan {region} Serbaguna",
        ),
        (120_000, 450_000),
        75_000,
        ROTAN_CITIES,
        "Rumah Tangga / Dekorasi / Kerajinan Rotan",
        ("Kupu", "Bunga", "Polos", "Mata Ikan", "Kepang"),
        ("Dianyam tangan oleh perajin {region}. Rotan asli, finishing natural.",),
    ),
    CategorySpec(
        "anyaman_bambu",
        0.07,
        (
            "Keranjang Bambu Anyaman {region} Ukuran Sedang",
            "Tempat Buah Anyaman Bambu Handmade {region}",
            "Tampah Bambu Anyaman Tangan Diameter 40 cm",
        ),
        (18_000, 150_000),
        12_000,
        BAMBU_CITIES,
        "Rumah Tangga / Dekorasi / Kerajinan Bambu",
        (),
        ("Anyaman bambu perajin {region}, kuat dan rapi.",),
    ),
    CategorySpec(
        "kerajinan_kayu",
        0.07,
        (
            "Patung Kayu Jati Ukir Tangan {region} Tinggi 30 cm",
            "Hiasan Dinding Ukiran Kayu {region} Motif {motif}",
        ),
        (150_000, 4_000_000),
        None,
        KAYU_CITIES,
        "Rumah Tangga / Dekorasi / Kerajinan Kayu",
        ("Bunga", "Wayang", "Garuda", "Daun", "Naga"),
        ("Ukir tangan perajin {region}, kayu jati solid, finishing melamin.",),
    ),
    CategorySpec(
        "other",
        0.10,
        (
            "Casing HP Motif Batik {motif} Soft Case",
            "Kursi Bakso Plastik Motif Rotan Susun",
            "Kaos Rajut Wanita Lengan Panjang {colour}",
            "Masker Kain Motif Batik {motif} Isi 3",
        ),
        (10_000, 60_000),
        None,
        HUB_CITIES + TEXTILE_CITIES,
        "Lainnya",
        BATIK_MOTIFS,
        ("Ready stock, langsung kirim.",),
    ),
)

KEYWORD_TERMS = {
    # Which categories a default patrol keyword is meant to find (for the demo's realism only;
    # the server searches titles, not this table).
    "batik tulis": ("batik_tulis",),
    "kain tenun": ("tenun_ikat",),
    "songket": ("songket",),
    "tas rotan": ("anyaman_rotan",),
}

SHOP_PREFIX = {
    "batik": ("Batik", "Griya Batik", "Rumah Batik", "Sanggar Batik", "Batik Tulis"),
    "tenun": ("Tenun", "Rumah Tenun", "Kain Tenun", "Sentra Tenun"),
    "songket": ("Songket", "Galeri Songket", "Rumah Songket"),
    "rotan": ("Rotan", "Anyaman", "Kerajinan Rotan", "Ketak"),
    "bambu": ("Anyaman Bambu", "Kerajinan Bambu", "Bambu"),
    "kayu": ("Ukir", "Kerajinan Kayu", "Galeri Ukir"),
    "other": ("Toko", "Grosir", "Serba Ada"),
}
SHOP_NAMES = (
    "Sekar",
    "Larasati",
    "Wijaya",
    "Sari",
    "Makmur",
    "Lestari",
    "Putri",
    "Ayu",
    "Mulya",
    "Handayani",
    "Sejahtera",
    "Nusantara",
    "Dewi",
    "Kencana",
    "Arum",
    "Rahayu",
    "Jaya",
    "Asri",
    "Murni",
    "Sentosa",
)
HUB_SHOP_NAMES = (
    "Grosir Kain Murah",
    "Tekstil Import Center",
    "Gudang Fashion",
    "Sumber Rejeki Grosir",
    "Pusat Kain Termurah",
    "Dunia Tas Import",
    "Serba Murah Official",
    "Mega Grosir",
    "Jaya Abadi Import",
    "Lucky Star Shop",
)
CROSS_BORDER_SHOP_NAMES = (
    "Yiwu Home Store",
    "Guangzhou Fashion Mall",
    "Global Textile Trading",
    "Shenzhen Lifestyle",
    "Keqiao Fabric Shop",
    "Hangzhou Silk House",
)

# Imported goods as resellers list them: (category, title, description, price range).
IMPORT_ITEMS = (
    (
        "batik_printing",
        "Kain Batik Motif {motif} Bahan Microfiber Import Murah",
        "Barang import, ready stock gudang Jakarta. Bahan microfiber halus, motif printing.",
        (18_000, 35_000),
    ),
    (
        "batik_tulis",
        "Kain Batik Tulis Motif {motif} Halus Murah Grosir",
        "Stok import datang per container. Motif rapi sama semua, bagian belakang putih.",
        (28_000, 60_000),
    ),
    (
        "pakaian_batik",
        "Kemeja Batik Pria Motif {motif} Import Premium Isi 2 Pcs",
        "Made in China. Karena pengukuran manual, silakan izinkan kesalahan 1-2cm. 100% brand new.",
        (35_000, 55_000),
    ),
    (
        "anyaman_rotan",
        "Tas Rotan Import Bali Style Bulat Ready Stock",
        "Barang import Guangzhou, PO 7-14 hari. Bahan rotan sintetis.",
        (25_000, 55_000),
    ),
    (
        "tenun_ikat",
        "Kain Tenun Ikat NTT Motif {motif} Printing Murah",
        "Bahan printing motif tenun, impor langsung pabrik. Harga grosir.",
        (30_000, 70_000),
    ),
    (
        "songket",
        "Songket Palembang Tenun Tangan Motif {motif} Grosir",
        "Stok import, motif sama persis, bisa ambil banyak. 批发",
        (60_000, 140_000),
    ),
    (
        "anyaman_bambu",
        "Keranjang Anyaman Bambu Serbaguna Penyimpanan Rumah 编织篮",
        "Dikirim dari luar negeri dengan estimasi 7 - 14 hari. Karena pengukuran manual, beda 1-2cm.",
        (6_000, 11_000),
    ),
)

MISLABEL_TITLES = (
    "Kain Batik Tulis {motif} Murah Meriah Grosir",
    "Batik Tulis Asli Motif {motif} Harga Pabrik",
    "Kain Batik Cap Motif {motif} Termurah",
)
PROMO_WORDS = ("", "", "PROMO ", "TERMURAH ", "COD ", "READY ", "GROSIR ")
