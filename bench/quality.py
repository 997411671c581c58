"""Quality of the matchers on analyst-labelled listings (../shared/labelled/dev.jsonl).

Prints, for each verdict, the confusion counts, precision and recall against the goals of issue 4;
category accuracy and the category confusions; how well DUP_CLUSTER recovers the labelled duplicate
groups (pairwise); and every misjudged listing with what the rules said.

    python bench/quality.py                       # the whole dev set
    python bench/quality.py --split tune          # 4/5 of it, the part the rules were tuned on
    python bench/quality.py --split holdout       # the 1/5 kept aside while tuning (by hash of id)
    python bench/quality.py --file other.jsonl --data-dir data --no-list
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matchers import load_matcher  # noqa: E402
from matchers.clusters import ClusterStats  # noqa: E402
from matchers.jsonl import read_rows  # noqa: E402

DEFAULT_FILE = ROOT.parent / "shared" / "labelled" / "dev.jsonl"
VERDICTS = ("likely_imported", "below_local_cost", "mislabelled_technique")
GOALS = {
    "likely_imported": (0.90, 0.80),
    "below_local_cost": (0.95, 0.95),
    "mislabelled_technique": (0.85, 0.75),
}
CATEGORY_GOAL = 0.90


def in_split(row_id: str, split: str) -> bool:
    """Holdout = ids whose SHA-1 is 0 mod 5: kept aside while tuning, to check the rules generalise."""
    if split == "all":
        return True
    holdout = int(hashlib.sha1(row_id.encode()).hexdigest(), 16) % 5 == 0
    return holdout if split == "holdout" else not holdout


def ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--split", choices=("all", "tune", "holdout"), default="all")
    ap.add_argument("--no-list", action="store_true", help="do not list misjudged listings")
    args = ap.parse_args(argv)
    if not args.file.exists():
        print(f"quality: {args.file} tidak ada (labelled file missing)", file=sys.stderr)
        return 2
    matcher = load_matcher(args.data_dir)
    rows = []
    with args.file.open(encoding="utf-8") as handle:
        for row in read_rows(handle):
            if isinstance(row, tuple):
                print(f"quality: baris {row[0]}: {row[1]}", file=sys.stderr)
                continue
            rows.append(row)
    # The cluster pass sees the whole file (as `patroli score` does); the split only selects what is counted.
    t0 = time.perf_counter()
    stats = ClusterStats()
    assessments = matcher.assess_all([r.listing for r in rows], stats)
    elapsed = time.perf_counter() - t0
    pairs = [(r, a) for r, a in zip(rows, assessments, strict=True) if in_split(r.id or "", args.split)]
    print(f"# Matcher quality on {args.file.name} (split: {args.split}, {len(pairs)} listings)")
    print(
        f"matcher {matcher.version}; scored {len(rows)} listings with the cluster pass in {elapsed:.2f} s\n"
    )

    print("| verdict | TP | FP | FN | TN | precision | recall | goal P/R | met |")
    print("|---|---|---|---|---|---|---|---|---|")
    misjudged: dict[str, list[str]] = {}
    all_met = True
    for verdict in VERDICTS:
        tp = fp = fn = tn = 0
        for r, a in pairs:
            truth = bool(r.raw.get("labels", {}).get(verdict))
            got = getattr(a, verdict)
            if truth and got:
                tp += 1
            elif got:
                fp += 1
                misjudged.setdefault(r.id, []).append(f"{verdict}: got true, label false")
            elif truth:
                fn += 1
                misjudged.setdefault(r.id, []).append(f"{verdict}: got false, label true")
            else:
                tn += 1
        p, rcl = ratio(tp, tp + fp), ratio(tp, tp + fn)
        gp, gr = GOALS[verdict]
        met = p is not None and rcl is not None and p >= gp and rcl >= gr
        all_met &= met
        print(
            f"| {verdict} | {tp} | {fp} | {fn} | {tn} | {fmt(p)} | {fmt(rcl)} | {gp:.2f}/{gr:.2f} | {'yes' if met else 'NO'} |"
        )

    right = 0
    confusions: Counter[tuple[str, str]] = Counter()
    for r, a in pairs:
        truth = r.raw.get("labels", {}).get("category")
        if truth == a.category:
            right += 1
        else:
            confusions[(truth, a.category)] += 1
            misjudged.setdefault(r.id, []).append(f"category: got {a.category}, label {truth}")
    acc = ratio(right, len(pairs))
    all_met &= acc is not None and acc >= CATEGORY_GOAL
    print(f"\ncategory accuracy: {right}/{len(pairs)} = {fmt(acc)} (goal {CATEGORY_GOAL:.2f})")
    for (truth, got), n in confusions.most_common():
        print(f"  {truth} -> {got}: {n}")

    # DUP_CLUSTER against the labelled duplicate groups, pairwise over the counted listings.
    by_id = {r.id: r for r, _ in pairs}
    truth_pairs = set()
    groups: dict[str, list[str]] = {}
    for r, _ in pairs:
        g = r.raw.get("labels", {}).get("dup_group")
        if g:
            groups.setdefault(g, []).append(r.id)
    for members in groups.values():
        truth_pairs.update(combinations(sorted(members), 2))
    got_clusters: dict[str, list[str]] = {}
    flagged = set()
    for r, a in pairs:
        for f in a.flags:
            if f.rule == "DUP_CLUSTER":
                got_clusters.setdefault(f.evidence["cluster_id"], []).append(r.id)
                flagged.add(r.id)
    got_pairs = set()
    for members in got_clusters.values():
        got_pairs.update(combinations(sorted(members), 2))
    hits = len(truth_pairs & got_pairs)
    print(
        f"\nDUP_CLUSTER: {len(got_clusters)} flagged clusters, {len(flagged)} listings flagged; labelled groups "
        f"{len(groups)}. Pairwise vs labelled dup groups (flagged clusters only): precision "
        f"{fmt(ratio(hits, len(got_pairs)))}, recall {fmt(ratio(hits, len(truth_pairs)))} "
        "(honest reseller groups are labelled but not flagged by design)."
    )
    print(
        f"cluster pass: {stats.distinct_titles} distinct titles, {stats.blocks} blocks compared, "
        f"{stats.comparisons} title comparisons (all pairs would be {len(rows) * (len(rows) - 1) // 2}), "
        f"{stats.skipped_blocks} oversized blocks skipped, {stats.clusters} clusters of >= min_sellers"
    )

    if not args.no_list and misjudged:
        print(f"\n## Misjudged listings ({len(misjudged)})")
        results = {r.id: a for r, a in pairs}
        for rid in sorted(misjudged):
            r, a = by_id[rid], results[rid]
            labels = r.raw.get("labels", {})
            print(f"- {rid} [{r.listing.marketplace}] Rp{r.listing.price_idr} {r.listing.title[:90]!r}")
            for why in misjudged[rid]:
                print(f"    {why}")
            print(f"    label rationale: {labels.get('rationale', '')[:200]}")
            for f in a.flags:
                print(f"    flag {f.rule}: {f.reason_en[:220]}")
    print()
    print("ALL GOALS MET" if all_met else "some goals not met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
