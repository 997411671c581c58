"""`patroli extract FILE --marketplace M`: JSON lines of Listing fields, or one error line and exit 2."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.items import Listing

LISTING_FIELDS = list(Listing.__dataclass_fields__)


def _run(*args: str):
    return CliRunner().invoke(main, ["extract", *args])


def _lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("relative", "count", "first"),
    [
        (
            "tokopedia/search_handphone_page.html",
            75,
            {
                "listing_id": "2115198279",
                "title": "Infinix Note 10 Pro 8/128 GB - Garansi Resmi",
                "price_idr": 2_778_000,
                "seller_name": "Wahana Selular",
                "seller_location": "Jakarta Timur",
                "sold_count": 423,
                "url": "https://www.tokopedia.com/wahanaselular/infinix-note-10-pro-8-128-gb-garansi-resmi-purple",
            },
        ),
        (
            "tokopedia/search_iphone11_displayAdsV3.json",
            25,
            {
                "listing_id": "12231417940",
                "price_idr": 6_779_000,
                "original_price_idr": 7_990_000,
                "sold_count": 2_000,
                "seller_name": "iSmile Official Store",
                "seller_location": "Jakarta Pusat",
            },
        ),
        (
            "tokopedia/pdp_get_layout_hoodie.json",
            1,
            {
                "listing_id": "525027826",
                "title": "Jaket Zipper Hoodie Mocca - M",
                "price_idr": 66_900,
                "seller_name": "Hoodie Center",
                "category_path": "Fashion Pria / Outerwear Pria / Hoodie Pria",
                "url": "https://www.tokopedia.com/hoodiecenter/jaket-zipper-hoodie-mocca-m",
            },
        ),
    ],
)
def test_extract_real_captures(fixture_path, relative, count, first):
    result = _run(str(fixture_path(relative)), "--marketplace", "tokopedia")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    rows = _lines(result)
    assert len(rows) == count
    assert all(list(row) == LISTING_FIELDS for row in rows)
    assert {k: rows[0][k] for k in first} == first
    assert all(row["marketplace"] == "tokopedia" and row["captured_at"] for row in rows)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "bukan HTML maupun JSON"),
        (b'{"products": [1, 2', "JSON rusak"),
        (b"<html><body>Halo</body></html>", "bukan halaman pencarian Tokopedia"),
        (b"", "berkas kosong"),
    ],
)
def test_extract_garbage_file(tmp_path, content, reason):
    path = tmp_path / "simpanan.bin"
    path.write_bytes(content)
    result = _run(str(path), "--marketplace", "tokopedia")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert str(path) in result.stderr and reason in result.stderr


def test_extract_missing_file(tmp_path):
    result = _run(str(tmp_path / "tidak-ada.html"), "-m", "tokopedia")
    assert result.exit_code == 2
    assert "tidak-ada.html" in result.stderr and "tidak bisa dibaca" in result.stderr


def test_extract_keeps_non_ascii_and_resolves_relative_urls(tmp_path):
    ads = {
        "data": {
            "displayAdsV3": {
                "header": {},
                "data": [
                    {
                        "product": {
                            "id": "77",
                            "name": "Kain Tenun Ikat Sumba – Motif Kuda ✓",
                            "url": "/tenun-sumba/kain-tenun-ikat?src=topads",
                            "price": "Rp1,2jt",
                        },
                        "shop": {"shopId": "9", "name": "Tenun Ibu Ratu", "city": "Kab. Sumba Timur"},
                    }
                ],
            }
        }
    }
    path = tmp_path / "ads.json"
    path.write_text(json.dumps(ads), encoding="utf-8")
    result = _run(str(path), "-m", "tokopedia", "--url", "https://www.tokopedia.com/search?q=tenun")
    assert result.exit_code == 0, result.stderr
    assert "– Motif Kuda ✓" in result.stdout  # ensure_ascii=False: the text as the page shows it
    (row,) = _lines(result)
    assert row["url"] == "https://www.tokopedia.com/tenun-sumba/kain-tenun-ikat"
    assert (row["price_idr"], row["seller_location"]) == (1_200_000, "Kab. Sumba Timur")


def test_extract_unreadable_price_keeps_the_listing_and_names_the_problem(tmp_path):
    ads = {
        "data": {
            "displayAdsV3": {
                "data": [
                    {
                        "product": {
                            "id": "5",
                            "name": "x",
                            "url": "https://www.tokopedia.com/a/b",
                            "price": "<b>1</b>",
                        },
                        "shop": {},
                    }
                ]
            }
        }
    }
    path = tmp_path / "ads.json"
    path.write_text(json.dumps(ads), encoding="utf-8")
    result = _run(str(path), "-m", "tokopedia")
    assert result.exit_code == 0
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["listing_id"] == "5" and row["price_idr"] is None and row["price_text"] == "<b>1</b>"
    assert "harga tidak terbaca" in row["note"]
    assert "tokopedia/5" in result.stderr and "harga tidak terbaca" in result.stderr
