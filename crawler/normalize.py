"""Indonesian marketplace strings -> numbers. Pure functions, no I/O.

Prices: "Rp1.250.000", "Rp 1.250.000,00", "Rp15rb", "15 ribu", "1,2jt", "1.2 juta",
"Rp50.000 - Rp75.000" (a range), "Rp0" / "Hubungi penjual" (no price: None).
Counts: "10rb+ terjual", "1,2rb terjual", "Terjual 250+", "5jt+", "1.234".
Indonesian writes "." for thousands and "," for decimals; English-style strings also occur
(Shopee/Lazada templates), so the separator is decided by what follows it.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from crawler.items import Listing, RawListing

_MULTIPLIERS = {
    "rb": 1_000,
    "ribu": 1_000,
    "k": 1_000,
    "jt": 1_000_000,
    "juta": 1_000_000,
    "m": 1_000_000,  # "1.2m" in English templates; Indonesian "M" (miliar) handled below
    "mio": 1_000_000,
    "miliar": 1_000_000_000,
    "milyar": 1_000_000_000,
    "b": 1_000_000_000,
}

# A number, optionally followed by a multiplier word. The number may use "." or "," either way.
_AMOUNT = re.compile(
    r"(?P<num>\d+(?:[.,\s]\d+)*)\s*(?P<mult>ribu|rb|juta|jt|miliar|milyar|mio|k|m|b)?(?![a-z])",
    re.IGNORECASE,
)
_RANGE_SPLIT = re.compile(r"\s*(?:-|–|—|~|s/d|sampai|hingga)\s*", re.IGNORECASE)
_NO_PRICE = re.compile(r"hubungi|tanya|nego|chat|habis|kosong|^\W*$", re.IGNORECASE)


class NormalizeError(ValueError):
    """A string that should hold a number holds something else."""


def _to_number(num: str, has_multiplier: bool) -> float:
    """Read "1.250.000", "1,2", "1.2", "1,250,000.50", "1.250.000,00" as a number."""
    num = re.sub(r"\s", "", num)
    seps = [c for c in num if c in ".,"]
    if not seps:
        return float(num)
    last = max(num.rfind("."), num.rfind(","))
    tail = num[last + 1 :]
    distinct = set(seps)
    if len(distinct) == 2:
        # Both used: the last one is the decimal mark ("1.250.000,00" / "1,250,000.50").
        whole = re.sub(r"[.,]", "", num[:last])
        return float(f"{whole}.{tail}")
    sep = seps[0]
    if len(seps) > 1:
        # "1.250.000": the same mark repeated can only group thousands.
        return float(num.replace(sep, ""))
    # One mark: grouping when exactly three digits follow and no multiplier is attached
    # ("15.000" is fifteen thousand); decimal otherwise ("1,2jt", "4.9", "1.25 juta").
    if len(tail) == 3 and not has_multiplier:
        return float(num.replace(sep, ""))
    return float(num.replace(sep, "."))


def _amount(text: str) -> int | None:
    m = _AMOUNT.search(text)
    if not m:
        return None
    mult_word = (m.group("mult") or "").lower()
    value = _to_number(m.group("num"), bool(mult_word))
    if mult_word == "m" and re.search(r"\brp", text, re.IGNORECASE) and value < 1000:
        # Indonesian "M" after a rupiah amount is miliar ("Rp1,5M"); "1.2m" sold counts are millions.
        value *= 1_000_000_000
    else:
        value *= _MULTIPLIERS.get(mult_word, 1)
    if not math.isfinite(value):
        return None
    return int(round(value))


def parse_price(text: str | int | float | None, divisor: int = 1) -> tuple[int | None, int | None]:
    """Return (price, price_max) in integer rupiah; (None, None) when the page shows no price.

    `divisor` is for APIs that state money in fractions of a rupiah (Shopee: 100000).
    """
    if text is None:
        return None, None
    if isinstance(text, bool):
        raise NormalizeError(f"bukan harga: {text!r}")
    if isinstance(text, int | float):
        value = int(round(text / divisor))
        return (value if value > 0 else None), None
    s = str(text).strip()
    if not s or _NO_PRICE.search(s) and not re.search(r"\d", s):
        return None, None
    parts = [p for p in _RANGE_SPLIT.split(s) if re.search(r"\d", p)]
    if not parts:
        if _NO_PRICE.search(s):
            return None, None
        raise NormalizeError(f"harga tidak terbaca: {s[:80]!r}")
    if divisor != 1:
        values = [_amount(p.replace(".", "").replace(",", "")) for p in parts]
        values = [None if v is None else int(round(v / divisor)) for v in values]
    else:
        values = [_amount(p) for p in parts]
    values = [v if v and v > 0 else None for v in values]
    low = values[0]
    high = values[1] if len(values) > 1 else None
    if low is None:
        return None, None
    if high is not None and high <= low:
        high = None if high == low else high
        if high is not None:
            low, high = high, low
    return low, high


def parse_count(text: str | int | None) -> int | None:
    """'10rb+ terjual' -> 10000, 'Terjual 250+' -> 250, '1,2rb' -> 1200, '5jt+' -> 5000000."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise NormalizeError(f"bukan jumlah: {text!r}")
    if isinstance(text, int):
        return text if text >= 0 else None
    if isinstance(text, float):
        return int(text) if math.isfinite(text) and text >= 0 else None
    s = str(text).strip().lower()
    if not s:
        return None
    m = _AMOUNT.search(s)
    if not m:
        return None
    mult_word = (m.group("mult") or "").lower()
    value = _to_number(m.group("num"), bool(mult_word)) * _MULTIPLIERS.get(mult_word, 1)
    return int(round(value))


def parse_rating(text: str | float | int | None) -> float | None:
    """'4,9' / '4.9' / 4.9 -> 4.9 on a 0-5 scale; anything else None."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        value = float(text)
    else:
        m = re.search(r"\d+(?:[.,]\d+)?", str(text))
        if not m:
            return None
        value = float(m.group(0).replace(",", "."))
    if not math.isfinite(value) or value <= 0 or value > 5:
        return None
    return round(value, 2)


def clean_text(text: str | None, limit: int = 10_000) -> str | None:
    """Collapse whitespace and drop control characters; scraped text stays data."""
    if text is None:
        return None
    s = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", str(text))
    s = re.sub(r"\s+", " ", s).strip()
    return s[:limit] if s else None


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def normalize_listing(raw: RawListing, captured_at: str | None = None) -> Listing:
    """RawListing -> Listing. Raises NormalizeError naming the field that could not be read."""
    currency = (raw.currency or "IDR").upper()
    try:
        price, price_max = parse_price(raw.price, raw.price_divisor)
        if raw.price_max is not None and price_max is None:
            price_max = parse_price(raw.price_max, raw.price_divisor)[0]
        original = parse_price(raw.original_price, raw.price_divisor)[0]
    except NormalizeError as exc:
        raise NormalizeError(f"{raw.marketplace}/{raw.listing_id}: {exc}") from exc
    if original is not None and price is not None and original <= price:
        original = None  # a strike-through price that is not higher is no discount
    price_original = None
    if currency != "IDR":
        # Keep the foreign amount; rupiah fields stay unknown rather than guessed.
        price_original = float(price) if price is not None else None
        price = price_max = original = None
    return Listing(
        marketplace=raw.marketplace,
        listing_id=str(raw.listing_id),
        url=raw.url,
        title=clean_text(raw.title) or "",
        price_idr=price,
        price_max_idr=price_max,
        original_price_idr=original,
        currency=currency,
        sold_count=parse_count(raw.sold),
        rating=parse_rating(raw.rating),
        review_count=parse_count(raw.review_count),
        seller_id=raw.seller_id,
        seller_name=clean_text(raw.seller_name),
        seller_location=clean_text(raw.seller_location),
        is_cross_border=raw.is_cross_border,
        image_url=raw.image_url,
        category_path=clean_text(raw.category_path),
        captured_at=captured_at or utc_now(),
        price_text=raw.price if raw.price is None else str(raw.price),
        price_original=price_original,
        sold_text=raw.sold,
        historical_sold=parse_count(raw.historical_sold),
        seller_url=raw.seller_url,
        is_official=raw.is_official,
        is_preorder=raw.is_preorder,
        description=clean_text(raw.description, limit=20_000),
        keyword=raw.keyword,
        source=raw.source,
        capture_id=raw.capture_id,
    )
