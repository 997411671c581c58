"""One phrase index over every lexicon in data/, and the per-listing reading of a listing.

`Lexicon(reference)` normalises each phrase of categories.yaml and signals.yaml once and puts it in a
single `PhraseIndex`, so reading a listing is one pass over its title and one over its description.
`read_listing` returns `Facts`: what the listing says (claims, cues, forms, signals, quantity),
already separated from negated, hedged and purpose mentions. The rules only look at Facts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from crawler.items import Listing
from matchers.data import Reference, Signal
from matchers.text import (
    EMPTY,
    Match,
    PhraseIndex,
    Text,
    is_hedged,
    is_negated,
    is_purpose,
    normalise,
    normalise_phrase,
    preceded_by,
)
from matchers.units import Quantity, quantity, unit_price

# Payload kinds in the phrase index.
ALIAS, DISTRACTOR, FORM, TECH, CUE, SIGNAL, POSITIVE, MOTIF_PRODUCT = range(8)


@dataclass(frozen=True, slots=True)
class Hit:
    """A phrase found in one field ("title" or "description"), at token `start`."""

    field: str
    phrase: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.phrase.split()) if self.start >= 0 else -1


@dataclass(frozen=True, slots=True)
class AliasHit:
    target: str  # a category, or "@group"
    weight: float
    hit: Hit
    negated: bool  # "bukan tenun"
    hedged: bool  # "motif tenun", "seperti tenun"


@dataclass(slots=True)
class Facts:
    listing: Listing
    title: Text
    description: Text
    # category words, purpose and modifier mentions ("untuk tenun", "kombinasi batik") removed
    aliases: list[AliasHit] = field(default_factory=list)
    distractors: list[Hit] = field(default_factory=list)
    motif_products: list[Hit] = field(default_factory=list)
    forms: list[tuple[str, Hit]] = field(default_factory=list)  # in text order, title first
    claims: dict[str, list[Hit]] = field(default_factory=lambda: defaultdict(list))
    negated_claims: dict[str, list[Hit]] = field(default_factory=lambda: defaultdict(list))
    hedged_claims: dict[str, list[Hit]] = field(default_factory=lambda: defaultdict(list))
    cues: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    signals: dict[str, list[Hit]] = field(default_factory=lambda: defaultdict(list))
    positive_list: list[str] = field(default_factory=list)
    quantity: Quantity = field(default_factory=Quantity)
    unit_price_idr: int | None = None
    location_words: str = ""


class Lexicon:
    def __init__(self, ref: Reference):
        self.ref = ref
        rules = ref.text
        idx = PhraseIndex()

        def add(phrase: str, payload: tuple) -> None:
            idx.add(normalise_phrase(phrase, rules), payload)

        for name, group in ref.groups.items():
            for phrase, w in group.aliases.items():
                add(phrase, (ALIAS, f"@{name}", w))
        for name, cat in ref.categories.items():
            for phrase, w in cat.aliases.items():
                add(phrase, (ALIAS, name, w))
        for phrase in ref.distractors:
            add(phrase, (DISTRACTOR,))
        for form, words in ref.forms.items():
            for phrase in words:
                add(phrase, (FORM, form))
        for name, tech in ref.techniques.items():
            for phrase in tech.terms:
                add(phrase, (TECH, name))
        for name, cue in ref.cues.items():
            for phrase in cue.terms:
                add(phrase, (CUE, name))
        for i, sig in enumerate(ref.signals):
            for phrase in sig.terms:
                add(phrase, (SIGNAL, i))
        for phrase in ref.positive_list_terms:
            add(phrase, (POSITIVE,))
        for phrase in ref.motif_products:
            add(phrase, (MOTIF_PRODUCT,))
        self.index = idx
        self.cue_patterns = [(name, p) for name, cue in ref.cues.items() for p in cue.patterns]
        self.signal_patterns = [(i, p) for i, sig in enumerate(ref.signals) for p in sig.patterns]
        self.overseas = [normalise_phrase(p, rules) for p in ref.overseas_locations]
        self.hubs = [normalise_phrase(p, rules) for p in ref.wholesale_hubs]

    @property
    def signals(self) -> tuple[Signal, ...]:
        return self.ref.signals

    def place_in(self, location: str, places: list[tuple[str, ...]]) -> str | None:
        """The first place (a phrase) that occurs in the location words, e.g. 'jakarta utara'."""
        if not location:
            return None
        padded = f" {location} "
        for place in places:
            if place and f" {' '.join(place)} " in padded:
                return " ".join(place)
        return None


def _scan(facts: Facts, lex: Lexicon, field_name: str, text: Text, matches: list[Match]) -> None:
    rules = lex.ref.text
    tokens = text.tokens
    for m in matches:
        hit = Hit(field_name, m.phrase, m.start)
        negated = None  # computed lazily: most matches never need it
        for payload in m.payloads:
            kind = payload[0]
            if kind == ALIAS:
                if not is_purpose(tokens, m, rules) and not preceded_by(
                    tokens, m.start, rules.modifier_words, 2
                ):
                    if negated is None:
                        negated = is_negated(tokens, m, rules)
                    facts.aliases.append(
                        AliasHit(payload[1], payload[2], hit, negated, is_hedged(tokens, m, rules))
                    )
            elif kind == DISTRACTOR:
                if field_name == "title" and not is_purpose(tokens, m, rules):
                    facts.distractors.append(hit)
            elif kind == FORM:
                if not is_purpose(tokens, m, rules):
                    facts.forms.append((payload[1], hit))
            elif kind == TECH:
                if negated is None:
                    negated = is_negated(tokens, m, rules)
                if negated:
                    facts.negated_claims[payload[1]].append(hit)
                elif is_hedged(tokens, m, rules):
                    facts.hedged_claims[payload[1]].append(hit)
                elif not is_purpose(tokens, m, rules):
                    facts.claims[payload[1]].append(hit)
            elif kind == CUE:
                if negated is None:
                    negated = is_negated(tokens, m, rules)
                if not negated:
                    facts.cues[payload[1]].append(m.phrase)
            elif kind == SIGNAL:
                if negated is None:
                    negated = is_negated(tokens, m, rules)
                if not negated:
                    facts.signals[lex.ref.signals[payload[1]].id].append(hit)
            elif kind == POSITIVE and field_name == "title":
                facts.positive_list.append(m.phrase)
            elif kind == MOTIF_PRODUCT and field_name == "title":
                facts.motif_products.append(hit)
    if text.text:
        for name, pattern in lex.cue_patterns:
            found = pattern.search(text.text)
            if found:
                facts.cues[name].append(found.group(0))
        for i, pattern in lex.signal_patterns:
            found = pattern.search(text.text)
            if found:
                facts.signals[lex.ref.signals[i].id].append(Hit(field_name, found.group(0), -1))


def read_listing(listing: Listing, lex: Lexicon) -> Facts:
    rules = lex.ref.text
    title = normalise(listing.title, rules)
    description = normalise(listing.description, rules) if listing.description else EMPTY
    facts = Facts(listing, title, description)
    _scan(facts, lex, "title", title, lex.index.find(title.tokens))
    if description.tokens:
        _scan(facts, lex, "description", description, lex.index.find(description.tokens))
    facts.quantity = quantity(title, description, rules)
    facts.unit_price_idr = unit_price(listing.price_idr, facts.quantity)
    if listing.seller_location:
        facts.location_words = " ".join(normalise(listing.seller_location, rules).words)
    return facts
