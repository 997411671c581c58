"""--recapture: each selected listing's page is fetched again through its marketplace spider
(a test spider against a local server), and live / removed / blocked are recorded; a removed
listing keeps its earlier capture in the pack."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

from crawler.archive import iter_records, read_payload
from crawler.evidence_records import StoredListing
from crawler.items import Listing
from crawler.recapture import raw_from_listing, spider_class_for
from crawler.runner import project_settings
from crawler.store import EvidenceStore
from tests.evidence_helpers import ShopServer, card, fast_settings, run_cli, shop_page
from tests.evidence_spiders import EvidenceTestSpider


@pytest.fixture(scope="module")
def recaptured(tmp_path_factory):
    base = tmp_path_factory.mktemp("recapture")
    db, captures = base / "p.db", base / "cap"
    search = shop_page(
        [card(str(i), f"Kain batik tulis {i}", f"Rp{i}00.000", f"Toko {i}") for i in range(1, 6)]
    )
    routes = {
        "/search?q=batik&page=1": (200, {"Content-Type": "text/html; charset=utf-8"}, search),
        "/search?q=batik&page=2": (200, {"Content-Type": "text/html"}, shop_page([])),
    }
    with ShopServer(routes) as server:
        crawl = run_cli(
            [
                "tests.evidence_spiders",
                "--db",
                str(db),
                "--captures",
                str(captures),
                *fast_settings(server.base_url),
            ]
        )
        assert crawl.returncode == 0, crawl.stderr
        before = {
            row[0]: row[1]
            for row in EvidenceStore(db).db.execute("select listing_id, capture_id from listings")
        }
        server.routes.update(
            {
                "/produk/1": (
                    200,
                    {"Content-Type": "text/html"},
                    shop_page([card("1", "Kain batik tulis 1", "Rp95.000", "Toko 1")]),
                ),
                # 2: gone (404); 3: page says the product is gone; 4: CAPTCHA; 5: HTTP 410
                "/produk/3": (
                    200,
                    {"Content-Type": "text/html"},
                    b"<html><body>Produk tidak ditemukan</body></html>",
                ),
                "/produk/4": (
                    403,
                    {"Content-Type": "text/html"},
                    b"<html><body>captcha: verifikasi keamanan</body></html>",
                ),
                "/produk/5": (410, {"Content-Type": "text/html"}, b"<html>gone</html>"),
            }
        )
        server.gzip_paths.add("/produk/1")
        done = run_cli(
            [
                "crawler.cli",
                "evidence",
                "export",
                "--out",
                str(base / "pack.zip"),
                "--db",
                str(db),
                "--captures-dir",
                str(captures),
                "--all-listings",
                "--recapture",
                "--operator",
                "Petugas",
                *fast_settings(server.base_url),
            ]
        )
        hits = list(server.hits)
    return base, db, captures, before, done, hits


def test_export_reports_each_verdict(recaptured):
    base, db, captures, before, done, hits = recaptured
    assert done.returncode == 0, done.stderr
    assert "periksa ulang: 1 masih tayang" in done.stdout
    assert "periksa ulang: 3 sudah tidak tayang (dihapus)" in done.stdout
    assert "periksa ulang: 1 tidak bisa diperiksa (diblokir situs)" in done.stdout
    assert sorted(h for h in hits if h.startswith("/produk/")) == [f"/produk/{i}" for i in range(1, 6)]
    store = EvidenceStore(db)
    rows = store.db.execute(
        "select listing_id, status, http_status, capture_id, previous_capture_id, crawl_id"
        " from recaptures order by listing_id"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("1", "live", 200),
        ("2", "removed", 404),
        ("3", "removed", 200),
        ("4", "blocked", 403),
        ("5", "removed", 410),
    ]
    for row in rows:
        assert row[4] == before[row[0]]  # the capture the listing had before
        assert row[3] is not None and row[3] != row[4]  # every answer was captured anew
    crawl = store.db["crawls"].get(rows[0][5])
    assert crawl["job"] == "recapture" and crawl["status"] == "finished"


def test_live_listing_gets_a_new_snapshot_removed_ones_keep_theirs(recaptured):
    base, db, captures, before, *_ = recaptured
    store = EvidenceStore(db)
    live = store.db["listings"].get(("tokopedia", "1"))
    assert live["price_idr"] == 95_000
    assert live["capture_id"] != before["1"]
    assert (
        store.db.execute("select count(*) from listing_snapshots where listing_id = '1'").fetchone()[0] == 2
    )
    for lid in ("2", "3", "4", "5"):
        assert store.db["listings"].get(("tokopedia", lid))["capture_id"] == before[lid]
    new = store.captures([live["capture_id"]])[live["capture_id"]]
    assert new.kind == "recapture"
    body = read_payload(captures, new)
    assert b"Rp95.000" in body and body.startswith(b"<!doctype html>")  # decoded, as parsed
    assert live["description"] == hashlib.sha256(body).hexdigest()


def test_pack_keeps_earlier_captures_and_passes_verify(recaptured):
    base, db, captures, before, *_ = recaptured
    pack = base / "pack.zip"
    with zipfile.ZipFile(pack) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        html = zf.read("laporan.html").decode()
        warc = zf.read("captures.warc.gz")
    store = EvidenceStore(db)
    recaptures = {r[0] for r in store.db.execute("select capture_id from recaptures")}
    listed = {c["capture_id"] for c in manifest["captures"]}
    assert listed == set(before.values()) | recaptures  # the search page + 5 recaptures
    assert len(listed) == 6
    assert {r.record_id for r in iter_records(warc) if r.record_type == "response"} == {
        c["response_record_id"] for c in manifest["captures"]
    }
    assert manifest["counts"]["by_recapture"] == {"live": 1, "removed": 3, "blocked": 1}
    assert manifest["parameters"]["recapture"] is True
    assert html.count("sudah tidak tayang (dihapus)") == 3 + 1  # 3 sections + the cover count
    assert "masih tayang" in html
    done = run_cli(["crawler.cli", "evidence", "verify", str(pack), "--db", str(db)])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "UTUH / OK" in done.stdout


def test_spider_is_found_by_marketplace():
    settings = project_settings({"SPIDER_MODULES": ["tests.evidence_spiders"]})
    assert spider_class_for("tokopedia", settings) is EvidenceTestSpider
    assert spider_class_for("lazada", settings) is None


def test_raw_listing_from_a_stored_listing_keeps_what_the_detail_request_needs():
    listing = Listing(
        marketplace="shopee",
        listing_id="123.456",
        url="https://shopee.co.id/x-i.123.456",
        title="Kain",
        price_idr=150_000,
        sold_count=12,
        seller_id="123",
        seller_name="Toko",
    )
    raw = raw_from_listing(listing)
    assert (raw.listing_id, raw.url, raw.seller_id, raw.price, raw.sold) == (
        "123.456",
        "https://shopee.co.id/x-i.123.456",
        "123",
        "150000",
        "12",
    )
    assert StoredListing(listing).listing is listing
