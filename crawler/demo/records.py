"""Records of the demo marketplace: what the catalogue holds and what its renderers draw."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class DemoShop:
    shop_id: str
    name: str
    domain: str  # url slug: tokopedia.com/<domain>
    city: str
    is_official: bool = False
    kind: str = "local"  # local | hub | cross_border (ground truth, never served)


@dataclass(slots=True)
class DemoListing:
    """One listing of the generated catalogue. `truth_*` is ground truth and is never served."""

    marketplace: str  # tokopedia | shopee | lazada | blibli | shop
    listing_id: str  # the id the marketplace would show (numeric string, sku, slug)
    slug: str  # url slug of the title
    title: str
    description: str
    price_idr: int
    original_price_idr: int | None
    sold_count: int
    rating: float | None
    review_count: int
    shop: DemoShop
    category: str  # one of the labelled categories (batik_tulis, ..., other)
    category_path: str  # "Fashion Wanita / Batik Wanita / Kain Batik"
    image_url: str
    is_cross_border: bool = False
    is_preorder: bool = False
    created_at: str = ""  # ISO date
    # Ground truth: why this listing is suspicious (empty when it is a genuine local product).
    truth_imported: bool = False
    truth_below_cost: bool = False
    truth_mislabelled: bool = False
    truth_dup_group: str | None = None
    truth_reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DemoRequest:
    """A request to one marketplace of the demo, with the marketplace prefix taken off the path."""

    method: str
    path: str  # e.g. "/search" for http://127.0.0.1:PORT/tokopedia/search
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str]  # lower-cased names
    base_url: str  # http://127.0.0.1:PORT/tokopedia: what the real site's origin maps to

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass(slots=True)
class DemoResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
