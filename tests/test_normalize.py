"""Table tests for crawler/normalize.py: Indonesian marketplace prices, sold counts, ratings.

Three tables: hand-written cases (the shapes sellers and templates write), every price and sold
string found in the real Tokopedia and Blibli captures (collected once, listed here with the
value a person reads), and hostile input that must give a clear error or None, never a number.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from parsel import Selector

from crawler.items import RawListing
from crawler.normalize import (
    NormalizeError,
    clean_text,
    normalize_listing,
    parse_count,
    parse_price,
    parse_rating,
)

NBSP = "\u00a0"

PRICE_CASES = [
    # the issue's own examples
    ("Rp1.250.000", (1_250_000, None)),
    ("Rp 1.250.000,00", (1_250_000, None)),
    ("Rp15rb", (15_000, None)),
    ("15 ribu", (15_000, None)),
    ("1,2jt", (1_200_000, None)),
    ("1.2 juta", (1_200_000, None)),
    ("Rp50.000 - Rp75.000", (50_000, 75_000)),
    ("Rp0", (None, None)),
    ("Hubungi penjual", (None, None)),
    # spacing, nbsp, case, currency marks
    ("Rp 15rb", (15_000, None)),
    ("Rp 15 rb", (15_000, None)),
    ("RP15RB", (15_000, None)),
    ("  Rp   1.250.000  ", (1_250_000, None)),
    (f"Rp{NBSP}1.250.000", (1_250_000, None)),
    (f"Rp{NBSP}50.000{NBSP}-{NBSP}Rp{NBSP}75.000", (50_000, 75_000)),
    ("Rp\t99.900\n", (99_900, None)),
    ("Rp. 15.000", (15_000, None)),
    ("Rp. 15.000,-", (15_000, None)),
    ("Rp 50.000,-", (50_000, None)),
    ("IDR 1.250.000", (1_250_000, None)),
    ("IDR1250000", (1_250_000, None)),
    ("idr 75.000", (75_000, None)),
    ("1.250.000 IDR", (1_250_000, None)),
    ("1250000", (1_250_000, None)),
    ("Rp１５.０００", (15_000, None)),  # full-width digits read as what they show
    ("Rp\u200b25.000", (25_000, None)),  # zero-width space
    # English-style grouping and decimals (Shopee/Lazada templates)
    ("Rp1,250,000", (1_250_000, None)),
    ("Rp 1,250,000.00", (1_250_000, None)),
    ("Rp 1.250.000,50", (1_250_001, None)),  # half a rupiah rounds up
    ("15,000", (15_000, None)),
    # abbreviations
    ("Rp1.5jt", (1_500_000, None)),
    ("Rp 2,5 juta", (2_500_000, None)),
    ("Rp7,99jt", (7_990_000, None)),
    ("Rp 0,5 jt", (500_000, None)),
    ("15K", (15_000, None)),
    ("Rp 1,5 M", (1_500_000_000, None)),  # miliar after rupiah
    ("Rp 2 miliar", (2_000_000_000, None)),
    ("Rp 3 milyar", (3_000_000_000, None)),
    ("Rp 125 ribu", (125_000, None)),
    # ranges
    ("Rp 15.500 - Rp 16.500", (15_500, 16_500)),
    ("Rp50.000 – Rp75.000", (50_000, 75_000)),
    ("Rp50.000—Rp75.000", (50_000, 75_000)),
    ("Rp50rb - 75rb", (50_000, 75_000)),
    ("Rp1,2jt - Rp1,5jt", (1_200_000, 1_500_000)),
    ("Rp50.000 s/d Rp75.000", (50_000, 75_000)),
    ("Rp 50.000 sampai 75.000", (50_000, 75_000)),
    ("Rp 50.000 hingga Rp 75.000", (50_000, 75_000)),
    ("Rp50.000 ~ Rp75.000", (50_000, 75_000)),
    ("Rp75.000 - Rp50.000", (50_000, 75_000)),  # reversed: low first
    ("Rp50.000 - Rp50.000", (50_000, None)),  # not a range
    ("Rp0 - Rp75.000", (None, None)),
    # prefixes and units that web shops write
    ("mulai dari Rp50.000", (50_000, None)),
    ("Mulai Rp 35.000", (35_000, None)),
    ("Harga Rp 120.000", (120_000, None)),
    ("Rp50.000/pcs", (50_000, None)),
    ("Rp 85.000 / meter", (85_000, None)),
    # no price
    ("Rp 0", (None, None)),
    ("Rp0,00", (None, None)),
    ("Rp", (None, None)),
    ("Rp -", (None, None)),
    ("-", (None, None)),
    ("", (None, None)),
    ("   ", (None, None)),
    ("Harga nego", (None, None)),
    ("Tanya stok", (None, None)),
    ("Stok habis", (None, None)),
    ("Chat penjual", (None, None)),
    ("Hubungi penjual untuk harga", (None, None)),
    (None, (None, None)),
    # numbers straight from JSON
    (66900, (66_900, None)),
    (0, (None, None)),
    (-5, (None, None)),
    (6839000.0, (6_839_000, None)),
    (Decimal("15500"), (15_500, None)),
    ("Rp1", (1, None)),
    ("Rp 1.000.000.000.000", (1_000_000_000_000, None)),
]

# Shopee states money in 1/100000 rupiah.
DIVISOR_CASES = [
    (8_500_000_000, 100_000, (85_000, None)),
    ("8500000000", 100_000, (85_000, None)),
    (12_345_678_900, 100_000, (123_457, None)),
    (0, 100_000, (None, None)),
]

# Hostile or garbage text: a clear error, never a number read out of it.
PRICE_ERRORS = [
    "abc",
    "<script>alert(1)</script>",
    "Rp 1.250.000 <b>",
    "Rp 1.250.000 (nego)",
    '=HYPERLINK("http://x", 5000)',
    "Rp-5.000",
    "-Rp5.000",
    "Rp 1.2.3",
    "Rp 12.34.567",
    "Rp 1,25,000",
    "Rp 1.250.000,000",
    "Rp1234.567",
    "1.500rb",  # 1.500 ribu or 1,5 ribu? refused
    "1,500 jt",
    "1M",  # miliar or million? no currency to tell
    "Rp 1e9",
    "Rp " + "9" * 30,
    "Rp 999.999.999.999.999",
    "Rp50.000 -- Rp75.000",
    "Rp 15.000.",
    "1/2 harga",
    "x" * 500,
    "Rp 50.000 Rp 60.000 Rp 70.000",
    True,
    float("nan"),
    float("inf"),
    [15000],
]

COUNT_CASES = [
    ("10rb+ terjual", 10_000),
    ("1,2rb terjual", 1_200),
    ("Terjual 250+", 250),
    ("5jt+", 5_000_000),
    ("100+ sold", 100),
    ("10K+ sold", 10_000),
    ("1.2k sold", 1_200),
    ("1.2m sold", 1_200_000),
    ("Sold 1.2k", 1_200),
    ("Terjual 4,3 rb", 4_300),
    ("Terjual 1.234", 1_234),
    ("Terjual: 57", 57),
    ("lebih dari 1rb terjual", 1_000),
    ("2,5rb barang terjual", 2_500),
    (f"10rb+{NBSP}terjual", 10_000),
    ("80+", 80),
    ("81", 81),
    ("1.234", 1_234),
    ("1,234", 1_234),
    ("0", 0),
    (423, 423),
    (0, 0),
    (-1, None),
    (3.0, 3),
    (None, None),
    ("", None),
    ("Baru", None),
    ("terjual", None),
    ("-", None),
]

COUNT_ERRORS = ["1.2.3rb", "<b>99</b>", "1.500rb terjual", "Cashback 77rb", "9" * 40, True]

RATING_CASES = [
    ("4,9", 4.9),
    ("4.9", 4.9),
    (4.9, 4.9),
    (5, 5.0),
    ("5.0", 5.0),
    ("4.85", 4.85),
    ("4.9/5", 4.9),
    ("4,8 dari 5", 4.8),
    (" 4.7 ", 4.7),
    (0, None),
    ("0.0", None),
    ("", None),
    (None, None),
    (98, None),  # TopAds' 0-100 score is not a 0-5 rating
    ("5.5", None),
    ("bagus", None),
    ("4.9 <img>", None),
    (float("nan"), None),
    (True, None),
]

# Every price string in the Tokopedia and Blibli captures (collected once, sorted).
CAPTURED_PRICES = [
    ("Rp 0", (None, None)),
    ("Rp 1.200.000", (1200000, None)),
    ("Rp 1.285.000", (1285000, None)),
    ("Rp 1.471.000", (1471000, None)),
    ("Rp 1.499.000", (1499000, None)),
    ("Rp 1.499.900", (1499900, None)),
    ("Rp 1.510.000", (1510000, None)),
    ("Rp 1.600.000", (1600000, None)),
    ("Rp 102.000", (102000, None)),
    ("Rp 110.000", (110000, None)),
    ("Rp 115.000", (115000, None)),
    ("Rp 125.000", (125000, None)),
    ("Rp 13.000.000", (13000000, None)),
    ("Rp 130.000", (130000, None)),
    ("Rp 135.000", (135000, None)),
    ("Rp 140.000", (140000, None)),
    ("Rp 149.000", (149000, None)),
    ("Rp 15.500", (15500, None)),
    ("Rp 15.500 - Rp 16.500", (15500, 16500)),
    ("Rp 150.000", (150000, None)),
    ("Rp 16.000", (16000, None)),
    ("Rp 165.000", (165000, None)),
    ("Rp 17.000", (17000, None)),
    ("Rp 18.200.000", (18200000, None)),
    ("Rp 18.930.000", (18930000, None)),
    ("Rp 185.000", (185000, None)),
    ("Rp 19.900", (19900, None)),
    ("Rp 199.000", (199000, None)),
    ("Rp 2.008.000", (2008000, None)),
    ("Rp 2.133.000", (2133000, None)),
    ("Rp 2.136.000", (2136000, None)),
    ("Rp 2.692.000", (2692000, None)),
    ("Rp 2.849.000", (2849000, None)),
    ("Rp 215.000", (215000, None)),
    ("Rp 219.000", (219000, None)),
    ("Rp 224.000", (224000, None)),
    ("Rp 225.000", (225000, None)),
    ("Rp 226.000", (226000, None)),
    ("Rp 249.000", (249000, None)),
    ("Rp 25.000", (25000, None)),
    ("Rp 250.000", (250000, None)),
    ("Rp 255.000", (255000, None)),
    ("Rp 3.499.000", (3499000, None)),
    ("Rp 3.780.000", (3780000, None)),
    ("Rp 3.999.000", (3999000, None)),
    ("Rp 39.900", (39900, None)),
    ("Rp 4.599.000", (4599000, None)),
    ("Rp 49.900", (49900, None)),
    ("Rp 5.380.000", (5380000, None)),
    ("Rp 5.980.000", (5980000, None)),
    ("Rp 5.990.000", (5990000, None)),
    ("Rp 50.000", (50000, None)),
    ("Rp 53.500", (53500, None)),
    ("Rp 599.000", (599000, None)),
    ("Rp 72.500", (72500, None)),
    ("Rp 86.000", (86000, None)),
    ("Rp 87.600", (87600, None)),
    ("Rp 89.900", (89900, None)),
    ("Rp 90.000", (90000, None)),
    ("Rp 95.000", (95000, None)),
    ("Rp 99.000", (99000, None)),
    ("Rp 99.600", (99600, None)),
    ("Rp 99.900", (99900, None)),
    ("Rp1", (1, None)),
    ("Rp1.189.000", (1189000, None)),
    ("Rp1.249.000", (1249000, None)),
    ("Rp1.288.000", (1288000, None)),
    ("Rp1.309.900", (1309900, None)),
    ("Rp1.339.000", (1339000, None)),
    ("Rp1.349.000", (1349000, None)),
    ("Rp1.415.000", (1415000, None)),
    ("Rp1.475.000", (1475000, None)),
    ("Rp1.499.000", (1499000, None)),
    ("Rp1.692.000", (1692000, None)),
    ("Rp1.694.000", (1694000, None)),
    ("Rp1.710.000", (1710000, None)),
    ("Rp1.735.000", (1735000, None)),
    ("Rp1.736.000", (1736000, None)),
    ("Rp1.739.000", (1739000, None)),
    ("Rp1.800.000", (1800000, None)),
    ("Rp1.895.000", (1895000, None)),
    ("Rp1.980.000", (1980000, None)),
    ("Rp10.899.000", (10899000, None)),
    ("Rp100.000", (100000, None)),
    ("Rp11.499.000", (11499000, None)),
    ("Rp11.999.000", (11999000, None)),
    ("Rp12.669.000", (12669000, None)),
    ("Rp12.999.000", (12999000, None)),
    ("Rp125.000", (125000, None)),
    ("Rp13.659.000", (13659000, None)),
    ("Rp13.999.000", (13999000, None)),
    ("Rp130.000", (130000, None)),
    ("Rp135.000", (135000, None)),
    ("Rp149.000", (149000, None)),
    ("Rp15.499.000", (15499000, None)),
    ("Rp15.999.000", (15999000, None)),
    ("Rp150.000", (150000, None)),
    ("Rp16.499.000", (16499000, None)),
    ("Rp17.499.000", (17499000, None)),
    ("Rp18.499.000", (18499000, None)),
    ("Rp19.499.000", (19499000, None)),
    ("Rp19.799.000", (19799000, None)),
    ("Rp2.132.000", (2132000, None)),
    ("Rp2.142.000", (2142000, None)),
    ("Rp2.158.000", (2158000, None)),
    ("Rp2.162.000", (2162000, None)),
    ("Rp2.165.000", (2165000, None)),
    ("Rp2.168.000", (2168000, None)),
    ("Rp2.334.000", (2334000, None)),
    ("Rp2.336.000", (2336000, None)),
    ("Rp2.391.000", (2391000, None)),
    ("Rp2.398.000", (2398000, None)),
    ("Rp2.491.000", (2491000, None)),
    ("Rp2.655.000", (2655000, None)),
    ("Rp2.669.000", (2669000, None)),
    ("Rp2.699.000", (2699000, None)),
    ("Rp2.778.000", (2778000, None)),
    ("Rp2.784.000", (2784000, None)),
    ("Rp2.820.000", (2820000, None)),
    ("Rp2.825.000", (2825000, None)),
    ("Rp2.839.000", (2839000, None)),
    ("Rp2.925.000", (2925000, None)),
    ("Rp2.999.000", (2999000, None)),
    ("Rp20.000", (20000, None)),
    ("Rp20.999.000", (20999000, None)),
    ("Rp200.000", (200000, None)),
    ("Rp21.999.000", (21999000, None)),
    ("Rp225.000", (225000, None)),
    ("Rp226.000", (226000, None)),
    ("Rp229.000", (229000, None)),
    ("Rp23.499.000", (23499000, None)),
    ("Rp23.799.000", (23799000, None)),
    ("Rp24.999.000", (24999000, None)),
    ("Rp25.000", (25000, None)),
    ("Rp25.499.000", (25499000, None)),
    ("Rp25.999.000", (25999000, None)),
    ("Rp26.999.000", (26999000, None)),
    ("Rp27.299.000", (27299000, None)),
    ("Rp289.000", (289000, None)),
    ("Rp29.299.000", (29299000, None)),
    ("Rp29.499.000", (29499000, None)),
    ("Rp297.500", (297500, None)),
    ("Rp3.244.900", (3244900, None)),
    ("Rp3.249.000", (3249000, None)),
    ("Rp3.299.000", (3299000, None)),
    ("Rp3.299.900", (3299900, None)),
    ("Rp3.399.000", (3399000, None)),
    ("Rp3.438.000", (3438000, None)),
    ("Rp3.499.000", (3499000, None)),
    ("Rp3.625.000", (3625000, None)),
    ("Rp3.630.000", (3630000, None)),
    ("Rp3.635.000", (3635000, None)),
    ("Rp3.650.000", (3650000, None)),
    ("Rp3.736.000", (3736000, None)),
    ("Rp3.850.000", (3850000, None)),
    ("Rp300.000", (300000, None)),
    ("Rp32.999.000", (32999000, None)),
    ("Rp350.000", (350000, None)),
    ("Rp375.000", (375000, None)),
    ("Rp4.155.000", (4155000, None)),
    ("Rp4.185.000", (4185000, None)),
    ("Rp4.299.000", (4299000, None)),
    ("Rp4.500.000", (4500000, None)),
    ("Rp4.550.000", (4550000, None)),
    ("Rp4.575.000", (4575000, None)),
    ("Rp4.670.000", (4670000, None)),
    ("Rp4.810.000", (4810000, None)),
    ("Rp4.950.000", (4950000, None)),
    ("Rp475.000", (475000, None)),
    ("Rp489.000", (489000, None)),
    ("Rp498.000", (498000, None)),
    ("Rp5.000", (5000, None)),
    ("Rp5.150.000", (5150000, None)),
    ("Rp5.239.000", (5239000, None)),
    ("Rp5.242.000", (5242000, None)),
    ("Rp5.480.000", (5480000, None)),
    ("Rp5.569.000", (5569000, None)),
    ("Rp5.755.000", (5755000, None)),
    ("Rp50.000", (50000, None)),
    ("Rp527.000", (527000, None)),
    ("Rp559.000", (559000, None)),
    ("Rp6.399.000", (6399000, None)),
    ("Rp6.599.000", (6599000, None)),
    ("Rp6.765.000", (6765000, None)),
    ("Rp6.769.000", (6769000, None)),
    ("Rp6.774.000", (6774000, None)),
    ("Rp6.779.000", (6779000, None)),
    ("Rp6.839.000", (6839000, None)),
    ("Rp6.849.000", (6849000, None)),
    ("Rp6.860.000", (6860000, None)),
    ("Rp6.870.000", (6870000, None)),
    ("Rp6.887.000", (6887000, None)),
    ("Rp6.945.000", (6945000, None)),
    ("Rp6.949.000", (6949000, None)),
    ("Rp6.999.000", (6999000, None)),
    ("Rp60.000", (60000, None)),
    ("Rp600.000", (600000, None)),
    ("Rp699.000", (699000, None)),
    ("Rp7,49jt", (7490000, None)),
    ("Rp7,59jt", (7590000, None)),
    ("Rp7,99jt", (7990000, None)),
    ("Rp7.350.000", (7350000, None)),
    ("Rp7.499.000", (7499000, None)),
    ("Rp7.599.000", (7599000, None)),
    ("Rp7.700.000", (7700000, None)),
    ("Rp745.000", (745000, None)),
    ("Rp75.000", (75000, None)),
    ("Rp8.349.900", (8349900, None)),
    ("Rp8.375.000", (8375000, None)),
    ("Rp8.499.000", (8499000, None)),
    ("Rp8.700.000", (8700000, None)),
    ("Rp8.999.000", (8999000, None)),
    ("Rp853.000", (853000, None)),
    ("Rp855.000", (855000, None)),
    ("Rp9,51jt", (9510000, None)),
    ("Rp9,99jt", (9990000, None)),
    ("Rp900.000", (900000, None)),
    ("Rp925.000", (925000, None)),
    ("Rp990.000", (990000, None)),
]
CAPTURED_SOLD = [
    ("1 terjual", 1),
    ("100+ terjual", 100),
    ("10rb+ terjual", 10000),
    ("15 terjual", 15),
    ("19 terjual", 19),
    ("1rb+ terjual", 1000),
    ("25 terjual", 25),
    ("250+ terjual", 250),
    ("2rb+ terjual", 2000),
    ("30+ terjual", 30),
    ("4rb+ terjual", 4000),
    ("5 terjual", 5),
    ("50+ terjual", 50),
    ("500+ terjual", 500),
    ("70+ terjual", 70),
    ("750+ terjual", 750),
    ("8 terjual", 8),
    ("Terjual 1,0 rb", 1000),
    ("Terjual 1,1 rb", 1100),
    ("Terjual 1,2 rb", 1200),
    ("Terjual 1,5 rb", 1500),
    ("Terjual 1,6 rb", 1600),
    ("Terjual 111", 111),
    ("Terjual 116", 116),
    ("Terjual 12 rb", 12000),
    ("Terjual 125", 125),
    ("Terjual 127", 127),
    ("Terjual 128", 128),
    ("Terjual 130", 130),
    ("Terjual 144", 144),
    ("Terjual 145", 145),
    ("Terjual 151", 151),
    ("Terjual 152", 152),
    ("Terjual 165", 165),
    ("Terjual 169", 169),
    ("Terjual 170", 170),
    ("Terjual 18 rb", 18000),
    ("Terjual 2,4 rb", 2400),
    ("Terjual 2,8 rb", 2800),
    ("Terjual 2,9 rb", 2900),
    ("Terjual 209", 209),
    ("Terjual 210", 210),
    ("Terjual 225", 225),
    ("Terjual 226", 226),
    ("Terjual 228", 228),
    ("Terjual 234", 234),
    ("Terjual 244", 244),
    ("Terjual 295", 295),
    ("Terjual 305", 305),
    ("Terjual 306", 306),
    ("Terjual 307", 307),
    ("Terjual 324", 324),
    ("Terjual 331", 331),
    ("Terjual 336", 336),
    ("Terjual 346", 346),
    ("Terjual 347", 347),
    ("Terjual 363", 363),
    ("Terjual 378", 378),
    ("Terjual 393", 393),
    ("Terjual 4,3 rb", 4300),
    ("Terjual 412", 412),
    ("Terjual 420", 420),
    ("Terjual 423", 423),
    ("Terjual 470", 470),
    ("Terjual 502", 502),
    ("Terjual 519", 519),
    ("Terjual 560", 560),
    ("Terjual 564", 564),
    ("Terjual 61", 61),
    ("Terjual 740", 740),
    ("Terjual 789", 789),
    ("Terjual 79", 79),
    ("Terjual 790", 790),
    ("Terjual 889", 889),
    ("Terjual 954", 954),
    ("Terjual 981", 981),
]


@pytest.mark.parametrize(("text", "expected"), PRICE_CASES, ids=repr)
def test_parse_price(text, expected):
    assert parse_price(text) == expected


@pytest.mark.parametrize(("text", "divisor", "expected"), DIVISOR_CASES, ids=repr)
def test_parse_price_divisor(text, divisor, expected):
    assert parse_price(text, divisor) == expected


@pytest.mark.parametrize("text", PRICE_ERRORS, ids=lambda t: repr(t)[:40])
def test_parse_price_refuses_garbage(text):
    with pytest.raises(NormalizeError):
        parse_price(text)


@pytest.mark.parametrize(("text", "expected"), CAPTURED_PRICES, ids=repr)
def test_parse_price_captured(text, expected):
    assert parse_price(text) == expected


@pytest.mark.parametrize(("text", "expected"), COUNT_CASES, ids=repr)
def test_parse_count(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(("text", "expected"), CAPTURED_SOLD, ids=repr)
def test_parse_count_captured(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", COUNT_ERRORS, ids=lambda t: repr(t)[:40])
def test_parse_count_refuses_garbage(text):
    with pytest.raises(NormalizeError):
        parse_count(text)


@pytest.mark.parametrize(("text", "expected"), RATING_CASES, ids=repr)
def test_parse_rating(text, expected):
    assert parse_rating(text) == expected


def test_tables_are_big_enough():
    # The issue asks for at least 60 (the brief for 80) real-looking cases besides the captures.
    assert len(PRICE_CASES) + len(PRICE_ERRORS) + len(COUNT_CASES) + len(RATING_CASES) >= 80


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Batik  Tulis\n\tMadura ", "Batik Tulis Madura"),
        ("Kain\x00 Tenun\x07", "Kain Tenun"),
        ("Songket\u202e Palembang", "Songket Palembang"),  # a bidi override cannot flip the title
        ("Tas\u200b Rotan", "Tas Rotan"),
        (
            "<b>Batik</b> & Co",
            "<b>Batik</b> & Co",
        ),  # markup stays text: escaping is the renderer's job
        ("   ", None),
        (None, None),
    ],
)
def test_clean_text(text, expected):
    assert clean_text(text) == expected


def test_clean_text_multiline_keeps_paragraphs():
    text = "Batik tulis  asli\r\n\r\n\r\n\r\nPO 14 hari\t\n  Ukuran 2 m "
    assert clean_text(text, multiline=True) == "Batik tulis asli\n\nPO 14 hari\nUkuran 2 m"


def test_clean_text_limit():
    assert clean_text("x" * 50, limit=10) == "x" * 10


def _raw(**kwargs) -> RawListing:
    base = dict(marketplace="tokopedia", listing_id="1", url="https://www.tokopedia.com/a/b", title="t")
    base.update(kwargs)
    return RawListing(**base)


def test_normalize_listing_range_discount_and_counts():
    raw = _raw(
        title="  Kain  Songket ",
        price="Rp50.000 - Rp75.000",
        original_price="Rp90.000",
        sold="Terjual 4,3 rb",
        rating="4,9",
        review_count="1.069",
    )
    listing = normalize_listing(raw, captured_at="2025-01-01T00:00:00Z")
    assert (listing.title, listing.price_idr, listing.price_max_idr) == (
        "Kain Songket",
        50_000,
        75_000,
    )
    assert listing.original_price_idr == 90_000
    assert (listing.sold_count, listing.sold_text) == (4_300, "Terjual 4,3 rb")
    assert (listing.rating, listing.review_count) == (4.9, 1_069)
    assert listing.price_text == "Rp50.000 - Rp75.000"
    assert listing.captured_at == "2025-01-01T00:00:00Z"


def test_normalize_listing_separate_price_max_and_no_discount():
    raw = _raw(price="Rp50.000", price_max="Rp75.000", original_price="Rp50.000")
    listing = normalize_listing(raw)
    assert (listing.price_idr, listing.price_max_idr, listing.original_price_idr) == (
        50_000,
        75_000,
        None,
    )


def test_normalize_listing_no_price_is_none_never_zero():
    listing = normalize_listing(_raw(price="Rp0", sold=None))
    assert listing.price_idr is None and listing.sold_count is None


def test_normalize_listing_foreign_currency_keeps_amount_not_rupiah():
    listing = normalize_listing(_raw(marketplace="lazada", price="₱1,234.50", currency="PHP"))
    assert (listing.currency, listing.price_idr, listing.price_original) == ("PHP", None, 1234.5)


def test_normalize_listing_shopee_divisor():
    listing = normalize_listing(_raw(marketplace="shopee", price="8500000000", price_divisor=100_000))
    assert listing.price_idr == 85_000


def test_normalize_listing_unreadable_price_keeps_the_listing_and_says_why():
    listing = normalize_listing(
        _raw(listing_id="42", price="<script>alert(1)</script>", original_price="Rp5.000")
    )
    assert (listing.listing_id, listing.price_idr, listing.original_price_idr) == ("42", None, None)
    assert listing.price_text == "<script>alert(1)</script>"
    assert listing.note.startswith("harga tidak terbaca")


def test_normalize_listing_readable_price_has_no_note():
    assert normalize_listing(_raw(price="Rp15rb")).note is None


def test_normalize_listing_unreadable_count_keeps_raw_text():
    listing = normalize_listing(_raw(price="Rp10.000", sold="1.500rb terjual"))
    assert (listing.sold_count, listing.sold_text, listing.price_idr) == (
        None,
        "1.500rb terjual",
        10_000,
    )


# -- every price and sold string in the real captures --------------------------------------

_CAPTURES = [
    "tokopedia/search_handphone_page.html",
    "tokopedia/search_iphone11_displayAdsV3.json",
    "tokopedia/pdp_get_layout_hoodie.json",
    "blibli/search_products_1.json",
    "blibli/search_products_devilpenakut.json",
    "blibli/search_kaos_mock_2020.json",
]
_PRICE_LIKE = re.compile(r"^\s*(?:Rp|IDR)\s*[0-9]", re.IGNORECASE)
_SOLD_LIKE = re.compile(r"terjual|\bsold\b", re.IGNORECASE)


def _strings(value, out: list[str]) -> list[str]:
    if isinstance(value, dict):
        for v in value.values():
            _strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out)
    elif isinstance(value, str):
        out.append(value.strip())
    return out


def _capture_strings(path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return _strings(json.loads(text), [])
    sel = Selector(text)
    found = [t.strip() for t in sel.xpath("//text()[not(ancestor::script or ancestor::style)]").getall()]
    start = text.index("window.__cache=") + len("window.__cache=")
    cache = text[start : text.index("</script>", start)].strip().rstrip(";")
    found += _strings(json.loads(cache), [])
    for attr in sel.xpath("//@data-impression").getall():
        found += _strings(json.loads(attr), [])
    return found


@pytest.mark.parametrize("relative", _CAPTURES)
def test_every_captured_price_parses(fixture_path, relative):
    strings = _capture_strings(fixture_path(relative))
    prices = {s for s in strings if _PRICE_LIKE.match(s)}
    assert prices, f"no price strings found in {relative}"
    for text in prices:
        low, high = parse_price(text)
        if text == "Rp 0":
            # PDP variant children carry priceFmt "Rp 0" as a placeholder: no price, not zero.
            assert (low, high) == (None, None)
            continue
        assert isinstance(low, int) and low > 0, text
        assert high is None or high > low, text


@pytest.mark.parametrize("relative", _CAPTURES[:2])
def test_every_captured_sold_string_parses(fixture_path, relative):
    sold = {s for s in _capture_strings(fixture_path(relative)) if _SOLD_LIKE.search(s)}
    assert sold
    for text in sold:
        count = parse_count(text)
        assert isinstance(count, int) and count > 0, text
