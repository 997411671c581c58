"""Independent web shops (WooCommerce, Shopify, hand-made) -> RawListings. Pure: no Scrapy, no I/O.

A craft shop's own site is patrolled by its address: catalogue pages give the product links and
the next page, product pages give the listing, read from the schema.org `Product` the shop
publishes for search engines (JSON-LD, microdata or OpenGraph, through extruct). No selectors
keyed to one theme: product links are recognised by the URL shapes the platforms use
(`/product/<slug>/`, `/products/<handle>`, `?product=`), pagination by `rel=next`, `a.next`, a
"next" label or a link to page N+1.

Identity: an independent shop has no marketplace ids, and two shops can both sell "SKU-01". The
shop's id is its address (host without port or "www.", plus the path to the shop's root:
"batikwarna.id", "127.0.0.1/shop/batikwarna" in the demo), and a listing's id is
"<shop id>#<sku>" (sku, productID or OpenGraph retailer_item_id), or "<shop id><path>" when the
page states no id.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import extruct
import parsel

from crawler.items import RawListing
from spiders.pages import PageParseError, as_text
from spiders.pages.outcome import detect_block_page
from spiders.pages.schemaorg import (
    SchemaProduct,
    breadcrumb_path,
    find_typed,
    html_text,
    is_type,
    iter_nodes,
    jsonld_blocks,
    read_opengraph,
    read_product,
    text_of,
    url_of,
)

MARKETPLACE = "shop"
_SYNTAXES = ["microdata", "opengraph"]
_MAX_LINKS = 2_000  # links read per catalogue page (bounded for hostile pages)

# The tail of a path that belongs to the shop platform, not to the shop's own root.
_PLATFORM_TAIL = re.compile(
    r"(?:/collections/[^/]+)?/(?:products?|produk)/[^/]+/?$"  # product pages
    r"|/shop(?:/page/\d+)?/?$"  # WooCommerce shop page
    r"|/collections/[^/]+(?:/page/\d+)?/?$"  # Shopify collections
    r"|/product-(?:category|tag)/.*$"
    r"|/page/\d+/?$"
)
_PRODUCT_PATH = re.compile(r"/(?:products?|produk)/[^/?#]+/?$")
_PRODUCT_QUERY = ("product", "product_id")
_NOT_PRODUCT = re.compile(r"add-to-cart=|\.(?:json|js|xml|oembed)$|/feed/?$", re.IGNORECASE)
# "Next »", "Berikutnya →", "›": a pagination link's label (or aria-label) that means "next".
_NEXT_WORDS = re.compile(
    r"^(?:(?:next|next page|berikutnya|selanjutnya|lanjut|halaman berikutnya)\s*[›»→>]*"
    r"|[›»→>])$",
    re.IGNORECASE,
)
_PAGE_IN_PATH = re.compile(r"/page/(\d+)/?$")


# -- identity --------------------------------------------------------------------------------


def shop_key(url: str, product_page: bool = False) -> str:
    """A shop's id from any of its URLs: "batikwarna.id", "127.0.0.1/shop/batikwarna"."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    m = _PLATFORM_TAIL.search(parts.path)
    # A product page under an unknown permalink says nothing about the shop's root.
    root = parts.path[: m.start()] if m else ("" if product_page else parts.path)
    return host + root.rstrip("/")


def shop_url(url: str, product_page: bool = False) -> str:
    """The shop's home address for any of its URLs (scheme and port kept)."""
    parts = urlsplit(url)
    m = _PLATFORM_TAIL.search(parts.path)
    root = parts.path[: m.start()] if m else ("" if product_page else parts.path)
    return urlunsplit((parts.scheme, parts.netloc, root.rstrip("/") + "/", "", ""))


def _absolute(href: str | None, base: str) -> str | None:
    if not href:
        return None
    absolute = urljoin(base, href.strip()) if base else href.strip()
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def _same_host(a: str, b: str) -> bool:
    host = (urlsplit(a).hostname or "").removeprefix("www.")
    return bool(host) and host == (urlsplit(b).hostname or "").removeprefix("www.")


# -- structured data -------------------------------------------------------------------------


def _structured(sel: parsel.Selector, url: str) -> dict[str, list[Any]]:
    """JSON-LD block by block (one broken block must not hide the others, as it does in
    extruct), microdata and OpenGraph through extruct, on the tree parsel already built."""
    data: dict[str, list[Any]] = extruct.extract(
        sel.root, base_url=url or None, syntaxes=_SYNTAXES, uniform=True, errors="ignore"
    )
    data["json-ld"] = jsonld_blocks(sel)
    return data


def _jsonld_products(data: list[Any]) -> list[dict[str, Any]]:
    """Top-level Products (and Shopify's ProductGroup); Products inside ItemLists are links."""
    out = []
    for node in iter_nodes(data):
        if is_type(node, "Product", "ProductGroup", "IndividualProduct", "ProductModel"):
            out.append(node)
    return out


def _read_group(node: dict[str, Any]) -> SchemaProduct:
    """A ProductGroup's variants carry the offers: their price range is the group's."""
    product = read_product(node)
    variants = node.get("hasVariant")
    if product.price is None and isinstance(variants, list):
        offers = [v.get("offers") for v in variants if isinstance(v, dict) and v.get("offers")]
        flat = [o for group in offers for o in (group if isinstance(group, list) else [group])]
        product.fill_from(read_product({"offers": flat}))
    product.sku = product.sku or text_of(node.get("productGroupID"))
    return product


def _main_product(
    data: dict[str, list[Any]], url: str, canonical: str | None
) -> tuple[SchemaProduct | None, int]:
    """The page's product and how many top-level products the page has (a listing page: >1)."""
    ld_nodes = _jsonld_products(data.get("json-ld") or [])
    md_nodes = [n for n in data.get("microdata") or [] if is_type(n, "Product")]
    ld = [_read_group(n) if is_type(n, "ProductGroup") else read_product(n) for n in ld_nodes]
    md = [read_product(n, syntax="microdata") for n in md_nodes]
    og = next((p for props in data.get("opengraph") or [] if (p := read_opengraph(props))), None)
    here = {_plain(u) for u in (url, canonical) if u}

    def pick(candidates: list[SchemaProduct]) -> SchemaProduct | None:
        named = [c for c in candidates if c.name]
        matching = [c for c in named if c.url and _plain(urljoin(url, c.url)) in here]
        if matching:
            return matching[0]
        return named[0] if len(named) == 1 else None

    count = max(len([p for p in ld if p.name]), len([p for p in md if p.name]))
    main = pick(ld) or pick(md)
    if main is None and count > 1:
        return None, count
    if main is None:
        main = og
    elif og is not None:
        main.fill_from(og)
    if main is not None and main.syntax == "json-ld":
        for other in md:
            if other.name == main.name or len(md) == 1:
                main.fill_from(other)
                break
    return main, count


def _plain(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').removeprefix('www.')}{parts.path.rstrip('/')}"


def _site_name(data: dict[str, list[Any]]) -> tuple[str | None, str | None]:
    """The shop's own name and address from JSON-LD WebSite/Organization/Store nodes."""
    for node in find_typed(data.get("json-ld") or [], "Organization", "Store", "WebSite"):
        name = text_of(node.get("name"))
        if name:
            return name, url_of(node.get("url"))
    return None, None


def _listing(
    product: SchemaProduct,
    data: dict[str, list[Any]],
    sel: parsel.Selector,
    url: str,
    canonical: str | None,
    shop: str | None,
) -> RawListing:
    page = _absolute(product.url, url) or _absolute(canonical, url) or _absolute(url, "") or url
    key = shop_key(shop) if shop else shop_key(page, product_page=True)
    ident = product.sku or product.product_id
    listing_id = f"{key}#{ident}" if ident else key + (urlsplit(page).path.rstrip("/") or "/")
    site, site_url = _site_name(data)
    seller_url = (
        _absolute(product.seller_url, url)
        or _absolute(site_url, url)
        or (shop_url(shop) if shop else shop_url(page, product_page=True))
    )
    description = html_text(product.description) or sel.xpath('//meta[@name="description"]/@content').get()
    availability = (product.availability or "").lower()
    return RawListing(
        marketplace=MARKETPLACE,
        listing_id=listing_id,
        url=page,
        title=(product.name or "").strip(),
        price=product.price,
        price_max=product.price_max,
        original_price=product.original_price,
        currency=product.currency,
        rating=product.rating,
        review_count=product.review_count,
        seller_id=key,
        seller_name=product.seller or site or product.brand,
        seller_url=seller_url,
        is_preorder=True if availability == "preorder" else None,
        image_url=_absolute(product.image, url),
        category_path=product.category
        or breadcrumb_path((data.get("json-ld") or []) + (data.get("microdata") or []), product.name),
        description=description.strip() if description else None,
        source=f"shop_{product.syntax.replace('-', '')}",
    )


def parse_product(body: bytes | str, url: str = "", shop: str | None = None) -> RawListing | None:
    """A product page -> its RawListing; None when the page has no single schema.org Product.

    `shop` is the shop's address as the patrol was given it; it names the shop (seller_id) when
    the product URL alone cannot (custom permalinks).
    """
    text = as_text(body)
    if not text.strip():
        return None
    sel = parsel.Selector(text=text)
    data = _structured(sel, url)
    canonical = sel.xpath('//link[@rel="canonical"]/@href').get()
    product, _ = _main_product(data, url, canonical)
    if product is None or not product.name:
        return None
    return _listing(product, data, sel, url, canonical, shop)


# -- catalogue pages -------------------------------------------------------------------------


def _product_link(href: str | None, page_url: str) -> str | None:
    url = _absolute(href, page_url)
    if url is None or _NOT_PRODUCT.search(url) or not _same_host(url, page_url):
        return None
    parts = urlsplit(url)
    if _PRODUCT_PATH.search(parts.path):
        # Shopify's "?variant=" and tracking queries name the same product.
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    query = parse_qs(parts.query)
    for key in _PRODUCT_QUERY:
        if query.get(key):
            return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode({key: query[key][0]}), ""))
    return None


def _listed_urls(data: dict[str, list[Any]], page_url: str) -> list[str]:
    """Product URLs a catalogue states in its structured data (ItemList, listed Products)."""
    out: list[str] = []
    for node in find_typed(data.get("json-ld") or [], "ItemList"):
        for element in node.get("itemListElement") or []:
            if isinstance(element, dict):
                item = element.get("item")
                out.append(url_of(element.get("url")) or url_of(item) or "")
    for node in (data.get("microdata") or []) + _jsonld_products(data.get("json-ld") or []):
        if is_type(node, "Product"):
            out.append(url_of(node.get("url")) or "")
    return [u for href in out if (u := _absolute(href, page_url)) and _same_host(u, page_url)]


def _page_number(url: str) -> int | None:
    """The page number a catalogue URL states ("/page/3/", "?page=3", "?paged=3"), if any."""
    parts = urlsplit(url)
    m = _PAGE_IN_PATH.search(parts.path)
    if m:
        return int(m.group(1))
    query = parse_qs(parts.query)
    values = query.get("page") or query.get("paged")
    return int(values[0]) if values and values[0].isdigit() else None


def _next_url(sel: parsel.Selector, url: str) -> str | None:
    """The next catalogue page: rel=next, a "next" class, a "next" label, a link to page N+1."""
    current = _page_number(url) or 1
    anchors = sel.xpath("//a[@href]")[:_MAX_LINKS]
    worded: list[str] = []
    arrows: list[str] = []
    numbered: list[str] = []
    for a in anchors:
        href = a.attrib["href"]
        label = " ".join(
            [a.xpath("normalize-space(.)").get() or "", a.attrib.get("aria-label") or ""]
        ).strip()
        if _NEXT_WORDS.match(label):
            (worded if re.search(r"[a-z]", label, re.IGNORECASE) else arrows).append(href)
        absolute = _absolute(href, url)
        if absolute and _page_number(absolute) == current + 1:
            numbered.append(href)
    has_class = '[contains(concat(" ", normalize-space(@class), " "), " next ")]'
    candidates = (
        sel.xpath('//link[@rel="next"]/@href').getall()
        + sel.xpath('//a[contains(concat(" ", normalize-space(@rel), " "), " next ")]/@href').getall()
        + sel.xpath(f"//a{has_class}/@href | //*{has_class}/a/@href").getall()
        + worded
        + numbered
        + arrows
    )
    here = (_absolute(url, "") or url).rstrip("/")
    for href in candidates:
        absolute = _absolute(href, url)
        if not absolute or absolute.rstrip("/") == here or not _same_host(absolute, url):
            continue
        number = _page_number(absolute)
        if number is None or number > current:
            return absolute
    return None


def parse_catalogue(body: bytes | str, url: str = "") -> tuple[list[str], str | None]:
    """A catalogue page -> (the product URLs it lists, the next catalogue page or None)."""
    text = as_text(body)
    sel = parsel.Selector(text=text)
    data = _structured(sel, url)
    seen: set[str] = set()
    products: list[str] = []
    hrefs = sel.xpath("//a/@href").getall()[:_MAX_LINKS]
    for candidate in [_product_link(h, url) for h in hrefs] + _listed_urls(data, url):
        if candidate and candidate not in seen and candidate.rstrip("/") != url.rstrip("/"):
            seen.add(candidate)
            products.append(candidate)
    return products, _next_url(sel, url)


# -- sniffing --------------------------------------------------------------------------------


# Hosts that a members' directory links to but that are not web shops of their own.
_NOT_SHOPS = re.compile(
    r"(?:^|\.)(?:instagram|facebook|fb|twitter|x|tiktok|youtube|wa|whatsapp|linkedin|google|"
    r"tokopedia|shopee|lazada|blibli|bukalapak|t)\.(?:com|co\.id|me|id|be)$"
)


def parse_directory(body: bytes | str, url: str = "") -> list[str]:
    """A directory of shops (an association's members page) -> each shop's address.

    On the directory's own site, a shop is a link one folder below the directory ("/anggota/" ->
    "/anggota/batik-sekar/"); any other site it links to is a shop, except social networks,
    messaging and marketplaces (patrolled by their own spiders).
    """
    sel = parsel.Selector(text=as_text(body))
    here = urlsplit(url)
    base_path = here.path if here.path.endswith("/") else here.path.rsplit("/", 1)[0] + "/"
    out: list[str] = []
    for href in sel.xpath("//a/@href").getall()[:_MAX_LINKS]:
        link = _absolute(href, url)
        if link is None:
            continue
        parts = urlsplit(link)
        host = (parts.hostname or "").lower()
        if _same_host(link, url):
            rest = parts.path[len(base_path) :] if parts.path.startswith(base_path) else ""
            if not rest.strip("/") or "/" in rest.strip("/"):
                continue
            candidate = urlunsplit((parts.scheme, parts.netloc, base_path + rest.strip("/") + "/", "", ""))
        elif _NOT_SHOPS.search(host):
            continue
        else:
            candidate = shop_url(link)
        if candidate not in out:
            out.append(candidate)
    return out


def extract(body: bytes | str, url: str = "") -> list[RawListing]:
    """A saved shop page -> its listing(s); PageParseError saying why otherwise."""
    text = as_text(body)
    if not text.strip():
        raise PageParseError("berkas kosong")
    if text.lstrip()[:1] in ("{", "["):
        raise PageParseError("JSON, bukan halaman toko (simpan halaman produknya sebagai HTML)")
    sel = parsel.Selector(text=text)
    data = _structured(sel, url)
    canonical = sel.xpath('//link[@rel="canonical"]/@href').get()
    product, count = _main_product(data, url, canonical)
    if product is not None and product.name:
        return [_listing(product, data, sel, url, canonical, None)]
    if count > 1:
        # A listing page that states each product in full: every one is a listing.
        nodes = _jsonld_products(data.get("json-ld") or []) or [
            n for n in data.get("microdata") or [] if is_type(n, "Product")
        ]
        syntax = "json-ld" if _jsonld_products(data.get("json-ld") or []) else "microdata"
        out = []
        for node in nodes:
            item = read_product(node, syntax=syntax)
            if item.name:
                out.append(_listing(item, data, sel, url, None, url))
        return out
    if reason := detect_block_page(text):
        raise PageParseError(f"diblokir: {reason}")
    links, _ = parse_catalogue(text, url)
    if links:
        raise PageParseError(
            f"halaman katalog ({len(links)} tautan produk) tanpa data Product: "
            "simpan halaman produknya, atau patroli tokonya dengan `patroli crawl shop`"
        )
    raise PageParseError("tidak ada schema.org Product (JSON-LD, microdata, OpenGraph)")
