from collections import Counter

from crawler.demo.catalogue import Catalogue, Generator, fts_query


def test_generation_is_deterministic_and_lazy():
    a, b = Generator(1000, seed=7), Generator(1000, seed=7)
    assert a.listing(123) == b.listing(123)
    assert Generator(1000, seed=8).listing(123) != a.listing(123)
    # Listing i does not depend on how many were generated before it.
    assert Generator(10_000_000, seed=7).listing(5_000_000).listing_id


def test_mix_has_genuine_and_suspicious_with_truth():
    g = Generator(4000, seed=1)
    items = [g.listing(i) for i in range(4000)]
    share = Counter()
    for item in items:
        share["imported"] += item.truth_imported
        share["below"] += item.truth_below_cost
        share["mislabel"] += item.truth_mislabelled
        share["clean"] += not (item.truth_imported or item.truth_below_cost or item.truth_mislabelled)
        # Every suspicious listing says why; a clean one has no reasons.
        assert bool(item.truth_reasons) == (
            item.truth_imported or item.truth_below_cost or item.truth_mislabelled
        )
        assert item.price_idr > 0
    assert 0.6 < share["clean"] / 4000 < 0.85
    assert 0.1 < share["imported"] / 4000 < 0.25
    assert share["mislabel"] > 50
    # The dropship pattern: one imported item listed by several different shops.
    clusters: dict[str, set[str]] = {}
    for item in items:
        if item.truth_dup_group:
            clusters.setdefault(item.truth_dup_group, set()).add(item.shop.shop_id)
    assert max(len(shops) for shops in clusters.values()) >= 4
    # Cross-border listings only where the platform exposes the flag.
    assert {i.marketplace for i in items if i.is_cross_border} <= {"shopee", "lazada"}
    assert all(i.shop.city == "Luar Negeri" for i in items if i.is_cross_border)


def test_search_get_and_shops(tmp_path):
    cat = Catalogue.build(tmp_path / "cat.db", 3000, seed=3)
    total, page1 = cat.search("tokopedia", "batik tulis", 0, 60)
    assert total > 60 and len(page1) == 60
    assert all("batik" in i.title.lower() and "tulis" in i.title.lower() for i in page1)
    assert all(i.marketplace == "tokopedia" for i in page1)
    _, page2 = cat.search("tokopedia", "batik tulis", 60, 60)
    assert not {i.listing_id for i in page1} & {i.listing_id for i in page2}
    assert cat.search("tokopedia", "zzzz tidak ada", 0, 60) == (0, [])
    item = page1[5]
    assert cat.get("tokopedia", item.listing_id) == item
    assert cat.get("shopee", item.listing_id) is None
    shops = cat.shops("shop")
    assert shops
    count, listed = cat.by_shop("shop", shops[0].shop_id, 0, 1000)
    assert count == len(listed) and all(i.shop.shop_id == shops[0].shop_id for i in listed)


def test_rebuild_only_when_size_or_seed_change(tmp_path):
    path = tmp_path / "cat.db"
    Catalogue.build(path, 500, seed=1)
    mtime = path.stat().st_mtime_ns
    Catalogue.build(path, 500, seed=1)
    assert path.stat().st_mtime_ns == mtime
    cat = Catalogue.build(path, 600, seed=1)
    assert len(cat) == 600


def test_search_words_cannot_inject_fts_syntax():
    q = fts_query("tokopedia", 'batik" OR market:shopee) NEAR(')
    assert (
        q
        == 'market:"tokopedia" AND title:"batik" AND title:"or" AND title:"market" AND title:"shopee" AND title:"near"'
    )
    assert fts_query("tokopedia", "!!!") is None
