"""Lazada pages -> RawListings. Pure: no Scrapy, no I/O.

Shapes read (lazada.co.id, and the same templates on lazada.com.ph / .com.my / .sg ...):

- **search page HTML** (`/catalog/?q=...&page=N`): the `application/ld+json` blocks (an `ItemList`
  of product URLs, sometimes a `Product`), the rendered product cards
  (`[data-qa-locator="product-item"]`), and the `window.pageData` state when the page carries it
  (a plain HTTP fetch does; a browser-saved page such as the capture has the cards instead).
  One listing per item id, the sources merged (see `_FIELD_ORDER` for which wins).
- **search JSON** (`/catalog/?ajax=true&q=...&page=N`): `mods.listItems[]` and `mainInfo`.
- **product page HTML** (`/products/<slug>-i<itemId>-s<skuId>.html`): its ld+json `Product` and
  the `app.run({...})` / `__moduleData__` module state (seller, price per SKU, description).
- **anti-bot answers**: the slider-captcha "punish" page and the JSON `RGV587_ERROR` payload.

Prices stay strings with their currency sign ("₱305", "Rp150.000"); the currency comes from the
page (the sign, `priceCurrency`, the SKU data layer), and only when the page says nothing from the
site's host (lazada.com.ph is PHP). Lazada never shows card ratings as text (stars are drawn), so
the card rating is left unknown unless the ld+json or the JSON states it.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

import parsel

from crawler.items import RawListing
from spiders.pages import PageParseError, SearchPage, as_text
from spiders.pages.outcome import detect_block_page
from spiders.pages.schemaorg import (
    breadcrumb_path,
    find_typed,
    html_text,
    is_type,
    jsonld_blocks,
    read_product,
    text_of,
    url_of,
)

MARKETPLACE = "lazada"
PAGE_SIZE = 40  # listings per search page, HTML and JSON alike

# Currency signs as Lazada's sites print them, longest first where one is a prefix of another.
_SIGNS = (("S$", "SGD"), ("₱", "PHP"), ("Rp", "IDR"), ("RM", "MYR"), ("฿", "THB"), ("₫", "VND"))
_HOST_CURRENCY = {
    "lazada.co.id": "IDR",
    "lazada.com.ph": "PHP",
    "lazada.com.my": "MYR",
    "lazada.sg": "SGD",
    "lazada.co.th": "THB",
    "lazada.vn": "VND",
}
_MONEY = re.compile(
    r"^(?:(?:S\$|₱|Rp|RM|฿|₫)\s?\d[\d.,]*|\d[\d.,]*\s?₫)$",
)
# "2k+ sold", "9,999+ sold", "1,2rb Terjual", "Terjual 250+": the whole text, so that a title
# such as "... (Sold per Tablet)" is not taken for a count.
_COUNT = r"\d[\d.,]*\s*(?:k|rb|jt|m|ribu|juta)?\s*\+?"
_SOLD = re.compile(rf"^(?:{_COUNT}\s*(?:sold|terjual)|(?:sold|terjual)\s*{_COUNT})$", re.IGNORECASE)
_REVIEWS = re.compile(r"^\(\s*(\d[\d.,]*)\s*\)$")
_TOTAL = re.compile(r"(\d[\d.,]*)\s+(?:items?|barang|produk|hasil)\s+(?:found|ditemukan)", re.IGNORECASE)
_ITEM_ID = re.compile(r"-i(\d+)(?:-s(\d+))?(?:\.html|[/?#]|$)")
# "Overseas" (English sites) and "Luar Negeri" (lazada.co.id): Lazada's own location for
# cross-border (LazGlobal) sellers, also its search filter's name for them.
_OVERSEAS = {"overseas", "luar negeri"}
_JSON_BLOCK = re.compile(r"RGV587_ERROR|FAIL_SYS_USER_VALIDATE|_____tmd_____|/punish\b")
_PAGE_DATA = re.compile(r"window\.pageData\s*=\s*")
_MODULE_DATA = re.compile(r"(?:\bapp\.run\(\s*|__moduleData__\s*=\s*)(?=\{)")


# -- small readers ---------------------------------------------------------------------------


def item_id_from_url(url: str | None) -> str | None:
    """The item id in a product URL: ".../batik-tulis-i160543210-s2001234.html" -> "160543210"."""
    if not url:
        return None
    m = _ITEM_ID.search(urlsplit(url).path + "?")
    return m.group(1) if m else None


def canonical_url(href: str | None, page_url: str) -> str | None:
    """A product link without its tracking query (`?spm=...`), absolute."""
    if not href:
        return None
    href = href.strip()
    if href.startswith("//"):
        href = (urlsplit(page_url).scheme or "https") + ":" + href
    absolute = urljoin(page_url, href) if page_url else href
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https"):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def currency_of(text: str | None) -> str | None:
    if not text:
        return None
    for sign, code in _SIGNS:
        if sign in text:
            return code
    return None


def host_currency(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    for domain, code in _HOST_CURRENCY.items():
        if host == domain or host.endswith("." + domain):
            return code
    return None


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    s = str(value).strip()
    return s or None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None


def _truthy(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "y")


def _cross_border(flag: Any, location: str | None, badges: str) -> bool | None:
    """Lazada's own signals only: `isCrossBorder`, the LazGlobal badge, location "Overseas"."""
    explicit = _truthy(flag)
    if explicit is not None:
        return explicit
    if "lazglobal" in badges:
        return True
    if location:
        return location.strip().lower() in _OVERSEAS
    return None


def _image(src: str | None, page_url: str) -> str | None:
    """Only real image addresses: not lazy-load placeholders (data:) nor a saved page's ./files."""
    if not src:
        return None
    src = src.strip()
    if src.startswith("//"):
        return (urlsplit(page_url).scheme or "https") + ":" + src
    if src.startswith(("http://", "https://")):
        return src
    return None


def _raw_json(text: str, pattern: re.Pattern[str]) -> Any:
    """The JSON object right after a JS assignment/call such as `window.pageData = {...}`."""
    m = pattern.search(text)
    if not m:
        return None
    try:
        value, _ = json.JSONDecoder(strict=False).raw_decode(text, m.end())
    except ValueError:
        return None
    return value


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


# -- anti-bot --------------------------------------------------------------------------------


def json_block_reason(data: Any) -> str | None:
    """Lazada's JSON anti-bot answer: `{"ret": ["RGV587_ERROR::SM::..."], "data": {"url": ...}}`."""
    if not isinstance(data, dict) or "mods" in data:
        return None
    ret = data.get("ret")
    texts = [str(r) for r in ret] if isinstance(ret, list) else [str(ret)] if ret else []
    url = _dig(data, "data", "url") or data.get("url")
    if url:
        texts.append(str(url))
    hits = [text[:120] for text in texts if _JSON_BLOCK.search(text)]
    return f"anti-bot Lazada ({'; '.join(hits)})" if hits else None


# -- search JSON -----------------------------------------------------------------------------


def _from_list_item(item: Any, page_url: str, page_currency: str | None) -> RawListing | None:
    """One `mods.listItems[]` entry (the JSON API, and `window.pageData` in the HTML)."""
    if not isinstance(item, dict):
        return None
    href = _str(item.get("productUrl")) or _str(item.get("itemUrl"))
    url = canonical_url(href, page_url)
    item_id = _str(item.get("itemId")) or _str(item.get("nid")) or item_id_from_url(url)
    title = _str(item.get("name"))
    if not item_id or not title:
        return None
    if url is None:
        url = canonical_url(f"/products/-i{item_id}.html", page_url) or ""
    price = _str(item.get("priceShow")) or _str(item.get("price"))
    original = _str(item.get("originalPriceShow")) or _str(item.get("originalPrice"))
    if original is not None and not re.search(r"[1-9]", original):
        original = None  # "0" / "" means no strike-through price
    location = _str(item.get("location"))
    badges = json.dumps(item.get("icons") or [], ensure_ascii=False)[:5000].lower()
    return RawListing(
        marketplace=MARKETPLACE,
        listing_id=item_id,
        url=url,
        title=title,
        price=price,
        original_price=original,
        currency=currency_of(price) or currency_of(original) or page_currency,
        sold=_str(item.get("itemSoldCntShow")),
        rating=_str(item.get("ratingScore")),
        review_count=_str(item.get("review")),
        seller_id=_str(item.get("sellerId")),
        seller_name=_str(item.get("sellerName")),
        seller_location=location,
        is_official=True if "lazmall" in badges or _truthy(item.get("isLazMall")) else None,
        is_cross_border=_cross_border(item.get("isCrossBorder"), location, badges),
        image_url=_image(_str(item.get("image")), page_url),
        source="search_json",
    )


def parse_search_json(body: bytes | str, url: str = "") -> SearchPage:
    """The `?ajax=true` search answer: `mods.listItems[]` plus `mainInfo` paging."""
    try:
        data = json.loads(as_text(body))
    except ValueError as exc:
        raise PageParseError(f"bukan JSON: {exc}") from exc
    if reason := json_block_reason(data):
        return SearchPage(blocked_reason=reason)
    items = _dig(data, "mods", "listItems")
    if not isinstance(items, list):
        if isinstance(data, dict) and isinstance(data.get("mods"), dict):
            items = []  # a search with no results has mods but no listItems
        else:
            raise PageParseError("JSON Lazada tanpa mods.listItems")
    page_currency = host_currency(url)
    listings = [raw for item in items if (raw := _from_list_item(item, url, page_currency))]
    main = data.get("mainInfo") if isinstance(data.get("mainInfo"), dict) else {}
    total = _int(main.get("totalResults"))
    return SearchPage(
        listings=listings,
        total=total,
        has_next=_has_next(bool(items), total, _int(main.get("page")), _int(main.get("pageSize")), url)
        if not _truthy(main.get("noMorePages"))
        else False,
    )


def _has_next(
    has_items: bool, total: int | None, page: int | None, size: int | None, url: str
) -> bool | None:
    if not has_items:
        return False
    page = page or _int(parse_qs(urlsplit(url).query).get("page", ["1"])[0]) or 1
    if total is not None:
        return page * (size or PAGE_SIZE) < total
    return None


# -- search HTML -----------------------------------------------------------------------------

# Which source wins per field when several describe the same item. The embedded state
# (`window.pageData`) is the site's own structured record and is complete (seller, exact counts);
# the card is what the buyer sees (title, price, sold, location); the ld+json is the SEO summary,
# and wins only where the card draws instead of writing: the rating (stars) and the image (the
# card's <img> is lazy-loaded and holds a placeholder until scrolled into view).
# The ItemList only lists URLs (and sometimes names): it comes last.
_DEFAULT_ORDER = ("search_json", "search_card", "search_ldjson", "search_itemlist")
_FIELD_ORDER = {
    "rating": ("search_json", "search_ldjson", "search_card"),
    "image_url": ("search_json", "search_ldjson", "search_card"),
}
_MERGED_FIELDS = tuple(f for f in RawListing.__slots__ if f not in ("marketplace", "listing_id", "source"))


def _merge(parts: dict[str, RawListing], item_id: str) -> RawListing:
    merged = RawListing(marketplace=MARKETPLACE, listing_id=item_id, url="", title="")
    for name in _MERGED_FIELDS:
        for source in _FIELD_ORDER.get(name, _DEFAULT_ORDER):
            part = parts.get(source)
            value = getattr(part, name) if part is not None else None
            if value not in (None, ""):
                setattr(merged, name, value)
                break
    merged.source = "search_html"
    return merged


def _card(card: parsel.Selector, page_url: str, page_currency: str | None) -> RawListing | None:
    hrefs = card.xpath(".//a/@href").getall()
    href = next((h for h in hrefs if "/products/" in h), hrefs[0] if hrefs else None)
    url = canonical_url(href, page_url)
    item_id = (card.attrib.get("data-item-id") or "").strip() or item_id_from_url(url)
    title = (
        card.xpath(".//a[@title]/@title").get()
        or card.xpath(".//img[@alt]/@alt").get()
        or card.xpath("normalize-space(.//a[@href][normalize-space()])").get()
    )
    if not item_id or not title or not url:
        return None
    texts = [t.strip() for t in card.xpath(".//text()[not(ancestor::del)]").getall() if t.strip()]
    price = next((t for t in texts if _MONEY.match(t)), None)
    struck = [t.strip() for t in card.xpath(".//del//text()").getall() if t.strip()]
    original = next((t for t in struck if _MONEY.match(t)), None)
    sold = next((t for t in texts if _SOLD.search(t)), None)
    reviews = next((m.group(1) for t in texts if (m := _REVIEWS.match(t))), None)
    # The location is the only element (besides the title link) whose text repeats its title.
    located = [
        (el.attrib.get("title") or "").strip()
        for el in card.xpath(".//*[@title][not(self::a)][normalize-space(.) = normalize-space(@title)]")
    ]
    location = next((loc for loc in reversed(located) if loc and loc != title.strip()), None)
    # Badges are pictures (LazMall, LazGlobal); their file names are what names them.
    badges = " ".join(
        v[:500]
        for v in card.xpath(".//@style | .//img/@src | .//img/@alt").getall()
        if not v.startswith("data:")
    ).lower()
    image = _image(
        card.xpath(".//img[@type='product']/@src").get() or card.xpath(".//img/@src").get(),
        page_url,
    )
    return RawListing(
        marketplace=MARKETPLACE,
        listing_id=item_id,
        url=url,
        title=title.strip(),
        price=price,
        original_price=original,
        currency=currency_of(price) or page_currency,
        sold=sold,
        review_count=reviews,
        seller_location=location,
        is_official=True if "lazmall" in badges else None,
        is_cross_border=_cross_border(None, location, badges),
        image_url=image,
        source="search_card",
    )


def _ld_listings(blocks: list[Any], page_url: str, page_currency: str | None) -> list[RawListing]:
    """Search-page ld+json: `ItemList` entries (URLs, sometimes names) and `Product` nodes."""
    out: list[RawListing] = []
    for node in find_typed(blocks, "ItemList"):
        elements = node.get("itemListElement")
        for element in elements if isinstance(elements, list) else []:
            if not isinstance(element, dict):
                continue
            inner = element.get("item") if isinstance(element.get("item"), dict) else {}
            if is_type(inner, "Product"):
                continue  # read with the Product nodes below
            url = canonical_url(url_of(element.get("url")) or url_of(inner), page_url)
            item_id = item_id_from_url(url)
            if item_id and url:
                title = text_of(element.get("name")) or text_of(inner.get("name")) or ""
                out.append(
                    RawListing(
                        marketplace=MARKETPLACE,
                        listing_id=item_id,
                        url=url,
                        title=title,
                        source="search_itemlist",
                    )
                )
    for node in find_typed(blocks, "Product"):
        product = read_product(node)
        url = canonical_url(product.url, page_url)
        item_id = item_id_from_url(url)
        if not item_id and product.sku:
            # Lazada's sku is "<itemId>_<country>" ("265078143_PH"); its mpn is the SKU id.
            m = re.match(r"(\d+)_[A-Z]{2}\b", product.sku)
            item_id = m.group(1) if m else None
        if not item_id:
            continue
        out.append(
            RawListing(
                marketplace=MARKETPLACE,
                listing_id=item_id,
                url=url or "",
                title=product.name or "",
                price=product.price,
                price_max=product.price_max,
                currency=product.currency or currency_of(product.price) or page_currency,
                rating=product.rating,
                review_count=product.review_count,
                image_url=_image(product.image, page_url),
                source="search_ldjson",
            )
        )
    return out


def _html_has_next(sel: parsel.Selector, total: int | None, url: str, has_items: bool) -> bool | None:
    nxt = sel.css("li.ant-pagination-next")
    if nxt:
        disabled = (nxt[0].attrib.get("aria-disabled") or "").lower()
        if disabled in ("true", "false"):
            return disabled == "false"
        return "disabled" not in (nxt[0].attrib.get("class") or "")
    if sel.xpath('//link[@rel="next"]/@href').get():
        return True
    return _has_next(has_items, total, None, PAGE_SIZE, url)


def _search_html(sel: parsel.Selector, text: str, url: str) -> SearchPage | None:
    """A search results page, or None when the page is not one."""
    cards = sel.css('[data-qa-locator="product-item"]')
    blocks = jsonld_blocks(sel)
    page_data = _raw_json(text, _PAGE_DATA)
    state_items = _dig(page_data, "mods", "listItems")
    state_items = state_items if isinstance(state_items, list) else []
    has_list = bool(find_typed(blocks, "ItemList"))
    container = sel.css('[data-qa-locator="general-products"]')
    total_m = _TOTAL.search(text)
    if not (cards or state_items or has_list or container or total_m):
        return None

    card_prices = cards.xpath(".//text()").re(r"^\s*((?:S\$|₱|Rp|RM|฿)\s?\d[\d.,]*)\s*$")
    ld_currency = next(
        (p.currency for n in find_typed(blocks, "Product") if (p := read_product(n)).currency),
        None,
    )
    page_currency = (
        next((c for p in card_prices if (c := currency_of(p))), None) or ld_currency or host_currency(url)
    )

    parts: dict[str, dict[str, RawListing]] = {}
    order: list[str] = []

    def add(raw: RawListing | None) -> None:
        if raw is None:
            return
        if raw.listing_id not in parts:
            parts[raw.listing_id] = {}
            order.append(raw.listing_id)
        parts[raw.listing_id].setdefault(raw.source, raw)

    for card in cards:
        add(_card(card, url, page_currency))
    for item in state_items:
        add(_from_list_item(item, url, page_currency))
    for raw in _ld_listings(blocks, url, page_currency):
        add(raw)

    listings = [_merge(parts[i], i) for i in order]
    total = _int(total_m.group(1).replace(".", "")) if total_m else None
    if total is None:
        total = _int(_dig(page_data, "mainInfo", "totalResults"))
    return SearchPage(
        listings=listings,
        total=total,
        has_next=_html_has_next(sel, total, url, bool(listings)),
    )


def parse_search_html(body: bytes | str, url: str = "") -> SearchPage:
    text = as_text(body)
    sel = parsel.Selector(text=text)
    page = _search_html(sel, text, url)
    if page is not None and page.listings:
        return page
    if reason := detect_block_page(text):
        return SearchPage(blocked_reason=reason)
    if page is None:
        raise PageParseError("bukan halaman pencarian Lazada (tidak ada kartu produk/ld+json)")
    return page


def parse_search(body: bytes | str, url: str = "") -> SearchPage:
    """A search response of either shape: the `?ajax=true` JSON or the HTML page."""
    text = as_text(body)
    if text.lstrip()[:1] in ("{", "["):
        return parse_search_json(text, url)
    return parse_search_html(text, url)


# -- product page ----------------------------------------------------------------------------


def _first_sku(fields: dict[str, Any]) -> dict[str, Any]:
    infos = fields.get("skuInfos")
    if not isinstance(infos, dict) or not infos:
        return {}
    first = infos.get("0")
    if not isinstance(first, dict):
        first = next((v for v in infos.values() if isinstance(v, dict)), {})
    return first


def _find_key(data: Any, key: str, depth: int = 0) -> Any:
    if depth > 6:
        return None
    if isinstance(data, dict):
        if key in data:
            return data[key]
        for value in data.values():
            found = _find_key(value, key, depth + 1)
            if found is not None:
                return found
    return None


def parse_product(body: bytes | str, url: str = "") -> RawListing | None:
    """A product page -> one RawListing with seller and description; None if it is not one."""
    text = as_text(body)
    sel = parsel.Selector(text=text)
    blocks = jsonld_blocks(sel)
    products = find_typed(blocks, "Product")
    state = _raw_json(text, _MODULE_DATA)
    fields = _dig(state, "data", "root", "fields")
    fields = fields if isinstance(fields, dict) else {}
    if not products and not fields:
        return None
    ld = read_product(products[0]) if products else None
    product = fields.get("product") if isinstance(fields.get("product"), dict) else {}
    seller = fields.get("seller") if isinstance(fields.get("seller"), dict) else {}
    sku = _first_sku(fields)
    layer = sku.get("dataLayer") if isinstance(sku.get("dataLayer"), dict) else {}
    canonical = sel.xpath('//link[@rel="canonical"]/@href').get()
    page_url = canonical_url(url or canonical, url or canonical or "")
    item_id = (
        item_id_from_url(url)
        or item_id_from_url(canonical)
        or _str(sku.get("itemId"))
        or item_id_from_url(_str(product.get("link")))
        or item_id_from_url(ld.url if ld else None)
    )
    title = _str(product.get("title")) or (ld.name if ld else None)
    title = title or sel.xpath('//meta[@property="og:title"]/@content').get()
    if not item_id or not title:
        return None
    price = _str(_dig(sku, "price", "salePrice", "text")) or _str(_dig(sku, "price", "salePrice", "value"))
    original = _str(_dig(sku, "price", "originalPrice", "text")) or _str(
        _dig(sku, "price", "originalPrice", "value")
    )
    price_max = None
    if price is None and ld is not None:
        price, price_max = ld.price, ld.price_max
    currency = (
        currency_of(price)
        or _str(_dig(layer, "core", "currencyCode"))
        or _str(_dig(fields, "globalConfig", "currency"))
        or (ld.currency if ld else None)
        or host_currency(url)
    )
    ratings = _dig(fields, "review", "ratings")
    ratings = ratings if isinstance(ratings, dict) else {}
    category = layer.get("pdt_category")
    category_path = (
        " / ".join(str(c) for c in category if c)
        if isinstance(category, list) and category
        else (ld.category if ld else None) or breadcrumb_path(blocks, title)
    )
    description_parts = [
        t
        for t in (
            html_text(_str(product.get("desc")), force=True),  # Lazada's desc is always HTML
            html_text(_str(product.get("highlights")), force=True),
        )
        if t
    ]
    description = "\n".join(description_parts) or (ld.description if ld else None)
    seller_url = _str(seller.get("url"))
    location = _str(seller.get("location"))
    return RawListing(
        marketplace=MARKETPLACE,
        listing_id=item_id,
        url=page_url or "",
        title=title.strip(),
        price=price,
        price_max=price_max,
        original_price=original,
        currency=currency.upper() if currency else None,
        rating=_str(ratings.get("average"))
        or _str(_dig(product, "rating", "score"))
        or (ld.rating if ld else None),
        review_count=_str(ratings.get("rateCount"))
        or _str(_dig(product, "rating", "total"))
        or (ld.review_count if ld else None),
        seller_id=_str(seller.get("sellerId")) or _str(sku.get("sellerId")),
        seller_name=_str(seller.get("name")) or _str(layer.get("seller_name")),
        seller_url=canonical_url(seller_url, page_url or url) if seller_url else None,
        seller_location=location,
        is_cross_border=_cross_border(_find_key(fields, "isCrossBorder"), location, ""),
        image_url=_image(_str(sku.get("image")), url) or _image(ld.image if ld else None, url),
        category_path=category_path,
        description=description,
        source="pdp",
    )


# -- sniffing --------------------------------------------------------------------------------


def extract(body: bytes | str, url: str = "") -> list[RawListing]:
    """Whatever Lazada shape `body` is -> its listings; PageParseError saying why otherwise."""
    text = as_text(body)
    head = text.lstrip()[:1]
    if head in ("{", "["):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise PageParseError(f"JSON rusak: {exc}") from exc
        if reason := json_block_reason(data):
            raise PageParseError(f"diblokir: {reason}")
        if isinstance(data, dict) and isinstance(_dig(data, "mods", "listItems"), list):
            return parse_search_json(text, url).listings
        raise PageParseError("JSON ini bukan jawaban pencarian Lazada (tidak ada mods.listItems)")
    if not head:
        raise PageParseError("berkas kosong")
    sel = parsel.Selector(text=text)
    page = _search_html(sel, text, url)
    if page is not None and page.listings:
        return page.listings
    product = parse_product(text, url)
    if product is not None:
        return [product]
    if reason := detect_block_page(text):
        raise PageParseError(f"diblokir: {reason}")
    if page is not None:
        return []  # a genuine search page with no results
    raise PageParseError("bukan halaman pencarian atau produk Lazada")
