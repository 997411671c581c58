"""Indonesian marketplace strings -> numbers. Pure functions, no I/O.

Prices: "Rp1.250.000", "Rp 1.250.000,00", "Rp15rb", "15 ribu", "1,2jt", "1.2 juta",
"Rp50.000 - Rp75.000" (a range), "Rp0" / "Hubungi penjual" (no price: None).
Counts: "10rb+ terjual", "1,2rb terjual", "Terjual 250+", "5jt+", "100+ sold", "1.234".

The rule everywhere: a number is read only when its reading is certain. Indonesian writes "."
for thousands and "," for decimals; English-style strings also occur (Shopee/Lazada templates),
so a separator is decided by what follows it, and a string that could be read two ways
("1.500rb": 1.500 ribu or 1,5 ribu?) or that holds more than a price (markup, a sentence) is
refused with NormalizeError rather than guessed. Unknown is None, never 0.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from crawler.items import Listing, RawListing

# Amounts above this are not prices anyone lists (one trillion rupiah): a sign of a misread.
MAX_PRICE_IDR = 10**12
MAX_COUNT = 10**12

_MULTIPLIERS = {
    "rb": 1_000,
    "ribu": 1_000,
    "k": 1_000,
    "jt": 1_000_000,
    "juta": 1_000_000,
    "mio": 1_000_000,
    "miliar": 1_000_000_000,
    "milyar": 1_000_000_000,
    "b": 1_000_000_000,
    # "m" is decided by context in _multiplier(): miliar after "Rp", million in English counts.
}

_CURRENCY = r"(?:rp\.?|idr|php|₱|usd|us\$|\$|rm|myr|sgd|s\$|cny|rmb|¥|€|eur)"
_NUM = r"[0-9][0-9.,]*"
_MULT = r"(?:ribu|rb|juta|jt|miliar|milyar|mio|k|m|b)"
# One amount: optional currency, the number, an optional multiplier word, optional currency after.
_AMT = rf"(?:{_CURRENCY}\s*)?{_NUM}(?:\s*{_MULT})?(?![a-z])(?:\s*{_CURRENCY})?"
_AMT_PARTS = re.compile(
    rf"^(?P<cur>{_CURRENCY})?\s*(?P<num>{_NUM})\s*(?P<mult>{_MULT})?(?:\s*(?P<cur2>{_CURRENCY}))?$"
)
_PRICE = re.compile(
    r"^(?:harga\s*)?(?:mulai\s*(?:dari\s*)?|from\s*|start(?:ing)?\s*(?:from|at)?\s*)?"
    rf"(?P<low>{_AMT})"
    rf"(?:\s*(?:-|–|—|~|s/d|s\.d\.?|sampai|hingga|to)\s*(?P<high>{_AMT}))?"
    r"(?:\s*/\s*[a-z]+)?$"  # a unit: "/pcs", "/meter", "/lembar"
)
# Words that say there is no price to read ("Hubungi penjual", "Stok habis", "Rp -").
_NO_PRICE_WORDS = re.compile(r"hubungi|tanya|nego|chat|habis|kosong|gratis|\bfree\b|\bn/?a\b")
_NO_PRICE_BARE = re.compile(rf"^(?:{_CURRENCY})?[\s\W_]*$")
_COUNT = re.compile(
    r"^(?:(?:terjual|sold)\s*:?\s*)?(?:lebih\s+dari\s*|>\s*)?"
    rf"(?P<num>{_NUM})\s*(?P<mult>{_MULT})?\s*\+?\s*"
    r"(?:(?:barang\s+|produk\s+|pcs\s+)?terjual|sold)?$"
)
_RATING = re.compile(r"^(?P<num>[0-9](?:[.,][0-9]{1,2})?)\s*(?:/\s*5(?:[.,]0)?|dari\s+5)?$")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")


class NormalizeError(ValueError):
    """A string that should hold a number holds something else, or could be read two ways."""


def _prepare(text: str) -> str:
    """NFKC (full-width digits, nbsp), no invisible characters, one space, lower case."""
    s = unicodedata.normalize("NFKC", text)
    s = _INVISIBLE.sub("", s)
    return re.sub(r"\s+", " ", s).strip().lower()


def _to_number(num: str, has_multiplier: bool) -> Decimal:
    """Read "1.250.000", "1,2", "1.2", "1,250,000.50", "1.250.000,00"; refuse what is unsure."""
    if sum(c.isdigit() for c in num) > 18:
        raise NormalizeError(f"angka terlalu panjang: {num[:30]!r}")
    seps = [c for c in num if c in ".,"]
    if not seps:
        return Decimal(num)
    if num[-1] in ".,":
        raise NormalizeError(f"angka terpotong: {num!r}")
    if len(set(seps)) == 2:
        # Both marks: the last one is the decimal mark, the other groups thousands.
        last = max(num.rfind("."), num.rfind(","))
        whole, frac = num[:last], num[last + 1 :]
        group = "." if num[last] == "," else ","
        if not re.fullmatch(rf"[0-9]{{1,3}}(?:\{group}[0-9]{{3}})+", whole) or len(frac) > 2:
            raise NormalizeError(f"pemisah ribuan/desimal tidak cocok: {num!r}")
        return Decimal(whole.replace(group, "") + "." + frac)
    sep = seps[0]
    if len(seps) > 1:
        # The same mark repeated can only group thousands, and then every group has 3 digits.
        if not re.fullmatch(rf"[0-9]{{1,3}}(?:\{sep}[0-9]{{3}})+", num):
            raise NormalizeError(f"pengelompokan ribuan tidak cocok: {num!r}")
        return Decimal(num.replace(sep, ""))
    head, tail = num.split(sep)
    if len(tail) == 3:
        if has_multiplier:
            # "1.500rb" is 1.500 ribu in Indonesian and 1,5 ribu in English: refuse to guess.
            raise NormalizeError(f"angka ambigu: {num!r} dengan satuan")
        if len(head) > 3:
            raise NormalizeError(f"pengelompokan ribuan tidak cocok: {num!r}")
        return Decimal(head + tail)
    if len(tail) in (1, 2):
        return Decimal(f"{head}.{tail}")
    raise NormalizeError(f"angka tidak terbaca: {num!r}")


def _multiplier(word: str | None, currency: str | None, for_price: bool) -> int:
    if not word:
        return 1
    if word == "m":
        if not for_price:
            return 1_000_000  # "1.2m sold": English million
        if currency and currency.startswith(("rp", "idr")):
            return 1_000_000_000  # "Rp1,5M": miliar
        if currency:
            return 1_000_000  # "$1.5M"
        raise NormalizeError("satuan 'M' tanpa mata uang: miliar atau juta?")
    return _MULTIPLIERS[word]


def _read_amount(part: str) -> Decimal:
    m = _AMT_PARTS.match(part.strip())
    if not m:
        raise NormalizeError(f"harga tidak terbaca: {part!r}")
    mult = m.group("mult")
    currency = m.group("cur") or m.group("cur2")
    return _to_number(m.group("num"), bool(mult)) * _multiplier(mult, currency, True)


def _rupiah(value: Decimal, divisor: int) -> int | None:
    if value / divisor > MAX_PRICE_IDR:
        raise NormalizeError(f"harga tidak masuk akal: {value}")
    amount = (value / divisor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(amount) if amount > 0 else None


def parse_amounts(
    text: str | int | float | Decimal | None, divisor: int = 1
) -> tuple[Decimal | None, Decimal | None]:
    """Like parse_price, unrounded: (low, high) as Decimal, for amounts in other currencies."""
    if text is None:
        return None, None
    if isinstance(text, bool):
        raise NormalizeError(f"bukan harga: {text!r}")
    if isinstance(text, int | float | Decimal):
        if isinstance(text, float) and not math.isfinite(text):
            raise NormalizeError(f"bukan harga: {text!r}")
        value = Decimal(str(text)) / divisor
        return (value if value > 0 else None), None
    if not isinstance(text, str):
        raise NormalizeError(f"bukan harga: {type(text).__name__}")
    s = _prepare(text)
    s = re.sub(r"(?<=[0-9])\s*[.,]?-+$", "", s)  # "Rp 50.000,-"
    if not re.search(r"[0-9]", s):
        if not s or _NO_PRICE_BARE.match(s) or _NO_PRICE_WORDS.search(s):
            return None, None
        raise NormalizeError(f"harga tidak terbaca: {text[:80]!r}")
    if len(s) > 80:
        raise NormalizeError(f"harga tidak terbaca: {text[:80]!r}...")
    m = _PRICE.match(s)
    if not m:
        raise NormalizeError(f"harga tidak terbaca: {text[:80]!r}")
    try:
        low = _read_amount(m.group("low")) / divisor
        high = _read_amount(m.group("high")) / divisor if m.group("high") else None
    except InvalidOperation as exc:
        raise NormalizeError(f"harga tidak terbaca: {text[:80]!r}") from exc
    if low <= 0:
        low = None
    if high is not None and high <= 0:
        high = None
    if low is None:
        return None, None
    if high is not None:
        if high == low:
            high = None
        elif high < low:
            low, high = high, low
    return low, high


def parse_price(text: str | int | float | None, divisor: int = 1) -> tuple[int | None, int | None]:
    """Return (price, price_max) in integer rupiah; (None, None) when the page shows no price.

    `divisor` is for APIs that state money in fractions of a rupiah (Shopee: 100000).
    Raises NormalizeError when the text holds something other than a price, or a number that
    could be read two ways.
    """
    low, high = parse_amounts(text, divisor)
    if low is None:
        return None, None
    return _rupiah(low, 1), (_rupiah(high, 1) if high is not None else None)


def parse_count(text: str | int | None) -> int | None:
    """'10rb+ terjual' -> 10000, 'Terjual 250+' -> 250, '1,2rb' -> 1200, '5jt+' -> 5000000.

    "250+" counts as its lower bound. None when the text holds no count at all (a label such
    as "Baru"); NormalizeError when it holds digits that cannot be read for certain.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise NormalizeError(f"bukan jumlah: {text!r}")
    if isinstance(text, int):
        return text if 0 <= text <= MAX_COUNT else None
    if isinstance(text, float):
        return int(text) if math.isfinite(text) and 0 <= text <= MAX_COUNT else None
    s = _prepare(str(text))
    if not re.search(r"[0-9]", s):
        return None
    m = _COUNT.match(s)
    if not m:
        raise NormalizeError(f"jumlah tidak terbaca: {str(text)[:80]!r}")
    mult = m.group("mult")
    try:
        value = _to_number(m.group("num"), bool(mult)) * _multiplier(mult, None, False)
    except InvalidOperation as exc:
        raise NormalizeError(f"jumlah tidak terbaca: {str(text)[:80]!r}") from exc
    if value > MAX_COUNT:
        raise NormalizeError(f"jumlah tidak masuk akal: {str(text)[:80]!r}")
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_rating(text: str | float | int | None) -> float | None:
    """'4,9' / '4.9' / 4.9 / '4.9/5' -> 4.9 on a 0-5 scale.

    0 (no reviews yet) and anything else: None.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        value = float(text)
    else:
        m = _RATING.match(_prepare(str(text)))
        if not m:
            return None
        value = float(m.group("num").replace(",", "."))
    if not math.isfinite(value) or value <= 0 or value > 5:
        return None
    return round(value, 2)


def clean_text(text: str | None, limit: int = 10_000, multiline: bool = False) -> str | None:
    """Collapse whitespace, drop control and invisible (bidi, zero-width) characters.

    `multiline` keeps line breaks (at most one blank line in a row): descriptions are read by
    people, and "PO 14 hari" on its own line says more than in a run-on paragraph.
    Scraped text stays data: nothing is unescaped or interpreted here.
    """
    if text is None:
        return None
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    s = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", s)
    s = _INVISIBLE.sub("", s)
    if multiline:
        lines = [re.sub(r"[^\S\n]+", " ", line).strip() for line in s.split("\n")]
        s = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        s = re.sub(r"\s+", " ", s).strip()
    return s[:limit] if s else None


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _count_or_none(text: str | int | None) -> int | None:
    """Counts are secondary: an unreadable one becomes None (its raw text is kept beside it)."""
    try:
        return parse_count(text)
    except NormalizeError:
        return None


def normalize_listing(raw: RawListing, captured_at: str | None = None) -> Listing:
    """RawListing -> Listing. Never drops a listing for a bad string.

    An unreadable price leaves the rupiah fields None, keeps the raw text in price_text and says
    why in `note`; unreadable counts become None with the raw text kept in sold_text.
    """
    currency = (raw.currency or "IDR").upper()
    note = None
    try:
        low, high = parse_amounts(raw.price, raw.price_divisor)
        if raw.price_max is not None and high is None:
            high = parse_amounts(raw.price_max, raw.price_divisor)[0]
        original = parse_amounts(raw.original_price, raw.price_divisor)[0]
    except NormalizeError as exc:
        low = high = original = None
        note = f"harga tidak terbaca: {exc}"
    if original is not None and low is not None and original <= low:
        original = None  # a strike-through price that is not higher is no discount
    price_original = None
    price = price_max = original_idr = None
    if currency != "IDR":
        # Keep the foreign amount; rupiah fields stay unknown rather than guessed.
        price_original = float(low) if low is not None else None
    else:
        try:
            price = _rupiah(low, 1) if low is not None else None
            price_max = _rupiah(high, 1) if high is not None else None
            original_idr = _rupiah(original, 1) if original is not None else None
        except NormalizeError as exc:
            price = price_max = original_idr = None
            note = f"harga tidak terbaca: {exc}"
    return Listing(
        marketplace=raw.marketplace,
        listing_id=str(raw.listing_id),
        url=raw.url,
        title=clean_text(raw.title) or "",
        price_idr=price,
        price_max_idr=price_max,
        original_price_idr=original_idr,
        currency=currency,
        sold_count=_count_or_none(raw.sold),
        rating=parse_rating(raw.rating),
        review_count=_count_or_none(raw.review_count),
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
        historical_sold=_count_or_none(raw.historical_sold),
        seller_url=raw.seller_url,
        is_official=raw.is_official,
        is_preorder=raw.is_preorder,
        description=clean_text(raw.description, limit=20_000),
        keyword=raw.keyword,
        source=raw.source,
        capture_id=raw.capture_id,
        note=note,
    )
