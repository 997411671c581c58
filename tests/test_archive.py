"""WARC capture: byte-exact round trip, SHA-256 digests, rotation, the Scrapy middleware, and a
real crawl (gzip on the wire) whose parsed bytes are read back from the WARC."""

from __future__ import annotations

import gzip
import hashlib
import random
import re
import sqlite3

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import (
    CaptureError,
    Exchange,
    WarcArchive,
    WarcCaptureMiddleware,
    iter_records,
    read_payload,
    read_record_bytes,
    sha256_warc_digest,
    warc_path,
)
from crawler.store import EvidenceStore
from tests.evidence_helpers import ShopServer, card, fast_settings, run_cli, shop_page

# Every byte value, CRLFs that look like record ends, and a gzip magic inside the payload.
AWKWARD = bytes(range(256)) * 4 + b"\r\n\r\nWARC/1.1\r\n" + b"\x1f\x8b\x08" + "Rp1.250.000 ✓".encode()


def _exchange(body: bytes = AWKWARD, url: str = "https://www.tokopedia.com/toko/kain?x=1", **kw):
    return Exchange(
        url=url,
        status=kw.pop("status", 200),
        body=body,
        response_headers=kw.pop("headers", [("Content-Type", "text/html; charset=utf-8")]),
        request_headers=[("User-Agent", "Patroli-test"), ("Accept", "*/*")],
        **kw,
    )


def test_capture_reads_back_byte_for_byte(tmp_path):
    with WarcArchive(tmp_path) as archive:
        capture = archive.write(_exchange(fetched_at="2026-11-28T01:02:03.456789Z", kind="search"))
    assert read_payload(tmp_path, capture) == AWKWARD
    assert capture.payload_sha256 == hashlib.sha256(AWKWARD).hexdigest()
    assert capture.payload_length == len(AWKWARD)
    assert capture.fetched_at == "2026-11-28T01:02:03.456789Z"
    assert capture.status == 200 and capture.kind == "search"
    assert capture.response_record_id == f"<urn:uuid:{capture.capture_id}>"
    assert re.fullmatch(r"patroli-\d{8}T\d{6}-\d+-00001\.warc\.gz", capture.warc_file)


def test_records_carry_sha256_digests_warcio_checks(tmp_path):
    with WarcArchive(tmp_path) as archive:
        capture = archive.write(_exchange())
    with open(warc_path(tmp_path, capture), "rb") as fh:
        records = []
        for record in ArchiveIterator(fh, check_digests="raise"):
            records.append(record.rec_type)
            headers = record.rec_headers
            payload = record.raw_stream.read()  # reading runs warcio's own digest check
            if record.rec_type == "response":
                assert headers.get_header("WARC-Payload-Digest") == sha256_warc_digest(payload)
                assert headers.get_header("WARC-Block-Digest").startswith("sha256:")
                assert headers.get_header("WARC-Date") == capture.fetched_at
    assert records == ["warcinfo", "response", "request"]


def test_each_capture_is_two_whole_gzip_members_request_after_response(tmp_path):
    with WarcArchive(tmp_path) as archive:
        first = archive.write(_exchange(b"one"))
        second = archive.write(_exchange(b"two", method="POST", request_body=b'{"q":"batik"}'))
    for capture in (first, second):
        data = read_record_bytes(tmp_path, capture)
        assert gzip.decompress(data).startswith(b"WARC/1.1\r\n")
        records = list(iter_records(data))
        assert [r.record_type for r in records] == ["response", "request"]
        assert records[0].record_id == capture.response_record_id
        assert records[1].record_id == capture.request_record_id
    request = list(iter_records(read_record_bytes(tmp_path, second)))[1]
    assert request.payload == b'{"q":"batik"}'
    assert second.warc_offset == first.warc_offset + first.warc_length


def test_headers_are_made_true_of_the_decoded_body(tmp_path):
    headers = [
        ("Content-Type", "text/html"),
        ("Content-Length", "17"),  # the compressed size on the wire
        ("Transfer-Encoding", "chunked"),
    ]
    with WarcArchive(tmp_path) as archive:
        capture = archive.write(_exchange(b"x" * 100, headers=headers))
    with open(warc_path(tmp_path, capture), "rb") as fh:
        seen = 0
        for response in ArchiveIterator(fh):
            if response.rec_type != "response":
                continue
            seen += 1
            http = response.http_headers
            assert http.get_header("Content-Length") == "100"
            assert http.get_header("Transfer-Encoding") is None
            assert response.rec_headers.get_header("Patroli-Received-Content-Length") == "17"
            assert response.raw_stream.read() == b"x" * 100
    assert seen == 1


def test_files_rotate_by_size_and_every_capture_stays_readable(tmp_path):
    bodies = [random.Random(i).randbytes(3_000) for i in range(12)]  # incompressible
    with WarcArchive(tmp_path, max_bytes=2_000) as archive:
        captures = [archive.write(_exchange(body)) for body in bodies]
    names = sorted({c.warc_file for c in captures})
    assert len(names) == 12  # each file passes 2,000 bytes after one capture
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    for capture, body in zip(captures, bodies, strict=True):
        assert read_payload(tmp_path, capture) == body


def test_a_changed_byte_in_the_archive_is_caught(tmp_path):
    with WarcArchive(tmp_path) as archive:
        capture = archive.write(_exchange(b"harga Rp150.000 " * 50))
    path = warc_path(tmp_path, capture)
    data = bytearray(path.read_bytes())
    data[capture.warc_offset + capture.warc_length // 3] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(CaptureError):
        read_payload(tmp_path, capture)


def test_missing_or_truncated_file_names_the_capture(tmp_path):
    with WarcArchive(tmp_path) as archive:
        capture = archive.write(_exchange())
    path = warc_path(tmp_path, capture)
    path.write_bytes(path.read_bytes()[: capture.warc_offset + 10])
    with pytest.raises(CaptureError, match=f"{capture.capture_id}.*terpotong"):
        read_payload(tmp_path, capture)
    path.unlink()
    with pytest.raises(CaptureError, match=capture.capture_id):
        read_payload(tmp_path, capture)


def _middleware(tmp_path, **settings):
    crawler = get_crawler(
        settings_dict={
            "PATROLI_DB": str(tmp_path / "p.db"),
            "PATROLI_CAPTURES_DIR": str(tmp_path / "cap"),
            "PATROLI_CRAWL_ID": 7,
            **settings,
        }
    )
    crawler.stats.open_spider()
    return WarcCaptureMiddleware.from_crawler(crawler)


def test_middleware_archives_records_and_tags_the_response(tmp_path):
    mw = _middleware(tmp_path)
    request = Request("https://shopee.co.id/api/v4/search?keyword=batik", meta={"kind": "search"})
    body = '{"items": [{"name": "Kain Batik ✓"}]}'.encode()
    response = HtmlResponse(
        request.url,
        status=200,
        body=body,
        request=request,
        headers={"Content-Type": "application/json", "Content-Length": "40"},
    )
    out = mw.process_response(request, response)
    assert out is response
    capture_id = response.meta["capture_id"]
    mw.spider_closed()
    store = EvidenceStore(tmp_path / "p.db")
    capture = store.captures([capture_id])[capture_id]
    assert (capture.url, capture.status, capture.kind, capture.crawl_id) == (
        request.url,
        200,
        "search",
        7,
    )
    assert capture.content_type == "application/json"
    assert read_payload(tmp_path / "cap", capture) == body


def test_middleware_can_be_switched_off(tmp_path):
    with pytest.raises(NotConfigured):
        _middleware(tmp_path, PATROLI_CAPTURE=False)


def test_a_crawl_keeps_exactly_the_bytes_its_parser_read(tmp_path):
    """gzip on the wire; the spider hashes the body it parses; the WARC gives those bytes back."""
    page = shop_page([card(str(i), f"Kain batik tulis {i} ✓", f"Rp{i}50.000") for i in range(1, 4)])
    routes = {
        "/search?q=batik&page=1": (200, {"Content-Type": "text/html; charset=utf-8"}, page),
        "/search?q=batik&page=2": (200, {"Content-Type": "text/html"}, shop_page([])),
    }
    db, captures_dir = tmp_path / "p.db", tmp_path / "cap"
    with ShopServer(routes) as server:
        server.gzip_paths.add("/search?q=batik&page=1")
        done = run_cli(
            [
                "tests.evidence_spiders",
                "--db",
                str(db),
                "--captures",
                str(captures_dir),
                *fast_settings(server.base_url),
            ]
        )
        wire = server.wire["/search?q=batik&page=1"]
    assert done.returncode == 0, done.stderr
    assert wire != page and gzip.decompress(wire) == page  # it really was compressed

    store = EvidenceStore(db)
    rows = store.db.execute("select listing_id, description, capture_id from listings").fetchall()
    assert len(rows) == 3
    assert len({r[2] for r in rows}) == 1
    capture = store.captures([rows[0][2]])[rows[0][2]]
    stored = read_payload(captures_dir, capture)
    assert stored == page
    assert all(hashlib.sha256(stored).hexdigest() == r[1] == capture.payload_sha256 for r in rows)
    assert capture.url.endswith("/search?q=batik&page=1")
    # Every fetch (robots.txt, both search pages) is captured; every reference has its row.
    assert store.count("captures") == 3
    referenced = store.db.execute(
        "select capture_id from crawl_pages union select capture_id from listing_snapshots"
    ).fetchall()
    assert {r[0] for r in referenced} <= set(store.captures([r[0] for r in referenced]))
    assert None not in {r[0] for r in referenced}
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("insert into captures (capture_id) values (?)", [capture.capture_id])


def test_captures_go_beside_the_database_unless_configured(tmp_path):
    mw = WarcCaptureMiddleware.from_crawler(
        get_crawler(settings_dict={"PATROLI_DB": str(tmp_path / "x" / "p.db")})
    )
    assert mw.archive.directory == tmp_path / "x" / "captures"
    assert _middleware(tmp_path).archive.directory == tmp_path / "cap"
