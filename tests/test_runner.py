from click.testing import CliRunner

from crawler.cli import main
from crawler.items import Listing, PageRecord, ScoredListing
from crawler.runner import crawl_status, format_summary
from crawler.store import Store


def test_crawl_status():
    assert crawl_status(["finished", "finished"]) == ("finished", None)
    assert crawl_status(["finished", "shutdown"]) == ("interrupted", "shutdown")
    # A limit the job asked for (patroli.toml max_duration -> CLOSESPIDER_TIMEOUT) is not a failure.
    assert crawl_status(["closespider_timeout"]) == ("finished", "batas jadwal tercapai: closespider_timeout")
    assert crawl_status(["finished", "cancelled"]) == ("failed", "cancelled")


def test_summary_says_blocked_not_empty(tmp_db):
    store = Store(tmp_db)
    crawl = store.start_crawl(["tokopedia", "shopee"], ["batik tulis"])
    listing = Listing(
        "tokopedia", "1", "u", "Batik Tulis", seller_id="s1", captured_at="2026-11-28T00:00:00Z"
    )
    pages = [
        PageRecord("tokopedia", "u1", "ok", 200, "batik tulis", 1, listings_found=1),
        PageRecord("shopee", "u2", "blocked", 200, "batik tulis", 1, reason="JSON error 90309999"),
    ]
    store.save_batch(crawl, [ScoredListing(listing)], pages)
    store.finish_crawl(crawl)
    text = format_summary(store.crawl_summary(crawl))
    assert "DIBLOKIR, bukan kosong" in text
    assert "90309999" in text
    tokopedia_line = next(line for line in text.splitlines() if line.strip().startswith("tokopedia"))
    assert "listing      1" in tokopedia_line and "DIBLOKIR" not in tokopedia_line


def test_crawl_refuses_unknown_marketplace_and_keyword_set(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["crawl", "bukalapak", "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 2 and "bukalapak" in result.output
    result = runner.invoke(main, ["crawl", "tokopedia", "--set", "nope", "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 2 and "nope" in result.output
    result = runner.invoke(
        main, ["crawl", "tokopedia", "--base-url", "tokopedia", "--db", str(tmp_path / "p.db")]
    )
    assert result.exit_code == 2 and "MARKETPLACE=URL" in result.output


def test_a_spider_that_cannot_start_fails_the_crawl_with_its_reason(tmp_path):
    """`patroli crawl shop` with no shop list: the spider refuses in from_crawler. The crawl row
    must not stay 'running' (nor the summary end in a traceback): it is failed, saying why."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    db = tmp_path / "p.db"
    # cwd without data/toko.txt: the shop spider has no address to patrol.
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "shop", "--db", str(db), "--quiet"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    assert "Patroli #1 failed" in done.stdout
    store = Store(db)
    row = store.db["crawls"].get(1)
    store.close()
    assert row["status"] == "failed"
    assert row["reason"].startswith("shop: ValueError: spider shop butuh alamat toko")
    assert row["reason"] in done.stdout


def test_a_crawler_cut_off_before_closing_is_interrupted_not_finished():
    from crawler.runner import finish_reasons

    class Stats:
        def __init__(self, values):
            self.values = values

        def get_value(self, key, default=None):
            return self.values.get(key, default)

    class Crawler:
        def __init__(self, name, values):
            self.spidercls = type("S", (), {"name": name})
            self.stats = Stats(values)

    # A forced stop (a second Ctrl-C) stops the reactor before the spider closes: it started,
    # but no finish_reason was ever set. That is no finished patrol (and no cluster pass).
    cut = Crawler("tokopedia", {"start_time": "2026-11-28T00:00:00Z"})
    done = Crawler("shopee", {"start_time": "2026-11-28T00:00:00Z", "finish_reason": "finished"})
    reasons = finish_reasons([cut, done], {})
    assert reasons == ["shutdown", "finished"]
    assert crawl_status(reasons) == ("interrupted", "shutdown")


def test_a_path_that_is_no_database_is_a_one_line_error(tmp_path):
    """--db naming a directory or another kind of file ended in a sqlite3 traceback."""
    not_db = tmp_path / "paket.zip"
    not_db.write_bytes(b"PK\x03\x04 not a database" * 100)
    folder = tmp_path / "data"
    folder.mkdir()
    runner = CliRunner()
    for args, path in (
        (["match", "--db", str(not_db)], not_db),
        (["crawl", "tokopedia", "-k", "batik", "--db", str(folder)], folder),
        (["evidence", "export", "--out", str(tmp_path / "x.zip"), "--db", str(not_db)], not_db),
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        (line,) = result.output.splitlines()
        assert line.startswith(f"patroli: {path}: bukan basis data SQLite yang bisa dibuka"), line
    assert not_db.read_bytes() == b"PK\x03\x04 not a database" * 100


def test_summary_says_throttled_not_empty(tmp_db):
    store = Store(tmp_db)
    crawl = store.start_crawl(["lazada"], ["batik tulis"])
    pages = [PageRecord("lazada", "u", "throttled", 429, "batik tulis", 1, reason="HTTP 429")] * 2
    store.save_batch(crawl, [], pages)
    store.finish_crawl(crawl)
    line = next(
        row
        for row in format_summary(store.crawl_summary(crawl)).splitlines()
        if row.strip().startswith("lazada")
    )
    assert "DIBATASI (HTTP 429), bukan kosong" in line and "dibatasi   2" in line
