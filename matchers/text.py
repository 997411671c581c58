"""Indonesian listing text -> tokens: case, accents, emoji and symbols, elongations, spelling variants.

Pure functions. Every lexicon phrase goes through the same `normalise`, so a phrase in data/*.yaml
matches a listing exactly when their normalised tokens match. Punctuation that ends a clause
(. , ; : ! ? brackets and |) becomes the boundary token `|`: phrases, negations and purpose words
never reach across it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

BOUNDARY = "|"
MAX_CHARS = 20_000  # longer text is cut: descriptions are stored up to 20,000 characters

_COMBINING = re.compile(r"[\u0300-\u036f]")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+|[^\W\d_a-z]+|[.,;:!?()\[\]{}|•·\n]")
_TOKEN_SLASH = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+|[^\W\d_a-z]+|[.,;:!?()\[\]{}|•·\n/]")
SLASH = "/"
_BOUNDARY_CHARS = frozenset(".,;:!?()[]{}|•·\n")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def has_cjk(text: str | None) -> bool:
    """Chinese, Japanese or Korean characters anywhere in the text."""
    return bool(text) and _CJK.search(text) is not None


def cjk_chars(text: str | None) -> str:
    return "".join(_CJK.findall(text[:MAX_CHARS])) if text else ""


def tokenize(text: str | None, slash: bool = False) -> list[str]:
    """Lower-cased word and number tokens, with `|` where a clause ends. No spelling rules.
    With `slash`, "/" is kept as a token (see `normalise`: "/meter" is "per meter")."""
    if not text:
        return []
    s = str(text)[:MAX_CHARS]
    if not s.isascii():  # accents and full-width forms; plain ASCII (most listings) skips this
        s = _COMBINING.sub("", unicodedata.normalize("NFKD", s))
    s = s.lower()
    s = _ELONGATED.sub(r"\1", s)
    s = _DIGIT_LETTER.sub(" ", s)
    tokens: list[str] = []
    for tok in (_TOKEN_SLASH if slash else _TOKEN).findall(s):
        if tok in _BOUNDARY_CHARS:
            if tokens and tokens[-1] != BOUNDARY:
                tokens.append(BOUNDARY)
        else:
            tokens.append(tok)
    if tokens and tokens[-1] == BOUNDARY:
        tokens.pop()
    return tokens


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    phrase: str
    payloads: tuple[Any, ...]


class PhraseIndex:
    """Phrases (tuples of tokens) -> payloads; finds every phrase occurrence in a token list.

    Lookup is by first token, so the cost per listing is one dict probe per token plus one per
    candidate phrase length: no regular expression per lexicon entry.
    """

    def __init__(self) -> None:
        self._phrases: dict[tuple[str, ...], list[Any]] = {}
        self._lengths: dict[str, list[int]] = {}

    def add(self, phrase: tuple[str, ...], payload: Any) -> None:
        if not phrase or BOUNDARY in phrase:
            return
        self._phrases.setdefault(phrase, []).append(payload)
        lengths = self._lengths.setdefault(phrase[0], [])
        if len(phrase) not in lengths:
            lengths.append(len(phrase))
            lengths.sort(reverse=True)

    def __len__(self) -> int:
        return len(self._phrases)

    def find(self, tokens: list[str]) -> list[Match]:
        out: list[Match] = []
        lengths = self._lengths
        phrases = self._phrases
        n = len(tokens)
        for i, tok in enumerate(tokens):
            sizes = lengths.get(tok)
            if not sizes:
                continue
            for size in sizes:
                if i + size > n:
                    continue
                key = tuple(tokens[i : i + size])
                payloads = phrases.get(key)
                if payloads:
                    out.append(Match(i, i + size, " ".join(key), tuple(payloads)))
        return out


@dataclass(frozen=True)
class TextRules:
    """The normalisation lexicon (data/text.yaml), ready to use."""

    spelling: Mapping[tuple[str, ...], tuple[str, ...]]
    promo_noise: frozenset[tuple[str, ...]]
    negators: frozenset[str]
    negation_window: int
    purpose_words: frozenset[str]
    hedges_before: frozenset[str]
    hedges_after: frozenset[str]
    modifier_words: frozenset[str]
    container_words: frozenset[str]
    count_words: Mapping[str, int]
    piece_words: frozenset[str]
    not_pack_words: frozenset[str]
    length_words: Mapping[str, float]
    measure_words: frozenset[str]
    _spelling_index: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = field(
        default_factory=dict, repr=False
    )
    _noise_index: dict[str, list[tuple[str, ...]]] = field(default_factory=dict, repr=False)
    _unit_words: set[str] = field(default_factory=set, repr=False)
    _quantity_words: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        # what "/" can stand for "per" before: "Rp25.000/meter", "35rb/pcs", "/lusin", "/kg"
        self._unit_words.update(self.length_words, self.count_words, self.piece_words)
        self._unit_words.update(("roll", "kg", "gram", "ons"))
        # the words a quantity statement turns on (matchers/units.py skips every other token)
        self._quantity_words.update(self.length_words, self.count_words, self.piece_words)
        self._quantity_words.update(("roll", "per", "meteran", "isi", "untuk", "pcs", "x", "m", "meter"))
        for src, dst in sorted(self.spelling.items(), key=lambda kv: -len(kv[0])):
            self._spelling_index.setdefault(src[0], []).append((src, dst))
        for phrase in sorted(self.promo_noise, key=len, reverse=True):
            self._noise_index.setdefault(phrase[0], []).append(phrase)


def apply_spelling(tokens: list[str], rules: TextRules) -> list[str]:
    index = rules._spelling_index
    if not index or index.keys().isdisjoint(tokens):
        return tokens
    out: list[str] = []
    done = 0  # tokens before this index are in `out`
    for i in [i for i, tok in enumerate(tokens) if tok in index]:
        if i < done:
            continue  # inside a phrase already rewritten
        for src, dst in index[tokens[i]]:
            if len(src) == 1 or tuple(tokens[i : i + len(src)]) == src:
                out.extend(tokens[done:i])
                out.extend(dst)
                done = i + len(src)
                break
    out.extend(tokens[done:])
    return out


@dataclass(frozen=True, slots=True)
class Text:
    """A normalised text: tokens (with `|` boundaries) and the same tokens joined by spaces."""

    tokens: list[str]
    text: str
    raw_has_cjk: bool = False

    @property
    def words(self) -> list[str]:
        return [t for t in self.tokens if t != BOUNDARY]


EMPTY = Text([], "", False)


def normalise(raw: str | None, rules: TextRules) -> Text:
    if not raw:
        return EMPTY
    raw = str(raw)[:MAX_CHARS]
    if SLASH in raw:
        tokens = _slash_per(apply_spelling(tokenize(raw, slash=True), rules), rules)
    else:
        tokens = apply_spelling(tokenize(raw), rules)
    return Text(tokens, " ".join(tokens), has_cjk(raw))


def _slash_per(tokens: list[str], rules: TextRules) -> list[str]:
    """ "/" before a unit is "per" ("25.000/meter", "harga/pcs"); elsewhere ("M/L/XL", "tulis/cap",
    "2/3") it only separates words and is dropped."""
    units = rules._unit_words
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if tok != SLASH:
            out.append(tok)
        elif i + 1 < len(tokens) and tokens[i + 1] in units and (not out or out[-1] != "per"):
            out.append("per")
    return out


def normalise_phrase(phrase: str, rules: TextRules | None) -> tuple[str, ...]:
    """A lexicon phrase as tokens, boundaries dropped, spelling applied (when rules are given)."""
    tokens = [t for t in tokenize(phrase) if t != BOUNDARY]
    if rules is not None:
        tokens = apply_spelling(tokens, rules)
    return tuple(tokens)


@dataclass(frozen=True, slots=True)
class Context:
    """What the words just before (and after) a phrase do to it."""

    negated: bool  # "bukan tulis", "tidak printing"
    purpose: bool  # "untuk tenun", "cocok untuk hijab", "bonus masker"
    modifier: bool  # "kombinasi batik": decoration, not the product
    hedged: bool  # "menyerupai tulis", "motif tenun", "tenun tangan style"
    contained: bool  # "tempat tisu": the thing a container holds


def context(tokens: list[str], match: Match, rules: TextRules) -> Context:
    """One look back (never across a clause boundary) and one word ahead."""
    reach = max(rules.negation_window, 3)
    before = tokens[max(0, match.start - reach) : match.start]
    if BOUNDARY in before:
        before = before[len(before) - before[::-1].index(BOUNDARY) :]
    near = before[-2:]
    own_negation = match.phrase.split(" ", 1)[0] in rules.negators  # "tanpa bau malam"
    return Context(
        negated=not own_negation and not rules.negators.isdisjoint(before[-rules.negation_window :]),
        purpose=not rules.purpose_words.isdisjoint(before[-3:]),
        modifier=not rules.modifier_words.isdisjoint(near),
        hedged=not rules.hedges_before.isdisjoint(near)
        or (match.end < len(tokens) and tokens[match.end] in rules.hedges_after),
        contained=not rules.container_words.isdisjoint(near),
    )


def strip_noise(tokens: Iterable[str], rules: TextRules) -> list[str]:
    """Words left once promo noise and boundaries are gone (for comparing titles)."""
    toks = [t for t in tokens if t != BOUNDARY]
    index = rules._noise_index
    out: list[str] = []
    i, n = 0, len(toks)
    while i < n:
        for phrase in index.get(toks[i], ()):
            if tuple(toks[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            out.append(toks[i])
            i += 1
    return out
