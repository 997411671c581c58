"""Speed of the matchers: per-listing rules, and scoring + clustering a large catalogue.

Generates demo listings with the demo catalogue's generator (crawler/demo/catalogue.py) and a
synthetic watchlist, then prints in one run:
  1. listings/s of the per-listing rules (`Matcher.assess`, what the crawl pipeline calls);
  2. watchlist look-up per listing, indexed vs a naive scan of every entry (baseline, same run);
  3. title clustering, blocked vs all pairs on a sample (baseline, same run), and the all-pairs
     time extrapolated to the full size;
  4. the time to score and cluster all listings against the watchlist (`Matcher.assess_all`);
  5. agreement with the generator's ground truth (a sanity check, not the quality goal).

    python bench/match.py                          # 100,000 listings, 10,000 watchlist entries
    python bench/match.py --listings 20000 --watchlist 2000
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from crawler.demo.catalogue import Generator  # noqa: E402
from crawler.demo.records import DemoListing  # noqa: E402
from crawler.items import Listing  # noqa: E402
from matchers import DEFAULT_DATA_DIR, load_matcher  # noqa: E402
from matchers.clusters import ClusterItem, ClusterStats, find_clusters  # noqa: E402
from matchers.data import WATCHLIST_COLUMNS  # noqa: E402
from matchers.watchlist import title_key  # noqa: E402


def to_listing(d: DemoListing) -> Listing:
    return Listing(
        marketplace=d.marketplace,
        listing_id=d.listing_id,
        url=f"https://demo.invalid/{d.marketplace}/{d.shop.domain}/{d.slug}",
        title=d.title,
        price_idr=d.price_idr,
        original_price_idr=d.original_price_idr,
        sold_count=d.sold_count,
        rating=d.rating,
        review_count=d.review_count,
        seller_id=d.shop.shop_id,
        seller_name=d.shop.name,
        seller_location=d.shop.city,
        is_cross_border=d.is_cross_border if d.marketplace in ("shopee", "lazada") else None,
        category_path=d.category_path,
        is_preorder=d.is_preorder,
        description=d.description,
    )


def write_watchlist(path: Path, demo: list[DemoListing], size: int, seed: int) -> int:
    """A watchlist of `size` entries: reported imported listings (by id or by title) plus filler
    titles built from the catalogue's own words, so look-ups meet realistic near-misses."""
    rng = random.Random(seed)
    imported = [d for d in demo if d.truth_imported]
    rng.shuffle(imported)
    reported = imported[: size // 5]
    vocab = sorted({w for d in demo[:20_000] for w in d.title.split()})
    rows = []
    for i, d in enumerate(reported):
        by_id = i % 2 == 0
        rows.append(
            [f"W{i:05d}", d.marketplace if by_id else "", d.listing_id if by_id else "", "", d.title, d.shop.name,
             d.category, "2025-01", "PKTN Kemendag", "bench", ""]
        )  # fmt: skip
    while len(rows) < size:
        title = " ".join(rng.choice(vocab) for _ in range(rng.randint(5, 9)))
        rows.append([f"W{len(rows):05d}", "", "", "", title, "", "", "2025-01", "PKTN Kemendag", "bench", ""])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(WATCHLIST_COLUMNS)
        writer.writerows(rows)
    return len(reported)


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s" if seconds > 0 else "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listings", type=int, default=100_000)
    ap.add_argument("--watchlist", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=20231004)
    ap.add_argument("--sample", type=int, default=3_000, help="listings for the all-pairs baseline")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    gen = Generator(args.listings, args.seed)
    demo = [gen.listing(i) for i in range(args.listings)]
    listings = [to_listing(d) for d in demo]
    print(f"# bench/match.py: {args.listings:,} demo listings, {args.watchlist:,} watchlist entries")
    print(f"generated in {time.perf_counter() - t:.1f} s (not counted below)\n")

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        for name in ("text.yaml", "categories.yaml", "signals.yaml", "rates.yaml"):
            shutil.copy(DEFAULT_DATA_DIR / name, data / name)
        reported = write_watchlist(data / "watchlist.csv", demo, args.watchlist, args.seed)
        t = time.perf_counter()
        matcher = load_matcher(data)
        load_s = time.perf_counter() - t
    print(f"matcher {matcher.version}: data loaded and indexed in {load_s * 1000:.0f} ms")
    print(f"watchlist: {len(matcher.watchlist):,} entries ({reported:,} reported demo imports)\n")

    # 1. per-listing rules, with the shipped data and with the 10,000-entry watchlist
    n1 = min(len(listings), 20_000)
    shipped = load_matcher()
    print("| measure | value |")
    print("|---|---|")
    for label, m in (("shipped data/", shipped), (f"{len(matcher.watchlist):,}-entry watchlist", matcher)):
        t = time.perf_counter()
        for item in listings[:n1]:
            m.assess(item)
        per_listing = time.perf_counter() - t
        print(
            f"| per-listing rules (assess), {n1:,} listings, {label} | {rate(n1, per_listing)} "
            f"({per_listing / n1 * 1e6:.0f} µs each) |"
        )

    # 2. watchlist: index vs naive scan
    sample = listings[:300]
    keys = [title_key(x.title, matcher.ref.text) for x in sample]
    wl_keys = matcher.watchlist.keys
    t = time.perf_counter()
    naive_hits = sum(
        1
        for k in keys
        if process.extractOne(
            k, wl_keys, scorer=fuzz.token_sort_ratio, score_cutoff=matcher.watchlist.min_similarity
        )
    )
    naive = (time.perf_counter() - t) / len(keys)
    t = time.perf_counter()
    index_hits = sum(
        1 for x, k in zip(sample, keys, strict=True) if matcher.watchlist.match(x.marketplace, "-", None, k)
    )
    indexed = (time.perf_counter() - t) / len(keys)
    print(
        f"| watchlist look-up per listing: indexed vs scan of {len(wl_keys):,} titles | {indexed * 1e6:.0f} µs vs "
        f"{naive * 1e6:.0f} µs (x{naive / indexed:.0f} faster; title hits {index_hits} vs {naive_hits}) |"
    )

    # 3. clustering: blocked vs all pairs on a sample
    items_all_key = [title_key(x.title, matcher.ref.text) for x in listings]
    judged = [matcher.judge(x) for x in listings[: args.sample]]
    items = [matcher.cluster_item(j, i) for i, j in enumerate(judged)]
    t = time.perf_counter()
    stats = ClusterStats()
    blocked = find_clusters(items, min_similarity=82, min_sellers=4, max_block=2000, stats=stats)
    blocked_s = time.perf_counter() - t
    titles = [it.title_key for it in items]
    t = time.perf_counter()
    pairs = 0
    for i in range(len(titles) - 1):
        rest = titles[i + 1 :]
        pairs += len(rest)
        process.extract(titles[i], rest, scorer=fuzz.token_sort_ratio, score_cutoff=82, limit=None)
    all_pairs_s = time.perf_counter() - t
    full_pairs = args.listings * (args.listings - 1) / 2
    print(
        f"| clustering {len(items):,} listings: blocked vs all pairs | {blocked_s:.2f} s ({stats.comparisons:,} "
        f"comparisons, {len(blocked)} clusters) vs {all_pairs_s:.2f} s ({pairs:,} comparisons); "
        f"x{all_pairs_s / blocked_s:.0f} |"
    )
    print(
        f"| all pairs extrapolated to {args.listings:,} listings | {all_pairs_s / pairs * full_pairs / 60:,.0f} min "
        f"({full_pairs:,.0f} comparisons) |"
    )

    # 3b. scale with distinct titles: every title made unique (a code and a stray word), as in a
    # real crawl where sellers add SKUs; the template families must still cluster.
    rng = random.Random(args.seed)
    vocab = sorted({w for x in listings[:5_000] for w in x.title.lower().split()})
    distinct = [
        ClusterItem(("d", str(i)), f"{items_all_key[i]} kd{i:06d} {rng.choice(vocab)}", f"s{i}", "batik_printing",
                    30_000, True, False, False, i)
        for i in range(len(items_all_key))
    ]  # fmt: skip
    t = time.perf_counter()
    dstats = ClusterStats()
    dclusters = find_clusters(distinct, min_similarity=82, min_sellers=4, max_block=2000, stats=dstats)
    distinct_s = time.perf_counter() - t
    print(
        f"| clustering {len(distinct):,} all-distinct titles (blocked) | {distinct_s:.1f} s, {dstats.distinct_titles:,} "
        f"distinct, {dstats.comparisons:,} comparisons, {dstats.skipped_blocks} oversized blocks skipped, "
        f"{len(dclusters):,} clusters |"
    )

    # 4. the full run
    t = time.perf_counter()
    stats = ClusterStats()
    assessments = matcher.assess_all(listings, stats)
    full_s = time.perf_counter() - t
    print(
        f"| **score + cluster {args.listings:,} listings vs {len(matcher.watchlist):,} watchlist entries** | "
        f"**{full_s:.1f} s** ({rate(args.listings, full_s)}) |"
    )
    print(
        f"| cluster pass inside it | {stats.distinct_titles:,} distinct titles, {stats.blocks:,} blocks, "
        f"{stats.comparisons:,} comparisons, {stats.skipped_blocks} oversized blocks skipped, "
        f"{stats.clusters:,} clusters |"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| peak memory (whole bench) | {peak_mb:,.0f} MB |")

    flags = Counter(f.rule for a in assessments for f in a.flags)
    print("\nflags per rule: " + ", ".join(f"{k}={v:,}" for k, v in sorted(flags.items())))

    # 5. agreement with the generator's truth (sanity check). The generator marks as mislabelled
    # only its own 'mislabel' kind; imported items titled "tulis" are mislabelled by the analysts'
    # convention (../shared/labelled/README.md) and count as FP here. Reported watchlist titles
    # shared with genuine template titles also count as import FP.
    print("\n| demo truth (sanity) | TP | FP | FN | precision | recall |")
    print("|---|---|---|---|---|---|")
    for verdict, truth in (
        ("likely_imported", "truth_imported"),
        ("below_local_cost", "truth_below_cost"),
        ("mislabelled_technique", "truth_mislabelled"),
    ):
        tp = sum(
            1 for a, d in zip(assessments, demo, strict=True) if getattr(a, verdict) and getattr(d, truth)
        )
        fp = sum(
            1 for a, d in zip(assessments, demo, strict=True) if getattr(a, verdict) and not getattr(d, truth)
        )
        fn = sum(
            1 for a, d in zip(assessments, demo, strict=True) if not getattr(a, verdict) and getattr(d, truth)
        )
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        print(f"| {verdict} | {tp:,} | {fp:,} | {fn:,} | {p:.3f} | {r:.3f} |")
    right = sum(1 for a, d in zip(assessments, demo, strict=True) if a.category == d.category)
    print(f"category agreement with the generator: {right / len(demo):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
