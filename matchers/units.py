"""What one listed price buys: a pack of pieces, a length of cloth, or one item.

"per meter", "harga per 1 meter", "kain meteran", "15rb/meter"  -> sold by the metre
"1 roll 50 yard", "per roll isi 50 yard (±45,7 m)"            -> 45.72 m for the price
"isi 3 pcs", "(isi 2 pcs)", "2pcs", "harga untuk 20 pcs"       -> 3 / 2 / 20 pieces
"per lusin", "1 lusin", "per kodi", "isi 1 kodi"                -> 12 / 12 / 20 / 20 pieces
"2,25 m", "2m x 1,15m", "ukuran 2,4 x 1,05 m"                   -> one piece 2.25 / 2 / 2.4 m long
The title is read first; the description only where the title says nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matchers.text import BOUNDARY, Text, TextRules

_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")  # "18.000", "1.250.000"
MAX_PACK = 10_000  # a larger "isi N" is not a pack size (a stock count, a typo, hostile text)
MAX_LENGTH_M = 10_000.0
_NOT_PIECE = frozenset(("lebar", "roll", "kelipatan", "panjang roll"))
_NOT_COUNTED = frozenset(("set", "pack", "bungkus"))  # "2 pack" says nothing of the pieces in each


@dataclass(frozen=True, slots=True)
class Quantity:
    """How much the listed price covers."""

    count: float = 1.0  # pieces in the pack
    length_m: float | None = None  # metres of yard goods for the price (per meter: 1.0)
    piece_length_m: float | None = None  # length of one piece of cloth when stated
    evidence: str = ""  # the words the quantity was read from

    @property
    def by_length(self) -> bool:
        return self.length_m is not None


ONE = Quantity()


def _num(tok: str) -> float | None:
    if not _NUMBER.match(tok):
        return None
    # "2,25" / "2.25" are decimals here (lengths and pack sizes are small numbers).
    try:
        return float(tok.replace(",", "."))
    except ValueError:
        return None


def _at(tokens: list[str], i: int) -> str:
    return tokens[i] if 0 <= i < len(tokens) else BOUNDARY


def _length_after(tokens: list[str], i: int, rules: TextRules, window: int = 6) -> tuple[float, int] | None:
    """The first '<number> <length word>' within `window` tokens from i: (metres, index)."""
    for j in range(i, min(len(tokens) - 1, i + window)):
        if tokens[j] == BOUNDARY:
            return None
        n = _num(tokens[j])
        unit = rules.length_words.get(tokens[j + 1])
        if n is not None and unit is not None and n > 0:
            return n * unit, j
    return None


def _is_price(tokens: list[str], i: int, rules: TextRules) -> bool:
    """Whether token i is a rupiah amount: after "Rp", or written with thousands dots
    ("18.000"), and not a stock count ("ready 1.000 meter")."""
    tok = _at(tokens, i)
    if not tok[:1].isdigit():
        return False
    before = _at(tokens, i - 1)
    if before in ("rp", "idr"):
        return True
    return _THOUSANDS.match(tok) is not None and before not in rules.not_pack_words


def read_quantity(text: Text, rules: TextRules, title: bool = False) -> Quantity | None:
    """The quantity one text states, or None when it states none. In a title, "2 lembar" and
    "2 potong" are a pack too (descriptions say "ada 2 lembar", "sisa 2 potong" too often)."""
    toks = text.tokens
    n = len(toks)
    count: float | None = None
    length: float | None = None
    piece: float | None = None
    evidence: list[str] = []
    triggers = rules._quantity_words
    for i, tok in enumerate(toks):
        if tok not in triggers:
            continue
        # -- sold by length ---------------------------------------------------------------------
        if tok == "roll" and length is None:
            found = _length_after(toks, i + 1, rules)
            if found:
                length = found[0]
                evidence.append(" ".join(toks[i : found[1] + 2]))
                continue
        if tok == "per" and _at(toks, i + 1) in rules.length_words and length is None:
            length = rules.length_words[toks[i + 1]]  # "per meter", "per yard"
            evidence.append(f"per {toks[i + 1]}")
            continue
        if (
            tok == "per"
            and _at(toks, i + 1) == "1"
            and _at(toks, i + 2) in rules.length_words
            and length is None
        ):
            length = rules.length_words[toks[i + 2]]  # "per 1 yard", "harga per 1 m"
            evidence.append(f"per 1 {toks[i + 2]}")
            continue
        if tok == "meteran" and length is None:
            length = 1.0
            evidence.append("meteran")
            continue
        if tok in rules.length_words and length is None and _is_price(toks, i - 1, rules):
            length = rules.length_words[tok]  # "Rp 18.000/meter", "18.500/yard"
            evidence.append(f"{toks[i - 1]} {tok}")
            continue
        if tok in rules.length_words and rules.length_words[tok] < 1.0 and i > 0 and length is None:
            # "50 yard" anywhere states yardage for the price
            q = _num(toks[i - 1])
            if q is not None and q >= 5:
                length = q * rules.length_words[tok]
                evidence.append(f"{toks[i - 1]} {tok}")
                continue
        if tok in rules.length_words and i > 0 and toks[i - 1] in ("rb", "ribu", "k") and length is None:
            length = rules.length_words[tok]  # "15rb/meter", "12k/yard"
            evidence.append(f"{toks[i - 1]} {tok}")
            continue
        # -- packs ------------------------------------------------------------------------------
        if count is None:
            if tok == "isi":
                q = _num(_at(toks, i + 1))
                nxt = _at(toks, i + 2)
                if q is not None and q >= 1:
                    if nxt in rules.piece_words or nxt in rules.count_words:
                        count = q * rules.count_words.get(nxt, 1)
                        evidence.append(f"isi {toks[i + 1]} {nxt}")
                        continue
                    if nxt == BOUNDARY:  # "isi 3" at the end of a clause
                        count = q
                        evidence.append(f"isi {toks[i + 1]}")
                        continue
                    if nxt.isalpha() and nxt not in rules.measure_words:
                        # "isi 6 sendok", "set isi 5 ukuran": N of the things named, unless
                        # the word is a measure ("isi 50 gram", "isi 3 ply")
                        count = q
                        evidence.append(f"isi {toks[i + 1]} {nxt}")
                        continue
            if tok == "untuk" and _at(toks, i - 1) in ("harga", "sudah"):
                q = _num(_at(toks, i + 1))
                if q is not None and q >= 1 and _at(toks, i + 2) in rules.piece_words:
                    count = q
                    evidence.append(f"harga untuk {toks[i + 1]} {toks[i + 2]}")
                    continue
            if tok in rules.count_words:
                prev = _at(toks, i - 1)
                q = _num(prev)
                if prev in ("per", "harga", "isi") or prev == BOUNDARY and i == 0:
                    count = float(rules.count_words[tok])
                    evidence.append(f"{prev} {tok}" if prev != BOUNDARY else tok)
                    continue
                if q is not None and q >= 1:
                    count = q * rules.count_words[tok]
                    evidence.append(f"{prev} {tok}")
                    continue
            if (tok == "pcs" or title and tok in rules.piece_words and tok not in _NOT_COUNTED) and i > 0:
                q = _num(toks[i - 1])
                before = _at(toks, i - 2)
                if q is not None and q >= 1 and before not in rules.not_pack_words:
                    count = q
                    evidence.append(f"{toks[i - 1]} {tok}")
                    continue
        # -- one piece's length -----------------------------------------------------------------
        if piece is None and tok in ("m", "meter") and i > 0:
            q = _num(toks[i - 1])
            before = _at(toks, i - 2)
            if (
                q is not None
                and 0.5 <= q <= 10
                and before not in _NOT_PIECE
                and before not in rules.not_pack_words - {"per"}
            ):
                piece = q
                continue
        if piece is None and tok == "x" and i > 0 and i + 1 < n:
            q = _num(toks[i - 1])
            if q is not None and 0.5 <= q <= 10 and _at(toks, i - 2) != "lebar":
                after = _length_after(toks, i + 1, rules, window=3)
                if after is not None:
                    piece = q
    if count is not None and not 1 <= count <= MAX_PACK:
        count = None
    if length is not None and not 0 < length <= MAX_LENGTH_M:
        length = None
    if count is None and length is None and piece is None:
        return None
    return Quantity(
        count=count if count and count > 0 else 1.0,
        length_m=length,
        piece_length_m=piece,
        evidence="; ".join(evidence),
    )


def quantity(title: Text, description: Text, rules: TextRules) -> Quantity:
    """Title first; the description fills in what the title leaves unsaid."""
    t = read_quantity(title, rules, title=True)
    d = read_quantity(description, rules)
    if t is None and d is None:
        return ONE
    if t is None:
        return d  # type: ignore[return-value]
    if d is None:
        return t
    use_d_count = t.count == 1.0 and d.count != 1.0
    use_d_length = t.length_m is None and d.length_m is not None
    evidence = [t.evidence] if t.evidence else []
    if (use_d_count or use_d_length) and d.evidence and d.evidence not in evidence:
        evidence.append(d.evidence)
    return Quantity(
        count=d.count if use_d_count else t.count,
        length_m=d.length_m if use_d_length else t.length_m,
        piece_length_m=t.piece_length_m if t.piece_length_m is not None else d.piece_length_m,
        evidence="; ".join(evidence),
    )


def unit_price(price_idr: int | None, q: Quantity) -> int | None:
    """Price per piece, or per metre for yard goods; None when the price is unknown."""
    if price_idr is None or price_idr <= 0:
        return None
    if q.length_m:
        return int(round(price_idr / q.length_m))
    return int(round(price_idr / max(q.count, 1.0)))
