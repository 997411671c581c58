"""Independent craft web shops as the demo serves them, one per DemoShop of marketplace "shop".

Each shop lives under its own root, `<base>/<domain>/` (a real shop would be `https://<domain>/`),
and is built like one of the platforms craft makers use, chosen per shop:

| style       | catalogue pages                                  | product page                     | structured data                                        |
|-------------|--------------------------------------------------|----------------------------------|--------------------------------------------------------|
| woocommerce | `/`, `/shop/`, `/shop/page/N/` (a.next, rel=next) | `/product/<slug>-<id>/`          | JSON-LD: Yoast @graph + WooCommerce Product, Offer      |
| shopify     | `/`, `/collections/all?page=N` ("Next page")      | `/products/<slug>-<id>`          | JSON-LD Product (offers per variant), og:price:amount  |
| microdata   | `/`, `/katalog?page=N` (a rel=next "Berikutnya")  | `/produk/<slug>-<id>/`           | microdata only (itemscope Product, Offer, breadcrumb)  |
| opengraph   | `/`, `/page/N/` ("Selanjutnya »")                 | `/produk/<slug>-<id>.html`       | OpenGraph only (product:price:amount, sale price)      |

`<base>/` itself is a directory of the shops (as an association's members page would list them),
which the shop spider can start from when it is given no shop URLs. `blocked()` answers as a
Cloudflare-fronted shop does: HTTP 403 with the "Just a moment..." challenge.
Ground truth (`truth_*`) is never read here.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import weakref
from typing import Any

from crawler.demo.records import DemoListing, DemoRequest, DemoResponse, DemoShop

PREFIXES = ("shop",)
STYLES = ("woocommerce", "shopify", "microdata", "opengraph")
PAGE_SIZES = {"woocommerce": 12, "shopify": 16, "microdata": 10, "opengraph": 10}
MAX_PAGE = 500

_PRODUCT = re.compile(
    r"^/(?:collections/[^/]+/)?(?:product|products|produk)/(?P<handle>[^/]+?)(?:\.html)?/?$"
)
_CATALOGUE = re.compile(
    r"^/(?:shop/(?:page/(?P<woo>\d+)/?)?|collections/all/?|katalog/?|page/(?P<og>\d+)/?)?$"
)
_INDEX: weakref.WeakKeyDictionary[Any, dict[str, DemoShop]] = weakref.WeakKeyDictionary()


def style_of(shop: DemoShop) -> str:
    """The platform a shop is built on: a function of its domain (one domain, one site)."""
    digest = hashlib.blake2b(shop.domain.encode(), digest_size=4).digest()
    return STYLES[int.from_bytes(digest, "big") % len(STYLES)]


def shop_root(base_url: str, shop: DemoShop) -> str:
    return f"{base_url}/{shop.domain}/"


def shop_urls(base_url: str, catalogue) -> list[str]:
    """Every demo shop's address: what PATROLI_SHOP_URLS holds for a patrol of the demo."""
    return [shop_root(base_url, group[0]) for group in _shops(catalogue).values()]


def product_url(base_url: str, listing: DemoListing) -> str:
    root = shop_root(base_url, listing.shop)
    handle = f"{listing.slug}-{listing.listing_id}"
    style = style_of(listing.shop)
    if style == "woocommerce":
        return f"{root}product/{handle}/"
    if style == "shopify":
        return f"{root}products/{handle}"
    if style == "microdata":
        return f"{root}produk/{handle}/"
    return f"{root}produk/{handle}.html"


def page_url(base_url: str, shop: DemoShop, page: int) -> str:
    root = shop_root(base_url, shop)
    style = style_of(shop)
    if page <= 1:
        return root
    if style == "woocommerce":
        return f"{root}shop/page/{page}/"
    if style == "shopify":
        return f"{root}collections/all?page={page}"
    if style == "microdata":
        return f"{root}katalog?page={page}"
    return f"{root}page/{page}/"


def rupiah(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _script_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _on_sale(listing: DemoListing) -> bool:
    return bool(listing.original_price_idr and listing.original_price_idr > listing.price_idr)


def _shops(catalogue) -> dict[str, list[DemoShop]]:
    """domain -> its shops, computed once per catalogue (listing the shops is a grouped query).

    The generator can give two shops the same name and so the same domain; on the web one domain
    is one shop, so the demo serves them as one (their listings together, under the first name).
    """
    index = _INDEX.get(catalogue)
    if index is None:
        index = {}
        for s in catalogue.shops("shop"):
            index.setdefault(s.domain, []).append(s)
        _INDEX[catalogue] = index
    return index


def listings_of(catalogue, shops: list[DemoShop], offset: int, limit: int) -> tuple[int, list[DemoListing]]:
    """One web shop's listings, page by page, across the catalogue shops that share its domain."""
    totals = [catalogue.by_shop("shop", s.shop_id, 0, 0)[0] for s in shops]
    items: list[DemoListing] = []
    start = offset
    for s, total in zip(shops, totals, strict=True):
        if len(items) >= limit:
            break
        if start >= total:
            start -= total
            continue
        items += catalogue.by_shop("shop", s.shop_id, start, limit - len(items))[1]
        start = 0
    return sum(totals), items


def _document(title: str, head: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"{head}</head><body>{body}</body></html>"
    ).encode()


# -- catalogue pages --------------------------------------------------------------------------


def catalogue_html(base_url: str, shop: DemoShop, page: int, total: int, items: list[DemoListing]) -> bytes:
    style = style_of(shop)
    size = PAGE_SIZES[style]
    last = max(1, -(-total // size))
    here = page_url(base_url, shop, page)
    nxt = page_url(base_url, shop, page + 1) if page < last else None
    prev = page_url(base_url, shop, page - 1) if page > 1 else None
    head = f'<link rel="canonical" href="{_e(here)}">'
    if style == "woocommerce":
        if prev:
            head += f'<link rel="prev" href="{_e(prev)}">'
        if nxt:
            head += f'<link rel="next" href="{_e(nxt)}">'
        cards = "".join(
            f'<li class="product type-product"><a href="{_e(product_url(base_url, x))}" '
            f'class="woocommerce-LoopProduct-link woocommerce-loop-product__link">'
            f'<img src="{_e(x.image_url)}" alt=""><h2 class="woocommerce-loop-product__title">{_e(x.title)}</h2>'
            f'<span class="price">{_e(rupiah(x.price_idr))}</span></a>'
            f'<a href="?add-to-cart={_e(x.listing_id)}" class="button add_to_cart_button" rel="nofollow">'
            f"Tambah ke keranjang</a></li>"
            for x in items
        )
        pages = (f'<a class="prev page-numbers" href="{_e(prev)}">&larr;</a>' if prev else "") + (
            f'<a class="next page-numbers" href="{_e(nxt)}">&rarr;</a>' if nxt else ""
        )
        body = (
            f'<p class="woocommerce-result-count">Menampilkan {len(items)} dari {total} hasil</p>'
            f'<ul class="products columns-4">{cards}</ul>'
            f'<nav class="woocommerce-pagination"><ul class="page-numbers">{pages}</ul></nav>'
        )
    elif style == "shopify":
        cards = "".join(
            f'<li class="grid__item"><div class="card-wrapper product-card-wrapper">'
            f'<a href="{_e(shop_root(base_url, shop))}collections/all/products/{_e(x.slug)}-{_e(x.listing_id)}" '
            f'class="full-unstyled-link">{_e(x.title)}</a>'
            f'<div class="price">{_e(rupiah(x.price_idr))},00</div></div></li>'
            for x in items
        )
        pages = (
            f'<a href="{_e(nxt)}" class="pagination__item pagination__item-arrow link" '
            f'aria-label="Next page"><svg aria-hidden="true" class="icon icon-caret"></svg></a>'
            if nxt
            else ""
        )
        body = (
            f'<ul id="product-grid" class="grid product-grid">{cards}</ul>'
            f'<nav class="pagination-wrapper" aria-label="Pagination">{pages}</nav>'
        )
        head += f'<meta property="og:site_name" content="{_e(shop.name)}"><meta property="og:type" content="website">'
    elif style == "microdata":
        cards = "".join(
            f'<div class="produk" itemscope itemtype="https://schema.org/Product">'
            f'<a itemprop="url" href="{_e(product_url(base_url, x))}"><span itemprop="name">{_e(x.title)}</span></a>'
            f"<span>{_e(rupiah(x.price_idr))}</span></div>"
            for x in items
        )
        pages = f'<a rel="next" href="{_e(nxt)}">Berikutnya</a>' if nxt else ""
        body = f'<div class="daftar-produk">{cards}</div><div class="halaman">{pages}</div>'
    else:
        cards = "".join(
            f'<li><a href="{_e(product_url(base_url, x))}">{_e(x.title)}</a> {_e(rupiah(x.price_idr))}</li>'
            for x in items
        )
        pages = f'<a href="{_e(nxt)}">Selanjutnya &raquo;</a>' if nxt else ""
        body = f"<ul>{cards}</ul><p>{pages}</p>"
    nav = f'<header><a href="{_e(shop_root(base_url, shop))}">{_e(shop.name)}</a> <a href="https://instagram.example/{_e(shop.domain)}">Instagram</a></header>'
    return _document(f"Katalog - {shop.name}", head, nav + body)


# -- product pages ----------------------------------------------------------------------------


def _crumbs(listing: DemoListing) -> list[str]:
    return ["Beranda", *[p.strip() for p in listing.category_path.split("/") if p.strip()], listing.title]


def _availability(listing: DemoListing) -> str:
    return "https://schema.org/PreOrder" if listing.is_preorder else "https://schema.org/InStock"


def _rating(listing: DemoListing) -> dict[str, Any] | None:
    if listing.rating is None or not listing.review_count:
        return None
    return {
        "@type": "AggregateRating",
        "ratingValue": f"{listing.rating:.1f}",
        "reviewCount": listing.review_count,
    }


def _woocommerce(base_url: str, listing: DemoListing) -> tuple[str, str]:
    shop, url, root = listing.shop, product_url(base_url, listing), shop_root(base_url, listing.shop)
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": url, "url": url, "name": f"{listing.title} - {shop.name}"},
            {
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {"@type": "ListItem", "position": n, "name": name, **({"item": root} if n == 1 else {})}
                    for n, name in enumerate(_crumbs(listing), start=1)
                ],
            },
            {"@type": "WebSite", "@id": f"{root}#website", "url": root, "name": shop.name},
            {"@type": "Organization", "@id": f"{root}#organization", "name": shop.name, "url": root},
        ],
    }
    product: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Product",
        "@id": f"{url}#product",
        "name": listing.title,
        "url": url,
        "description": listing.description,
        "image": listing.image_url,
        "sku": listing.listing_id,
        "offers": [
            {
                "@type": "Offer",
                "price": str(listing.price_idr),
                "priceSpecification": {"price": str(listing.price_idr), "priceCurrency": "IDR"},
                "priceCurrency": "IDR",
                "availability": _availability(listing),
                "url": url,
                "seller": {"@type": "Organization", "name": shop.name, "url": root},
            }
        ],
    }
    if rating := _rating(listing):
        product["aggregateRating"] = rating
    price = (
        f"<del>{_e(rupiah(listing.original_price_idr))}</del> <ins>{_e(rupiah(listing.price_idr))}</ins>"
        if _on_sale(listing)
        else _e(rupiah(listing.price_idr))
    )
    head = (
        f'<link rel="canonical" href="{_e(url)}"><meta property="og:type" content="article">'
        f'<script type="application/ld+json" class="yoast-schema-graph">{_script_json(graph)}</script>'
    )
    body = (
        f'<div class="product type-product"><h1 class="product_title entry-title">{_e(listing.title)}</h1>'
        f'<p class="price">{price}</p><div class="woocommerce-product-details__short-description">'
        f"<p>{_e(listing.description)}</p></div>"
        f'<div class="product_meta"><span class="sku">{_e(listing.listing_id)}</span></div></div>'
        f'<script type="application/ld+json">{_script_json(product)}</script>'
    )
    return head, body


def _shopify(base_url: str, listing: DemoListing) -> tuple[str, str]:
    shop, url, root = listing.shop, product_url(base_url, listing), shop_root(base_url, listing.shop)
    product = {
        "@context": "http://schema.org/",
        "@type": "Product",
        "name": listing.title,
        "url": url,
        "image": [listing.image_url],
        "description": listing.description,
        "sku": listing.listing_id,
        "brand": {"@type": "Brand", "name": shop.name},
        "offers": [
            {
                "@type": "Offer",
                "sku": listing.listing_id,
                "availability": _availability(listing),
                "price": float(listing.price_idr),
                "priceCurrency": "IDR",
                "url": f"{url}?variant={listing.listing_id}1",
            }
        ],
    }
    organization = {"@context": "http://schema.org", "@type": "Organization", "name": shop.name, "url": root}
    head = (
        f'<link rel="canonical" href="{_e(url)}">'
        f'<meta property="og:site_name" content="{_e(shop.name)}">'
        f'<meta property="og:url" content="{_e(url)}"><meta property="og:title" content="{_e(listing.title)}">'
        f'<meta property="og:type" content="product">'
        f'<meta property="og:price:amount" content="{_e(f"{listing.price_idr:,}".replace(",", "."))}">'
        f'<meta property="og:price:currency" content="IDR">'
        f'<script type="application/ld+json">{_script_json(product)}</script>'
        f'<script type="application/ld+json">{_script_json(organization)}</script>'
    )
    body = (
        f'<product-info id="MainProduct"><h1>{_e(listing.title)}</h1>'
        f'<div class="price"><span class="price-item">{_e(rupiah(listing.price_idr))},00 IDR</span></div>'
        f'<div class="product__description rte">{_e(listing.description)}</div></product-info>'
    )
    return head, body


def _microdata(base_url: str, listing: DemoListing) -> tuple[str, str]:
    shop, url, root = listing.shop, product_url(base_url, listing), shop_root(base_url, listing.shop)
    crumbs = "".join(
        f'<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
        f'<span itemprop="name">{_e(name)}</span><meta itemprop="position" content="{n}"></li>'
        for n, name in enumerate(_crumbs(listing), start=1)
    )
    rating = _rating(listing)
    rating_html = (
        '<div itemprop="aggregateRating" itemscope itemtype="https://schema.org/AggregateRating">'
        f'<span itemprop="ratingValue">{rating["ratingValue"]}</span> dari 5 '
        f'(<span itemprop="reviewCount">{rating["reviewCount"]}</span> ulasan)</div>'
        if rating
        else ""
    )
    body = (
        f'<nav><a href="{_e(root)}">{_e(shop.name)}</a></nav>'
        f'<ol itemscope itemtype="https://schema.org/BreadcrumbList">{crumbs}</ol>'
        f'<div itemscope itemtype="https://schema.org/Product">'
        f'<h1 itemprop="name">{_e(listing.title)}</h1><link itemprop="url" href="{_e(url)}">'
        f'<img itemprop="image" src="{_e(listing.image_url)}" alt="">'
        f'<p itemprop="description">{_e(listing.description)}</p>'
        f'<span itemprop="sku">{_e(listing.listing_id)}</span>'
        f'<div itemprop="brand" itemscope itemtype="https://schema.org/Brand"><span itemprop="name">{_e(shop.name)}</span></div>'
        f"{rating_html}"
        f'<div itemprop="offers" itemscope itemtype="https://schema.org/Offer">'
        f'<span itemprop="priceCurrency" content="IDR">Rp</span>'
        f'<span itemprop="price" content="{listing.price_idr}">{_e(f"{listing.price_idr:,}".replace(",", "."))}</span>'
        f'<link itemprop="availability" href="{_availability(listing)}"></div></div>'
    )
    return "", body


def _opengraph(base_url: str, listing: DemoListing) -> tuple[str, str]:
    shop, url = listing.shop, product_url(base_url, listing)
    if _on_sale(listing):
        price = (
            f'<meta property="product:price:amount" content="{listing.original_price_idr}">'
            f'<meta property="product:sale_price:amount" content="{listing.price_idr}">'
            f'<meta property="product:sale_price:currency" content="IDR">'
        )
    else:
        price = f'<meta property="product:price:amount" content="{listing.price_idr}">'
    head = (
        f'<meta property="og:type" content="product"><meta property="og:title" content="{_e(listing.title)}">'
        f'<meta property="og:url" content="{_e(url)}"><meta property="og:image" content="{_e(listing.image_url)}">'
        f'<meta property="og:description" content="{_e(listing.description)}">'
        f'<meta property="og:site_name" content="{_e(shop.name)}">'
        f'<meta property="product:retailer_item_id" content="{_e(listing.listing_id)}">'
        f'{price}<meta property="product:price:currency" content="IDR">'
        f'<meta property="product:category" content="{_e(listing.category_path)}">'
        f'<meta property="product:availability" content="{"preorder" if listing.is_preorder else "in stock"}">'
    )
    body = (
        f"<h1>{_e(listing.title)}</h1><p>{_e(rupiah(listing.price_idr))}</p><p>{_e(listing.description)}</p>"
    )
    return head, body


_PRODUCT_RENDERERS = {
    "woocommerce": _woocommerce,
    "shopify": _shopify,
    "microdata": _microdata,
    "opengraph": _opengraph,
}


def product_html(base_url: str, listing: DemoListing) -> bytes:
    head, body = _PRODUCT_RENDERERS[style_of(listing.shop)](base_url, listing)
    return _document(f"{listing.title} - {listing.shop.name}", head, body)


def directory_html(base_url: str, shops: list[DemoShop]) -> bytes:
    rows = "".join(
        f'<li><a href="{_e(shop_root(base_url, s))}">{_e(s.name)}</a> ({_e(s.city)})</li>' for s in shops
    )
    return _document("Direktori toko anggota", "", f"<h1>Toko daring anggota</h1><ul>{rows}</ul>")


# -- the shape module's interface ---------------------------------------------------------------


def _page(req: DemoRequest, match: re.Match[str]) -> int:
    raw = match.group("woo") or match.group("og") or req.arg("page", "1") or "1"
    try:
        return min(max(int(raw), 1), MAX_PAGE)
    except ValueError:
        return 1


def _find_listing(catalogue, shop: DemoShop, handle: str) -> DemoListing | None:
    # The handle is "<slug>-<listing id>"; the id is its last part (a few tries if it has dashes).
    parts = handle.split("-")
    for n in range(1, min(len(parts), 4) + 1):
        listing = catalogue.get("shop", "-".join(parts[-n:]))
        if listing is not None:
            return listing if listing.shop.domain == shop.domain else None
    return None


def handle(req: DemoRequest, catalogue) -> DemoResponse | None:
    if req.method not in ("GET", "HEAD"):
        return None
    if req.path in ("/", ""):
        return DemoResponse(200, directory_html(req.base_url, [g[0] for g in _shops(catalogue).values()]))
    domain, _, rest = req.path.lstrip("/").partition("/")
    group = _shops(catalogue).get(domain)
    if not group:
        return None
    shop = group[0]
    rest = "/" + rest
    if (m := _PRODUCT.match(rest)) is not None:
        listing = _find_listing(catalogue, shop, m.group("handle"))
        return DemoResponse(200, product_html(req.base_url, listing)) if listing else None
    if (m := _CATALOGUE.match(rest)) is not None:
        page = _page(req, m)
        size = PAGE_SIZES[style_of(shop)]
        total, items = listings_of(catalogue, group, (page - 1) * size, size)
        if page > 1 and not items:
            return None
        return DemoResponse(200, catalogue_html(req.base_url, shop, page, total, items))
    return None


def blocked(req: DemoRequest) -> DemoResponse:
    """A Cloudflare-fronted shop's managed challenge: HTTP 403, "Just a moment..."."""
    body = (
        '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
        '<meta name="robots" content="noindex,nofollow"></head><body>'
        '<div class="main-wrapper"><h2 id="challenge-running">Checking if the site connection is secure</h2>'
        "<noscript>Enable JavaScript and cookies to continue</noscript></div>"
        '<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1"></script>'
        "</body></html>"
    )
    return DemoResponse(403, body.encode(), headers={"cf-mitigated": "challenge"})
