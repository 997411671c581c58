"""Blibli as the demo draws it: the search and product summary APIs, JSON, at the real paths.

- `GET /backend/search/products?sort=0&page=N&start=OFFSET&searchTerm=K&...`: `{"code": 200,
  "status": "OK", "data": {"products": [...], "paging": {...}, ...}}` with the keys of the real
  search captures (`price.priceDisplay` "Rp99.000", `soldRangeCount` "1,3 rb", `merchantName`,
  `location`, relative product `url`). 40 per page unless `itemPerPage` says otherwise; the
  offset is `start`, or (page-1) x per page when `start` is absent.
- `GET /backend/product-detail/products/<formattedId>/_summary` (what the site calls now) and
  `GET /backend/product/products/<formattedId>/_summary` (the older path, where the real capture
  comes from): `{"code": 200, "status": "OK", "data": {...}}` with the capture's keys (`name`,
  absolute `url`, `categories`, HTML `description`, `review`, `merchantCode`, `usageProductCode`).

Ids: the catalogue's listing id is the product SKU; formattedId is `ps--<id>`, the default item
SKU `<id>-00001`. Blibli has no cross-border flag, so none is drawn.

blocked(): Blibli sits behind Akamai Bot Manager; a refused client gets Akamai's own
"Access Denied" page, HTML, HTTP 403.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
import time

from crawler.demo.records import DemoListing, DemoRequest, DemoResponse

PREFIXES = ("blibli",)
SEARCH_PATH = "/backend/search/products"
SUMMARY_PATHS = re.compile(r"^/backend/product(?:-detail)?/products/(?P<fid>[A-Za-z]{2}--[\w.-]+)/_summary$")
PER_PAGE = 40
MAX_PER_PAGE = 100
JSON = "application/json;charset=UTF-8"


def handle(req: DemoRequest, catalogue) -> DemoResponse | None:
    if req.method not in ("GET", "HEAD"):
        return None
    if req.path == SEARCH_PATH:
        return _search(req, catalogue)
    if m := SUMMARY_PATHS.match(req.path):
        return _summary(req, catalogue, m.group("fid"))
    return None


def blocked(req: DemoRequest) -> DemoResponse:
    ref = hashlib.blake2b(req.path.encode(), digest_size=6).hexdigest()
    target = html.escape(f"{req.base_url}{req.path}")
    body = (
        "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
        f'You don\'t have permission to access "{target}" on this server.<P>\n'
        f"Reference&#32;&#35;18&#46;{ref}\n</BODY>\n</HTML>\n"
    )
    return DemoResponse(403, body.encode(), "text/html")


# -- search ------------------------------------------------------------------------------------


def _search(req: DemoRequest, catalogue) -> DemoResponse:
    term = (req.arg("searchTerm") or "").strip()
    try:
        per_page = int(req.arg("itemPerPage") or PER_PAGE)
        page = int(req.arg("page") or 1)
        start = req.arg("start")
        offset = int(start) if start not in (None, "") else (page - 1) * per_page
    except ValueError:
        return _error(400, "BAD_REQUEST", "page/start/itemPerPage bukan angka")
    if page < 1 or offset < 0 or not 1 <= per_page <= MAX_PER_PAGE:
        return _error(400, "BAD_REQUEST", "page/start/itemPerPage di luar batas")
    total, items = catalogue.search("blibli", term, offset, per_page) if term else (0, [])
    data = {
        "pageType": [],
        "searchTerm": term,
        "suggestions": [],
        "correctedSearchResponses": [],
        "ageRestricted": False,
        "sorting": {
            "parameter": "sort",
            "options": [
                {"label": "Relevansi", "name": "relevance", "value": 0, "selected": True, "visibility": True},
                {"label": "Terlaris", "name": "terlaris", "value": 16, "selected": False, "visibility": True},
            ],
        },
        "filters": [],
        "brandFilterCount": {},
        "quickFilters": [],
        "paging": {
            "page": offset // per_page + 1,
            "total_page": math.ceil(total / per_page),
            "item_per_page": per_page,
            "total_item": total,
        },
        "maxOffers": 50,
        "serverCurrentTime": int(time.time() * 1000),
        "productInfo": {},
        "code": "OK",
        "selectedCategoryIds": [],
        "products": [search_product(item) for item in items],
        "responseFlags": [],
        "showRestrictedMsg": False,
        "redirectionUrl": "",
        "productsPerRow": 5,
        "needMoreSearchResponse": False,
        "selectedFilters": [],
        "intentApplied": False,
        "nerApplied": False,
        "showAllCategories": True,
        "searchPageUrl": "",
        "catIntentFailed": False,
        "sellerAdsPosition": [16, 17, 18, 19, 20],
        "sponsorProducts": [],
        "correctedContextualSearchTerm": term,
    }
    return _json({"code": 200, "status": "OK", "data": data})


def search_product(listing: DemoListing) -> dict:
    """One product of the search answer (the keys of the real search captures)."""
    sku = listing.listing_id
    item_sku = f"{sku}-00001"
    pickup = f"PP-{3_000_000 + int(hashlib.md5(listing.shop.shop_id.encode()).hexdigest()[:6], 16) % 999_999}"
    sid = hashlib.blake2b(sku.encode(), digest_size=8).hexdigest()
    names = _category_names(listing.category_path)
    codes = [_category_code(n) for n in names]
    product = {
        "id": sku,
        "sku": sku,
        "merchantCode": listing.shop.shop_id,
        "status": "AVAILABLE",
        "name": listing.title,
        "price": price_block(listing),
        "images": [listing.image_url],
        "rootCategory": {"id": codes[0], "name": names[0]} if names else {},
        "brand": "No Brand",
        "review": {
            "rating": int(listing.rating or 0),
            "count": listing.review_count,
            "absoluteRating": float(listing.rating or 0.0),
        },
        "itemCount": 1,
        "defaultSku": f"{item_sku}-{pickup}",
        "itemSku": item_sku,
        "tags": ["REGULAR"],
        "formattedId": f"ps--{sku}",
        "url": (
            f"/p/{listing.slug}/ps--{sku}?ds={item_sku}&source=SEARCH&sid={sid}"
            f"&cnc=false&pickupPointCode={pickup}&pid1={sku}"
        ),
        "attributes": [{"count": 0}],
        "productFeatures": "",
        "storeClosingInfo": {"storeClosed": False, "endDate": 0, "delayShipping": False},
        "promoEndTime": 0,
        "debugData": {},
        "allCategories": codes,
        "merchantVoucherCount": 0,
        "expandedProducts": [],
        "location": listing.shop.city,
        "numLocations": 1,
        "badge": {"merchantBadge": "Bronze", "merchantBadgeUrl": ""},
        "size": [""],
        "level0Id": f"MTA-{sku}",
        "merchantName": listing.shop.name,
        "categoryIdHierarchy": codes,
        "cartLogisticOptions": [],
        "merchantVoucherMessage": "No voucher available",
        "wholesaleMinQuantity": 0,
        "wholesaleDiscountPercentage": 0.0,
        "wholesaleDiscountParam": "MIN",
        "pickupPointCode": pickup,
        "categoryNameHierarchy": names,
        "freshnessDaysCount": 0,
        "hasVariants": False,
        "additionalProperties": {},
        "official": listing.shop.is_official,
        "preorder": listing.is_preorder,
        "buyable": True,
    }
    if listing.sold_count > 0:
        # As on the site: absent until something sold.
        product["soldRangeCount"] = {
            "en": sold_display(listing.sold_count, "k"),
            "id": sold_display(listing.sold_count, "rb"),
        }
    return product


def price_block(listing: DemoListing) -> dict:
    price = listing.price_idr
    original = (
        listing.original_price_idr
        if listing.original_price_idr and listing.original_price_idr > price
        else None
    )
    block = {"priceDisplay": rupiah(price)}
    if original:
        block["strikeThroughPriceDisplay"] = rupiah(original)
    block.update(
        {
            "discount": round(100 * (1 - price / original)) if original else 0,
            "minPrice": float(price),
            "offerPriceDisplay": rupiah(price),
            "isPriceRange": False,
        }
    )
    return block


# -- product summary ---------------------------------------------------------------------------


def _summary(req: DemoRequest, catalogue, formatted_id: str) -> DemoResponse:
    sku = formatted_id.split("--", 1)[1]
    listing = catalogue.get("blibli", sku)
    if listing is None:
        return _error(404, "NOT_FOUND", f"produk {sku} tidak ada")
    return _json({"code": 200, "status": "OK", "data": summary_data(listing, req.base_url)})


def summary_data(listing: DemoListing, base_url: str) -> dict:
    """`data` of the product summary (the keys of the real capture)."""
    sku = listing.listing_id
    item_sku = f"{sku}-00001"
    names = _category_names(listing.category_path)
    categories = [
        {
            "level": level,
            "id": _category_code(name),
            "label": name,
            "url": f"{base_url}/{_slug(name)}/{_category_code(name)}",
            "productCategoryCode": _category_code(name),
        }
        for level, name in enumerate(names, start=1)
    ]
    paragraphs = "".join(
        f"<p>{html.escape(p.strip())}</p>\n" for p in listing.description.splitlines() if p.strip()
    )
    return {
        "name": listing.title,
        "url": f"{base_url}/p/{listing.slug}/ps--{sku}?ds={item_sku}",
        "urlFriendlyName": listing.slug,
        "categories": categories,
        "masterCategories": categories,
        "brand": {"name": "No Brand", "logo": "", "code": "no-brand", "official": False},
        "images": [{"full": listing.image_url, "thumbnail": listing.image_url}],
        "conditions": ["ONLINE"],
        "type": "REGULAR",
        "attributes": {},
        "uniqueSellingPoint": "",
        "warranty": "",
        "description": f"<!DOCTYPE html>\n<html>\n<head>\n</head>\n<body>\n{paragraphs}</body>\n</html>",
        "specifications": [],
        "sku": sku,
        "code": sku,
        "ean": "",
        "pristineId": "",
        "itemSku": item_sku,
        "itemCode": f"{sku}-00001",
        "productItemCode": f"pic--{sku}-00001",
        "review": {"rating": float(listing.rating or 0.0), "count": listing.review_count},
        "merchantCode": listing.shop.shop_id,
        "itemSkus": [item_sku],
        "ampUrl": f"{base_url}/amp/p/{listing.slug}/ps--{sku}",
        "usageProductCode": f"ps--{sku}",
        "idType": "ps",
    }


# -- how Blibli writes numbers -----------------------------------------------------------------


def rupiah(amount: int) -> str:
    """12669000 -> "Rp12.669.000"."""
    return "Rp" + f"{amount:,}".replace(",", ".")


def sold_display(count: int, thousand: str) -> str:
    """Blibli's rounded-down sold range: 751 -> "751", 1342 -> "1,3 rb", 5000 -> "5 rb"."""
    for size, word in ((1_000_000, "jt" if thousand == "rb" else "m"), (1_000, thousand)):
        if count >= size:
            tenths = math.floor(count * 10 / size)
            whole, frac = divmod(tenths, 10)
            return f"{whole},{frac} {word}" if frac else f"{whole} {word}"
    return str(count)


def _category_names(path: str) -> list[str]:
    return [n.strip() for n in path.split("/") if n.strip()]


def _category_code(name: str) -> str:
    letters = re.sub(r"[^A-Z]", "", name.upper())[:2].ljust(2, "X")
    return f"{letters}-{1_000_000 + int(hashlib.md5(name.encode()).hexdigest()[:5], 16) % 1000}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "kategori"


def _error(status: int, name: str, message: str) -> DemoResponse:
    return _json({"code": status, "status": name, "errors": {"message": [message]}, "data": None}, status)


def _json(body: dict, status: int = 200) -> DemoResponse:
    return DemoResponse(status, json.dumps(body, ensure_ascii=False).encode(), JSON)
