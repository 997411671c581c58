"""Blibli API responses -> RawListings. Pure: no Scrapy, no I/O.

Shapes read (all JSON, all `{"code": 200, "status": "OK", "data": ...}`):
- search `/backend/search/products`: `data.products[]` with `price.priceDisplay` ("Rp 99.000",
  ranges "Rp 15.500 - Rp 16.500"), `soldRangeCount.id` ("1,3 rb"), `merchantName`, `location`,
  `paging` {page, total_page, item_per_page, total_item};
- product summary `/backend/product(-detail)/products/<formattedId>/_summary`: `data` with `name`,
  `url`, `categories[]`, `description` (HTML), `specifications[]`, `review`, `merchantCode`.
Either may come wrapped once more as `{"data": <the response>}` (how saved API responses from HTTP
client libraries look, e.g. the 2020 captures). The categories API (`data` is a list of
categories) is not a listing page and is refused with that reason.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from parsel import Selector

from crawler.items import RawListing
from spiders.pages import PageParseError, SearchPage, as_text
from spiders.pages.outcome import detect_block_page

MARKETPLACE = "blibli"
DEFAULT_BASE = "https://www.blibli.com"
# API statuses that mean "not for you" rather than "no such page".
_REFUSED_STATUS = {"UNAUTHORIZED", "FORBIDDEN", "TOO_MANY_REQUESTS"}


# -- entry points ----------------------------------------------------------------------------


def extract(body: bytes | str, url: str = "") -> list[RawListing]:
    """Whatever Blibli shape the body is: its listings. PageParseError when it is none."""
    payload = _payload(_load(body))
    kind = _kind(payload)
    if kind == "search":
        return _search(payload, url).listings
    if kind == "detail":
        return [_detail(payload, url)]
    raise PageParseError(_refusal(payload))


def parse_search(body: bytes | str, url: str = "") -> SearchPage:
    """A search products response; an anti-bot page comes back as SearchPage.blocked_reason."""
    text = as_text(body)
    try:
        doc = _load(text)
    except PageParseError:
        if block := detect_block_page(text):
            return SearchPage(blocked_reason=block)
        raise
    refused = _refused(doc)
    if refused:
        return SearchPage(blocked_reason=refused)
    payload = _payload(doc)
    if _kind(payload) != "search":
        raise PageParseError(f"bukan hasil pencarian Blibli: {_refusal(payload)}")
    return _search(payload, url)


def blocked_reason(body: bytes | str) -> str | None:
    """Why this answer is a refusal (Akamai's page, or an API status saying so), or None."""
    text = as_text(body)
    try:
        doc = _load(text)
    except PageParseError:
        return detect_block_page(text)
    return _refused(doc)


def parse_detail(body: bytes | str, url: str = "") -> RawListing:
    """A product summary response."""
    payload = _payload(_load(body))
    if _kind(payload) != "detail":
        raise PageParseError(f"bukan ringkasan produk Blibli: {_refusal(payload)}")
    return _detail(payload, url)


# -- shape recognition -------------------------------------------------------------------------


def _load(body: bytes | str) -> dict:
    text = as_text(body).lstrip("\ufeff")
    try:
        doc = json.loads(text)
    except ValueError as exc:
        hint = "halaman HTML, bukan JSON API" if text.lstrip()[:1] == "<" else f"JSON tidak sah ({exc})"
        raise PageParseError(f"bukan respons API Blibli: {hint}") from None
    if not isinstance(doc, dict):
        raise PageParseError(f"bukan respons API Blibli: JSON {type(doc).__name__}, bukan objek")
    return doc


def _response(doc: dict) -> dict:
    """The API response itself: `{"data": {"code", "status", "data"}}` is unwrapped once."""
    inner = doc.get("data")
    if "code" not in doc and isinstance(inner, dict) and "code" in inner and "data" in inner:
        return inner
    return doc


def _refused(doc: dict) -> str | None:
    response = _response(doc)
    status = str(response.get("status") or "").upper()
    code = response.get("code")
    if status in _REFUSED_STATUS or code in (401, 403, 429):
        return f"Blibli menolak permintaan (status {status or code})"
    return None


def _payload(doc: dict) -> Any:
    response = _response(doc)
    status = str(response.get("status") or "OK").upper()
    if status != "OK" or response.get("code") not in (None, 200, "200", "OK"):
        errors = response.get("errors")
        detail = f": {json.dumps(errors, ensure_ascii=False)[:160]}" if errors else ""
        raise PageParseError(f"Blibli menjawab status {status} (code {response.get('code')}){detail}")
    if "data" not in response:
        raise PageParseError(_unknown(response))
    return response["data"]


def _kind(payload: Any) -> str | None:
    if isinstance(payload, dict):
        if isinstance(payload.get("products"), list):
            return "search"
        if payload.get("name") and any(
            payload.get(k) for k in ("usageProductCode", "code", "sku", "productSku")
        ):
            return "detail"
    return None


def _refusal(payload: Any) -> str:
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        if "categoryCode" in payload[0]:
            return "ini daftar kategori Blibli (API kategori), bukan halaman listing"
        return f"daftar {len(payload)} objek tanpa produk"
    if isinstance(payload, dict):
        return _unknown(payload)
    return f"data bertipe {type(payload).__name__}, bukan produk"


def _unknown(obj: dict) -> str:
    keys = ", ".join(sorted(str(k) for k in obj)[:8])
    return f"bentuk JSON tidak dikenal (kunci: {keys or '-'})"


# -- search ------------------------------------------------------------------------------------


def _search(payload: dict, url: str) -> SearchPage:
    base = base_url(url)
    products = payload.get("products") or []
    listings = [
        listing
        for product in products
        if isinstance(product, dict) and (listing := _product(product, base)) is not None
    ]
    if products and not listings:
        raise PageParseError(f"{len(products)} produk Blibli, tidak satu pun punya id dan nama")
    paging = payload.get("paging") if isinstance(payload.get("paging"), dict) else {}
    page, pages = _int(paging.get("page")), _int(paging.get("total_page"))
    return SearchPage(
        listings=listings,
        total=_int(paging.get("total_item")),
        has_next=(page < pages) if page is not None and pages is not None else None,
    )


def _product(product: dict, base: str) -> RawListing | None:
    formatted = _text(product.get("formattedId"))
    listing_id = _text(product.get("id")) or _code_of(formatted) or _text(product.get("sku"))
    title = _text(product.get("name"))
    if not (listing_id and title):
        return None
    price = product.get("price") if isinstance(product.get("price"), dict) else {}
    review = product.get("review") if isinstance(product.get("review"), dict) else {}
    sold = product.get("soldRangeCount")
    images = product.get("images") if isinstance(product.get("images"), list) else []
    categories = product.get("categoryNameHierarchy")
    if not isinstance(categories, list) or not categories:
        root = product.get("rootCategory")
        categories = [root.get("name")] if isinstance(root, dict) else []
    return RawListing(
        marketplace=MARKETPLACE,
        listing_id=listing_id,
        url=product_url(base, product.get("url"), formatted),
        title=title,
        price=_price(price.get("priceDisplay"), price.get("minPrice")),
        original_price=_text(price.get("strikeThroughPriceDisplay")),
        sold=_text(sold.get("id") or sold.get("en")) if isinstance(sold, dict) else _text(sold),
        rating=_rating(review),
        review_count=_count(review.get("count")),
        seller_id=_text(product.get("merchantCode")),
        seller_name=_text(product.get("merchantName")),
        seller_location=_text(product.get("location")),
        is_official=_bool(product.get("official")),
        is_preorder=_bool(product.get("preorder")),
        image_url=next((_text(i) for i in images if _text(i)), None),
        category_path=" / ".join(c for c in map(_text, categories) if c) or None,
        source="search_api",
    )


# -- product summary ---------------------------------------------------------------------------


def _detail(payload: dict, url: str) -> RawListing:
    usage = _text(payload.get("usageProductCode"))
    listing_id = _code_of(usage) or _text(payload.get("code")) or _text(payload.get("sku"))
    title = _text(payload.get("name"))
    if not (listing_id and title):
        raise PageParseError("ringkasan produk Blibli tanpa kode produk atau nama")
    categories = [c for c in payload.get("categories") or [] if isinstance(c, dict)]
    categories.sort(key=lambda c: _int(c.get("level")) or 0)
    images = [i for i in payload.get("images") or [] if isinstance(i, dict)]
    price = payload.get("price") if isinstance(payload.get("price"), dict) else {}
    review = payload.get("review") if isinstance(payload.get("review"), dict) else {}
    return RawListing(
        marketplace=MARKETPLACE,
        listing_id=listing_id,
        url=product_url(base_url(url), payload.get("url"), usage),
        title=title,
        price=_price(price.get("priceDisplay"), price.get("minPrice")),
        original_price=_text(price.get("strikeThroughPriceDisplay")),
        rating=_rating(review),
        review_count=_count(review.get("count")),
        seller_id=_text(payload.get("merchantCode")),
        image_url=next((_text(i.get("full")) for i in images if _text(i.get("full"))), None),
        category_path=" / ".join(c for c in (_text(c.get("label")) for c in categories) if c) or None,
        description=_description(payload),
        source="product_summary",
    )


def _description(payload: dict) -> str | None:
    """Selling points, description and specifications as plain text (the API sends HTML)."""
    parts = [_html_text(payload.get("uniqueSellingPoint")), _html_text(payload.get("description"))]
    specs = [
        f"{name}: {value}"
        for s in payload.get("specifications") or []
        if isinstance(s, dict)
        and (name := _text(s.get("name")))
        and (value := _text(s.get("value")))
        and value != "-"
    ]
    if specs:
        parts.append("Spesifikasi: " + "; ".join(specs))
    text = "\n".join(p for p in parts if p)
    return text or None


def _html_text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    if "<" not in value:
        return value.strip()
    nodes = Selector(text=value).xpath("//body//text()[not(ancestor::script or ancestor::style)]")
    text = " ".join(t.strip() for t in nodes.getall() if t.strip())
    return text or None


# -- URLs --------------------------------------------------------------------------------------


def base_url(url: str) -> str:
    """The site origin of an API URL: what precedes `/backend/`, so a demo prefix carries over."""
    if not url:
        return DEFAULT_BASE
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return DEFAULT_BASE
    cut = parts.path.find("/backend/")
    prefix = parts.path[:cut] if cut >= 0 else ""
    return f"{parts.scheme}://{parts.netloc}{prefix}".rstrip("/")


def product_url(base: str, url: Any, formatted_id: str | None) -> str:
    """`<base>/p/<slug>/<formattedId>?ds=<itemSku>`: the search's tracking parameters dropped.

    `ds` (the default item SKU) stays: it picks the variant and the product summary API needs it.
    """
    raw = _text(url)
    if raw is None:
        return f"{base}/p/produk/{formatted_id}" if formatted_id else base
    parts = urlsplit(raw)
    if parts.scheme in ("http", "https") and parts.netloc:
        origin = f"{parts.scheme}://{parts.netloc}"
    else:
        origin = base  # the search API gives paths relative to the site
    path = "/" + parts.path.lstrip("/")
    ds = parse_qs(parts.query).get("ds")
    keep = ds and re.fullmatch(r"[\w.-]+", ds[0])
    return f"{origin}{path}" + (f"?ds={ds[0]}" if keep else "")


def product_ref(url: str) -> tuple[str, str | None] | None:
    """(formattedId, itemSku) from a listing URL, for the product summary request."""
    parts = urlsplit(url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if "--" not in last:
        return None
    ds = parse_qs(parts.query).get("ds")
    return last, ds[0] if ds else None


def _code_of(formatted_id: str | None) -> str | None:
    """ "ps--APF-70017-00048" -> "APF-70017-00048"."""
    if formatted_id and "--" in formatted_id:
        return formatted_id.split("--", 1)[1] or None
    return None


# -- small readers: a value off the JSON, or None (never 0 for unknown) ---------------------------


def _price(display: Any, minimum: Any) -> str | None:
    """The price as the page shows it ("Rp 99.000"); the number only when no display string."""
    text = _text(display)
    if text:
        return text
    if isinstance(minimum, int | float) and not isinstance(minimum, bool) and minimum > 0:
        return str(int(round(minimum)))
    return None


def _rating(review: dict) -> str | None:
    # absoluteRating is the 0-5 average with a decimal; `rating` is its rounded-down star count.
    for key in ("absoluteRating", "rating"):
        value = review.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return str(round(value, 2))
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _count(value: Any) -> str | None:
    n = _int(value)
    return str(n) if n is not None and n >= 0 else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None
