"""`patroli score FILE.jsonl` and `patroli match --db`: the analyst's and the re-scoring commands."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.items import ScoredListing
from crawler.store import Store
from matchers import DEFAULT_DATA_DIR, load_matcher
from matchers.jsonl import read_rows

ROWS = [
    {
        "id": "A1",
        "marketplace": "shopee",
        "url": "https://shopee.co.id/x-i.1.2",
        "title": "Kimono Outer Motif Batik Wanita Isi 2pcs",
        "description": "Dikirim dari luar negeri, estimasi 7-14 hari.",
        "price_idr": 95000,
        "seller_location": "Luar Negeri",
        "is_cross_border": True,
        "labels": {"category": "pakaian_batik"},
    },
    {
        "id": "A2",
        "marketplace": "tokopedia",
        "url": "https://www.tokopedia.com/a/b",
        "title": "Kain Batik Tulis Lasem 2,5m",
        "price_idr": "Rp 2.200.000",
        "seller_location": "Kab. Rembang",
    },
]


def write_jsonl(path, rows, extra_lines=()):
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_score_prints_one_object_per_listing(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, ROWS)
    result = CliRunner().invoke(main, ["score", str(src)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["A1", "A2"]
    first, second = out
    assert set(first) >= {
        "id", "listing_id", "category", "risk", "likely_imported", "below_local_cost", "mislabelled_technique", "flags",
    }  # fmt: skip
    assert (first["category"], first["likely_imported"], first["below_local_cost"]) == (
        "pakaian_batik",
        True,
        True,
    )
    assert first["unit_price_idr"] == 47_500
    assert {f["rule"] for f in first["flags"]} == {
        "CROSS_BORDER_UNDER_USD100",
        "BELOW_FLOOR",
        "IMPORT_SIGNALS",
    }
    assert all(f["reason_id"] and f["reason_en"] and f["matcher_version"] for f in first["flags"])
    assert (second["category"], second["risk"], second["flags"]) == ("batik_tulis", 0, [])
    assert second["unit_price_idr"] == 2_200_000  # "Rp 2.200.000" read as rupiah


def test_score_reports_bad_lines_and_scores_the_rest(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(
        src, ROWS[:1], ['{"title": "rusak"', '["not", "an", "object"]', '{"title": "x", "price_idr": "abc"}']
    )
    result = CliRunner().invoke(main, ["score", str(src)])
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1
    assert "baris 2: JSON tidak valid" in result.stderr
    assert "baris 3: baris harus objek JSON" in result.stderr
    assert "baris 4: price_idr: harga tidak terbaca" in result.stderr


def test_score_rejects_malformed_reference_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data, ignore=shutil.ignore_patterns("*.db*", "captures"))
    (data / "signals.yaml").write_text("threshold: [\n", encoding="utf-8")
    src = tmp_path / "in.jsonl"
    write_jsonl(src, ROWS)
    result = CliRunner().invoke(main, ["score", str(src), "--data-dir", str(data)])
    assert result.exit_code == 2
    assert "signals.yaml, baris" in result.stderr and "YAML tidak valid" in result.stderr


@pytest.fixture
def db_with_listings(tmp_path, fixture_path):
    """A store holding the labelled dev listings, scored one by one as the crawl pipeline does."""
    labelled = fixture_path("../labelled/dev.jsonl")
    matcher = load_matcher()
    with labelled.open(encoding="utf-8") as handle:
        rows = [r for r in read_rows(handle) if not isinstance(r, tuple)]
    store = Store(tmp_path / "patroli.db")
    crawl = store.start_crawl(["tokopedia"], ["batik"])
    store.save_batch(crawl, [ScoredListing(r.listing, matcher.assess(r.listing)) for r in rows])
    store.db.execute("update flags set matcher_version = '0.9'")
    store.db.conn.commit()
    store.close()
    return tmp_path / "patroli.db", len(rows)


def test_match_replaces_old_flags_and_is_idempotent(db_with_listings):
    db, n = db_with_listings
    runner = CliRunner()
    first = runner.invoke(main, ["match", "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "0.9" in first.output and f"{n} iklan" in first.output
    store = Store(db)
    versions = store.flag_versions()
    rules_once = store.db.execute("select rule, count(*) from flags group by rule order by rule").fetchall()
    store.close()
    assert list(versions) == [load_matcher().version]
    assert dict(rules_once)["DUP_CLUSTER"] > 0  # only the cross-listing pass adds these
    second = runner.invoke(main, ["match", "--db", str(db)])
    assert second.exit_code == 0
    store = Store(db)
    rules_twice = store.db.execute("select rule, count(*) from flags group by rule order by rule").fetchall()
    verdicts = store.db.execute("select sum(likely_imported), sum(below_local_cost) from listings").fetchone()
    store.close()
    assert rules_twice == rules_once
    assert verdicts == (63, 60)


def test_match_without_database_fails_cleanly(tmp_path):
    result = CliRunner().invoke(main, ["match", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "tidak ada" in result.stderr
