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
from matchers.text import BOUNDARY, EMPTY, Match, PhraseIndex, Text, context, normalise, normalise_phrase
from matchers.units import Quantity, quantity, unit_price

# Payload kinds in the phrase index.
ALIAS, DISTRACTOR, FORM, TECH, CUE, SIGNAL, POSITIVE, MOTIF_PRODUCT, MATERIAL, HEAD, MADE, MADE_OF = range(12)


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
    head_distractors: list[Hit] = field(default_factory=list)  # count only before the craft word
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
    in_hub: str | None = None  # the wholesale hub the seller is in ("jakarta utara")
    overseas: str | None = None  # the foreign place the seller is in ("luar negeri")


class Lexicon:
    def __init__(self, ref: Reference):
        self.ref = ref
        rules = ref.text
        idx = PhraseIndex()

        def add(phrase: str, payload: tuple) -> None:
            idx.add(normalise_phrase(phrase, rules), payload)

        for name, group in ref.groups.items():
            for phrase, w in group.aliases.items():
                add(phrase, (ALIAS, f"@{name}", w, False))
            for phrase, w in group.motifs.items():
                add(phrase, (ALIAS, f"@{name}", w, True))
        for name, cat in ref.categories.items():
            for phrase, w in cat.aliases.items():
                add(phrase, (ALIAS, name, w, False))
            for phrase, w in cat.motifs.items():
                add(phrase, (ALIAS, name, w, True))
        for phrase in ref.distractors:
            add(phrase, (DISTRACTOR,))
        for phrase in ref.material_distractors:
            add(phrase, (MATERIAL,))
        for phrase in ref.head_distractors:
            add(phrase, (HEAD,))
        for form, words in ref.forms.items():
            for phrase in words:
                add(phrase, (FORM, form))
        for name, tech in ref.techniques.items():
            for phrase in tech.terms:
                add(phrase, (TECH, name))
        for name, cue in ref.cues.items():
            for phrase in cue.terms:
                add(phrase, (CUE, name))
        self.seller_terms: list[tuple[str, str]] = []  # (signal id, " phrase ")
        for i, sig in enumerate(ref.signals):
            for phrase in sig.terms:
                if sig.field == "seller_name":
                    self.seller_terms.append((sig.id, f" {' '.join(normalise_phrase(phrase, rules))} "))
                else:
                    add(phrase, (SIGNAL, i))
        for phrase in ref.positive_list_terms:
            add(phrase, (POSITIVE,))
        for phrase in ref.motif_products:
            add(phrase, (MOTIF_PRODUCT,))
        for name, cat in ref.categories.items():
            if cat.made_of is not None:
                for phrase in cat.made_of.products:
                    add(phrase, (MADE, name))
                for phrase in cat.made_of.materials:
                    add(phrase, (MADE_OF, name))
        self.index = idx
        self.cue_patterns = [(name, p) for name, cue in ref.cues.items() for p in cue.patterns]
        self.signal_patterns = [(i, p) for i, sig in enumerate(ref.signals) for p in sig.patterns]
        self.overseas = [normalise_phrase(p, rules) for p in ref.overseas_locations]
        self.hubs = [normalise_phrase(p, rules) for p in ref.wholesale_hubs]
        self._locations: dict[str, tuple[str, str | None, str | None]] = {}

    @property
    def signals(self) -> tuple[Signal, ...]:
        return self.ref.signals

    def location(self, raw: str) -> tuple[str, str | None, str | None]:
        """Seller location -> (normalised words, wholesale hub, overseas place); cached, since a
        crawl sees the same few hundred locations again and again."""
        found = self._locations.get(raw)
        if found is None:
            words = " ".join(normalise(raw, self.ref.text).words)
            found = (words, self.place_in(words, self.hubs), self.place_in(words, self.overseas))
            if len(self._locations) > 100_000:
                self._locations.clear()
            self._locations[raw] = found
        return found

    def place_in(self, location: str, places: list[tuple[str, ...]]) -> str | None:
        """The first place (a phrase) that occurs in the location words, e.g. 'jakarta utara'."""
        if not location:
            return None
        padded = f" {location} "
        for place in places:
            if place and f" {' '.join(place)} " in padded:
                return " ".join(place)
        return None


def _made_of(
    facts: Facts,
    lex: Lexicon,
    text: Text,
    made: list[tuple[str, Hit]],
    of: list[tuple[str, Hit]],
) -> None:
    """'<product> ... <material>' within the category's window, in one clause: an alias hit at the
    product word ("sendok makan kayu jati" -> kerajinan_kayu)."""
    for cat, product in made:
        spec = lex.ref.categories[cat].made_of
        for cat2, material in of:
            gap = text.tokens[product.end : material.start]
            if (
                cat2 == cat
                and len(gap) < spec.window
                and BOUNDARY not in gap
                and material.start >= product.end
            ):
                hit = Hit(product.field, f"{product.phrase} {material.phrase}", product.start)
                facts.aliases.append(AliasHit(cat, spec.weight, hit, False, False))
                break


def _scan(facts: Facts, lex: Lexicon, field_name: str, text: Text, matches: list[Match]) -> None:
    rules = lex.ref.text
    tokens = text.tokens
    title = field_name == "title"
    made: list[tuple[str, Hit]] = []
    made_of: list[tuple[str, Hit]] = []
    for m in matches:
        hit = Hit(field_name, m.phrase, m.start)
        ctx = context(tokens, m, rules)
        for payload in m.payloads:
            kind = payload[0]
            if kind == ALIAS:
                if not ctx.purpose and not ctx.modifier:
                    # a motif name is a motif whatever precedes it ("Sarung Bantal Mega Mendung")
                    hedged = ctx.hedged or payload[3]
                    facts.aliases.append(AliasHit(payload[1], payload[2], hit, ctx.negated, hedged))
            elif kind == DISTRACTOR:
                if title and not ctx.purpose and not ctx.contained:
                    facts.distractors.append(hit)
            elif kind == MATERIAL:
                # what the product is made of: "keranjang plastik" is a plastic basket, so a
                # container word before it does not make it the contents
                if title and not ctx.purpose and not ctx.negated:
                    facts.distractors.append(hit)
            elif kind == HEAD:
                if title and not ctx.purpose and not ctx.contained:
                    facts.head_distractors.append(hit)
            elif kind == FORM:
                # not "tidak seragam" (not uniform) or "motif seragam": no garment is named there
                # nor "bahan kemeja": cloth meant for a shirt
                adjective = m.start > 0 and (
                    tokens[m.start - 1] in rules.hedges_before or tokens[m.start - 1] == "bahan"
                )
                if not ctx.purpose and not ctx.negated and not adjective:
                    facts.forms.append((payload[1], hit))
            elif kind == TECH:
                if ctx.negated:
                    facts.negated_claims[payload[1]].append(hit)
                elif ctx.hedged:
                    facts.hedged_claims[payload[1]].append(hit)
                elif not ctx.purpose:
                    facts.claims[payload[1]].append(hit)
            elif kind == CUE:
                if not ctx.negated:
                    facts.cues[payload[1]].append(m.phrase)
            elif kind == SIGNAL:
                if not ctx.negated:
                    facts.signals[lex.ref.signals[payload[1]].id].append(hit)
            elif kind == POSITIVE and title:
                facts.positive_list.append(m.phrase)
            elif kind == MOTIF_PRODUCT and title:
                facts.motif_products.append(hit)
            elif kind == MADE:
                if not ctx.purpose and not ctx.negated:
                    made.append((payload[1], hit))
            elif kind == MADE_OF and not ctx.negated and not ctx.hedged:
                made_of.append((payload[1], hit))  # not "motif kayu", a wood-grain print
    if made and made_of:
        _made_of(facts, lex, text, made, made_of)
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
        facts.location_words, facts.in_hub, facts.overseas = lex.location(listing.seller_location)
    if listing.seller_name and lex.seller_terms:
        padded = f" {' '.join(normalise(listing.seller_name, rules).words)} "
        for sid, phrase in lex.seller_terms:
            if phrase in padded:
                facts.signals[sid].append(Hit("seller_name", phrase.strip(), -1))
    return facts
