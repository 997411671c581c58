"""Lazada as the demo serves it: the real site's paths and page shapes, in rupiah.

- `/catalog/?q=<kata>&page=N`: the search page as the browser renders it (the shape of
  ../shared/fixtures/lazada/search_diapers_watson_PH.html): ld+json `Product` (first result),
  `BreadcrumbList` and `ItemList` (first ten URLs), then 40 product cards
  `[data-qa-locator="product-item"]` with title, price, struck price, sold, reviews, location and
  the LazMall / LazGlobal badges, an "N barang ditemukan" line and the ant-design pagination.
- `/catalog/?ajax=true&q=<kata>&page=N`: the JSON search API (`mods.listItems[]`, `mainInfo`).
- `/products/<slug>-i<itemId>-s<skuId>.html`: the product page, ld+json `Product` plus the
  `app.run({...})` module state (product, seller, skuInfos, review).
- `blocked()`: the slider-captcha "punish" page (HTML) or the `RGV587_ERROR` JSON, HTTP 200, as
  Lazada answers its anti-bot.

Ground truth (`truth_*`) is never read here.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from typing import Any
from urllib.parse import quote_plus

from crawler.demo.records import DemoListing, DemoRequest, DemoResponse

PREFIXES = ("lazada",)
PAGE_SIZE = 40
MAX_PAGE = 102  # Lazada serves at most ~100 pages of a search
_PRODUCT = re.compile(r"^/products/(?P<slug>[^/]*?)-i(?P<item>\d+)(?:-s(?P<sku>\d+))?\.html$")
_LAZMALL = "https://img.lazcdn.example/lzd-onepiece/lazmall_badge.png"
_LAZGLOBAL = "https://img.lazcdn.example/lzd-onepiece/lazglobal_badge.png"
_JSON = "application/json; charset=utf-8"


# -- what the page shows ----------------------------------------------------------------------


def rupiah(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def sold_text(count: int) -> str | None:
    """Lazada rounds big counts down: 2.345 sold shows as "2rb+ Terjual"."""
    if count <= 0:
        return None
    return f"{count} Terjual" if count < 1000 else f"{count // 1000}rb+ Terjual"


def sku_id(listing: DemoListing) -> str:
    digest = hashlib.blake2b(f"sku|{listing.listing_id}".encode(), digest_size=5).digest()
    return str(10_000_000_000 + int.from_bytes(digest, "big") % 9_000_000_000)


def product_url(base_url: str, listing: DemoListing) -> str:
    return f"{base_url}/products/{listing.slug}-i{listing.listing_id}-s{sku_id(listing)}.html"


def _schemaless(url: str) -> str:
    """Lazada writes its own links without scheme: "//www.lazada.co.id/products/..."."""
    return re.sub(r"^https?:", "", url)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _script_json(data: Any) -> str:
    """JSON placed inside <script>: "</" escaped so that no value can close the script."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _discount(listing: DemoListing) -> str | None:
    original = listing.original_price_idr
    if not original or original <= listing.price_idr:
        return None
    return f"{round(100 * (original - listing.price_idr) / original)}% Off"


def _page(req: DemoRequest) -> int:
    try:
        return min(max(int(req.arg("page", "1") or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


# -- search JSON ------------------------------------------------------------------------------


def _list_item(listing: DemoListing, base_url: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "name": listing.title,
        "nid": listing.listing_id,
        "itemId": listing.listing_id,
        "cheapest_sku": sku_id(listing),
        "image": listing.image_url,
        "productUrl": _schemaless(product_url(base_url, listing)),
        "price": f"{listing.price_idr}.00",
        "priceShow": rupiah(listing.price_idr),
        "originalPrice": f"{listing.original_price_idr}.00" if _discount(listing) else "",
        "originalPriceShow": rupiah(listing.original_price_idr) if _discount(listing) else "",
        "discount": _discount(listing) or "",
        "ratingScore": str(listing.rating) if listing.rating is not None else "0",
        "review": str(listing.review_count) if listing.review_count else "",
        "location": listing.shop.city,
        "sellerName": listing.shop.name,
        "sellerId": listing.shop.shop_id,
        "brandName": "No Brand",
        "inStock": True,
        "isCrossBorder": listing.is_cross_border,
        "icons": [],
    }
    if (sold := sold_text(listing.sold_count)) is not None:
        item["itemSoldCntShow"] = sold
    if listing.shop.is_official:
        item["icons"].append({"alias": "LazMall", "type": "img", "imgUrl": _LAZMALL})
    if listing.is_cross_border:
        item["icons"].append({"alias": "LazGlobal", "type": "img", "imgUrl": _LAZGLOBAL})
    return item


def search_json(base_url: str, keyword: str, page: int, total: int, items: list[DemoListing]) -> bytes:
    data = {
        "templates": {},
        "mods": {
            "filter": {"filterItems": []},
            **({"listItems": [_list_item(i, base_url) for i in items]} if items else {}),
        },
        "mainInfo": {
            "page": str(page),
            "pageSize": str(PAGE_SIZE),
            "totalResults": str(total),
            "q": keyword,
        },
        "seoInfo": {},
    }
    return json.dumps(data, ensure_ascii=False).encode()


# -- search HTML ------------------------------------------------------------------------------


def _card(listing: DemoListing, base_url: str, position: int) -> str:
    url = product_url(base_url, listing)
    badges = ""
    if listing.is_cross_border:
        badges += f'<i class="ic-dynamic-badge" style="background-image: url(&quot;{_LAZGLOBAL}&quot;);"></i>'
    if listing.shop.is_official:
        badges += f'<i class="ic-dynamic-badge" style="background-image: url(&quot;{_LAZMALL}&quot;);"></i>'
    discount = _discount(listing)
    struck = (
        f'<span class="_1m41m"><del class="ooOxS">{_e(rupiah(listing.original_price_idr))}</del></span>'
        f'<span class="IcOsH">{_e(discount)}</span>'
        if discount and listing.original_price_idr
        else ""
    )
    sold = sold_text(listing.sold_count)
    sold_html = f'<span class="_1cEkb"><span>{_e(sold)}</span></span>' if sold else ""
    reviews = ""
    if listing.review_count:
        stars = '<i class="_9-ogB Dy1nx"></i>' * 5
        reviews = (
            f'<div class="mdmmT _32vUv">{stars}<span class="qzqFw">({listing.review_count})</span></div>'
        )
    city = _e(listing.shop.city)
    return (
        f'<div class="Bm3ON" data-qa-locator="product-item" data-tracking="product-card" '
        f'data-sku-simple="{listing.listing_id}_ID-{sku_id(listing)}" data-item-id="{listing.listing_id}" '
        f'data-listno="{position}"><div class="Ms6aG"><div class="qmXQo"><div class="ICdUp">'
        f'<div class="_95X4G"><a age="0" href="{_e(url)}?spm=a2o4j.searchlist.list.{position}">'
        f'<div class="picture-wrapper"><img type="product" class="jBwCF" alt="{_e(listing.title)}" '
        f'src="{_e(listing.image_url)}"></div></a></div></div>'
        f'<div class="buTCk"><div class="RfADt"><a age="0" href="{_e(url)}?spm=a2o4j.searchlist.list.{position}" '
        f'title="{_e(listing.title)}">{badges}{_e(listing.title)}</a></div>'
        f'<div class="aBrP0"><span class="ooOxS">{_e(rupiah(listing.price_idr))}</span></div>'
        f'<div class="WNoq3">{struck}</div>'
        f'<div class="_6uN7R">{sold_html}{reviews}<span class="oa6ri " title="{city}">{city}</span></div>'
        f"</div></div></div></div>"
    )


def _ld_blocks(base_url: str, keyword: str, items: list[DemoListing]) -> str:
    blocks: list[dict[str, Any]] = []
    if items:
        first = items[0]
        product: dict[str, Any] = {
            "@type": "Product",
            "@context": "https://schema.org",
            "name": first.title,
            "image": first.image_url,
            "sku": f"{first.listing_id}_ID",
            "mpn": sku_id(first),
            "brand": {"@type": "Organization", "name": "No Brand"},
        }
        if first.rating is not None and first.review_count:
            product["aggregateRating"] = {
                "@type": "AggregateRating",
                "ratingValue": f"{first.rating:.1f}",
                "ratingCount": first.review_count,
            }
        blocks.append(product)
    blocks.append(
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"item": {"@id": base_url, "name": "Home"}, "@type": "ListItem", "position": 1}
            ],
        }
    )
    blocks.append(
        {
            "@context": "https://schema.org",
            "@type": "ItemList",
            "itemListElement": [
                {"@type": "ListItem", "position": n, "url": _schemaless(product_url(base_url, item))}
                for n, item in enumerate(items[:10], start=1)
            ],
        }
    )
    return "".join(f'<script type="application/ld+json">{_script_json(b)}</script>' for b in blocks)


def _pagination(base_url: str, keyword: str, page: int, last: int) -> str:
    if last <= 1:
        return ""
    q = quote_plus(keyword)

    def href(n: int) -> str:
        return f"{base_url}/catalog/?q={q}" + (f"&amp;page={n}" if n > 1 else "")

    pages = "".join(
        f'<li title="{n}" class="ant-pagination-item ant-pagination-item-{n}'
        f'{" ant-pagination-item-active" if n == page else ""}" tabindex="0">'
        f'<a href="{href(n)}">{n}</a></li>'
        for n in range(max(1, page - 2), min(last, page + 2) + 1)
    )
    disabled = "true" if page >= last else "false"
    return (
        f'<ul class="ant-pagination">{pages}<li title="Next Page" tabindex="0" '
        f'class="ant-pagination-next{" ant-pagination-disabled" if page >= last else ""}" '
        f'aria-disabled="{disabled}"><button class="ant-pagination-item-link" type="button">'
        f"&gt;</button></li></ul>"
    )


def search_html(base_url: str, keyword: str, page: int, total: int, items: list[DemoListing]) -> bytes:
    last = min(MAX_PAGE, -(-total // PAGE_SIZE))
    cards = "".join(_card(item, base_url, n) for n, item in enumerate(items))
    kw = _e(keyword)
    doc = (
        '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
        f"<title>Jual {kw} | Lazada.co.id</title>"
        f'<link rel="canonical" href="{_e(base_url)}/catalog/?q={_e(quote_plus(keyword))}">'
        '<meta property="og:type" content="product">'
        f"{_ld_blocks(base_url, keyword, items)}</head><body>"
        f'<div class="xYcXp"><h1 class="JrAyI">{kw}</h1><div class="M4pDu">'
        f'<span>{total} barang ditemukan untuk "</span><span>{kw}</span><span>"</span></div></div>'
        f'<div class="_17mcb" data-qa-locator="general-products" data-spm="list">{cards}</div>'
        f'<div class="b7FXJ">{_pagination(base_url, keyword, page, last)}</div>'
        "</body></html>"
    )
    return doc.encode()


# -- product page -----------------------------------------------------------------------------


def product_html(base_url: str, listing: DemoListing) -> bytes:
    url = product_url(base_url, listing)
    shop = listing.shop
    offer: dict[str, Any] = {
        "@type": "Offer",
        "priceCurrency": "IDR",
        "price": str(listing.price_idr),
        "availability": "https://schema.org/PreOrder"
        if listing.is_preorder
        else "https://schema.org/InStock",
        "url": url,
    }
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": listing.title,
        "image": listing.image_url,
        "sku": f"{listing.listing_id}_ID",
        "mpn": sku_id(listing),
        "description": listing.description[:160],
        "brand": {"@type": "Brand", "name": "No Brand"},
        "offers": offer,
    }
    if listing.rating is not None and listing.review_count:
        ld["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": f"{listing.rating:.1f}",
            "ratingCount": listing.review_count,
        }
    price: dict[str, Any] = {"salePrice": {"text": rupiah(listing.price_idr), "value": listing.price_idr}}
    if _discount(listing) and listing.original_price_idr:
        price["originalPrice"] = {
            "text": rupiah(listing.original_price_idr),
            "value": listing.original_price_idr,
        }
        price["discount"] = "-" + _discount(listing).split("%")[0] + "%"
    paragraphs = "".join(f"<p>{_e(p)}</p>" for p in listing.description.split("\n") if p.strip())
    fields: dict[str, Any] = {
        "product": {
            "title": listing.title,
            "desc": f"<div>{paragraphs}</div>",
            "link": url,
            "rating": {"score": listing.rating or 0, "total": listing.review_count},
        },
        "seller": {
            "name": shop.name,
            "sellerId": shop.shop_id,
            "url": _schemaless(f"{base_url}/shop/{shop.domain}/?itemId={listing.listing_id}"),
        },
        "review": {
            "ratings": {
                "average": listing.rating or 0,
                "rateCount": listing.review_count,
                "reviewCount": listing.review_count,
            }
        },
        "globalConfig": {"currency": "IDR", "site": "ID"},
        "skuInfos": {
            "0": {
                "itemId": listing.listing_id,
                "skuId": sku_id(listing),
                "sellerId": shop.shop_id,
                "image": listing.image_url,
                "price": price,
                "dataLayer": {
                    "pdt_category": [p.strip() for p in listing.category_path.split("/")],
                    "seller_name": shop.name,
                    "core": {"country": "ID", "currencyCode": "IDR"},
                },
            }
        },
    }
    doc = (
        '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
        f"<title>{_e(listing.title)} | Lazada Indonesia</title>"
        f'<link rel="canonical" href="{_e(url)}">'
        '<meta property="og:type" content="product">'
        f'<meta property="og:title" content="{_e(listing.title)}">'
        f'<script type="application/ld+json">{_script_json(ld)}</script>'
        f'</head><body><div id="container"><h1 class="pdp-mod-product-badge-title">{_e(listing.title)}</h1>'
        f'<span class="pdp-price">{_e(rupiah(listing.price_idr))}</span></div>'
        f"<script>app.run({_script_json({'data': {'root': {'fields': fields}}})});</script>"
        "</body></html>"
    )
    return doc.encode()


# -- the shape module's interface ---------------------------------------------------------------


def handle(req: DemoRequest, catalogue) -> DemoResponse | None:
    if req.method not in ("GET", "HEAD"):
        return None
    if req.path in ("/catalog/", "/catalog"):
        keyword = (req.arg("q", "") or "").strip()
        page = _page(req)
        total, items = catalogue.search("lazada", keyword, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        if (req.arg("ajax") or "").lower() == "true":
            return DemoResponse(200, search_json(req.base_url, keyword, page, total, items), _JSON)
        return DemoResponse(200, search_html(req.base_url, keyword, page, total, items))
    m = _PRODUCT.match(req.path)
    if m:
        listing = catalogue.get("lazada", m.group("item"))
        if listing is None:
            return None
        return DemoResponse(200, product_html(req.base_url, listing))
    return None


def blocked(req: DemoRequest) -> DemoResponse:
    """Lazada's anti-bot: HTTP 200 with the slider captcha ("punish"), or its JSON twin."""
    token = hashlib.blake2b(req.path.encode() + repr(sorted(req.query.items())).encode(), digest_size=8)
    punish = f"{req.base_url}/catalog/_____tmd_____/punish?x5secdata={token.hexdigest()}&x5step=1"
    if (req.arg("ajax") or "").lower() == "true":
        body = {
            "api": "mtop.relationrecommend.lazadarecommend.recommend",
            "data": {"url": punish},
            "ret": ["FAIL_SYS_USER_VALIDATE", "RGV587_ERROR::SM::Maaf, lalu lintas tidak biasa"],
            "v": "1.0",
        }
        return DemoResponse(200, json.dumps(body, ensure_ascii=False).encode(), _JSON)
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Verifikasi keamanan</title></head>'
        '<body><div id="nocaptcha"><div id="nc_1_wrapper"><span class="nc-lang-cnt">'
        "Geser untuk verifikasi</span></div></div>"
        f'<script>window._config_ = {{"action": "captcha", "url": {json.dumps(punish)}}};</script>'
        "</body></html>"
    )
    return DemoResponse(200, page.encode())
