"""Tokopedia as the demo marketplace draws it: the shapes of the real captures, at the real paths.

Served (prefix `tokopedia` stands for https://www.tokopedia.com, `tokopedia-gql` for
https://gql.tokopedia.com):

- GET  /tokopedia/search?st=product&q=<keyword>&page=<n>   the rendered search page: 60 product
  cards (`a[data-testid=lnkProductContainer]`, the 2021 card structure of the capture) and the
  Apollo state `window.__cache` with `searchProduct({"params":"...&rows=60&start=..."})`,
  `AceSearchProduct*`, `AceShop*` and the "integrity" label with the sold count; a pagination
  bar whose "Halaman berikutnya" button is disabled on the last page. `page` counts from 1.
- POST /tokopedia-gql/graphql/PDPGetLayoutQuery   body: the batched GraphQL request
  `[{"operationName": "PDPGetLayoutQuery", "variables": {"shopDomain", "productKey", ...},
  "query": ...}]`; answer `[{"data": {"pdpGetLayout": {...}}}]` in the capture's shape
  (basicInfo, pdpSession, components product_media / product_content / product_detail).
  An unknown product: `pdpGetLayout: null` with a GraphQL error, as the API answers.

Product URLs are <base>/<shop domain>/<slug>-<listing id>: unique, as Tokopedia makes its own.
`blocked()` is what Tokopedia's CDN (Akamai) answers a bot: HTTP 403 "Access Denied".
Every scraped-looking string is escaped: titles go into HTML text and attributes and into JSON.
"""

from __future__ import annotations

import hashlib
import json
from html import escape
from urllib.parse import quote

from crawler.demo.records import DemoListing, DemoRequest, DemoResponse
from spiders.pages.tokopedia import PDP_OPERATION, ROWS_PER_PAGE, read_pdp_request_body

PREFIXES = ("tokopedia", "tokopedia-gql")
MARKETPLACE = "tokopedia"
MAX_PAGE = 100  # the search page stops paginating there

# -- small formatting helpers -----------------------------------------------------------------


def rupiah(value: int) -> str:
    return f"Rp{value:,}".replace(",", ".")


def sold_label(count: int) -> str | None:
    """Tokopedia's sold label: "Terjual 423", "Terjual 4,3 rb", "Terjual 18 rb"; none at 0."""
    if count <= 0:
        return None
    if count < 1_000:
        return f"Terjual {count}"
    if count < 10_000:
        return f"Terjual {count // 100 // 10},{count // 100 % 10} rb"
    if count < 1_000_000:
        return f"Terjual {count // 1_000} rb"
    return f"Terjual {count // 100_000 // 10},{count // 100_000 % 10} jt"


def product_key(item: DemoListing) -> str:
    return f"{item.slug}-{item.listing_id}"


def product_url(www_base: str, item: DemoListing) -> str:
    return f"{www_base}/{item.shop.domain}/{product_key(item)}"


def _www_base(req: DemoRequest) -> str:
    """The `tokopedia` base URL, also when the request came to `tokopedia-gql`."""
    root, _, prefix = req.base_url.rpartition("/")
    return f"{root}/tokopedia" if prefix == "tokopedia-gql" else req.base_url


def _script_json(data: object) -> str:
    """JSON safe inside <script>, escaped the way the real page's serializer does it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003C"), (">", "\\u003E"), ("/", "\\u002F")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _discount(item: DemoListing) -> int:
    if not item.original_price_idr or item.original_price_idr <= item.price_idr:
        return 0
    return round(100 * (1 - item.price_idr / item.original_price_idr))


def _ref(key: str, typename: str, generated: bool = False) -> dict:
    return {"type": "id", "generated": generated, "id": key, "typename": typename}


# -- the search page --------------------------------------------------------------------------


def _apollo_state(items: list[DemoListing], total: int, params: str, www: str) -> dict:
    root_key = f"searchProduct({json.dumps({'params': params}, separators=(',', ':'))})"
    data_key = f"$ROOT_QUERY.{root_key}"
    state: dict = {
        "ROOT_QUERY": {"isAuthenticated": 0, root_key: _ref(data_key, "AceSearchProductData", True)},
        data_key: {"count": total, "products": [], "__typename": "AceSearchProductData"},
    }
    for item in items:
        key = f"AceSearchProduct{item.listing_id}"
        shop_key = f"AceShop{item.shop.shop_id}"
        labels = []
        if label := sold_label(item.sold_count):
            label_key = f"{key}.label_groups.0"
            labels.append(_ref(label_key, "AceSearchLabelUnify", True))
            state[label_key] = {
                "position": "integrity",
                "title": label,
                "type": "textDarkGrey",
                "__typename": "AceSearchLabelUnify",
            }
        state[data_key]["products"].append(_ref(key, "AceSearchProduct"))
        state[key] = {
            "id": int(item.listing_id),
            "url": product_url(www, item),
            "image_url": item.image_url,
            "image_url_700": item.image_url,
            "category_id": int(hashlib.blake2b(item.category.encode(), digest_size=2).hexdigest(), 16),
            "ga_key": f"/search/{item.shop.domain}/{product_key(item)}",
            "count_review": item.review_count,
            "discount_percentage": _discount(item),
            "is_preorder": item.is_preorder,
            "name": item.title,
            "price": rupiah(item.price_idr),
            "original_price": rupiah(item.original_price_idr) if _discount(item) else "",
            "rating": round(item.rating) if item.rating else 0,
            "ratingAverage": f"{item.rating:.1f}" if item.rating else "",
            "wishlist": False,
            "labels": [],
            "badges": [],
            "shop": _ref(shop_key, "AceShop"),
            "label_groups": labels,
            "__typename": "AceSearchProduct",
        }
        state[shop_key] = {
            "id": int(item.shop.shop_id),
            "url": f"{www}/{item.shop.domain}",
            "name": item.shop.name,
            "is_power_badge": not item.shop.is_official,
            "is_official": item.shop.is_official,
            "location": item.shop.city,
            "__typename": "AceShop",
        }
    return state


_STAR = (
    '<img class="css-177n1u3" src="https://assets.tokopedia.net/assets-tokopedia-lite/v2/zeus/'
    'kratos/4fede911.svg" alt="star">'
)


def _card(item: DemoListing, www: str) -> str:
    """One product card in the structure of the captured page (2021 desktop card)."""
    title = escape(item.title)
    discount = _discount(item)
    slash = (
        f'<div class="css-rn1hus"><div>{discount}%</div><div>{rupiah(item.original_price_idr)}</div></div>'
        if discount
        else ""
    )
    badge = (
        f'<div class="css-1hy7m5k"><img alt="{escape(item.shop.name)}" '
        'src="https://images.tokopedia.net/img/official_store_badge.png"></div>'
        if item.shop.is_official
        else ""
    )
    rating = ""
    if item.rating:
        rating = (
            f'<div class="css-153qjw7"><div>{_STAR * round(item.rating)} '
            f"<span>(<!-- -->{item.review_count}<!-- -->)</span></div></div>"
        )
    return (
        f'<div class="css-bk6tzz e1nlzfl3"><a href="{escape(product_url(www, item))}" '
        'class="css-89jnbj" data-testid="lnkProductContainer"><div class="css-ds2sdp">'
        '<div class="wishlistButton"><div class="css-gkm4i3 e1nksy3g0"><div class="css-1i07z2j">'
        "<span>Tambah ke Wishlist</span></div></div></div></div>"
        '<div class="css-16vw0vn" data-testid="divProductWrapper"><div class="css-79elbk">'
        '<div class="css-1c0vu8l"><div class="css-t8frx0"><img crossorigin="anonymous" '
        f'class="success fade" src="{escape(item.image_url)}" title="" alt="{title}"></div></div>'
        f'</div><div class="css-11s9vse"><span class="css-1bjwylw">{title}</span><div>{slash}'
        f'<div class="css-4u82jy"><span class="css-o5uqvq">{rupiah(item.price_idr)}</span>'
        f'</div></div><div class="css-tpww51">{badge}<div class="css-vbihp9">'
        f'<span class="css-1kr22w3">{escape(item.shop.city)}</span>'
        f'<span class="css-1kr22w3">{escape(item.shop.name)}</span></div></div>{rating}'
        "</div></div></a></div>"
    )


def _pagination(page: int, last: int) -> str:
    if last <= 1:
        return ""
    disabled_prev = " disabled" if page <= 1 else ""
    disabled_next = " disabled" if page >= last else ""
    pages = "".join(
        f'<button class="css-1p7g6w2-unf-pagination-item" data-unf="pagination-item" '
        f'data-active="{"true" if n == page else "false"}">{n}</button>'
        for n in range(max(1, page - 2), min(last, page + 2) + 1)
    )
    return (
        '<nav class="css-txlndr-unf-pagination"><div class="css-1q668u-unf-pagination-items">'
        f'<button class="css-ad7yub-unf-pagination-item" aria-label="Halaman sebelumnya"'
        f"{disabled_prev}></button>{pages}"
        f'<button class="css-ad7yub-unf-pagination-item" aria-label="Halaman berikutnya"'
        f"{disabled_next}></button></div></nav>"
    )


def render_search(req: DemoRequest, catalogue) -> DemoResponse:
    keyword = (req.arg("q") or "").strip()
    try:
        page = max(1, int(req.arg("page") or 1))
    except ValueError:
        page = 1
    page = min(page, MAX_PAGE)
    start = (page - 1) * ROWS_PER_PAGE
    total, items = catalogue.search(MARKETPLACE, keyword, start, ROWS_PER_PAGE)
    www = req.base_url
    params = (
        f"page={page}&ob=&q={quote(keyword)}&rows={ROWS_PER_PAGE}&start={start}"
        "&source=search&device=desktop&related=true&st=product&safe_search=false"
    )
    state = _apollo_state(items, total, params, www)
    last = min(MAX_PAGE, -(-total // ROWS_PER_PAGE))
    if items:
        header = (
            f'<div data-testid="srpHeader">Menampilkan {start + 1} - {start + len(items)} barang '
            f'dari total {total} untuk <b>"{escape(keyword)}"</b></div>'
        )
    else:
        header = (
            '<div data-testid="srpEmptyState"><h5>Oops, produk nggak ditemukan</h5>'
            "<p>Coba kata kunci lain atau cek penulisan kata kunci.</p></div>"
        )
    cards = "".join(_card(item, www) for item in items)
    html = (
        '<!DOCTYPE html><html lang="id"><head><meta charset="UTF-8">'
        f"<title>Jual {escape(keyword)} | Tokopedia</title></head><body>"
        f'<div id="zeus-root">{header}'
        f'<div data-testid="divSRPContentProducts" class="css-13l3l78 e1nlzfl10">{cards}</div>'
        f"{_pagination(page, last)}</div>"
        f"<script>window.__cache={_script_json(state)};</script></body></html>"
    )
    return DemoResponse(200, html.encode("utf-8"), "text/html; charset=utf-8")


# -- the product page layout API --------------------------------------------------------------


def _crumb_id(name: str) -> str:
    return str(int(hashlib.blake2b(name.encode(), digest_size=3).hexdigest(), 16))


def _component(name: str, kind: str, data: list[dict]) -> dict:
    return {"name": name, "type": kind, "position": "[1,0,1,1]", "data": data, "__typename": "pdpComponent"}


def pdp_layout(item: DemoListing, www: str) -> dict:
    """pdpGetLayout for one listing, in the capture's shape."""
    url = product_url(www, item)
    names = [n.strip() for n in item.category_path.split("/") if n.strip()]
    crumbs, path = [], ""
    for name in names:
        path += "/" + "-".join(name.lower().split())
        crumbs.append(
            {
                "id": _crumb_id(name),
                "name": name,
                "breadcrumbURL": f"{www}/p{path}",
                "isAdult": False,
                "__typename": "pdpCategoryDetail",
            }
        )
    discount = _discount(item)
    session = {
        "sid": int(item.shop.shop_id),
        "sd": item.shop.domain,
        "pid": int(item.listing_id),
        "pr": item.price_idr,
        "opr": item.original_price_idr or item.price_idr,
        "pn": item.title,
        "purl": url,
        "cn": "new",
    }
    content = {
        "name": item.title,
        "price": {"value": item.price_idr, "currency": "IDR", "__typename": "pdpContentSnapshotPrice"},
        "campaign": {
            "campaignID": "1" if discount else "0",
            "campaignTypeName": "Slash Price" if discount else "",
            "percentageAmount": discount,
            "originalPrice": item.original_price_idr if discount else 0,
            "discountedPrice": item.price_idr if discount else 0,
            "isActive": bool(discount),
            "__typename": "pdpContentSnapshotCampaign",
        },
        "stock": {
            "useStock": True,
            "value": "25",
            "stockWording": "",
            "__typename": "pdpContentSnapshotStock",
        },
        "variant": {"isVariant": False, "parentID": "0", "__typename": "pdpContentSnapshotVariant"},
        "isOS": item.shop.is_official,
        "isPowerMerchant": not item.shop.is_official,
        "isCOD": False,
        "preorder": {
            "duration": 14 if item.is_preorder else 0,
            "timeUnit": "DAY" if item.is_preorder else "",
            "isActive": item.is_preorder,
            "preorderInDays": 14 if item.is_preorder else 0,
            "__typename": "pdpContentSnapshotPreorder",
        },
        "__typename": "pdpDataProductContent",
    }
    details = [
        ("Kondisi", "Baru", ""),
        ("Min. Pemesanan", "1 Buah", ""),
        ("Kategori", names[-1] if names else "", crumbs[-1]["breadcrumbURL"] if crumbs else ""),
        ("Deskripsi", item.description, ""),
    ]
    return {
        "requestID": hashlib.blake2b(url.encode(), digest_size=10).hexdigest(),
        "name": "Default Layout Desktop",
        "pdpSession": json.dumps(session, ensure_ascii=False, separators=(",", ":")),
        "basicInfo": {
            "alias": product_key(item),
            "createdAt": f"{item.created_at}T09:00:00+07:00" if item.created_at else "",
            "id": item.listing_id,
            "shopID": item.shop.shop_id,
            "shopName": item.shop.name,
            "minOrder": 1,
            "condition": "NEW",
            "status": "ACTIVE",
            "url": url,
            "category": {
                "id": crumbs[-1]["id"] if crumbs else "0",
                "name": names[-1] if names else "",
                "title": "",
                "breadcrumbURL": crumbs[-1]["breadcrumbURL"] if crumbs else "",
                "detail": crumbs,
                "__typename": "pdpCategory",
            },
            "txStats": {
                "transactionSuccess": str(item.sold_count),
                "countSold": str(item.sold_count),
                "itemSoldFmt": str(item.sold_count),
                "__typename": "pdpTxStats",
            },
            "stats": {
                "countView": str(item.review_count * 40 + item.sold_count * 12),
                "countReview": str(item.review_count),
                "countTalk": "0",
                "rating": item.rating or 0,
                "__typename": "pdpStats",
            },
            "__typename": "pdpBasicInfo",
        },
        "components": [
            _component(
                "product_media",
                "product_media",
                [
                    {
                        "media": [
                            {
                                "type": "image",
                                "urlOriginal": item.image_url,
                                "urlThumbnail": item.image_url,
                                "__typename": "pdpContentSnapshotMedia",
                            }
                        ],
                        "videos": [],
                        "__typename": "pdpDataProductMedia",
                    }
                ],
            ),
            _component("product_content", "product_content", [content]),
            _component(
                "product_detail",
                "product_detail",
                [
                    {
                        "content": [
                            {
                                "title": title,
                                "subtitle": subtitle,
                                "applink": link,
                                "showAtFront": True,
                                "isAnnotation": False,
                                "__typename": "pdpContentProductDetail",
                            }
                            for title, subtitle, link in details
                        ],
                        "__typename": "pdpDataProductDetail",
                    }
                ],
            ),
        ],
        "__typename": "pdpLayout",
    }


def _json(data: object, status: int = 200) -> DemoResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return DemoResponse(status, body, "application/json; charset=utf-8")


def render_pdp(req: DemoRequest, catalogue) -> DemoResponse:
    try:
        shop_domain, key = read_pdp_request_body(req.body)
    except ValueError as exc:
        return _json([{"errors": [{"message": f"bad request: {exc}"}], "data": None}], 400)
    listing_id = key.rsplit("-", 1)[-1]
    item = catalogue.get(MARKETPLACE, listing_id) if listing_id.isdigit() else None
    if item is None or item.shop.domain != shop_domain or product_key(item) != key:
        return _json(
            [
                {
                    "errors": [{"message": "product not found", "path": ["pdpGetLayout"]}],
                    "data": {"pdpGetLayout": None},
                }
            ]
        )
    return _json([{"data": {"pdpGetLayout": pdp_layout(item, _www_base(req))}}])


# -- the shape interface ----------------------------------------------------------------------


def handle(req: DemoRequest, catalogue) -> DemoResponse | None:
    gql = req.base_url.rsplit("/", 1)[-1] == "tokopedia-gql"
    if gql:
        if req.method == "POST" and req.path == f"/graphql/{PDP_OPERATION}":
            return render_pdp(req, catalogue)
        return None
    if req.method in ("GET", "HEAD") and req.path == "/search":
        return render_search(req, catalogue)
    return None


ACCESS_DENIED = """<HTML><HEAD>
<TITLE>Access Denied</TITLE>
</HEAD><BODY>
<H1>Access Denied</H1>

You don't have permission to access "{url}" on this server.<P>
Reference&#32;&#35;18&#46;{ref}
</BODY>
</HTML>
"""


def blocked(req: DemoRequest) -> DemoResponse:
    """Tokopedia sits behind Akamai: a request judged a bot gets 403 "Access Denied"."""
    url = escape(f"{req.base_url}{req.path}").replace(":", "&#58;").replace("/", "&#47;")
    ref = hashlib.blake2b(f"{req.path}{req.body!r}".encode(), digest_size=6).hexdigest()
    body = ACCESS_DENIED.format(url=url, ref=f"{ref[:8]}&#46;{int(ref[8:], 16)}")
    return DemoResponse(403, body.encode("utf-8"), "text/html", {"Server": "AkamaiGHost"})
