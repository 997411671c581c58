"""schema.org `Product` as pages publish it: JSON-LD, microdata and OpenGraph. Pure, no I/O.

Shared by the independent web shop parser (WooCommerce, Shopify and hand-made shops all publish
schema.org for search engines) and by Lazada, whose pages carry `application/ld+json` blocks.
Values stay strings as the page states them; `crawler.normalize` reads the numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

import parsel

# JSON-LD nesting deeper than this is not a product page (and keeps hostile input bounded).
_MAX_DEPTH = 12


@dataclass(slots=True)
class SchemaProduct:
    """One schema.org Product, read from whichever syntax published it."""

    name: str | None = None
    sku: str | None = None
    product_id: str | None = None  # productID, or OpenGraph's product:retailer_item_id
    url: str | None = None
    price: str | None = None  # the (lowest) offer price
    price_max: str | None = None  # top of AggregateOffer / of several offers, when higher
    original_price: str | None = None  # OpenGraph's regular price when a sale price is shown
    currency: str | None = None
    seller: str | None = None
    seller_url: str | None = None
    brand: str | None = None
    description: str | None = None
    image: str | None = None
    rating: str | None = None
    review_count: str | None = None
    availability: str | None = None
    category: str | None = None
    syntax: str = "json-ld"  # json-ld | microdata | opengraph

    def fill_from(self, other: SchemaProduct) -> None:
        """Take `other`'s values where this one has none (this one wins where both say)."""
        for f in fields(self):
            if f.name != "syntax" and getattr(self, f.name) in (None, ""):
                setattr(self, f.name, getattr(other, f.name))


# -- JSON-LD ---------------------------------------------------------------------------------


def jsonld_blocks(sel: parsel.Selector) -> list[Any]:
    """Every `application/ld+json` block of a page, decoded; broken blocks are skipped."""
    out: list[Any] = []
    for text in sel.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            out.append(json.loads(text, strict=False))
        except ValueError:
            # Some CMSs wrap the JSON in HTML comments or leave a trailing semicolon.
            cleaned = re.sub(r"^\s*<!--|-->\s*$|;\s*$", "", text.strip())
            try:
                out.append(json.loads(cleaned, strict=False))
            except ValueError:
                continue
    return out


def iter_nodes(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every JSON object in JSON-LD data, top-level ones first, through lists and `@graph`."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from iter_nodes(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from iter_nodes(graph, depth + 1)


def type_names(node: dict[str, Any]) -> set[str]:
    """`@type` as bare lower-case names: "Product", "schema:Product", "http://schema.org/Product"."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/#:]", v)[-1].lower() for v in values if isinstance(v, str) and v}


def is_type(node: Any, *names: str) -> bool:
    return isinstance(node, dict) and bool(type_names(node) & {n.lower() for n in names})


def find_typed(data: Any, *names: str) -> list[dict[str, Any]]:
    return [n for n in iter_nodes(data) if is_type(n, *names)]


def text_of(value: Any) -> str | None:
    """A schema.org value as text: strings and numbers as they are, `{"name": ...}` unwrapped."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, list):
        for item in value:
            if (text := text_of(item)) is not None:
                return text
        return None
    if isinstance(value, dict):
        for key in ("name", "@value", "value", "url", "@id"):
            if key in value and (text := text_of(value[key])) is not None:
                return text
    return None


def url_of(value: Any) -> str | None:
    """An image or link: a string, the first of a list, or an ImageObject's url/contentUrl."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        for item in value:
            if (url := url_of(item)) is not None:
                return url
        return None
    if isinstance(value, dict):
        for key in ("url", "contentUrl", "@id"):
            if (url := url_of(value.get(key))) is not None:
                return url
    return None


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _amount(text: str | None) -> float | None:
    """An offer price as a number, only to order several offers; the string itself is kept."""
    if not text:
        return None
    s = re.sub(r"[^\d.,]", "", text)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", s):  # "350.000" / "1.250.000,00"
        s = s.replace(".", "").replace(",", ".")
    else:
        s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return None


@dataclass(slots=True)
class _Offer:
    low: str | None = None
    high: str | None = None
    currency: str | None = None
    seller: str | None = None
    seller_url: str | None = None
    availability: str | None = None


def read_offers(offers: Any) -> _Offer:
    """Offer, AggregateOffer or a list of Offers -> lowest and highest price, currency, seller."""
    items = [o for o in (offers if isinstance(offers, list) else [offers]) if isinstance(o, dict)]
    result = _Offer()
    prices: list[tuple[float, str]] = []
    for offer in items[:200]:
        spec = offer.get("priceSpecification")
        spec = spec[0] if isinstance(spec, list) and spec else spec
        spec = spec if isinstance(spec, dict) else {}
        for key in ("lowPrice", "price", "highPrice"):
            text = text_of(offer.get(key))
            if text is None and key == "price":
                text = text_of(spec.get("price"))
            value = _amount(text)
            if text is not None and value is not None and value > 0:
                prices.append((value, text))
        result.currency = result.currency or text_of(offer.get("priceCurrency") or spec.get("priceCurrency"))
        seller = offer.get("seller")
        result.seller = result.seller or text_of(seller)
        if isinstance(seller, dict):
            result.seller_url = result.seller_url or url_of(seller.get("url"))
        availability = text_of(offer.get("availability"))
        if availability and not result.availability:
            result.availability = re.split(r"[/#:]", availability)[-1]
    if prices:
        low = min(prices)
        high = max(prices)
        result.low = low[1]
        result.high = high[1] if high[0] > low[0] else None
    return result


def read_product(node: dict[str, Any], syntax: str = "json-ld") -> SchemaProduct:
    """A JSON-LD (or extruct-uniform microdata) Product node -> SchemaProduct."""
    offer = read_offers(node.get("offers"))
    rating = node.get("aggregateRating")
    rating = rating if isinstance(rating, dict) else {}
    brand = node.get("brand") or node.get("manufacturer")
    category = node.get("category")
    if isinstance(category, list):
        category = " / ".join(t for c in category if (t := text_of(c)))
    return SchemaProduct(
        name=text_of(node.get("name")),
        sku=text_of(node.get("sku")),
        product_id=text_of(node.get("productID")),
        url=url_of(node.get("url")),
        price=offer.low,
        price_max=offer.high,
        currency=offer.currency.upper() if offer.currency else None,
        seller=offer.seller,
        seller_url=offer.seller_url,
        brand=text_of(brand),
        description=text_of(node.get("description")),
        image=url_of(node.get("image")),
        rating=text_of(rating.get("ratingValue")),
        review_count=text_of(rating.get("reviewCount")) or text_of(rating.get("ratingCount")),
        availability=offer.availability,
        category=text_of(category),
        syntax=syntax,
    )


def breadcrumb_path(data: Any, product_name: str | None = None) -> str | None:
    """A BreadcrumbList as "Kain / Batik", without the home link and the product itself."""
    for crumbs in find_typed(data, "BreadcrumbList"):
        elements = crumbs.get("itemListElement")
        if not isinstance(elements, list):
            continue
        ordered = sorted(
            (e for e in elements if isinstance(e, dict)),
            key=lambda e: _position(e.get("position")),
        )
        names = [text_of(e.get("name")) or text_of(e.get("item")) for e in ordered]
        names = [n for n in names if n and not n.startswith(("http://", "https://", "/"))]
        names = names[1:]  # the shop's home
        if names and product_name and names[-1].strip() == product_name.strip():
            names = names[:-1]
        if names:
            return " / ".join(names)
    return None


def _position(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1_000_000


# -- OpenGraph -------------------------------------------------------------------------------

_OG_PRODUCT_TYPES = {"product", "product.item", "og:product", "product.group"}


def read_opengraph(props: dict[str, Any]) -> SchemaProduct | None:
    """OpenGraph product meta (`og:type` product, `product:price:amount`/`og:price:amount`)."""

    def get(*keys: str) -> str | None:
        for key in keys:
            if (text := text_of(props.get(key))) is not None:
                return text
        return None

    og_type = (get("@type", "og:type") or "").lower()
    price = get("product:price:amount", "og:price:amount")
    sale = get("product:sale_price:amount")
    if og_type not in _OG_PRODUCT_TYPES and price is None and sale is None:
        return None
    currency = get("product:price:currency", "og:price:currency", "product:sale_price:currency")
    original = None
    if sale is not None:
        sale_value, price_value = _amount(sale), _amount(price)
        if price_value and sale_value and price_value > sale_value:
            original = price
        price = sale
    return SchemaProduct(
        name=get("og:title"),
        product_id=get("product:retailer_item_id"),
        url=get("og:url"),
        price=price,
        original_price=original,
        currency=currency.upper() if currency else None,
        seller=get("og:site_name"),
        brand=get("product:brand"),
        description=get("og:description"),
        image=get("og:image", "og:image:secure_url", "og:image:url"),
        availability=get("product:availability", "og:availability"),
        category=get("product:category"),
        syntax="opengraph",
    )


# -- small text helpers ----------------------------------------------------------------------


# Markup that shows a description is HTML; a "<" alone ("<murah>", "</script>") stays text.
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|ul|ol|li|span|b|i|u|strong|em|h[1-6]|table|tr|td|img|a)\b[^>]*>", re.IGNORECASE
)


def html_text(fragment: str | None, limit: int = 50_000, force: bool = False) -> str | None:
    """Visible text of an HTML description, block elements as line breaks.

    Only text that carries HTML markup is parsed (always with `force`): a plain description
    is returned as it is, whatever characters it holds.
    """
    if not fragment:
        return None
    if not force and not _HTML_TAG.search(fragment):
        return fragment.strip() or None
    sel = parsel.Selector(text=f"<div>{fragment[:limit]}</div>")
    parts = sel.xpath(
        "//text()[not(ancestor::script) and not(ancestor::style)] | //br | //p | //li | //div[position() > 1]"
    )
    out: list[str] = []
    for part in parts:
        root = part.root
        if isinstance(root, str):
            out.append(root)
        else:
            out.append("\n")
    text = re.sub(r"[ \t\r\f\v]+", " ", "".join(out))
    text = re.sub(r"\s*\n\s*", "\n", text).strip()
    return text or None
