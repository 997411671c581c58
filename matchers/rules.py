"""The per-listing rules. Each is a small pure function of what was read from the listing (`Facts`)
and returns a Flag, or None. Stable ids: CROSS_BORDER_UNDER_USD100, BELOW_FLOOR, TECHNIQUE_MISLABEL,
IMPORT_SIGNALS, WATCHLIST (matchers/watchlist.py finds the entry); DUP_CLUSTER is the cross-listing
pass in matchers/clusters.py.

Every reason names its numbers and where they come from, in Indonesian first (`reason_id`) and
English (`reason_en`); `evidence` holds the matched words and fields so an analyst can check them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from crawler.items import Flag
from matchers.classify import Classification
from matchers.data import Floor, Reference, RuleSettings
from matchers.lexicon import Facts, Lexicon
from matchers.text import cjk_chars

CONFIDENCE_ID = {"low": "rendah", "medium": "sedang", "high": "tinggi"}
TECHNIQUE_ID = {
    "tulis": "batik tulis",
    "cap": "batik cap",
    "kombinasi": "batik kombinasi (cap + tulis)",
    "tenun": "tenun (tenun ikat/ATBM)",
    "tenun_tangan": "tenun tangan",
    "ukir_tangan": "ukir tangan",
}
TECHNIQUE_EN = {
    "tulis": "hand-drawn batik (tulis)",
    "cap": "stamped batik (cap)",
    "kombinasi": "combination batik (cap + tulis)",
    "tenun": "hand weaving (tenun)",
    "tenun_tangan": "hand weaving (tenun tangan)",
    "ukir_tangan": "hand carving (ukir tangan)",
}
CUE_ID = {
    "printing_words": "kata printing/cetak",
    "machine_words": "kata mesin/jacquard/CNC",
    "moulded_words": "bahan cetak/resin",
    "hedge_words": "kata 'menyerupai'/'style'",
    "pale_reverse": "sisi belakang pucat/pudar",
    "pale_reverse_strong": "sisi belakang putih/pucat",
    "repeating_motif": "motif simetris/berulang",
    "identical_stock": "stok banyak dengan motif sama",
    "no_wax": "tanpa bau malam",
    "synthetic_fabric": "kain micro/polyester",
    "bulk_stock": "stok grosir/ribuan",
    "imported": "barang kemungkinan impor (batik/tenun impor dibuat mesin)",
}
CUE_EN = {
    "printing_words": "printing/cetak wording",
    "machine_words": "machine/jacquard/CNC wording",
    "moulded_words": "resin/moulded material",
    "hedge_words": "'looks like'/'style' hedge",
    "pale_reverse": "pale or faded reverse side",
    "pale_reverse_strong": "white or pale reverse side",
    "repeating_motif": "symmetric, repeating motif",
    "identical_stock": "bulk stock of one identical motif",
    "no_wax": "no wax smell",
    "synthetic_fabric": "micro/polyester fabric",
    "bulk_stock": "wholesale/thousands in stock",
    "imported": "likely imported (imported batik/tenun is machine-made)",
}


def rupiah(value: float | int | None) -> str:
    if value is None:
        return "?"
    return "Rp" + f"{int(round(value)):,}".replace(",", ".")


def _metres(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def quantity_id(facts: Facts) -> str:
    """What the price covers, in words: 'Rp690.000 untuk 1 roll 50 yard ≈ 45,72 m'."""
    q = facts.quantity
    price = facts.listing.price_idr
    if q.length_m:
        return f"{rupiah(price)} untuk {_metres(q.length_m)} m ({q.evidence})"
    if q.count != 1:
        return f"{rupiah(price)} untuk {q.count:g} buah ({q.evidence})"
    return f"{rupiah(price)} per buah"


def quantity_en(facts: Facts) -> str:
    q = facts.quantity
    price = facts.listing.price_idr
    if q.length_m:
        return f"{rupiah(price)} for {q.length_m:.2f} m ({q.evidence})"
    if q.count != 1:
        return f"{rupiah(price)} for {q.count:g} pieces ({q.evidence})"
    return f"{rupiah(price)} per piece"


def make_flag(
    facts: Facts,
    settings: RuleSettings,
    version: str,
    category: str,
    *,
    severity: str | None = None,
    score: float | None = None,
    reason_id: str,
    reason_en: str,
    evidence: dict[str, Any],
    legal_basis: str | None = None,
) -> Flag:
    listing = facts.listing
    return Flag(
        marketplace=listing.marketplace,
        listing_id=listing.listing_id,
        rule=settings.id,
        severity=severity or settings.severity,
        score=round(float(score if score is not None else settings.get("score", 0.5)), 3),
        reason_id=reason_id,
        reason_en=reason_en,
        evidence=evidence,
        legal_basis=legal_basis or settings.legal_basis,
        matcher_version=version,
        category=category,
    )


# -- CROSS_BORDER_UNDER_USD100 ------------------------------------------------------------------


def usd_price(facts: Facts, ref: Reference) -> float | None:
    """The unit price in USD: from rupiah through the rate, or straight from a USD price."""
    listing = facts.listing
    rate = ref.rates["USD"].idr
    if facts.unit_price_idr is not None:
        return facts.unit_price_idr / rate
    if listing.currency == "USD" and listing.price_original:
        q = facts.quantity
        return listing.price_original / (q.length_m or max(q.count, 1.0))
    return None


def cross_border(facts: Facts, cls: Classification, lex: Lexicon, version: str) -> Flag | None:
    ref = lex.ref
    settings = ref.rules["CROSS_BORDER_UNDER_USD100"]
    listing = facts.listing
    place = facts.overseas
    if listing.is_cross_border is not True and place is None:
        return None
    if facts.positive_list:
        return None  # books, film, music, software may be sold cross-border under USD 100
    usd = usd_price(facts, ref)
    minimum = float(settings.get("min_price_usd", 100))
    if usd is None or usd >= minimum:
        return None
    rate = ref.rates["USD"]
    why_id = (
        "penanda lintas batas platform" if listing.is_cross_border else f"lokasi '{listing.seller_location}'"
    )
    why_en = (
        "platform cross-border flag" if listing.is_cross_border else f"location '{listing.seller_location}'"
    )
    threshold_idr = minimum * rate.idr
    usd_id = f"{usd:.2f}".replace(".", ",")
    return make_flag(
        facts,
        settings,
        version,
        cls.category,
        reason_id=(
            f"Penjual lintas batas ({why_id}) menjual seharga {rupiah(facts.unit_price_idr)} per satuan "
            f"(≈ USD {usd_id}; {quantity_id(facts)}), di bawah minimum USD {minimum:g} per unit "
            f"(≈ {rupiah(threshold_idr)} dengan kurs {rupiah(rate.idr)}/USD, {rate.source.title}, {rate.date}) "
            "untuk barang jadi yang dijual langsung dari luar negeri. Daftar positif (buku, film, musik, "
            "perangkat lunak) tidak memuat tekstil atau kerajinan."
        ),
        reason_en=(
            f"Cross-border seller ({why_en}) sells at {rupiah(facts.unit_price_idr)} per unit (≈ USD {usd:.2f}), "
            f"below the USD {minimum:g} minimum (≈ {rupiah(threshold_idr)} at {rupiah(rate.idr)}/USD, "
            f"{rate.date}) for finished goods sold directly from abroad; the positive list (books, film, "
            "music, software) has no textiles or crafts."
        ),
        evidence={
            "is_cross_border": listing.is_cross_border,
            "seller_location": listing.seller_location,
            "unit_price_idr": facts.unit_price_idr,
            "unit_price_usd": round(usd, 2),
            "usd_idr": rate.idr,
            "rate_date": rate.date,
            "rate_source": rate.source.url,
            "quantity": facts.quantity.evidence or None,
        },
    )


# -- BELOW_FLOOR --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FloorCheck:
    floor: Floor
    technique: str | None
    floor_unit_idr: int  # the floor for the unit the price is per (per metre for yard goods)
    strong_unit_idr: int | None
    unit_price_idr: int
    per_metre: bool
    below: bool
    strong_below: bool


def _claimed(facts: Facts, technique: str) -> bool:
    return bool(facts.claims.get(technique))


def floor_technique(facts: Facts, cls: Classification) -> str | None:
    """The technique that selects a floor: the group's decision, else the strongest claim."""
    if cls.technique:
        return cls.technique
    for tech in ("tulis", "kombinasi", "cap"):
        if _claimed(facts, tech):
            return tech
    return None


def select_floor(facts: Facts, cls: Classification, ref: Reference) -> tuple[Floor, str | None] | None:
    cat = ref.categories.get(cls.category)
    if cat is None or not cat.floors:
        return None
    form = cls.form or "default"
    technique = floor_technique(facts, cls)
    for floor in cat.floors:
        if floor.forms and form not in floor.forms:
            continue
        if "default" not in floor.techniques and technique not in floor.techniques:
            continue  # floors are tried in order: a named technique first, `default` catches the rest
        if floor.requires_claim and not _claimed(facts, floor.requires_claim):
            continue
        if floor.unless_claim and _claimed(facts, floor.unless_claim):
            continue
        return floor, technique
    return None


def check_floor(facts: Facts, cls: Classification, ref: Reference) -> FloorCheck | None:
    if facts.unit_price_idr is None:
        return None
    chosen = select_floor(facts, cls, ref)
    if chosen is None:
        return None
    floor, technique = chosen
    q = facts.quantity
    value, strong = float(floor.floor_idr), floor.strong_below_idr
    per_metre = bool(q.length_m)
    if per_metre:
        if not floor.nominal_length_m:
            return None  # a per-metre price cannot be held against a per-item floor
        value /= floor.nominal_length_m
        strong = strong / floor.nominal_length_m if strong else None
    elif q.piece_length_m and floor.nominal_length_m and q.piece_length_m > 1.3 * floor.nominal_length_m:
        # a 4 m cloth is held against twice the ~2 m floor; shorter pieces keep the whole floor
        scale = q.piece_length_m / floor.nominal_length_m
        value *= scale
        strong = strong * scale if strong else None
    price = facts.unit_price_idr
    return FloorCheck(
        floor=floor,
        technique=technique,
        floor_unit_idr=int(round(value)),
        strong_unit_idr=int(round(strong)) if strong else None,
        unit_price_idr=price,
        per_metre=per_metre,
        below=price < value,
        strong_below=bool(strong) and price < strong,
    )


def below_floor(
    facts: Facts, cls: Classification, check: FloorCheck | None, lex: Lexicon, version: str
) -> Flag | None:
    if check is None or not check.below:
        return None
    settings = lex.ref.rules["BELOW_FLOOR"]
    floor = check.floor
    cat = lex.ref.categories[cls.category]
    unit_id = "meter" if check.per_metre else floor.unit_id
    unit_en = "metre" if check.per_metre else floor.unit_en
    per_m_id = (
        f" ({rupiah(floor.floor_idr)} per {floor.unit_id} dibagi {_metres(floor.nominal_length_m or 1)} m)"
        if check.per_metre
        else ""
    )
    strong_id = f" Juga di bawah ambang kuat {rupiah(check.strong_unit_idr)}." if check.strong_below else ""
    strong_en = (
        f" Also below the strong-flag level {rupiah(check.strong_unit_idr)}." if check.strong_below else ""
    )
    ratio = check.unit_price_idr / check.floor_unit_idr if check.floor_unit_idr else 1.0
    # deeper below the floor, higher score: from `score` at the floor to `score` + 0.3 at zero
    score = float(settings.get("score", 0.35)) + 0.3 * max(0.0, 1.0 - ratio)
    return make_flag(
        facts,
        settings,
        version,
        cls.category,
        severity=settings.get("severity_strong", "high") if check.strong_below else settings.severity,
        score=min(0.9, score),
        reason_id=(
            f"Harga per {unit_id} {rupiah(check.unit_price_idr)} ({quantity_id(facts)}) di bawah batas bawah "
            f"{rupiah(check.floor_unit_idr)} per {unit_id}{per_m_id} untuk {cat.name_id.lower()} "
            f"({floor.why}; sumber: {floor.cite()}; keyakinan {CONFIDENCE_ID[floor.confidence]}; "
            f"batas dari ujung bawah harga eceran lokal, bukan HPP).{strong_id}"
        ),
        reason_en=(
            f"Price per {unit_en} {rupiah(check.unit_price_idr)} ({quantity_en(facts)}) is below the floor "
            f"{rupiah(check.floor_unit_idr)} per {unit_en} for {cat.name_en.lower()} (sources: "
            f"{', '.join(s.key for s in floor.sources)}; confidence {floor.confidence}; the floor is the low "
            f"end of local retail prices, not an audited production cost).{strong_en}"
        ),
        evidence={
            "price_idr": facts.listing.price_idr,
            "unit_price_idr": check.unit_price_idr,
            "unit": "meter" if check.per_metre else floor.unit_id,
            "quantity": facts.quantity.evidence or None,
            "floor_idr": check.floor_unit_idr,
            "strong_below_idr": check.strong_unit_idr,
            "form": cls.form,
            "technique": check.technique,
            "floor_sources": [s.url for s in floor.sources],
            "floor_confidence": floor.confidence,
            "floor_line": floor.line,
        },
    )


# -- TECHNIQUE_MISLABEL -------------------------------------------------------------------------


@dataclass(slots=True)
class MislabelRead:
    claim: str | None = None
    claim_words: list[str] = field(default_factory=list)
    explicit: dict[str, list[str]] = field(default_factory=dict)
    strong: dict[str, list[str]] = field(default_factory=dict)
    weak: dict[str, list[str]] = field(default_factory=dict)
    support: dict[str, list[str]] = field(default_factory=dict)
    hedged: list[str] = field(default_factory=list)
    decided: bool = False
    why: str = ""


def read_mislabel(
    facts: Facts, cls: Classification, check: FloorCheck | None, ref: Reference, imported: bool = False
) -> MislabelRead:
    """A claimed technique contradicted by the listing itself.

    Decided when (a) the listing names a machine process next to the claim ("tulis printing",
    "motif tenun printing", resin for "ukir tangan") and the price is below the claimed floor, or
    the category has no floor; (b) below the floor with a printing trait (pale reverse, repeating
    motif, no wax smell, micro/polyester); (c) below the strong-flag level with bulk stock; or
    (d) below the floor and likely imported: imported "batik" and "tenun" are machine-made
    (antaranews 2011, detik 2022), so a tulis/cap/tenun claim on them is contradicted.
    """
    out = MislabelRead()
    cat = ref.categories.get(cls.category)
    if cat is None or not cat.claims:
        return out
    claimed = [t for t in cat.claims if facts.claims.get(t)]
    if cls.category == "pakaian_batik" and cls.technique in claimed:
        claimed = [cls.technique]
    if not claimed:
        return out
    claim = claimed[0]
    if "tulis" in claimed and cls.technique == "tulis":
        claim = "tulis"
    tech = ref.techniques[claim]
    out.claim = claim
    out.claim_words = sorted({h.phrase for t in claimed for h in facts.claims[t]})
    out.hedged = sorted({h.phrase for t in claimed for h in facts.hedged_claims.get(t, ())})
    for name in tech.strong_cues:
        words = facts.cues.get(name)
        if words:
            target = out.explicit if ref.cues[name].explicit else out.strong
            target[name] = sorted(set(words))
    for name in tech.weak_cues:
        if facts.cues.get(name):
            out.weak[name] = sorted(set(facts.cues[name]))
    for name in tech.support:
        if facts.cues.get(name):
            out.support[name] = sorted(set(facts.cues[name]))
    below = check is not None and check.below
    strong_below = check is not None and check.strong_below
    no_floor = check is None and not (cat.floors and facts.unit_price_idr is not None)
    if out.explicit and (below or no_floor):
        out.decided, out.why = True, "explicit"
    elif below and out.strong:
        out.decided, out.why = True, "below_floor_and_cue"
    elif strong_below and out.weak:
        out.decided, out.why = True, "strong_below_and_bulk"
    elif below and imported:
        out.decided, out.why = True, "imported_below_floor"
    return out


def technique_mislabel(
    facts: Facts,
    cls: Classification,
    check: FloorCheck | None,
    lex: Lexicon,
    version: str,
    imported: bool = False,
) -> Flag | None:
    read = read_mislabel(facts, cls, check, lex.ref, imported)
    if not read.decided or read.claim is None:
        return None
    settings = lex.ref.rules["TECHNIQUE_MISLABEL"]
    cues = {**read.explicit, **read.strong, **(read.weak if read.why == "strong_below_and_bulk" else {})}
    if read.why == "imported_below_floor":
        cues["imported"] = ["sinyal impor / import signals"]
    cue_id = "; ".join(f"{CUE_ID.get(k, k)}: '{', '.join(v[:3])}'" for k, v in cues.items())
    cue_en = "; ".join(f"{CUE_EN.get(k, k)}: '{', '.join(v[:3])}'" for k, v in cues.items())
    price_id = price_en = ""
    if check is not None and check.below:
        price_id = (
            f" Harga per satuan {rupiah(check.unit_price_idr)} di bawah batas {rupiah(check.floor_unit_idr)} "
            f"untuk teknik yang diklaim ({check.floor.cite()})."
        )
        price_en = (
            f" Unit price {rupiah(check.unit_price_idr)} is below the {rupiah(check.floor_unit_idr)} floor "
            "of the claimed technique."
        )
    claim_id = TECHNIQUE_ID.get(read.claim, read.claim)
    claim_en = TECHNIQUE_EN.get(read.claim, read.claim)
    return make_flag(
        facts,
        settings,
        version,
        cls.category,
        severity=settings.get("severity_explicit", "high") if read.why == "explicit" else settings.severity,
        score=float(settings.get("score", 0.6)) + (0.1 if read.why == "explicit" else 0.0),
        reason_id=(
            f"Mengaku {claim_id} ('{', '.join(read.claim_words[:3])}') tetapi iklan sendiri menunjukkan ciri "
            f"buatan mesin/printing: {cue_id}.{price_id} Batik menurut SNI dibuat dengan malam (lilin); "
            "printing bukan batik."
        ),
        reason_en=(
            f"Claims {claim_en} ('{', '.join(read.claim_words[:3])}') but the listing itself shows machine or "
            f"printing cues: {cue_en}.{price_en}"
        ),
        evidence={
            "claim": read.claim,
            "claim_words": read.claim_words,
            "contradictions": cues,
            "support": read.support or None,
            "decided_by": read.why,
            "unit_price_idr": check.unit_price_idr if check else facts.unit_price_idr,
            "floor_idr": check.floor_unit_idr if check else None,
        },
    )


# -- IMPORT_SIGNALS -----------------------------------------------------------------------------


FAR_BELOW = 0.5  # domain brief §5(b): "price < 0.5 x floor" is a further signal


@dataclass(frozen=True, slots=True)
class Contribution:
    id: str
    weight: float
    label_id: str
    label_en: str
    evidence: tuple[str, ...]


def import_contributions(
    facts: Facts, lex: Lexicon, cls: Classification | None = None, check: FloorCheck | None = None
) -> list[Contribution]:
    """Each import signal found counts once.

    Signals of one `group` read the same words in different ways ("bahan import" is marketing,
    "barang import" an admission, "import" alone in between): each mention goes to the first signal
    listed that covers it, and the group counts once, with its heaviest remaining reading. So
    "Bahan Import Korea" is marketing, but "LURIK TENUN IMPORT" in the title still counts when the
    description also says "bahan import".
    """
    listing = facts.listing
    out: list[Contribution] = []
    taken: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    best: dict[str, Contribution] = {}
    for sig in lex.ref.signals:
        evidence: list[str] = []
        if sig.detector == "cross_border_flag":
            if listing.is_cross_border is True:
                evidence = ["is_cross_border=true"]
        elif sig.detector == "overseas_location":
            if facts.overseas:
                evidence = [f"seller_location={listing.seller_location}"]
        elif sig.detector == "wholesale_hub":
            if facts.in_hub:
                evidence = [f"seller_location={listing.seller_location}"]
        elif sig.detector == "cjk":
            if facts.title.raw_has_cjk or facts.description.raw_has_cjk:
                chars = cjk_chars(listing.title) + cjk_chars(listing.description)
                evidence = [chars[:12]] if chars else []
        elif sig.detector == "below_floor":
            if check is not None and check.below:
                evidence = [f"{rupiah(check.unit_price_idr)} < {rupiah(check.floor_unit_idr)}"]
        elif sig.detector == "far_below_floor":
            if check is not None and check.unit_price_idr < FAR_BELOW * check.floor_unit_idr:
                evidence = [
                    f"{rupiah(check.unit_price_idr)} < {FAR_BELOW:g} x {rupiah(check.floor_unit_idr)}"
                ]
        elif sig.detector == "synthetic_craft_fabric":
            group = (
                lex.ref.categories[cls.category].group if cls and cls.category in lex.ref.categories else None
            )
            if cls is not None and (group == "batik" or cls.category in ("tenun_ikat", "songket", "lurik")):
                evidence = sorted(set(facts.cues.get("synthetic_fabric", ())))
        else:
            hits = facts.signals.get(sig.id, [])
            if sig.group:
                spans = taken[sig.group]
                hits = [
                    h
                    for h in hits
                    if h.start < 0 or not any(f == h.field and s < h.end and h.start < e for f, s, e in spans)
                ]
                spans.extend((h.field, h.start, h.end) for h in hits if h.start >= 0)
            evidence = sorted({h.phrase for h in hits})
        if not evidence:
            continue
        found = Contribution(sig.id, sig.weight, sig.label_id, sig.label_en, tuple(evidence))
        if sig.group:
            if sig.group not in best or found.weight > best[sig.group].weight:
                best[sig.group] = found
        elif sig.weight != 0:
            out.append(found)
    out.extend(c for c in best.values() if c.weight != 0)
    return out


def import_flag(
    facts: Facts, cls: Classification, contributions: list[Contribution], lex: Lexicon, version: str
) -> Flag | None:
    ref = lex.ref
    score = sum(c.weight for c in contributions)
    if score < ref.import_threshold:
        return None
    settings = ref.rules["IMPORT_SIGNALS"]
    strong = score >= ref.import_strong
    parts_id = "; ".join(
        f"{c.label_id} ({c.weight:+g}: '{', '.join(c.evidence[:3])}')" for c in contributions
    )
    parts_en = "; ".join(
        f"{c.label_en} ({c.weight:+g}: '{', '.join(c.evidence[:3])}')" for c in contributions
    )
    flag_score = min(
        float(settings.get("max_score", 0.85)), score * float(settings.get("score_per_point", 0.08))
    )
    return make_flag(
        facts,
        settings,
        version,
        cls.category,
        severity=settings.get("severity_strong", "high") if strong else settings.severity,
        score=flag_score,
        reason_id=(
            f"Skor sinyal impor {score:g} (ambang {ref.import_threshold:g}, kuat >= {ref.import_strong:g}): "
            f"{parts_id}. Bobot adalah usulan domain brief §5(b) yang perlu dikalibrasi; legalitas impor "
            "(PI/LS) diperiksa terpisah."
        ),
        reason_en=(
            f"Import-signal score {score:g} (threshold {ref.import_threshold:g}, strong >= {ref.import_strong:g}): "
            f"{parts_en}. Weights are proposals to be calibrated; import legality (PI/LS) is checked separately."
        ),
        evidence={
            "score": score,
            "signals": [{"id": c.id, "weight": c.weight, "words": list(c.evidence)} for c in contributions],
        },
    )
