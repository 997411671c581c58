"""WATCHLIST: is this listing a product the association already reported as imported?

An exact hit on (marketplace, listing_id), URL or reduced title is certain. Otherwise titles are
compared with rapidfuzz, but only against the entries that share a minhash band key of their title
words with the listing (the same blocking as the duplicate clusters), so 10,000 entries cost a
handful of comparisons per listing, not 10,000.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from rapidfuzz import fuzz, process

from matchers.clusters import band_keys
from matchers.data import WatchEntry
from matchers.text import TextRules, normalise, strip_noise

# Minhash bands over title words: titles similar enough to match (token_sort_ratio >= 88 means
# most words shared, Jaccard >= ~0.6) share a band with probability 1-(1-0.6**3)**14 > 0.96.
WATCH_BANDS, WATCH_ROWS = 14, 3


@dataclass(frozen=True, slots=True)
class WatchHit:
    entry: WatchEntry
    similarity: float
    how: str  # "listing_id" | "url" | "title"


# Unit spellings made equal for comparing titles ("2 meter" = "2 m").
_KEY_UNITS = {"meter": "m", "gram": "gr", "g": "gr", "centimeter": "cm"}


def key_from_tokens(tokens: list[str], rules: TextRules) -> str:
    return " ".join(_KEY_UNITS.get(t, t) for t in strip_noise(tokens, rules))


def title_key(title: str | None, rules: TextRules) -> str:
    """The title as compared across listings: normalised, promo noise dropped, units unified."""
    return key_from_tokens(normalise(title, rules).tokens, rules)


def url_key(url: str | None) -> str:
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}".lower()


class WatchIndex:
    """Watchlist entries by listing id, URL, exact title, and minhash band keys of title words."""

    def __init__(self, entries: tuple[WatchEntry, ...], rules: TextRules, min_similarity: float):
        self.rules = rules
        self.min_similarity = min_similarity
        self.entries = entries
        self.by_listing = {
            (e.marketplace, e.listing_id): e for e in entries if e.marketplace and e.listing_id
        }
        self.by_url = {url_key(e.url): e for e in entries if url_key(e.url)}
        self.keys: list[str] = []
        self.key_entries: list[WatchEntry] = []
        self.by_key: dict[str, int] = {}
        self._hashes: dict[str, list[int]] = {}
        self.blocks: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for e in entries:
            key = title_key(e.title, rules)
            if not key:
                continue
            idx = len(self.keys)
            self.keys.append(key)
            self.key_entries.append(e)
            self.by_key.setdefault(key, idx)
            for band in band_keys(key.split(), self._hashes, WATCH_BANDS, WATCH_ROWS):
                self.blocks[band].append(idx)

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, key: str) -> list[int]:
        seen: dict[int, None] = {}
        for band in band_keys(key.split(), self._hashes, WATCH_BANDS, WATCH_ROWS):
            for idx in self.blocks.get(band, ()):
                seen[idx] = None
        return list(seen)

    def match(self, marketplace: str, listing_id: str, url: str | None, key: str) -> WatchHit | None:
        """`key` is the listing's `title_key`."""
        entry = self.by_listing.get((marketplace, listing_id))
        if entry is not None:
            return WatchHit(entry, 100.0, "listing_id")
        entry = self.by_url.get(url_key(url)) if url and self.by_url else None
        if entry is not None:
            return WatchHit(entry, 100.0, "url")
        if not self.keys or not key:
            return None
        exact = self.by_key.get(key)
        if exact is not None:
            return WatchHit(self.key_entries[exact], 100.0, "title")
        idxs = self.candidates(key)
        if not idxs:
            return None
        found = process.extractOne(
            key, [self.keys[i] for i in idxs], scorer=fuzz.token_sort_ratio, score_cutoff=self.min_similarity
        )
        if found is None:
            return None
        _, score, pos = found
        return WatchHit(self.key_entries[idxs[pos]], round(float(score), 1), "title")
