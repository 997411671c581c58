"""Tokopedia page parsers. Pure: bytes in, RawListings out; no Scrapy, no I/O.

Shapes read (real captures in ../shared/fixtures/tokopedia/):

- the rendered search page (`/search?st=product&q=...&page=N`, and category pages `/p/...`):
  the Apollo state `window.__cache` (the `searchProduct(...)` result and the `displayAdsV3(...)`
  sponsored products), and the product cards of the DOM (`data-testid="lnkProductContainer"`,
  or the later `data-testid="master-product-card"`). The cache is preferred; a card adds a
  listing only when the cache does not know its product. Widgets that are not results for the
  query ("Rekomendasi untuk Anda", shop headline ads) are left out.
- the TopAds `displayAdsV3` GraphQL response (sponsored products of a search);
- the product page layout `PDPGetLayoutQuery` GraphQL response (`pdpGetLayout`).

Values are kept as the page states them ("Rp2.778.000", "Terjual 4,3 rb"); crawler/normalize.py
turns them into numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector, SelectorList

from crawler.items import RawListing
from spiders.pages import PageParseError, SearchPage, as_text

MARKETPLACE = "tokopedia"
ROWS_PER_PAGE = 60  # the search page shows 60 results per page

_CACHE_START = re.compile(r"window\.__cache\s*=\s*")
_PRICE_TEXT = re.compile(r"^(?:rp|idr)\s*[0-9]", re.IGNORECASE)
_SOLD_TEXT = re.compile(r"terjual|\bsold\b", re.IGNORECASE)
_REVIEWS_TEXT = re.compile(r"^\(\s*([0-9][0-9.,]*)\s*\)$")
_AD_HOSTS = ("ta.tokopedia.com",)
_MAX_DEPTH = 12  # Apollo references are shallow; a deeper chain is a loop or a hostile page
# Cards carry labels ("Cashback", "Bisa Tukar Tambah") and a sponsored mark that are not data.
_NOT_TITLE_ALTS = {"star", "topads icon", ""}


# -- helpers ----------------------------------------------------------------------------------


def _first(data: dict[str, Any], *keys: str) -> Any:
    """The first of `keys` with a value that is not empty."""
    for key in keys:
        value = data.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return None
    s = str(value).strip()
    return s or None


@lru_cache(maxsize=8192)
def canonical_url(url: str | None, base: str = "") -> str | None:
    """A product URL without tracking parameters; TopAds click URLs resolved to their target.

    Cached: a search page names each product and shop URL several times (cache, cards, ads).
    """
    if not url:
        return None
    url = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(url)
    if parts.hostname in _AD_HOSTS:
        target = parse_qs(parts.query).get("r")
        if not target:
            return None
        parts = urlsplit(target[0])
    if parts.scheme not in ("http", "https"):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def product_key(url: str) -> tuple[str, str]:
    """(shopDomain, productKey) of a product URL: its last two path segments."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if len(segments) < 2:
        raise ValueError(f"bukan URL produk Tokopedia: {url!r}")
    return segments[-2], segments[-1]


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PageParseError(f"JSON rusak: {exc.msg} (baris {exc.lineno})") from exc


def _graphql_error(data: Any) -> str | None:
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, dict) and item.get("errors"):
            errors = item["errors"]
            first = errors[0] if isinstance(errors, list) and errors else errors
            message = first.get("message") if isinstance(first, dict) else first
            return f"GraphQL error: {str(message)[:200]}"
    return None


def _find_operation(data: Any, name: str) -> Any:
    """`data.<name>` in a GraphQL answer, batched (a list) or not; KeyError when absent."""
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("data"), dict) and name in item["data"]:
            return item["data"][name]
    raise KeyError(name)


# -- product records (cache, TopAds JSON) -----------------------------------------------------


def _labels(product: dict[str, Any]) -> list[dict[str, Any]]:
    labels = _first(product, "labelGroups", "label_groups") or []
    return [label for label in labels if isinstance(label, dict)]


def _sold(product: dict[str, Any]) -> str | None:
    """The sold count label: position "integrity" ("Terjual 423", "2rb+ terjual")."""
    labels = _labels(product)
    for label in labels:
        title = _text(label.get("title"))
        if label.get("position") == "integrity" and title and re.search(r"[0-9]", title):
            return title
    for label in labels:
        title = _text(label.get("title"))
        if title and _SOLD_TEXT.search(title):
            return title
    return None


def _rating(product: dict[str, Any]) -> str | None:
    average = _text(_first(product, "ratingAverage", "rating_average"))
    if average:
        return average
    score = _first(product, "product_rating", "productRating")
    if isinstance(score, int | float) and not isinstance(score, bool) and 0 < score <= 100:
        # TopAds states a 0-100 score (98 where the page shows 4.9 stars).
        return f"{score / 20:.1f}"
    rating = product.get("rating")
    if isinstance(rating, int | float) and not isinstance(rating, bool) and 0 < rating <= 5:
        return str(rating)
    return _text(rating) if isinstance(rating, str) else None


def _image(product: dict[str, Any]) -> str | None:
    image = _first(product, "image_url", "imageUrl", "imageURL")
    if isinstance(image, str):
        return image
    for key in ("image", "mediaURL", "media_url"):
        nested = product.get(key)
        if isinstance(nested, dict):
            found = _first(nested, "imageUrl", "s_ecs", "image", "url")
            if isinstance(found, str):
                return found
    return None


def _price_text(value: Any) -> str | None:
    if isinstance(value, dict):  # searchProductV5: {"text": "Rp22.000", "number": 22000}
        return _text(_first(value, "text", "priceFmt", "number", "value"))
    return _text(value)


def _listing(
    product: dict[str, Any], shop: dict[str, Any] | None, source: str, page_url: str
) -> RawListing | None:
    """One product record of the cache or a GraphQL answer; None when it lacks id, name or URL."""
    listing_id = _text(_first(product, "id", "productID", "product_id"))
    title = _text(_first(product, "name", "productName"))
    url = canonical_url(_first(product, "url", "uri", "productUrl"), page_url)
    if not (listing_id and title and url):
        return None
    shop = shop if isinstance(shop, dict) else {}
    campaign = product.get("campaign") if isinstance(product.get("campaign"), dict) else {}
    category = product.get("category") if isinstance(product.get("category"), dict) else {}
    breadcrumb = _first(product, "categoryBreadcrumb", "category_breadcrumb")
    breadcrumb = breadcrumb or category.get("breadcrumb")
    official = _first(shop, "isOfficial", "is_official", "shop_is_official")
    preorder = _first(product, "preorder", "is_preorder", "isPreorder", "product_preorder")
    return RawListing(
        marketplace=MARKETPLACE,
        listing_id=listing_id,
        url=url,
        title=title,
        price=_price_text(_first(product, "priceRange", "price", "price_format", "priceFmt")),
        original_price=_price_text(
            _first(product, "originalPrice", "original_price")
            or _first(campaign, "originalPrice", "original_price")
        ),
        sold=_sold(product),
        rating=_rating(product),
        review_count=_text(
            _first(product, "countReview", "count_review", "countReviewFormat", "count_review_format")
        ),
        seller_id=_text(_first(shop, "id", "shopId", "shop_id")),
        seller_name=_text(shop.get("name")),
        seller_location=_text(_first(shop, "city", "location")),
        seller_url=canonical_url(_first(shop, "url", "uri"), page_url),
        is_official=official if isinstance(official, bool) else None,
        is_preorder=preorder if isinstance(preorder, bool) else None,
        image_url=_image(product),
        category_path=_text(breadcrumb),
        source=source,
    )


def _ad_listings(items: Any, page_url: str) -> Iterator[RawListing]:
    """Sponsored products of a displayAdsV3 answer; shop (headline) ads have no product."""
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("product"), dict):
            continue
        listing = _listing(item["product"], item.get("shop"), "topads", page_url)
        if listing is not None:
            yield listing


# -- the Apollo state of the rendered page ----------------------------------------------------


def _apollo_state(text: str) -> dict[str, Any] | None:
    m = _CACHE_START.search(text)
    if not m:
        return None
    try:
        state, _ = json.JSONDecoder().raw_decode(text, m.end())
    except json.JSONDecodeError as exc:
        raise PageParseError(f"window.__cache bukan JSON yang utuh: {exc.msg}") from exc
    return state if isinstance(state, dict) else None


def _resolve(state: dict[str, Any], value: Any, depth: int = 0) -> Any:
    """Follow Apollo references ({"type": "id", "id": ...} or {"__ref": ...}) into plain data."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, list):
        return [_resolve(state, v, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("type") == "id" and isinstance(value.get("id"), str):
        return _resolve(state, state.get(value["id"]), depth + 1)
    if isinstance(value.get("__ref"), str) and len(value) == 1:
        return _resolve(state, state.get(value["__ref"]), depth + 1)
    if value.get("type") == "json" and "json" in value:
        return value["json"]
    return {k: _resolve(state, v, depth + 1) for k, v in value.items()}


def _field_args(key: str) -> dict[str, list[str]]:
    """The query-string arguments in a root key: searchProduct({"params":"q=...&rows=60"})."""
    if "(" not in key:
        return {}
    try:
        args = json.loads(key[key.index("(") + 1 : key.rindex(")")])
    except (ValueError, json.JSONDecodeError):
        return {}
    params = args.get("params") or args.get("displayParams") if isinstance(args, dict) else None
    return parse_qs(params) if isinstance(params, str) else {}


def _arg_int(args: dict[str, list[str]], name: str) -> int | None:
    try:
        return int(args[name][0])
    except (KeyError, IndexError, ValueError):
        return None


class _CacheResults:
    """What the Apollo state says about the search: results, ads, total, and all product URLs."""

    def __init__(self, state: dict[str, Any], page_url: str):
        self.organic: list[RawListing] = []
        self.ads: list[RawListing] = []
        self.total: int | None = None
        self.has_search = False
        self.page: int | None = None
        self.rows: int | None = None
        self.known_urls: set[str] = set()
        root = state.get("ROOT_QUERY")
        if not isinstance(root, dict):
            return
        for key, ref in root.items():
            field = key.split("(", 1)[0]
            if re.fullmatch(r"(?i)(ace_)?search_?product\w*", field):
                self._read_search(_resolve(state, ref), _field_args(key), page_url)
            elif field.lower().startswith(("displayads", "productads", "topads")):
                found = _resolve(state, ref)
                if isinstance(found, dict):
                    self.ads.extend(_ad_listings(found.get("data"), page_url))
        for value in state.values():
            if isinstance(value, dict):
                url = canonical_url(_text(_first(value, "url", "uri")), page_url)
                if url:
                    self.known_urls.add(url)

    def _read_search(self, found: Any, args: dict[str, list[str]], page_url: str) -> None:
        if not isinstance(found, dict):
            return
        data = found.get("data") if isinstance(found.get("data"), dict) else found
        products = data.get("products")
        if not isinstance(products, list):
            return
        self.has_search = True
        header = found.get("header") if isinstance(found.get("header"), dict) else {}
        for count in (found.get("count"), found.get("totalData"), header.get("totalData")):
            if isinstance(count, int) and not isinstance(count, bool):
                self.total = count
                break
        self.page = _arg_int(args, "page")
        self.rows = _arg_int(args, "rows")
        for product in products:
            if isinstance(product, dict):
                listing = _listing(product, product.get("shop"), "search_html", page_url)
                if listing is not None:
                    self.organic.append(listing)


# -- product cards of the DOM -----------------------------------------------------------------


def _leaves(node: Selector) -> list[str]:
    texts = node.xpath(
        ".//text()[not(ancestor::*[@data-test='product-card-top-label'])"
        " and not(ancestor::script) and not(ancestor::style)]"
    ).getall()
    return [t for t in (re.sub(r"\s+", " ", t).strip() for t in texts) if t]


def _by_testid(node: Selector, testid: str) -> SelectorList:
    return node.css(f'[data-testid="{testid}"]')


def _joined(nodes: Selector | SelectorList) -> str | None:
    """The text of a node (the first of a list), whitespace collapsed."""
    if isinstance(nodes, SelectorList):
        if not nodes:
            return None
        nodes = nodes[0]
    return re.sub(r"\s+", " ", " ".join(nodes.xpath(".//text()").getall())).strip() or None


def _card_link(card: Selector, page_url: str) -> tuple[str | None, str | None]:
    """(href as written, canonical product URL) of a card."""
    link = card if card.root.tag == "a" else card.css("a[href]")
    href = link.attrib.get("href") if link else None
    return href, canonical_url(href, page_url)


def _card(card: Selector, href: str | None, url: str) -> RawListing | None:
    """One product card. Reads data-testid attributes where the page has them, else the card's
    structure (title image, "Rp" price, the location/shop pair of spans): never CSS class hashes."""
    try:
        shop_domain, slug = product_key(url)
    except ValueError:
        return None  # a link to a shop or a campaign, not to a product
    wrappers = _by_testid(card, "divProductWrapper")
    wrapper = wrappers[0] if wrappers else card
    leaves = _leaves(wrapper)
    title = _joined(_by_testid(wrapper, "spnSRPProdName"))
    if not title:
        alts = [a.strip() for a in wrapper.xpath(".//img/@alt").getall()]
        title = next((a for a in alts if a.lower() not in _NOT_TITLE_ALTS), None)
    title = title or (leaves[0] if leaves else None)
    prices = [t for t in leaves if _PRICE_TEXT.match(t)]
    price = _joined(_by_testid(wrapper, "spnSRPProdPrice")) or (prices[-1] if prices else None)
    original = _joined(_by_testid(wrapper, "lblProductSlashPrice"))
    if not original and len(prices) > 1:
        original = prices[0]
    location, shop = _shop_pair(wrapper)
    sold = _joined(wrapper.css(".prd_label-integrity")) or next(
        (t for t in leaves if _SOLD_TEXT.search(t)), None
    )
    reviews = None
    for span in wrapper.xpath(".//span"):
        m = _REVIEWS_TEXT.match(re.sub(r"\s+", "", "".join(span.xpath(".//text()").getall())))
        if m:
            reviews = m.group(1)
            break
    badges = " ".join(wrapper.xpath(".//img/@src").getall())
    images = [
        src
        for src in (
            _by_testid(wrapper, "imgSRPProdMain").xpath("@src").getall()
            + wrapper.xpath(".//img/@src").getall()
        )
        if src.startswith("http") and "/assets-tokopedia-lite/" not in src and "badge" not in src
    ]
    if not (title and price):
        return None
    sponsored = (
        card.attrib.get("label-atm") == "taProduct"
        or "topads icon" in [a.lower() for a in wrapper.xpath(".//img/@alt").getall()]
        or urlsplit(href or "").hostname in _AD_HOSTS
    )
    return RawListing(
        marketplace=MARKETPLACE,
        # The card does not show the numeric product id: its URL path is the id it has.
        listing_id=f"{shop_domain}/{slug}",
        url=url,
        title=title,
        price=price,
        original_price=original,
        sold=sold,
        rating=_joined(wrapper.css(".prd_rating-average-text")),
        review_count=reviews,
        seller_name=shop,
        seller_location=location,
        seller_url=url.rsplit("/", 1)[0],
        is_official=True if "official_store_badge" in badges else None,
        image_url=images[0] if images else None,
        source="topads" if sponsored else "search_card",
    )


def _shop_pair(wrapper: Selector) -> tuple[str | None, str | None]:
    """(location, shop name): the testid'd location span and its sibling, or the element whose
    only children are two text spans (the 2021 card)."""
    loc = _by_testid(wrapper, "spnSRPProdTabShopLoc")
    if loc:
        shop = loc.xpath("following-sibling::span[1]")
        return _joined(loc), _joined(shop) if shop else None
    for node in wrapper.xpath(".//*[count(*)=2 and count(span)=2]"):
        texts = [_joined(span) for span in node.xpath("span")]
        if all(texts) and not any(_PRICE_TEXT.match(t) or _REVIEWS_TEXT.match(t) for t in texts):
            return texts[0], texts[1]
    return None, None


def _cards(sel: Selector) -> SelectorList:
    return sel.css('a[data-testid="lnkProductContainer"], [data-testid="master-product-card"]')


def _dom_has_next(sel: Selector) -> bool | None:
    nxt = sel.css(
        'button[aria-label="Halaman berikutnya"], button[aria-label="Laman berikutnya"],'
        ' a[aria-label="Halaman berikutnya"], a[aria-label="Laman berikutnya"]'
    )
    if not nxt:
        return None
    return "disabled" not in nxt[0].attrib and nxt[0].attrib.get("aria-disabled") != "true"


# -- public parsers ---------------------------------------------------------------------------


def parse_search(body: bytes | str, url: str = "") -> SearchPage:
    """The rendered search (or category) page: listings from window.__cache, cards as fallback."""
    text = as_text(body)
    state = _apollo_state(text)
    cache = _CacheResults(state, url) if state else None
    sel = Selector(text=text)
    listings: list[RawListing] = []
    seen_ids: set[str] = set()
    seen_urls: set[str] = set()
    if cache:
        for listing in cache.organic + cache.ads:
            if listing.listing_id not in seen_ids and listing.url not in seen_urls:
                listings.append(listing)
                seen_ids.add(listing.listing_id)
                seen_urls.add(listing.url)
    known = cache.known_urls if cache else set()
    cards = _cards(sel)
    for card in cards:
        href, card_url = _card_link(card, url)
        # A card the cache knows is either a result already listed or a widget product
        # (recommendations): only products the cache does not know are read and added.
        if not card_url or card_url in seen_urls or card_url in known:
            continue
        listing = _card(card, href, card_url)
        if listing is not None:
            listings.append(listing)
            seen_urls.add(card_url)
    if not listings and not (cache and cache.has_search) and not cards:
        raise PageParseError(
            "bukan halaman pencarian Tokopedia: tidak ada window.__cache dengan hasil"
            " pencarian dan tidak ada kartu produk"
        )
    total = cache.total if cache else None
    has_next = _dom_has_next(sel)
    if cache and cache.has_search and total is not None:
        page, rows = cache.page or 1, cache.rows or ROWS_PER_PAGE
        has_next = page * rows < total and bool(cache.organic)
    return SearchPage(listings=listings, total=total, has_next=has_next)


def parse_topads(body: bytes | str | Any, url: str = "") -> SearchPage:
    """The TopAds `displayAdsV3` GraphQL answer: the sponsored products of a search."""
    data = _loads(as_text(body)) if isinstance(body, bytes | str) else body
    if error := _graphql_error(data):
        raise PageParseError(error)
    try:
        ads = _find_operation(data, "displayAdsV3")
    except KeyError:
        ads = data if isinstance(data, dict) and "header" in data and "data" in data else None
    if not isinstance(ads, dict) or not isinstance(ads.get("data"), list):
        raise PageParseError("bukan respons displayAdsV3: tidak ada data.displayAdsV3.data")
    return SearchPage(listings=list(_ad_listings(ads["data"], url)))


def _component_data(layout: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for component in layout.get("components") or []:
        if isinstance(component, dict):
            for item in component.get("data") or []:
                if isinstance(item, dict):
                    yield item


def parse_pdp(body: bytes | str | Any, url: str = "") -> RawListing:
    """The PDPGetLayoutQuery answer (batched list, {"data": ...}, or the bare pdpGetLayout)."""
    data = _loads(as_text(body)) if isinstance(body, bytes | str) else body
    if error := _graphql_error(data):
        raise PageParseError(error)
    try:
        layout = _find_operation(data, "pdpGetLayout")
        if layout is None:
            raise PageParseError("produk tidak ditemukan: pdpGetLayout kosong")
    except KeyError:
        layout = data if isinstance(data, dict) and "basicInfo" in data else None
    if not isinstance(layout, dict) or not isinstance(layout.get("basicInfo"), dict):
        raise PageParseError("bukan respons PDPGetLayoutQuery: tidak ada pdpGetLayout.basicInfo")
    info = layout["basicInfo"]
    session = {}
    if isinstance(layout.get("pdpSession"), str):
        try:
            session = json.loads(layout["pdpSession"])
        except json.JSONDecodeError:
            session = {}
    content: dict[str, Any] = {}
    description = image = None
    for item in _component_data(layout):
        if "price" in item and "name" in item and not content:
            content = item
        elif isinstance(item.get("content"), list) and description is None:
            for row in item["content"]:
                if isinstance(row, dict) and str(row.get("title", "")).lower() in (
                    "deskripsi",
                    "description",
                ):
                    description = _text(row.get("subtitle"))
        elif isinstance(item.get("media"), list) and item["media"] and image is None:
            first = item["media"][0]
            if isinstance(first, dict):
                image = _text(_first(first, "urlOriginal", "urlMaxRes", "URLOriginal"))
    listing_id = _text(_first(info, "id", "productID"))
    product_url = canonical_url(_first(info, "url") or session.get("purl"), url) or canonical_url(url)
    title = _text(content.get("name")) or _text(session.get("pn"))
    if not (listing_id and product_url and title):
        raise PageParseError("pdpGetLayout tanpa id, URL atau nama produk")
    price_info = content.get("price") if isinstance(content.get("price"), dict) else {}
    campaign = content.get("campaign") if isinstance(content.get("campaign"), dict) else {}
    price = _text(_first(price_info, "priceFmt", "value"))
    original = _text(price_info.get("slashPriceFmt"))
    if campaign.get("isActive") and _first(campaign, "discountedPrice"):
        # During a campaign the page shows the campaign price and strikes through the original.
        price = _text(campaign.get("discountedPrice"))
        original = _text(_first(campaign, "originalPrice")) or original
    category = info.get("category") if isinstance(info.get("category"), dict) else {}
    crumbs = [_text(c.get("name")) for c in category.get("detail") or [] if isinstance(c, dict)]
    stats = info.get("stats") if isinstance(info.get("stats"), dict) else {}
    tx = info.get("txStats") if isinstance(info.get("txStats"), dict) else {}
    preorder = content.get("preorder") if isinstance(content.get("preorder"), dict) else {}
    official = content.get("isOS")
    return RawListing(
        marketplace=MARKETPLACE,
        listing_id=listing_id,
        url=product_url,
        title=title,
        price=price,
        original_price=original,
        currency=_text(price_info.get("currency")),
        sold=_text(_first(tx, "countSold", "itemSoldFmt")),
        rating=_text(stats.get("rating")),
        review_count=_text(stats.get("countReview")),
        seller_id=_text(_first(info, "shopID", "shopId")),
        seller_name=_text(info.get("shopName")),
        seller_url=product_url.rsplit("/", 1)[0],
        is_official=official if isinstance(official, bool) else None,
        is_preorder=preorder.get("isActive") if isinstance(preorder.get("isActive"), bool) else None,
        image_url=image,
        category_path=" / ".join(c for c in crumbs if c) or _text(category.get("name")),
        description=description,
        source="pdp",
    )


def _json_shape(data: Any) -> str | None:
    """ "topads" or "pdp" by the structure of a GraphQL answer (batched or not, or bare)."""
    for item in data if isinstance(data, list) else [data]:
        if not isinstance(item, dict):
            continue
        inner = item.get("data")
        if isinstance(inner, dict) and "displayAdsV3" in inner:
            return "topads"
        if isinstance(inner, dict) and "pdpGetLayout" in inner:
            return "pdp"
        if "basicInfo" in item and "components" in item:
            return "pdp"
        if isinstance(inner, list) and "header" in item:
            return "topads"
    return None


def extract(body: bytes | str, url: str = "") -> list[RawListing]:
    """Whatever Tokopedia shape the body is: search page HTML, displayAdsV3 or PDP layout JSON."""
    text = as_text(body).lstrip("\ufeff \t\r\n")
    if not text:
        raise PageParseError("berkas kosong")
    if text[0] in "[{":
        data = _loads(text)
        if error := _graphql_error(data):
            raise PageParseError(error)
        shape = _json_shape(data)
        if shape == "topads":
            return parse_topads(data, url).listings
        if shape == "pdp":
            return [parse_pdp(data, url)]
        first = data[0] if isinstance(data, list) and data else data
        keys = list(first)[:5] if isinstance(first, dict) else []
        raise PageParseError(f"JSON ini bukan respons Tokopedia yang dikenal (kunci: {keys})")
    if "<" not in text[:2000]:
        raise PageParseError("bukan HTML maupun JSON")
    return parse_search(text, url).listings


# -- request side: what the spider asks for (kept beside the parser that reads the answer) ---

PDP_OPERATION = "PDPGetLayoutQuery"
# The fields the parser above reads; the real site answers any valid selection of them.
PDP_QUERY = """query PDPGetLayoutQuery($shopDomain: String, $productKey: String, $layoutID: String,
 $apiVersion: Float, $userLocation: pdpUserLocation, $extParam: String) {
  pdpGetLayout(shopDomain: $shopDomain, productKey: $productKey, layoutID: $layoutID,
   apiVersion: $apiVersion, userLocation: $userLocation, extParam: $extParam) {
    requestID name pdpSession
    basicInfo {
      alias createdAt id: productID shopID shopName condition status url
      category { id name title breadcrumbURL detail { id name breadcrumbURL } }
      txStats { transactionSuccess countSold itemSoldFmt }
      stats { countView countReview countTalk rating }
    }
    components {
      name type position
      data {
        ... on pdpDataProductMedia { media { type urlOriginal: URLOriginal } }
        ... on pdpDataProductContent {
          name
          price { value currency }
          campaign { campaignID isActive originalPrice discountedPrice percentageAmount }
          isOS isPowerMerchant
          preorder { isActive duration timeUnit }
        }
        ... on pdpDataProductDetail { content { title subtitle } }
      }
    }
  }
}"""


def search_url(base_url: str, keyword: str, page: int) -> str:
    """The search page URL: /search?st=product&q=<keyword>&page=<n> (page 1 has no page param)."""
    params = {"st": "product", "q": keyword}
    if page > 1:
        params["page"] = str(page)
    return f"{base_url.rstrip('/')}/search?{urlencode(params)}"


def pdp_request_body(shop_domain: str, key: str) -> list[dict[str, Any]]:
    """The batched GraphQL body the product page sends to gql.tokopedia.com."""
    return [
        {
            "operationName": PDP_OPERATION,
            "variables": {
                "shopDomain": shop_domain,
                "productKey": key,
                "layoutID": "",
                "apiVersion": 1,
                "userLocation": {
                    "addressID": "0",
                    "districtID": "2274",
                    "postalCode": "",
                    "latlon": "",
                },
                "extParam": "",
            },
            "query": PDP_QUERY,
        }
    ]


def read_pdp_request_body(body: bytes | str) -> tuple[str, str]:
    """(shopDomain, productKey) from a PDPGetLayoutQuery request body; ValueError otherwise."""
    try:
        data = json.loads(as_text(body))
    except json.JSONDecodeError as exc:
        raise ValueError(f"body bukan JSON: {exc.msg}") from exc
    op = data[0] if isinstance(data, list) and data else data
    if not isinstance(op, dict) or op.get("operationName") != PDP_OPERATION:
        raise ValueError(f"operationName bukan {PDP_OPERATION}")
    variables = op.get("variables") if isinstance(op.get("variables"), dict) else {}
    shop_domain, key = variables.get("shopDomain"), variables.get("productKey")
    if not (isinstance(shop_domain, str) and shop_domain and isinstance(key, str) and key):
        raise ValueError("variables.shopDomain dan variables.productKey wajib diisi")
    return shop_domain, key
