"""WATCHLIST: is this listing a product the association already reported as imported?

An exact hit on (marketplace, listing_id) or URL is certain. Otherwise titles are compared with
rapidfuzz, but only against the entries that share a distinctive word with the listing (an
inverted index on title words, very common words left out), so 10,000 entries cost a handful of
comparisons per listing, not 10,000.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from rapidfuzz import fuzz, process

from matchers.data import WatchEntry
from matchers.text import TextRules, normalise, strip_noise

MAX_CANDIDATES = 50


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
        postings: dict[str, list[int]] = defaultdict(list)
        for e in entries:
            key = title_key(e.title, rules)
            if not key:
                continue
            idx = len(self.keys)
            self.keys.append(key)
            self.key_entries.append(e)
            for tok in set(key.split()):
                postings[tok].append(idx)
        # Words in many entries say little about which entry it is; they are not used to look up.
        limit = max(20, len(self.keys) // 20)
        self.postings = {t: p for t, p in postings.items() if len(p) <= limit}

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, key: str) -> list[int]:
        tokens = set(key.split())
        counts: Counter[int] = Counter()
        for tok in tokens:
            for idx in self.postings.get(tok, ()):
                counts[idx] += 1
        if not counts:
            return []
        need = 2 if len(tokens) >= 3 else 1
        return [idx for idx, n in counts.most_common(MAX_CANDIDATES) if n >= need]

    def match(self, marketplace: str, listing_id: str, url: str | None, key: str) -> WatchHit | None:
        """`key` is the listing's `title_key`."""
        entry = self.by_listing.get((marketplace, listing_id))
        if entry is not None:
            return WatchHit(entry, 100.0, "listing_id")
        entry = self.by_url.get(url_key(url)) if url else None
        if entry is not None:
            return WatchHit(entry, 100.0, "url")
        if not self.keys or not key:
            return None
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
