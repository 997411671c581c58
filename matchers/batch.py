"""Re-score every stored listing (`patroli match`), in two streaming passes over the store.

Pass 1 judges each listing and keeps only what the cluster pass needs (a few fields per listing);
the DUP_CLUSTER pass runs on that. Pass 2 judges again, adds cluster flags, and writes assessments
in batches through `Store.save_assessments`, which replaces each listing's flags: running it twice
gives the same flags, and flags of an older matcher version do not pile up. No SQL here.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from crawler.items import Assessment, Listing
from matchers.clusters import ClusterStats
from matchers.engine import Matcher


class AssessmentStore(Protocol):
    def iter_listings(self, batch: int = 2000): ...

    def save_assessments(self, assessments: list[Assessment], crawl_id: int | None = None) -> None: ...


@dataclass(slots=True)
class RescoreSummary:
    version: str
    listings: int = 0
    flagged: int = 0
    flags: Counter = field(default_factory=Counter)
    verdicts: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    clusters: ClusterStats = field(default_factory=ClusterStats)
    seconds: float = 0.0


def rescore(
    store: AssessmentStore,
    matcher: Matcher,
    *,
    batch: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> RescoreSummary:
    t0 = time.perf_counter()
    summary = RescoreSummary(matcher.version)
    items = [matcher.cluster_item(matcher.judge(listing)) for listing in store.iter_listings()]
    total = len(items)
    by_key = {m.key: c for c in matcher.clusters(items, summary.clusters) for m in c.members}
    del items
    pending: list[Assessment] = []
    for listing in store.iter_listings():
        pending.append(_assess(matcher, listing, by_key, summary))
        if len(pending) >= batch:
            store.save_assessments(pending)
            pending = []
            if progress:
                progress(summary.listings, total)
    if pending:
        store.save_assessments(pending)
    if progress:
        progress(summary.listings, total)
    summary.seconds = time.perf_counter() - t0
    return summary


def _assess(matcher: Matcher, listing: Listing, by_key: dict, summary: RescoreSummary) -> Assessment:
    j = matcher.judge(listing)
    cluster = by_key.get(listing.key)
    if cluster is not None:
        matcher.apply_cluster(j, cluster)
    a = matcher.finish(j)
    summary.listings += 1
    summary.categories[a.category] += 1
    if a.flags:
        summary.flagged += 1
    for f in a.flags:
        summary.flags[f.rule] += 1
    for verdict in ("likely_imported", "below_local_cost", "mislabelled_technique"):
        if getattr(a, verdict):
            summary.verdicts[verdict] += 1
    return a


def format_summary(s: RescoreSummary) -> str:
    lines = [
        f"Dinilai ulang / re-scored: {s.listings} iklan dalam {s.seconds:.1f} s (pencocok {s.version})",
        f"Iklan bertanda / flagged: {s.flagged}",
        "Verdik / verdicts: "
        + ", ".join(
            f"{k}={s.verdicts.get(k, 0)}"
            for k in ("likely_imported", "below_local_cost", "mislabelled_technique")
        ),
        "Tanda per aturan / flags per rule: "
        + (", ".join(f"{rule}={n}" for rule, n in sorted(s.flags.items())) or "-"),
        f"Klaster duplikat / duplicate clusters: {s.clusters.clusters} "
        f"({s.clusters.comparisons} perbandingan judul, {s.clusters.skipped_blocks} blok terlalu besar dilewati)",
    ]
    return "\n".join(lines)
