"""DUP_CLUSTER: near-identical titles across many sellers (the dropship pattern), found by blocking.

Never all pairs. Titles are reduced to their words without promo noise; identical reduced titles
are merged first (templated catalogues repeat them). Each distinct title gets minhash band keys over
its distinctive words (words found in many titles are left out of the keys); only titles sharing a
band key are compared, with rapidfuzz token_sort_ratio, and only with the block's leaders (the
titles unlike any earlier one), and similar ones are joined (union-find). A block larger than
`max_block` is skipped and counted, so one very common key cannot blow up.
"""

from __future__ import annotations

import hashlib
import statistics
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

BANDS = 6
ROWS = 2  # minhashes per band: near-duplicates (Jaccard >= 0.5) share a band with p > 0.8
MAX_HASHES = 48
_PRIME = (1 << 31) - 1
_COEFFS = [
    ((2 * k + 1) * 0x9E3779B1 % _PRIME or 1, (k * 0x85EBCA77 + 12345) % _PRIME) for k in range(MAX_HASHES)
]


@dataclass(frozen=True, slots=True)
class ClusterItem:
    """What the cluster pass needs of one listing (small, so a million fit in memory)."""

    key: tuple[str, str]  # (marketplace, listing_id)
    title_key: str
    seller: str
    category: str
    unit_price_idr: int | None
    below_floor: bool | None  # None: no floor for this listing
    in_hub: bool
    imported: bool  # per-listing import score reached the threshold
    pos: int = -1  # position in the caller's list (keys can repeat in a file)


@dataclass(slots=True)
class Cluster:
    id: str
    members: list[ClusterItem]
    sellers: int
    marketplaces: list[str]
    category: str
    median_unit_price_idr: int | None
    below_share: float | None  # among members that have a floor
    hub_share: float
    import_share: float
    sample_titles: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ClusterStats:
    listings: int = 0
    distinct_titles: int = 0
    blocks: int = 0
    comparisons: int = 0
    skipped_blocks: int = 0
    clusters: int = 0


def _token_hash(token: str, cache: dict[str, list[int]]) -> list[int]:
    found = cache.get(token)
    if found is None:
        h = zlib.crc32(token.encode("utf-8"))
        found = [(a * h + b) % _PRIME for a, b in _COEFFS]
        cache[token] = found
    return found


def band_keys(
    tokens: Sequence[str], cache: dict[str, list[int]], bands: int = BANDS, rows: int = ROWS
) -> list[tuple[int, ...]]:
    """Minhash LSH keys of a set of words: two sets with Jaccard similarity J share at least one
    key with probability 1 - (1 - J**rows)**bands. Stable across runs (crc32, fixed coefficients)."""
    if not tokens:
        return []
    hashes = [_token_hash(t, cache) for t in set(tokens)]
    mins = list(map(min, zip(*hashes, strict=True)))  # column-wise minimum, in C
    return [(b, *mins[b * rows : (b + 1) * rows]) for b in range(bands)]


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def find_clusters(
    items: Sequence[ClusterItem],
    *,
    min_similarity: float,
    min_sellers: int,
    max_block: int,
    stats: ClusterStats | None = None,
) -> list[Cluster]:
    stats = stats if stats is not None else ClusterStats()
    stats.listings = len(items)
    # 1. identical reduced titles are one node
    node_of: dict[str, int] = {}
    nodes: list[str] = []
    members: list[list[int]] = []
    for i, item in enumerate(items):
        if not item.title_key:
            continue
        n = node_of.get(item.title_key)
        if n is None:
            n = node_of[item.title_key] = len(nodes)
            nodes.append(item.title_key)
            members.append([])
        members[n].append(i)
    stats.distinct_titles = len(nodes)
    # 2. distinctive words: those in at most 5% of the titles (and never fewer than 50 titles);
    # a word in every other title says nothing about which titles are copies of each other
    df: dict[str, int] = defaultdict(int)
    node_tokens = [title.split() for title in nodes]
    for toks in node_tokens:
        for t in set(toks):
            df[t] += 1
    common = max(50, len(nodes) // 20)
    cache: dict[str, list[int]] = {}
    blocks: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for n, toks in enumerate(node_tokens):
        rare = [t for t in toks if df[t] <= common]
        if len(rare) < 2:
            rare = sorted(set(toks), key=lambda t: (df[t], t))[:4]
        for key in band_keys(rare, cache):
            blocks[key].append(n)
    # 3. compare within blocks. Each title is compared with the block's leaders (titles not yet
    # like any earlier one), not with every member: a block that is one family of copies costs
    # one comparison per member, not members squared.
    uf = _UnionFind(len(nodes))
    for block in blocks.values():
        if len(block) < 2:
            continue
        if len(block) > max_block:
            stats.skipped_blocks += 1
            continue
        stats.blocks += 1
        leaders: list[int] = [block[0]]
        leader_titles: list[str] = [nodes[block[0]]]
        for n in block[1:]:
            stats.comparisons += len(leader_titles)
            similar = process.extract(
                nodes[n], leader_titles, scorer=fuzz.token_sort_ratio, score_cutoff=min_similarity, limit=None
            )
            if similar:
                for _, _, j in similar:
                    uf.union(n, leaders[j])
            else:
                leaders.append(n)
                leader_titles.append(nodes[n])
    # 4. components with enough distinct sellers
    groups: dict[int, list[int]] = defaultdict(list)
    for n in range(len(nodes)):
        groups[uf.find(n)].extend(members[n])
    clusters = []
    for idxs in groups.values():
        group = [items[i] for i in idxs]
        sellers = {it.seller for it in group}
        if len(sellers) < min_sellers:
            continue
        clusters.append(summarise(group, len(sellers)))
    clusters.sort(key=lambda c: c.id)
    stats.clusters = len(clusters)
    return clusters


def summarise(group: list[ClusterItem], sellers: int) -> Cluster:
    keys = sorted(f"{it.key[0]}/{it.key[1]}" for it in group)
    cid = "C" + hashlib.sha1("\n".join(keys).encode()).hexdigest()[:10]
    prices = [it.unit_price_idr for it in group if it.unit_price_idr is not None]
    with_floor = [it for it in group if it.below_floor is not None]
    cats: dict[str, int] = defaultdict(int)
    for it in group:
        cats[it.category] += 1
    category = max(sorted(cats), key=lambda c: cats[c])
    return Cluster(
        id=cid,
        members=sorted(group, key=lambda it: it.key),
        sellers=sellers,
        marketplaces=sorted({it.key[0] for it in group}),
        category=category,
        median_unit_price_idr=int(statistics.median(prices)) if prices else None,
        below_share=(sum(1 for it in with_floor if it.below_floor) / len(with_floor)) if with_floor else None,
        hub_share=sum(1 for it in group if it.in_hub) / len(group),
        import_share=sum(1 for it in group if it.imported) / len(group),
        sample_titles=sorted({it.title_key for it in group})[:3],
    )
