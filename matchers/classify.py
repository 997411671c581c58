"""Which craft a listing presents: category by weighted aliases, with a confidence, or `other`.

Title words score their categories; the first category word of the title (the product head in
Indonesian titles: "Kemeja Batik ...", "Benang Tenun Ikat ...") counts `first_word_bonus` times,
description words count `description_weight`. Distractor product words in the title ("hijab",
"casing", "plastik") outweigh any craft word. A group (batik) is resolved by product form
(garment -> pakaian_batik) and by the technique the listing claims (tulis, cap, kombinasi, printing).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from matchers.data import Reference
from matchers.lexicon import Facts, Hit

OTHER = "other"


@dataclass(frozen=True, slots=True)
class Classification:
    category: str
    confidence: float
    form: str | None  # garment, kain, selendang, tas, tikar, keranjang, besek, or None
    technique: str | None  # the claimed technique that decided a group (tulis, cap, kombinasi...)
    scores: dict[str, float] = field(default_factory=dict)
    words: tuple[str, ...] = ()  # the words that decided it (evidence)


def product_form(facts: Facts) -> str | None:
    """The first form word of the title, else of the description."""
    for field_name in ("title", "description"):
        hits = [(hit.start, form) for form, hit in facts.forms if hit.field == field_name]
        if hits:
            return min(hits)[1]
    return None


def batik_technique(facts: Facts) -> str | None:
    """The technique a batik listing claims: the title decides, the description breaks silence.

    Both tulis and cap claimed ("Batik Tulis Cap Kombinasi", "Cap + Tulis"): the one mentioned more
    often across title and description wins; a tie is kombinasi (SNI 8304), tested as cap.
    """
    claims = facts.claims
    for field_name in ("title", "description"):
        found = {t for t, hits in claims.items() if any(h.field == field_name for h in hits)}
        tulis, cap = "tulis" in found, "cap" in found or "kombinasi" in found
        if tulis and cap:
            n_tulis = len(claims.get("tulis", ()))
            n_cap = len(claims.get("cap", ())) + len(claims.get("kombinasi", ()))
            return "tulis" if n_tulis > n_cap else "kombinasi"
        if tulis:
            return "tulis"
        if cap:
            return "kombinasi" if "kombinasi" in found else "cap"
        if "printing" in found:
            return "printing"
    return None


def _alias_hits(facts: Facts, ref: Reference) -> list[tuple[str, float, Hit]]:
    """Alias hits with their effective weight, without double counting.

    A negated word ("bukan tenun") does not count; a hedged one ("motif tenun") counts
    `hedged_alias_factor` times (or the category's own `hedged_factor`) unless its group says a
    motif is the category ("motif batik").
    With a motif product in the title ("sandal ... motif songket") a hedged word does not count.
    Within one category and field, overlapping phrases count once: a negative phrase ("per ikat")
    cancels what it covers, then the heaviest phrase wins ("tenun ikat" over "tenun" and "ikat");
    a phrase said twice counts once.
    """
    motif_product = bool(facts.motif_products)
    by_key: dict[tuple[str, str], list[tuple[str, float, Hit]]] = defaultdict(list)
    for a in facts.aliases:
        if a.negated:
            continue
        weight = a.weight
        if a.hedged and weight > 0:
            factor = ref.hedged_alias_factor
            if a.target.startswith("@"):
                motif_ok = ref.groups[a.target[1:]].motif_is_category
            else:
                cat = ref.categories[a.target]
                motif_ok = cat.motif_is_category
                if cat.hedged_factor is not None:
                    factor = cat.hedged_factor
            if motif_product and a.hit.field == "title":
                continue
            if not motif_ok:
                if factor == 0:
                    continue
                weight *= factor
        by_key[(a.target, a.hit.field)].append((a.target, weight, a.hit))
    out = []
    for group_hits in by_key.values():
        taken: list[tuple[int, int]] = []
        seen: set[str] = set()
        ordered = sorted(group_hits, key=lambda x: (x[1] >= 0, -x[1], -len(x[2].phrase)))
        for target, weight, hit in ordered:
            if hit.phrase in seen or any(s < hit.end and hit.start < e for s, e in taken):
                continue
            taken.append((hit.start, hit.end))
            seen.add(hit.phrase)
            out.append((target, weight, hit))
    return out


def _form_excludes(facts: Facts, ref: Reference, target: str, hits: list[tuple[str, float, Hit]]) -> bool:
    """A category that names materials (kain_meteran) does not fit a listing whose title starts
    with a product form it excludes (a garment or a bag made of that material)."""
    excluded = ref.categories[target].not_forms
    if not excluded:
        return False
    starts = [h.start for t, w, h in hits if t == target and h.field == "title" and w > 0]
    forms = [h.start for form, h in facts.forms if form in excluded and h.field == "title"]
    return bool(forms) and (not starts or min(forms) < min(starts))


def classify(facts: Facts, ref: Reference) -> Classification:
    scores: dict[str, float] = defaultdict(float)
    words: dict[str, list[str]] = defaultdict(list)
    hits = _alias_hits(facts, ref)
    # The product head: the first specific category word of the title (generic words such as
    # "kain" or "anyaman", weight < 2, do not make a head).
    heads = [hit.start for _, w, hit in hits if hit.field == "title" and w >= 2]
    first = min(heads) if heads else None
    for target, weight, hit in hits:
        if hit.field == "title":
            factor = ref.first_word_bonus if hit.start == first and weight >= 2 else 1.0
        else:
            factor = ref.description_weight
        scores[target] += weight * factor
        if weight > 0:
            words[target].append(hit.phrase)
    if facts.motif_products and not any(w >= 2 for _, w, h in hits if h.field == "title"):
        # a sandal or a pillow case whose only craft word is its motif
        scores[OTHER] += ref.distractor_weight
        words[OTHER].extend(h.phrase for h in facts.motif_products)
    if facts.distractors:
        scores[OTHER] += ref.distractor_weight * len({h.phrase for h in facts.distractors})
        words[OTHER].extend(h.phrase for h in facts.distractors)
    # A tool, input or food is the product only when it heads the title: "Canting Batik Tembaga"
    # is a tool, "Batik Tulis Halus Canting Tangan" is batik.
    # (a distractor phrase that begins with the craft word, "pandan wangi", covers it: <=)
    heading = [h for h in facts.head_distractors if first is None or h.start <= first]
    if heading:
        scores[OTHER] += ref.distractor_weight * len({h.phrase for h in heading})
        words[OTHER].extend(h.phrase for h in heading)
    for target in [t for t in scores if not t.startswith("@") and t != OTHER]:
        if _form_excludes(facts, ref, target, hits):
            del scores[target]  # "Kebaya Brokat" is a garment, not yard goods
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    form = product_form(facts)
    if not ranked or ranked[0][1] < ref.min_score or ranked[0][0] == OTHER:
        best_score = ranked[0][1] if ranked else 0.0
        if ranked and ranked[0][0] == OTHER:
            second = ranked[1][1] if len(ranked) > 1 else 0.0
            confidence = 1.0 - max(second, 0.0) / best_score
        else:
            confidence = 1.0 - max(best_score, 0.0) / ref.min_score
        return Classification(
            OTHER, round(max(0.05, confidence), 2), form, None, dict(scores), tuple(words[OTHER])
        )
    target, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = (best - max(second, 0.0)) / best * min(1.0, best / (2 * ref.min_score))
    technique = None
    if target.startswith("@"):
        group = ref.groups[target[1:]]
        technique = batik_technique(facts)
        if form in group.by_form:
            category = group.by_form[form]
        else:
            category = group.by_technique.get(technique or "", group.default)
    else:
        category = target
    return Classification(
        category,
        round(max(0.05, confidence), 2),
        form,
        technique,
        dict(scores),
        tuple(dict.fromkeys(words[target])),
    )
