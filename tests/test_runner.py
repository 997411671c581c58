from click.testing import CliRunner

from crawler.cli import main
from crawler.items import Listing, PageRecord, ScoredListing
from crawler.runner import crawl_status, format_summary
from crawler.store import Store


def test_crawl_status():
    assert crawl_status(["finished", "finished"]) == ("finished", None)
    assert crawl_status(["finished", "shutdown"]) == ("interrupted", "shutdown")
    assert crawl_status(["closespider_timeout"]) == ("failed", "closespider_timeout")


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
