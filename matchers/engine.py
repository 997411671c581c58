"""The matcher: reads data/ once, judges each listing with the rules, and adds the cluster pass.

`Matcher.assess(listing)` is the per-listing judgement used while crawling (every rule but
DUP_CLUSTER). `Matcher.assess_all(listings)` also runs the cross-listing DUP_CLUSTER pass, which can
add a flag and import evidence to members of a dropship cluster. `patroli score` and
`patroli match` use the latter; see matchers/batch.py for the streaming version over a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from crawler.items import Assessment, Flag, Listing
from matchers.classify import Classification, classify
from matchers.clusters import Cluster, ClusterItem, ClusterStats, find_clusters
from matchers.data import Reference, load_reference
from matchers.lexicon import Facts, Lexicon, read_listing
from matchers.rules import (
    Contribution,
    FloorCheck,
    below_floor,
    check_floor,
    cross_border,
    import_contributions,
    import_flag,
    make_flag,
    rupiah,
    technique_mislabel,
)
from matchers.watchlist import WatchHit, WatchIndex, key_from_tokens

MATCHER_VERSION = "1.0"


@dataclass(slots=True)
class Judgement:
    """Everything the rules found about one listing, before the cluster pass."""

    listing: Listing
    facts: Facts
    cls: Classification
    check: FloorCheck | None
    contributions: list[Contribution]
    flags: list[Flag]
    watch: WatchHit | None = None
    title_key: str = ""
    cluster: Cluster | None = None
    extra_flags: list[Flag] = field(default_factory=list)

    @property
    def import_score(self) -> float:
        return sum(c.weight for c in self.contributions)


class Matcher:
    def __init__(self, data_dir: str | Path):
        self.ref: Reference = load_reference(data_dir)
        self.data_dir = Path(data_dir)
        self.lex = Lexicon(self.ref)
        self.version = f"{MATCHER_VERSION}+data.{self.ref.digest}"
        # price and material signals only corroborate: they do not make a member an importer
        self._corroborating = {
            s.id
            for s in self.ref.signals
            if s.detector in ("below_floor", "far_below_floor", "synthetic_craft_fabric")
        }
        watch = self.ref.rules["WATCHLIST"]
        self.watchlist = WatchIndex(self.ref.watchlist, self.ref.text, float(watch.get("min_similarity", 88)))

    # -- per listing ----------------------------------------------------------------------------

    def judge(self, listing: Listing) -> Judgement:
        facts = read_listing(listing, self.lex)
        cls = classify(facts, self.ref)
        check = check_floor(facts, cls, self.ref)
        flags = [
            f
            for f in (
                cross_border(facts, cls, self.lex, self.version),
                below_floor(facts, cls, check, self.lex, self.version),
            )
            if f is not None
        ]
        contributions = import_contributions(facts, self.lex, cls, check)
        title_key = key_from_tokens(facts.title.tokens, self.ref.text)
        judgement = Judgement(listing, facts, cls, check, contributions, flags, title_key=title_key)
        hit = self.watchlist.match(listing.marketplace, listing.listing_id, listing.url, title_key)
        if hit is not None:
            judgement.watch = hit
            judgement.flags.append(self._watch_flag(judgement, hit))
            weight = float(self.ref.rules["WATCHLIST"].get("import_weight", 5))
            judgement.contributions.append(
                Contribution(
                    "watchlist",
                    weight,
                    f"cocok dengan daftar pantau {hit.entry.id}",
                    f"matches watchlist entry {hit.entry.id}",
                    (hit.entry.title or hit.entry.url or hit.entry.listing_id,),
                )
            )
        return judgement

    def assess(self, listing: Listing) -> Assessment:
        """One listing on its own (no cluster pass): what the crawl pipeline stores."""
        return self.finish(self.judge(listing))

    def finish(self, j: Judgement) -> Assessment:
        flags = list(j.flags) + list(j.extra_flags)
        imported = import_flag(j.facts, j.cls, j.contributions, self.lex, self.version)
        if imported is not None:
            flags.append(imported)
        score = j.import_score
        likely_imported = score >= self.ref.import_threshold
        mislabel = technique_mislabel(j.facts, j.cls, j.check, self.lex, self.version, likely_imported)
        if mislabel is not None:
            flags.append(mislabel)
        risk_keep = 1.0
        for f in flags:
            risk_keep *= 1.0 - max(0.0, min(1.0, f.score))
        if imported is None and score > 0:
            risk_keep *= 1.0 - min(0.2, 0.04 * score)  # weak signals below the threshold still count a little
        rules = {f.rule for f in flags}
        q = j.facts.quantity
        listing = j.listing
        return Assessment(
            marketplace=listing.marketplace,
            listing_id=listing.listing_id,
            category=j.cls.category,
            category_confidence=j.cls.confidence,
            risk=int(round(100 * (1.0 - risk_keep))),
            likely_imported=likely_imported,
            below_local_cost="BELOW_FLOOR" in rules,
            mislabelled_technique="TECHNIQUE_MISLABEL" in rules,
            unit_price_idr=j.facts.unit_price_idr,
            units=q.length_m if q.length_m else q.count,
            flags=sorted(flags, key=lambda f: (-f.score, f.rule)),
            matcher_version=self.version,
        )

    def _watch_flag(self, j: Judgement, hit: WatchHit) -> Flag:
        e = hit.entry
        settings = self.ref.rules["WATCHLIST"]
        how_id = {
            "listing_id": "ID iklan sama",
            "url": "URL sama",
            "title": f"judul mirip {hit.similarity:g}%",
        }
        how_en = {
            "listing_id": "same listing id",
            "url": "same URL",
            "title": f"title {hit.similarity:g}% similar",
        }
        return make_flag(
            j.facts,
            settings,
            self.version,
            j.cls.category,
            score=float(settings.get("score", 0.8)) * (hit.similarity / 100.0),
            reason_id=(
                f"Cocok dengan produk yang sudah dilaporkan sebagai impor ({how_id[hit.how]}): {e.id} "
                f"'{e.title or e.url}', dilaporkan {e.reported_on} ke {e.reported_to or '-'}; sumber: {e.source}."
            ),
            reason_en=(
                f"Matches a product already reported as imported ({how_en[hit.how]}): {e.id} "
                f"'{e.title or e.url}', reported {e.reported_on} to {e.reported_to or '-'}; source: {e.source}."
            ),
            evidence={
                "watchlist_id": e.id,
                "watchlist_title": e.title,
                "similarity": hit.similarity,
                "matched_by": hit.how,
                "watchlist_line": e.line,
                "title_key": j.title_key,
            },
        )

    # -- across listings ------------------------------------------------------------------------

    def cluster_item(self, j: Judgement, pos: int = -1) -> ClusterItem:
        listing = j.listing
        seller = listing.seller_id or listing.seller_name or listing.url or listing.listing_id
        return ClusterItem(
            key=listing.key,
            title_key=j.title_key,
            seller=f"{listing.marketplace}/{seller}".lower(),
            category=j.cls.category,
            unit_price_idr=j.facts.unit_price_idr,
            below_floor=j.check.below if j.check is not None else None,
            in_hub=j.facts.in_hub is not None,
            imported=j.import_score >= self.ref.import_threshold,
            pos=pos,
        )

    def clusters(self, items: list[ClusterItem], stats: ClusterStats | None = None) -> list[Cluster]:
        settings = self.ref.rules["DUP_CLUSTER"]
        return find_clusters(
            items,
            min_similarity=float(settings.get("min_similarity", 85)),
            min_sellers=int(settings.get("min_sellers", 4)),
            max_block=int(settings.get("max_block", 2000)),
            stats=stats,
        )

    def _cluster_reads(self, cluster: Cluster) -> tuple[bool, bool, bool]:
        settings = self.ref.rules["DUP_CLUSTER"]
        below_share = cluster.below_share
        below = below_share is not None and below_share >= float(settings.get("below_share", 0.5))
        hub = cluster.hub_share >= float(settings.get("hub_share", 0.5))
        imported = cluster.import_share >= float(settings.get("import_share", 0.5))
        return below, hub, imported

    def cluster_flags(self, cluster: Cluster) -> bool:
        """Whether a cluster earns DUP_CLUSTER: a craft sold by many sellers at low prices, from
        wholesale hubs, or with import signals. An honest reseller network at normal prices does not."""
        return cluster.category != "other" and any(self._cluster_reads(cluster))

    def apply_cluster(self, j: Judgement, cluster: Cluster) -> bool:
        """Add DUP_CLUSTER (and, for a dropship-looking cluster, import evidence) to one member."""
        settings = self.ref.rules["DUP_CLUSTER"]
        if j.cls.category == "other" or not self.cluster_flags(cluster):
            return False
        below, hub, imported = self._cluster_reads(cluster)
        j.cluster = cluster
        dropship = (hub and (below or cluster.import_share >= 0.25)) or imported
        n = len(cluster.members)
        below_txt = "-" if cluster.below_share is None else f"{cluster.below_share:.0%}"
        j.extra_flags.append(
            make_flag(
                j.facts,
                settings,
                self.version,
                j.cls.category,
                severity="high" if dropship else settings.severity,
                score=float(settings.get("score", 0.4)) + (0.1 if dropship else 0.0),
                reason_id=(
                    f"Judul hampir sama dengan {n - 1} iklan lain dari {cluster.sellers} penjual berbeda "
                    f"({', '.join(cluster.marketplaces)}); median harga per satuan "
                    f"{rupiah(cluster.median_unit_price_idr)}, {below_txt} di bawah batas bawah, "
                    f"{cluster.hub_share:.0%} dari pusat grosir, {cluster.import_share:.0%} bersinyal impor. "
                    + ("Pola dropship satu pemasok barang impor." if dropship else "Pola jaringan reseller.")
                ),
                reason_en=(
                    f"Title nearly identical to {n - 1} other listings from {cluster.sellers} different sellers "
                    f"({', '.join(cluster.marketplaces)}); median unit price {rupiah(cluster.median_unit_price_idr)}, "
                    f"{below_txt} below the floor, {cluster.hub_share:.0%} from wholesale hubs, "
                    f"{cluster.import_share:.0%} with import signals. "
                    + (
                        "Dropship pattern of one import supplier."
                        if dropship
                        else "Reseller-network pattern."
                    )
                ),
                evidence={
                    "cluster_id": cluster.id,
                    "size": n,
                    "sellers": cluster.sellers,
                    "marketplaces": cluster.marketplaces,
                    "median_unit_price_idr": cluster.median_unit_price_idr,
                    "below_share": cluster.below_share,
                    "hub_share": round(cluster.hub_share, 3),
                    "import_share": round(cluster.import_share, 3),
                    "dropship": dropship,
                    "members": [f"{m.key[0]}/{m.key[1]}" for m in cluster.members[:20]],
                    "titles": cluster.sample_titles,
                },
            )
        )
        # The import evidence goes to members that sell from a hub, from abroad, or already show an
        # import signal of their own (not just a low price): a local maker whose title happens to
        # match keeps only the DUP_CLUSTER flag.
        in_hub = j.facts.in_hub is not None
        abroad = j.listing.is_cross_border is True or j.facts.overseas
        own = any(c.weight > 0 and c.id not in self._corroborating for c in j.contributions)
        if dropship and (in_hub or abroad or own):
            j.contributions.append(
                Contribution(
                    "dup_cluster",
                    float(settings.get("import_weight", 4)),
                    f"anggota klaster dropship {cluster.id}",
                    f"member of dropship cluster {cluster.id}",
                    (f"{cluster.sellers} penjual",),
                )
            )
        return True

    def assess_all(self, listings: Iterable[Listing], stats: ClusterStats | None = None) -> list[Assessment]:
        """Every listing, with the cross-listing cluster pass. Only what clustering needs is kept
        per listing; members of a flagged cluster are judged again with their cluster."""
        listings = list(listings)
        out: list[Assessment] = []
        items: list[ClusterItem] = []
        for pos, listing in enumerate(listings):
            j = self.judge(listing)
            out.append(self.finish(j))
            items.append(self.cluster_item(j, pos))
        for cluster in self.clusters(items, stats):
            if not self.cluster_flags(cluster):
                continue
            for member in cluster.members:
                j = self.judge(listings[member.pos])
                if self.apply_cluster(j, cluster):
                    out[member.pos] = self.finish(j)
        return out
