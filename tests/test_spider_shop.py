"""The shop spider's navigation and recording, on pages drawn by the demo's web shop shape."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy import Request

from crawler.cli import main
from crawler.demo.catalogue import Catalogue
from crawler.demo.records import DemoResponse
from crawler.demo.shapes import shop as shape
from spiders.shop import ShopSpider, read_shop_urls
from tests.fake_scrapy import demo_response, drive, make_spider, shape_response, start_requests

BASE = "http://127.0.0.1:8765/shop"
DATA = Path(__file__).parent / "data" / "shop"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    # This seed gives a few shops the same name, hence the same domain: served as one web shop.
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 5000, seed=20231004)


def spider(settings=None, **kwargs):
    return make_spider(ShopSpider, {"PATROLI_MAX_PAGES": 50, **(settings or {})}, **kwargs)


def answer(catalogue, blocked: bool = False):
    return lambda r: shape_response(r, shape, catalogue, BASE, blocked=blocked)


def shop_listings(catalogue, demo_shop) -> list[str]:
    _, items = catalogue.by_shop("shop", demo_shop.shop_id, 0, 1000)
    return [f"127.0.0.1/shop/{demo_shop.domain}#{x.listing_id}" for x in items]


def test_addresses_are_required_and_checked():
    with pytest.raises(ValueError, match="butuh alamat toko"):
        spider()
    with pytest.raises(ValueError, match="alamat toko tidak sah.*ftp://x"):
        spider(urls="https://ok.example/,ftp://x")


def test_start_requests_from_urls_and_setting():
    s = spider(urls="https://a.example/, https://b.example/shop/")
    requests = start_requests(s)
    assert [r.url for r in requests] == ["https://a.example/", "https://b.example/shop/"]
    assert [(r.meta["kind"], r.meta["keyword"], r.meta["page"]) for r in requests] == [
        ("catalogue", "https://a.example/", 1),
        ("catalogue", "https://b.example/shop/", 1),
    ]
    s = spider({"PATROLI_SHOP_URLS": ["https://c.example/"]}, keywords="batik")
    assert [r.url for r in start_requests(s)] == ["https://c.example/"]


def test_patrols_every_demo_shop_from_the_directory(catalogue, monkeypatch):
    # Small pages, so that every style's pagination is walked.
    for style in shape.STYLES:
        monkeypatch.setitem(shape.PAGE_SIZES, style, 3)
    s = spider({"PATROLI_BASE_URLS": {"shop": BASE}})
    run = drive(s, start_requests(s), answer(catalogue))
    shops = catalogue.shops("shop")
    per_root: Counter[str] = Counter()
    for demo_shop in shops:
        per_root[shape.shop_root(BASE, demo_shop)] += len(shop_listings(catalogue, demo_shop))
    assert len(per_root) == len(shops)  # every shop has its own domain
    expected = [lid for demo_shop in shops for lid in shop_listings(catalogue, demo_shop)]
    assert sorted(item.listing_id for item in run.listings) == sorted(expected)
    assert len(run.listings) == len(expected)  # each product page read once
    assert {item.marketplace for item in run.listings} == {"shop"}
    kinds = Counter(r.kind for r in run.records)
    assert kinds["detail"] == len(expected)
    assert kinds["catalogue"] == 1 + sum(-(-n // 3) for n in per_root.values())
    assert {r.outcome for r in run.records} == {"ok"}
    assert Counter(item.keyword for item in run.listings) == per_root
    assert {item.source for item in run.listings} == {
        "shop_jsonld",
        "shop_microdata",
        "shop_opengraph",
    }


def test_max_pages_and_max_products_bound_a_shop(catalogue, monkeypatch):
    for style in shape.STYLES:
        monkeypatch.setitem(shape.PAGE_SIZES, style, 2)
    demo_shop = max(catalogue.shops("shop"), key=lambda x: len(shop_listings(catalogue, x)))
    root = shape.shop_root(BASE, demo_shop)
    s = spider(urls=root, max_pages="2")
    run = drive(s, start_requests(s), answer(catalogue))
    assert [r.page for r in run.records if r.kind == "catalogue"] == [1, 2]
    assert len(run.listings) == 4
    s = spider({"PATROLI_SHOP_MAX_PRODUCTS": 3}, urls=root)
    run = drive(s, start_requests(s), answer(catalogue))
    assert len(run.listings) == 3


def test_blocked_shop_is_recorded_as_blocked(catalogue):
    root = shape.shop_root(BASE, catalogue.shops("shop")[0])
    s = spider(urls=root)
    run = drive(s, start_requests(s), answer(catalogue, blocked=True))
    assert run.listings == []
    (record,) = run.records
    assert (record.outcome, record.status, record.kind) == ("blocked", 403, "catalogue")


def test_a_shop_with_no_products_is_empty(catalogue):
    s = spider(urls="https://kosong.example/")
    page = DemoResponse(200, b"<html><body><h1>Segera hadir</h1></body></html>")
    run = drive(s, start_requests(s), lambda r: demo_response(r, page))
    assert [(r.outcome, r.reason) for r in run.records] == [("empty", "tidak ada tautan produk")]


def test_a_product_address_is_read_as_a_product():
    url = "https://batiksekarlasem.example/product/kain-batik-tulis-lasem-latohan/"
    related = "https://batiksekarlasem.example/product/selendang-batik-lasem-bang-biron/"
    pages = {url: (DATA / "woo_product.html").read_bytes(), related: b"<html><body>-</body></html>"}
    s = spider(urls=url)
    run = drive(s, start_requests(s), lambda r: demo_response(r, DemoResponse(200, pages[r.url])))
    assert [item.listing_id for item in run.listings] == ["batiksekarlasem.example#BSL-LAT-07"]
    assert run.fetched == [url, related]  # its related product is followed too
    assert [(r.kind, r.outcome) for r in run.records] == [("catalogue", "ok"), ("detail", "empty")]


def test_throttled_catalogue_is_asked_again():
    s = spider(urls="https://lambat.example/")
    throttled = DemoResponse(429, b"{}", "application/json", {"Retry-After": "1"})
    request = start_requests(s)[0]
    out = list(request.callback(demo_response(request, throttled)))
    assert out[0].outcome == "throttled"
    assert isinstance(out[1], Request) and out[1].url == request.url and out[1].meta["throttle_tries"] == 1


def test_shop_list_file(tmp_path):
    listed = tmp_path / "toko.txt"
    listed.write_text(
        "# anggota\nhttps://a.example/  # batik\n\n  https://b.example/shop/\n", encoding="utf-8"
    )
    assert read_shop_urls(listed) == ["https://a.example/", "https://b.example/shop/"]
    s = spider({"PATROLI_SHOP_URLS_FILE": str(listed)})
    assert [r.url for r in start_requests(s)] == ["https://a.example/", "https://b.example/shop/"]
    with pytest.raises(ValueError, match="tidak bisa dibaca"):
        read_shop_urls(tmp_path / "tidak-ada.txt")
    # Saved by Notepad: a BOM must not make the first address invalid; another encoding is
    # a one-line error, not a traceback.
    listed.write_bytes("https://a.example/\n".encode("utf-8-sig"))
    assert read_shop_urls(listed) == ["https://a.example/"]
    listed.write_bytes("https://a.example/\n".encode("utf-16"))
    with pytest.raises(ValueError, match="toko.txt: bukan teks UTF-8"):
        read_shop_urls(listed)
    listed.write_text("https://a.example/\nhttps://b.example/shop/\n", encoding="utf-8")
    # The demo's directory comes first: a demo patrol never reaches the shops in the file.
    s = spider({"PATROLI_SHOP_URLS_FILE": str(listed), "PATROLI_BASE_URLS": {"shop": BASE}})
    assert [r.url for r in start_requests(s)] == [f"{BASE}/"]


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "beri alamat toko"),
        (["toko.example"], "alamat toko tidak sah"),
        (["--urls-file", "/tidak/ada.txt"], "tidak bisa dibaca"),
    ],
)
def test_crawl_shops_refuses_before_crawling(args, message):
    result = CliRunner().invoke(main, ["crawl-shops", *args])
    assert result.exit_code == 2
    assert message in result.output
