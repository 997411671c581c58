"""Shopee Indonesia API responses -> RawListings. Pure: no Scrapy, no I/O.

Shapes read (all JSON):
- search `/api/v4/search/search_items`, legacy: `items[]` holds the item fields directly;
- search, current: each entry of `items[]` holds them under `item_basic`;
- product `/api/v4/pdp/get_pc`: `{"error", "data": {"item", "shop_detailed", "product_review",
  ...}}`, or only its `data` payload (what browser tools usually save);
- product, legacy `/api/v2/item/get`: `{"item": {...}, "version", "error"}`.

Money is an integer in 1/100000 rupiah (8500000000 = Rp85.000): the digits are kept as strings
and `price_divisor` says so. Anti-bot answers are JSON too (`{"error": 90309999, "action_type": 2,
...}`), so a non-zero `error` means blocked, never "nothing found".
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlsplit

from crawler.items import RawListing
from spiders.pages import PageParseError, SearchPage, as_text
from spiders.pages.outcome import detect_block_page

MARKETPLACE = "shopee"
DEFAULT_BASE = "https://shopee.co.id"
PRICE_DIVISOR = 100_000
IMAGE_BASE = "https://down-id.img.susercontent.com/file/"
ANTI_BOT_ERROR = 90309999
CROSS_BORDER_LOCATION = "luar negeri"
# Keys only the current product API payload has (get_pc); legacy item/get has none of them.
_PDP_KEYS = ("shop_detailed", "product_review", "product_price", "product_images", "product_meta")


# -- entry points ----------------------------------------------------------------------------


def extract(body: bytes | str, url: str = "") -> list[RawListing]:
    """Whatever Shopee shape the body is: its listings. PageParseError when it is none."""
    doc = _load(body)
    reason = blocked_reason(doc)
    if reason:
        raise PageParseError(f"jawaban Shopee tanpa data: {reason}")
    kind = _kind(doc)
    if kind == "search":
        return _search(doc, url).listings
    if kind == "detail":
        return [_detail(doc, url)]
    raise PageParseError(_not_shopee(doc))


def parse_search(body: bytes | str, url: str = "") -> SearchPage:
    """A search_items response. Blocked answers come back as SearchPage.blocked_reason."""
    text = as_text(body)
    try:
        doc = _load(text)
    except PageParseError:
        if block := detect_block_page(text):
            return SearchPage(blocked_reason=block)
        raise
    reason = blocked_reason(doc)
    if reason:
        return SearchPage(blocked_reason=reason)
    if _kind(doc) != "search":
        raise PageParseError(f"bukan hasil pencarian Shopee: {_not_shopee(doc)}")
    return _search(doc, url)


def parse_detail(body: bytes | str, url: str = "") -> RawListing:
    """A product response (pdp/get_pc, envelope or bare payload, or legacy item/get)."""
    doc = _load(body)
    reason = blocked_reason(doc)
    if reason:
        raise PageParseError(f"jawaban Shopee tanpa data: {reason}")
    if _kind(doc) != "detail":
        raise PageParseError(f"bukan halaman produk Shopee: {_not_shopee(doc)}")
    return _detail(doc, url)


def blocked_reason(body: bytes | str | dict) -> str | None:
    """Why this answer is an anti-bot refusal rather than results, or None.

    Non-zero `error` (90309999 is Shopee's anti-bot), or a search answer whose `items` is null
    while it does not say there are zero results: Shopee withholds items from suspected bots.
    """
    if not isinstance(body, dict):
        try:
            body = _load(body)
        except PageParseError:
            return detect_block_page(body)
    reason = _error_reason(body)
    if reason:
        return reason
    if "items" in body and body["items"] is None and body.get("total_count") != 0:
        return "Shopee mengirim items: null tanpa total_count 0 (hasil ditahan)"
    return None


# -- shape recognition -------------------------------------------------------------------------


def _load(body: bytes | str) -> Any:
    text = as_text(body).lstrip("\ufeff")
    try:
        doc = json.loads(text)
    except ValueError as exc:
        start = text.lstrip()[:1]
        hint = "halaman HTML, bukan JSON API" if start == "<" else f"JSON tidak sah ({exc})"
        raise PageParseError(f"bukan respons API Shopee: {hint}") from None
    if not isinstance(doc, dict):
        raise PageParseError(f"bukan respons API Shopee: JSON {type(doc).__name__}, bukan objek")
    return doc


def _error_reason(doc: dict) -> str | None:
    code = doc.get("error")
    if code in (None, 0, "0", ""):
        return None
    msg = doc.get("error_msg") or doc.get("msg")
    if code == ANTI_BOT_ERROR or str(code) == str(ANTI_BOT_ERROR):
        return f"anti-bot Shopee (error {code})"
    return f"Shopee error {code}" + (f" ({str(msg)[:120]})" if msg else "")


def _search_doc(doc: dict) -> dict | None:
    if "items" in doc:
        return doc
    data = doc.get("data")
    if isinstance(data, dict) and "items" in data:
        return data
    return None


def _item_doc(doc: dict) -> tuple[dict, dict] | None:
    """(item, payload) of a product response; payload holds shop_detailed etc. when present."""
    data = doc.get("data")
    payload = data if isinstance(data, dict) and isinstance(data.get("item"), dict) else doc
    item = payload.get("item")
    return (item, payload) if isinstance(item, dict) else None


def _kind(doc: dict) -> str | None:
    found = _search_doc(doc)
    if found is not None and (found["items"] is None or isinstance(found["items"], list)):
        return "search"
    if _item_doc(doc) is not None:
        return "detail"
    return None


def _not_shopee(doc: dict) -> str:
    keys = ", ".join(sorted(str(k) for k in doc)[:8])
    return f"bentuk JSON tidak dikenal (kunci: {keys or '-'})"


# -- search ------------------------------------------------------------------------------------


def _search(doc: dict, url: str) -> SearchPage:
    found = _search_doc(doc) or {}
    entries = found.get("items") or []
    base = base_url(url)
    listings: list[RawListing] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        nested = entry.get("item_basic")
        item, source = (nested, "search_api") if isinstance(nested, dict) else (entry, "search_api_legacy")
        listing = _listing(item, base, source)
        if listing is not None:
            listings.append(listing)
    if entries and not listings:
        raise PageParseError(f"{len(entries)} item pencarian Shopee, tidak satu pun punya itemid/shopid/nama")
    total = _int(found.get("total_count"))
    nomore = found.get("nomore")
    return SearchPage(
        listings=listings,
        total=total,
        has_next=(not nomore) if isinstance(nomore, bool) else None,
    )


# -- product -----------------------------------------------------------------------------------


def _detail(doc: dict, url: str) -> RawListing:
    item, payload = _item_doc(doc) or ({}, {})
    is_pdp = any(k in payload for k in _PDP_KEYS)
    listing = _listing(item, base_url(url), "pdp_get_pc" if is_pdp else "item_get")
    if listing is None:
        raise PageParseError("produk Shopee tanpa itemid/shopid/nama")
    shop = payload.get("shop_detailed") if isinstance(payload.get("shop_detailed"), dict) else {}
    review = payload.get("product_review") if isinstance(payload.get("product_review"), dict) else {}
    if shop:
        listing.seller_name = _text(shop.get("name")) or listing.seller_name
        listing.seller_location = _text(shop.get("shop_location")) or listing.seller_location
        if isinstance(shop.get("is_official_shop"), bool):
            listing.is_official = shop["is_official_shop"]
    if review:
        listing.rating = _rating(review.get("rating_star")) or listing.rating
        listing.review_count = _count(review.get("cmt_count")) or listing.review_count
        listing.historical_sold = _count(review.get("historical_sold")) or listing.historical_sold
    listing.is_cross_border = cross_border(item.get("cb_option"), listing.seller_location)
    return listing


# -- one item (the same fields in every shape) -------------------------------------------------


def _listing(item: dict, base: str, source: str) -> RawListing | None:
    itemid = _id(item.get("itemid", item.get("item_id")))
    shopid = _id(item.get("shopid", item.get("shop_id")))
    title = _text(item.get("name") or item.get("title"))
    if not (itemid and shopid and title):
        return None
    low = _money(item.get("price_min")) or _money(item.get("price"))
    high = _money(item.get("price_max"))
    if high is not None and low is not None and int(high) <= int(low):
        high = None
    original = next(
        (
            m
            for m in map(_money, (item.get("price_before_discount"), item.get("price_min_before_discount")))
            if m is not None
        ),
        None,
    )
    location = _text(item.get("shop_location"))
    rating = item.get("item_rating") if isinstance(item.get("item_rating"), dict) else {}
    rating_counts = rating.get("rating_count")
    reviews = _count(item.get("cmt_count"))
    if reviews is None and isinstance(rating_counts, list) and rating_counts:
        reviews = _count(rating_counts[0])
    image = _text(item.get("image"))
    currency = _text(item.get("currency"))
    return RawListing(
        marketplace=MARKETPLACE,
        listing_id=itemid,
        url=listing_url(base, title, shopid, itemid),
        title=title,
        price=low,
        price_max=high,
        original_price=original,
        price_divisor=PRICE_DIVISOR,
        currency=currency.upper() if currency else None,
        sold=_count(item.get("sold")),
        # global_sold_count is the newer name of the same all-time figure.
        historical_sold=_count(item.get("historical_sold", item.get("global_sold_count"))),
        rating=_rating(rating.get("rating_star")),
        review_count=reviews,
        seller_id=shopid,
        seller_name=_text(item.get("shop_name")),
        seller_location=location,
        seller_url=f"{base}/shop/{shopid}",
        is_official=item["is_official_shop"] if isinstance(item.get("is_official_shop"), bool) else None,
        is_cross_border=cross_border(item.get("cb_option"), location),
        is_preorder=item["is_pre_order"] if isinstance(item.get("is_pre_order"), bool) else None,
        image_url=IMAGE_BASE + quote(image, safe="") if image else None,
        category_path=_categories(item.get("categories")),
        description=_text(item.get("description")),
        source=source,
    )


def cross_border(cb_option: Any, location: str | None) -> bool | None:
    """Shopee's own flag: cb_option 1, or a shop in "Luar Negeri". None when neither is given."""
    if cb_option is None and location is None:
        return None
    if _int(cb_option) == 1:
        return True
    return bool(location) and location.strip().lower() == CROSS_BORDER_LOCATION


def base_url(url: str) -> str:
    """The site origin of an API URL: what precedes `/api/`, so a demo prefix carries over."""
    if not url:
        return DEFAULT_BASE
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return DEFAULT_BASE
    path = parts.path
    cut = path.find("/api/")
    prefix = path[:cut] if cut >= 0 else ""
    return f"{parts.scheme}://{parts.netloc}{prefix}".rstrip("/")


def listing_url(base: str, title: str, shopid: str, itemid: str) -> str:
    """`<base>/<slug>-i.<shopid>.<itemid>`, the form Shopee links its products with."""
    slug = re.sub(r"[^\w]+", "-", title, flags=re.UNICODE).strip("-_")[:100] or "produk"
    return f"{base}/{quote(slug, safe='-_')}-i.{shopid}.{itemid}"


def _categories(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    names = [_text(c.get("display_name")) for c in value if isinstance(c, dict)]
    names = [n for n in names if n]
    return " / ".join(names) or None


# -- small readers: a value off the JSON, or None (never 0 for unknown) ---------------------------


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _id(value: Any) -> str | None:
    n = _int(value)
    return str(n) if n is not None and n > 0 else None


def _money(value: Any) -> str | None:
    """Shopee's 1/100000-rupiah integers as digits; 0 and -1 mean "no such price"."""
    n = _int(value)
    return str(n) if n is not None and n > 0 else None


def _count(value: Any) -> str | None:
    n = _int(value)
    return str(n) if n is not None and n >= 0 else None


def _rating(value: Any) -> str | None:
    """The API's average (4.454545) to two decimals, as a star rating is written; 0 is "none yet"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return str(round(value, 2)) if value > 0 else None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None
