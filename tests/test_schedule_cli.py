"""`patroli schedule list` in process: the jobs, their next runs in WIB, the last run of each."""

from __future__ import annotations

from click.testing import CliRunner

from crawler.cli import main
from crawler.store import Store


def test_schedule_list_shows_next_runs_and_the_last_run(tmp_path, monkeypatch):
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "tests.fake_settings")
    db = tmp_path / "p.db"
    store = Store(db)
    crawl_id = store.start_crawl(["fake"], ["songket"], job="malam")
    store.finish_crawl(crawl_id)
    store.db["crawls"].update(crawl_id, {"started_at": "2024-05-01T18:00:00.000Z"})
    store.close()
    config = tmp_path / "patroli.toml"
    config.write_text(
        f"""
[patroli]
db = "{db}"

[jobs.malam]
marketplaces = ["fake"]
keywords = ["songket"]
cron = "0 1 * * 1"
max_pages = 2
max_duration = "90m"

[jobs.siang]
marketplaces = ["fake"]
keywords = ["tenun"]
cron = "@hourly"
enabled = false
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["schedule", "list", "-c", str(config), "-n", "2"])
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.output.splitlines()]
    assert lines[0] == f"{config}: 2 jadwal, zona waktu Asia/Jakarta"
    assert "  cron        : 0 1 * * 1  (2 halaman/kata kunci; maks 90 menit)" in lines
    upcoming = next(line for line in lines if line.startswith("  berikutnya"))
    assert upcoming.count("Senin ") == 2 and upcoming.count(" 01:00 WIB") == 2
    assert "  terakhir    : #1 finished Kamis 2024-05-02 01:00 WIB (baru 0, risiko tinggi baru 0)" in lines
    assert "siang  (nonaktif / disabled)" in lines
