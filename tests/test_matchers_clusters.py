"""DUP_CLUSTER (blocked near-duplicate clusters) and WATCHLIST (reported products)."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from crawler.items import Listing
from matchers import DEFAULT_DATA_DIR, load_matcher
from matchers.clusters import ClusterItem, ClusterStats, find_clusters


@pytest.fixture(scope="module")
def matcher():
    return load_matcher()


def shop_listing(i: int, title: str, price: int, loc: str, desc: str | None = None) -> Listing:
    return Listing(
        marketplace="shopee" if i % 2 else "tokopedia",
        listing_id=f"D{i}",
        url=f"https://example.test/{i}",
        title=title,
        price_idr=price,
        description=desc,
        seller_id=f"S{i}",
        seller_location=loc,
    )


DROPSHIP_TITLES = [
    "Kain Batik Motif Parang Bahan Adem 2 Meter Murah Grosir Ready",
    "kain batik motif parang bahan adem 2 meter murah grosir ready stok",
    "Kain Batik Motif Parang Adem 2M Murah Grosir COD",
    "KAIN BATIK MOTIF PARANG ADEM 2 METER GROSIR",
    "Kain Batik Motif Parang Bahan Adem 2m Ready",
]
HUBS = ["Kota Jakarta Utara", "KOTA JAKARTA PUSAT", "Kota Bekasi", "Kota Tangerang", "KOTA JAKARTA BARAT"]


def test_dropship_cluster_in_hubs_at_low_prices_is_flagged_and_counts_as_import(matcher):
    # 31-35k: below the 45k printing floor but not below half of it, so alone each has only
    # hub (+2) and price (+1) signals, short of the threshold of 4
    listings = [shop_listing(i, t, 31_000 + 1_000 * i, HUBS[i]) for i, t in enumerate(DROPSHIP_TITLES)]
    listings.append(shop_listing(9, "Kain Batik Tulis Lasem Motif Latohan 2,5m", 2_200_000, "Kab. Rembang"))
    alone = [matcher.assess(item) for item in listings]
    together = matcher.assess_all(listings)
    assert [a.likely_imported for a in alone] == [False] * 6
    assert [a.likely_imported for a in together] == [True] * 5 + [False]
    flags = [f for a in together for f in a.flags if f.rule == "DUP_CLUSTER"]
    assert len(flags) == 5 and len({f.evidence["cluster_id"] for f in flags}) == 1
    assert flags[0].evidence["sellers"] == 5 and flags[0].evidence["dropship"] is True
    assert "4 iklan lain dari 5 penjual berbeda" in flags[0].reason_id


def test_honest_reseller_network_at_normal_price_is_not_flagged(matcher):
    titles = [
        "Kain Batik Printing Sekar Jagad Sekar Arum Katun Prima 2m",
        "Kain Batik Printing Sekar Jagad Sekar Arum Katun Prima 2 Meter",
        "Kain Batik Printing Motif Sekar Jagad Sekar Arum 2m Katun Prima",
        "Kain Batik Printing Sekar Jagad Sekar Arum 2m Katun Prima Original",
    ]
    listings = [shop_listing(i, t, 65_000, "Kota Pekalongan") for i, t in enumerate(titles)]
    assert all(not a.flags for a in matcher.assess_all(listings))


def test_two_sellers_are_not_a_cluster(matcher):
    listings = [shop_listing(i, t, 27_000, HUBS[i]) for i, t in enumerate(DROPSHIP_TITLES[:2])]
    assert not any(f.rule == "DUP_CLUSTER" for a in matcher.assess_all(listings) for f in a.flags)


def test_one_seller_repeating_a_title_is_not_a_cluster(matcher):
    listings = [
        replace(shop_listing(i, DROPSHIP_TITLES[i % 5], 27_000, HUBS[0]), seller_id="S1") for i in range(6)
    ]
    assert not any(f.rule == "DUP_CLUSTER" for a in matcher.assess_all(listings) for f in a.flags)


def test_blocking_compares_far_fewer_pairs_than_all_pairs():
    # 3,000 distinct titles from a small vocabulary plus 10 planted near-duplicates.
    words = [f"kata{i}" for i in range(400)]
    items = []
    for i in range(3000):
        title = " ".join(words[(i * k * 7 + k * 13) % 400] for k in range(1, 7))
        items.append(ClusterItem(("m", f"x{i}"), title, f"s{i}", "batik_printing", 30_000, True, True, False))
    planted = "kain batik motif parang microfiber 2 m"
    for j in range(10):
        suffix = ("ready", "jkt", "bahan", "ready jkt", "2 m")[j % 5]
        items.append(
            ClusterItem(
                ("m", f"p{j}"), f"{planted} {suffix}", f"ps{j}", "batik_printing", 30_000, True, True, False
            )
        )
    stats = ClusterStats()
    clusters = find_clusters(items, min_similarity=82, min_sellers=4, max_block=2000, stats=stats)
    all_pairs = len(items) * (len(items) - 1) // 2
    assert stats.comparisons < all_pairs // 100
    planted_cluster = [c for c in clusters if any(m.key[1].startswith("p") for m in c.members)]
    assert len(planted_cluster) == 1 and len(planted_cluster[0].members) == 10


def test_oversized_block_is_skipped_and_counted():
    items = [
        ClusterItem(("m", f"x{i}"), "kain batik", f"s{i % 7}", "batik_printing", 1, True, False, False)
        for i in range(10)
    ]
    items += [
        ClusterItem(("m", f"y{i}"), f"kain batik {i}", f"s{i}", "batik_printing", 1, True, False, False)
        for i in range(30)
    ]
    stats = ClusterStats()
    find_clusters(items, min_similarity=82, min_sellers=4, max_block=5, stats=stats)
    assert stats.skipped_blocks > 0


# -- WATCHLIST ----------------------------------------------------------------------------------


@pytest.fixture
def watch_matcher(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data, ignore=shutil.ignore_patterns("*.db*", "captures"))
    with (data / "watchlist.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "W0100,tokopedia,998877,,Tas Rotan Bulat Wanita Import Korean Style Selempang,,anyaman_rotan,"
            "2025-03-01,PKTN Kemendag,laporan-asosiasi-2025-03.pdf,\n"
            "W0101,,,https://shopee.co.id/product/1/2,,,,2025-03-02,PKTN Kemendag,laporan-asosiasi-2025-03.pdf,\n"
        )
    return load_matcher(data)


def test_watchlist_fuzzy_title(watch_matcher):
    item = Listing(
        "lazada",
        "55",
        "https://lazada.test/55",
        "Tas Rotan Bulat Wanita Korean Style Selempang Import",
        42_000,
    )
    a = watch_matcher.assess(item)
    (flag,) = [f for f in a.flags if f.rule == "WATCHLIST"]
    assert flag.evidence["watchlist_id"] == "W0100" and flag.evidence["matched_by"] == "title"
    assert "2025-03-01" in flag.reason_id and "PKTN Kemendag" in flag.reason_id
    assert a.likely_imported is True


def test_watchlist_exact_id_and_url(watch_matcher):
    by_id = watch_matcher.assess(Listing("tokopedia", "998877", "https://x.test/a", "Tas Anyaman", 100_000))
    by_url = watch_matcher.assess(
        Listing("shopee", "2", "https://www.shopee.co.id/product/1/2/", "Apa saja", 100_000)
    )
    assert [f.evidence["matched_by"] for f in by_id.flags if f.rule == "WATCHLIST"] == ["listing_id"]
    assert [f.evidence["matched_by"] for f in by_url.flags if f.rule == "WATCHLIST"] == ["url"]


def test_watchlist_different_product_is_not_matched(watch_matcher):
    item = Listing(
        "lazada", "56", "https://lazada.test/56", "Tikar Lampit Rotan Amuntai 2x3 Meter", 1_350_000
    )
    assert not [f for f in watch_matcher.assess(item).flags if f.rule == "WATCHLIST"]
