"""Hand-made demo listings and a tiny in-memory catalogue, for the Shopee and Blibli shape tests."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from crawler.demo.records import DemoListing, DemoRequest, DemoShop

BASE = "http://127.0.0.1:8123"


def shop(shop_id: str = "31337001", **kw) -> DemoShop:
    values = {
        "shop_id": shop_id,
        "name": "Batik Tulis Bu Sri Lasem",
        "domain": "batiktulisbusri",
        "city": "Kab. Rembang",
        "is_official": False,
    }
    values.update(kw)
    return DemoShop(**values)


def listing(listing_id: str, marketplace: str = "shopee", **kw) -> DemoListing:
    values = {
        "marketplace": marketplace,
        "listing_id": listing_id,
        "slug": "kain-batik-tulis-lasem-latohan",
        "title": "Kain Batik Tulis Lasem Latohan Pewarna Alam 2m",
        "description": "Dibatik tangan, proses 3 minggu.\nPewarna alam, kain primisima.",
        "price_idr": 1_250_000,
        "original_price_idr": None,
        "sold_count": 37,
        "rating": 4.9,
        "review_count": 12,
        "shop": shop(),
        "category": "batik_tulis",
        "category_path": "Fashion Wanita / Batik Wanita / Kain Batik",
        "image_url": f"https://images.example/demo/{listing_id}.jpg",
        "created_at": "2026-03-04",
    }
    values.update(kw)
    return DemoListing(**values)


class StubCatalogue:
    """Catalogue.search / get over a list, in order."""

    def __init__(self, items: list[DemoListing]):
        self.items = items

    def search(self, marketplace: str, keyword: str, offset: int, limit: int):
        words = keyword.lower().split()
        found = [
            i for i in self.items if i.marketplace == marketplace and all(w in i.title.lower() for w in words)
        ]
        return len(found), found[offset : offset + limit]

    def get(self, marketplace: str, listing_id: str):
        return next(
            (i for i in self.items if i.marketplace == marketplace and i.listing_id == listing_id), None
        )


def demo_request(url: str, prefix: str, method: str = "GET") -> DemoRequest:
    """The DemoRequest the demo server would hand a shape for `url` (prefix taken off the path)."""
    parts = urlsplit(url)
    path = parts.path
    marker = f"/{prefix}"
    assert path.startswith(marker + "/"), url
    return DemoRequest(
        method=method,
        path=path[len(marker) :],
        query=parse_qs(parts.query, keep_blank_values=True),
        body=b"",
        headers={},
        base_url=f"{parts.scheme}://{parts.netloc}{marker}",
    )
