"""Shopee Indonesia as the demo draws it: the search and product APIs, JSON, at the real paths.

- `GET /api/v4/search/search_items?by=relevancy&keyword=K&limit=60&newest=OFFSET&order=desc
  &page_type=search`: the current answer, each result under `item_basic` (the keys of the real
  search capture, plus `shop_name` as current answers carry it); `total_count`, `nomore`.
- `GET /api/v4/pdp/get_pc?item_id=I&shop_id=S`: `{"bff_meta", "error", "error_msg", "data"}` where
  `data` has the keys of the real get_pc capture (`item`, `shop_detailed`, `product_review`, ...).
Money is in 1/100000 rupiah, prices in get_pc are digit strings (as in the capture). A
cross-border listing has `cb_option: 1` and `shop_location: "Luar Negeri"`, as Shopee shows it.

The demo keeps one sold figure per listing; it is served as both `sold` (Shopee's 30-day count)
and `historical_sold` (all time). Image ids are a hash of the catalogue's image URL, in the form
of Shopee's ids.

blocked(): Shopee's anti-bot answer, `{"error": 90309999, "action_type": 2, ...}`, with HTTP 200:
that is what the API gives a client that sends the usual API headers but no valid request
signature (the bare-request case gets the same body with 403; the status alone would already
say "blocked", the 200 case is the one a parser must recognise).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import UTC, datetime

from crawler.demo.records import DemoListing, DemoRequest, DemoResponse

PREFIXES = ("shopee",)
SEARCH_PATH = "/api/v4/search/search_items"
PDP_PATH = "/api/v4/pdp/get_pc"
UNIT = 100_000  # Shopee money unit: 1/100000 rupiah
MAX_LIMIT = 100
ANTI_BOT_ERROR = 90309999
JSON = "application/json; charset=utf-8"


def handle(req: DemoRequest, catalogue) -> DemoResponse | None:
    if req.method not in ("GET", "HEAD"):
        return None
    if req.path == SEARCH_PATH:
        return _search(req, catalogue)
    if req.path == PDP_PATH:
        return _product(req, catalogue)
    return None


def blocked(req: DemoRequest) -> DemoResponse:
    tracking = hashlib.blake2b(f"{req.path}?{sorted(req.query.items())}".encode(), digest_size=16)
    body = {
        "is_customized": False,
        "is_login": False,
        "action_type": 2,
        "error": ANTI_BOT_ERROR,
        "tracking_id": _uuid(tracking.hexdigest()),
    }
    return _json(body)


# -- search ------------------------------------------------------------------------------------


def _search(req: DemoRequest, catalogue) -> DemoResponse:
    keyword = (req.arg("keyword") or "").strip()
    try:
        offset = int(req.arg("newest", "0"))
        limit = int(req.arg("limit", "60"))
    except ValueError:
        return _json({"error": 4, "error_msg": "param newest/limit bukan angka"}, status=400)
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        return _json({"error": 4, "error_msg": "param newest/limit di luar batas"}, status=400)
    total, items = catalogue.search("shopee", keyword, offset, limit) if keyword else (0, [])
    body = {
        "show_disclaimer": False,
        "query_rewrite": {
            "FEQueryWriteStatus": 0,
            "ori_keyword": keyword,
            "ori_totalCount": total,
            "rewrite_type": 0,
        },
        "adjust": {},
        "version": hashlib.md5(f"{keyword}|{offset}".encode()).hexdigest(),
        "algorithm": "eyJzZWFyY2giOiJkZW1vIn0=",
        "total_count": total,
        "error": None,
        "total_ads_count": 0,
        "nomore": offset + len(items) >= total,
        "price_adjust": {},
        "json_data": "",
        "suggestion_algorithm": 0,
        "items": [_search_entry(item) for item in items],
        "reserved_keyword": None,
        "hint_keywords": None,
    }
    return _json(body)


def _search_entry(listing: DemoListing) -> dict:
    basic = item_basic(listing)
    return {
        "item_basic": basic,
        "adsid": None,
        "campaignid": None,
        "distance": None,
        "match_type": None,
        "ads_keyword": None,
        "deduction_info": None,
        "collection_id": None,
        "display_name": None,
        "campaign_stock": None,
        "json_data": "",
        "tracking_info": {"viral_spu_tracking": None, "business_tracking": None},
        "itemid": basic["itemid"],
        "shopid": basic["shopid"],
        "item_type": 0,
    }


def item_basic(listing: DemoListing) -> dict:
    """The item fields of a search result (the keys of the real search capture)."""
    price = listing.price_idr * UNIT
    original = _original(listing)
    discount = round(100 * (1 - listing.price_idr / listing.original_price_idr)) if original else 0
    image = image_id(listing.image_url)
    return {
        "itemid": _num(listing.listing_id),
        "shopid": _num(listing.shop.shop_id),
        "name": listing.title,
        "label_ids": [],
        "image": image,
        "images": [image],
        "currency": "IDR",
        "stock": 100,
        "status": 1,
        "ctime": _epoch(listing.created_at),
        "sold": listing.sold_count,
        "historical_sold": listing.sold_count,
        "liked": False,
        "liked_count": listing.review_count,
        "view_count": None,
        "catid": _catid(listing.category_path),
        "brand": "Tidak Ada Merek",
        "cmt_count": listing.review_count,
        "flag": 0,
        "cb_option": 1 if listing.is_cross_border else 0,
        "item_status": "normal",
        "price": price,
        "price_min": price,
        "price_max": price,
        "price_min_before_discount": original or -1,
        "price_max_before_discount": original or -1,
        "price_before_discount": original,
        "hidden_price_display": None,
        "has_lowest_price_guarantee": False,
        "show_discount": discount,
        "raw_discount": discount,
        "discount": f"{discount}%" if discount else None,
        "is_category_failed": False,
        "size_chart": None,
        "video_info_list": [],
        "tier_variations": [],
        "item_rating": _rating(listing),
        "item_type": 0,
        "reference_item_id": "",
        "transparent_background_image": "",
        "is_adult": False,
        "badge_icon_type": 0,
        "shopee_verified": False,
        "is_official_shop": listing.shop.is_official,
        "show_official_shop_label": listing.shop.is_official,
        "show_shopee_verified_label": False,
        "show_official_shop_label_in_title": listing.shop.is_official,
        "is_cc_installment_payment_eligible": False,
        "is_non_cc_installment_payment_eligible": False,
        "coin_earn_label": None,
        "show_free_shipping": False,
        "preview_info": None,
        "can_use_bundle_deal": False,
        "bundle_deal_info": None,
        "is_group_buy_item": None,
        "has_group_buy_stock": None,
        "group_buy_info": None,
        "welcome_package_type": 0,
        "welcome_package_info": None,
        "add_on_deal_info": None,
        "can_use_wholesale": False,
        "wholesale_tier_list": [],
        "shop_location": shop_location(listing),
        "shop_name": listing.shop.name,
        "upcoming_flash_sale": None,
        "flash_sale": None,
        "campaignid": None,
        "service_by_shopee_flag": 0,
        "shipping_icon_type": 0,
    }


# -- product -----------------------------------------------------------------------------------


def _product(req: DemoRequest, catalogue) -> DemoResponse | None:
    item_id, shop_id = req.arg("item_id"), req.arg("shop_id")
    if not item_id or not shop_id:
        return _json({"error": 4, "error_msg": "param item_id/shop_id kosong"}, status=400)
    listing = catalogue.get("shopee", item_id)
    if listing is None or listing.shop.shop_id != shop_id:
        return None
    return _json({"bff_meta": None, "error": None, "error_msg": None, "data": pdp_payload(listing)})


def pdp_payload(listing: DemoListing) -> dict:
    """The `data` payload of get_pc (the keys of the real capture that carry listing facts)."""
    price = str(listing.price_idr * UNIT)
    original = str(_original(listing) or price)
    image = image_id(listing.image_url)
    shop = listing.shop
    location = shop_location(listing)
    rating = _rating(listing)
    categories = [
        {"catid": _catid(name), "display_name": name, "is_default_subcat": False, "no_sub": last}
        for name, last in _path(listing.category_path)
    ]
    item = {
        "item_id": _num(listing.listing_id),
        "itemid": _num(listing.listing_id),
        "shop_id": _num(shop.shop_id),
        "shopid": _num(shop.shop_id),
        "title": listing.title,
        "name": listing.title,
        "title_type": 1,
        "brand": "Tidak Ada Merek",
        "cat_id": categories[-1]["catid"] if categories else 0,
        "categories": categories,
        "fe_categories": categories,
        "cb_option": 1 if listing.is_cross_border else 0,
        "shop_location": location,
        "currency": "IDR",
        "ctime": _epoch(listing.created_at),
        "description": listing.description,
        "rich_text_description": {
            "paragraph_list": [{"description_type": 0, "text": listing.description, "type": 0}]
        },
        "condition": 1,
        "image": image,
        "images": [image],
        "is_pre_order": listing.is_preorder,
        "all_models_has_pre_order": listing.is_preorder,
        "estimated_days": 14 if listing.is_preorder else 2,
        "is_official_shop": shop.is_official,
        "item_status": "normal",
        "item_type": 0,
        "status": 1,
        "stock": 100,
        "normal_stock": 100,
        "historical_sold": listing.sold_count,
        "global_sold": listing.sold_count,
        "cmt_count": listing.review_count,
        "liked_count": listing.review_count,
        "item_rating": {**rating, "total_rating_count": listing.review_count},
        "price": price,
        "price_min": price,
        "price_max": price,
        "price_before_discount": original,
        "price_min_before_discount": original,
        "price_max_before_discount": original,
        "models": [
            {
                "model_id": str(_num(listing.listing_id) * 10 + 1),
                "name": "",
                "currency": "IDR",
                "price": price,
                "normal_price": original,
                "stock": 100,
                "sold": listing.sold_count,
                "status": 1,
                "tier_indices": [],
            }
        ],
        "tier_variations": [],
        "attributes": [],
        "video_info_list": [],
    }
    return {
        "item": item,
        "account": None,
        "flash_sale": None,
        "product_images": {"images": [image], "first_tier_variations": [], "video": None},
        "product_price": {
            "discount": None,
            "hide_price": False,
            "price": None,
            "price_before_discount": None,
            "lowest_past_price": None,
        },
        "product_review": {
            "cmt_count": listing.review_count,
            "rating_star": rating["rating_star"],
            "rating_count": rating["rating_count"],
            "total_rating_count": listing.review_count,
            "historical_sold": listing.sold_count,
            "global_sold": listing.sold_count,
            "liked_count": listing.review_count,
            "hide_rating": False,
        },
        "product_meta": {"hide_sold_count": False, "show_official_shop_label_in_title": shop.is_official},
        "product_attributes": {"attrs": []},
        "product_description": item["rich_text_description"],
        "shop_detailed": {
            "shopid": _num(shop.shop_id),
            "userid": _num(shop.shop_id) + 7,
            "name": shop.name,
            "account": {"username": shop.domain, "status": 1, "portrait": ""},
            "shop_location": location,
            "place": location,
            "is_official_shop": shop.is_official,
            "show_official_shop_label": shop.is_official,
            "is_shopee_verified": False,
            "is_preferred_plus_seller": False,
            "item_count": None,
            "rating_star": None,
            "status": 1,
            "vacation": False,
        },
        "removed_fields": ["product_price.price", "product_price.price_before_discount"],
    }


# -- small helpers -----------------------------------------------------------------------------


def shop_location(listing: DemoListing) -> str:
    """Shopee shows cross-border sellers' location as "Luar Negeri"."""
    return "Luar Negeri" if listing.is_cross_border else listing.shop.city


def image_id(url: str) -> str:
    return hashlib.md5(url.encode()).hexdigest()


def _original(listing: DemoListing) -> int:
    """The strike-through price in Shopee units; 0 when there is none (as the API says it)."""
    original = listing.original_price_idr
    return original * UNIT if original and original > listing.price_idr else 0


def _rating(listing: DemoListing) -> dict:
    counts = [listing.review_count, 0, 0, 0, 0, 0]
    if listing.rating and listing.review_count:
        counts[min(5, max(1, round(listing.rating)))] = listing.review_count
    return {
        "rating_star": float(listing.rating or 0.0),
        "rating_count": counts,
        "rcount_with_image": 0,
        "rcount_with_context": 0,
    }


def _path(category_path: str) -> list[tuple[str, bool]]:
    names = [n.strip() for n in category_path.split("/") if n.strip()]
    return [(name, i == len(names) - 1) for i, name in enumerate(names)]


def _catid(text: str) -> int:
    return 100_000 + zlib.crc32(text.encode()) % 900_000


def _num(value: str) -> int | str:
    # Shopee's ids are integers; the catalogue's Shopee ids are digit strings.
    return int(value) if value.isdigit() else value


def _epoch(iso_date: str) -> int:
    try:
        return int(datetime.fromisoformat(iso_date).replace(tzinfo=UTC).timestamp())
    except ValueError:
        return 0


def _uuid(hex32: str) -> str:
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:32]}"


def _json(body: dict, status: int = 200) -> DemoResponse:
    return DemoResponse(status, json.dumps(body, ensure_ascii=False).encode(), JSON)
