"""The real processes: `patroli crawl` stopped by SIGTERM, `patroli schedule run [--once]`.

The crawl subprocesses patrol the demo marketplace (served from this test process) with the tests'
fake spider (tests/fake_settings.py). Each test is bounded by timeouts.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.demo.catalogue import Catalogue
from crawler.store import RunRecords, Store
from tests.fakemarket import served_ids, start_market, subprocess_env

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 3000, seed=11)


def cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_sigterm_to_a_crawl_finishes_its_batch_and_marks_it_interrupted(catalogue, tmp_path):
    market = start_market(catalogue, delay=0.25)
    db = str(tmp_path / "p.db")
    try:
        keywords = ["batik", "tenun", "songket", "tas rotan"]
        args = ["crawl", "fake", "--db", db, "--job", "uji", "--max-pages", "8", "--quiet"]
        args += [f"--base-url=tokopedia={market.url}/fake"]
        for k in keywords:
            args += ["--keyword", k]
        proc = cli(*args)
        wait_for(lambda: market.requests["ok"] >= 4, 30, "the first pages")
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, output
        store = Store(db)
        (row,) = RunRecords(store).runs("uji")
        assert row["status"] == "interrupted", output
        crawl = store.db["crawls"].get(row["id"])
        assert crawl["reason"] == "shutdown"
        # Every page it fetched is on the record with its listings: the last batch was written.
        pages = list(store.db["crawl_pages"].rows_where("crawl_id = ?", [row["id"]]))
        assert 4 <= len(pages) == market.requests["ok"] < 32
        found = sum(p["listings_found"] for p in pages)
        assert store.count("listings") == len({lid for _, lid in store.listing_ids()}) > 0
        assert row["listings_seen"] == store.count("listings") <= found
        assert {lid for _, lid in store.listing_ids()} <= set(market.catalogue.served["tokopedia"])
        assert "Patroli #1 interrupted" in output
        store.close()
    finally:
        market.stop()


def config(tmp_path, market, extra: str = "") -> Path:
    path = tmp_path / "patroli.toml"
    path.write_text(
        f"""
[patroli]
db = "{tmp_path}/p.db"
log_dir = "{tmp_path}/logs"
stop_grace = "60s"

[jobs.uji]
marketplaces = ["fake"]
keywords = ["songket", "tas rotan"]
cron = "0 1 * * *"
max_pages = 2
base_urls = {{ tokopedia = "{market.url}/fake" }}
{extra}
""",
        encoding="utf-8",
    )
    return path


def test_schedule_run_once_runs_the_job_in_its_own_process(catalogue, tmp_path):
    market = start_market(catalogue)
    try:
        proc = cli("schedule", "run", "--config", str(config(tmp_path, market)), "--once", "uji")
        output, _ = proc.communicate(timeout=90)
        assert proc.returncode == 0, output
        store = Store(tmp_path / "p.db")
        (row,) = RunRecords(store).runs("uji")
        expected = served_ids(catalogue, ["songket", "tas rotan"], 2)
        assert (row["status"], row["trigger"], row["exit_code"]) == ("finished", "once", 0)
        assert row["listings_new"] == len(expected) == store.count("listings")
        assert f"patroli #{row['id']} (uji): finished" in output
        log = (tmp_path / "logs" / f"uji-{row['id']}.log").read_text()
        assert f"Patroli #{row['id']} finished" in log  # the crawl's own summary, in the run's log
        store.close()
    finally:
        market.stop()


def test_schedule_run_catches_up_then_stops_cleanly_on_sigterm(catalogue, tmp_path):
    market = start_market(catalogue, delay=0.25)
    try:
        path = config(tmp_path, market)
        path.write_text(path.read_text().replace('"songket", "tas rotan"', '"batik", "tenun", "songket"'))
        path.write_text(path.read_text().replace("max_pages = 2", "max_pages = 8"))
        # The job ran before, long ago: the scheduler owes it a run and starts it at once.
        store = Store(tmp_path / "p.db")
        old = store.start_crawl(["fake"], ["batik"], job="uji")
        store.finish_crawl(old)
        store.db["crawls"].update(old, {"started_at": "2024-01-01T00:00:00Z"})
        store.close()
        proc = cli("schedule", "run", "--config", str(path))
        wait_for(lambda: market.requests["ok"] >= 4, 60, "the caught-up run to fetch pages")
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=90)
        assert proc.returncode == 0, output
        store = Store(tmp_path / "p.db")
        runs = RunRecords(store).runs("uji")
        latest = runs[0]
        assert (latest["status"], latest["trigger"]) == ("interrupted", "jadwal"), output
        assert latest["exit_code"] == 0  # the crawl stopped itself, gracefully, and said so
        assert store.db["crawls"].get(latest["id"])["reason"] == "shutdown"
        pages = store.db["crawl_pages"].count_where("crawl_id = ?", [latest["id"]])
        assert pages == market.requests["ok"]
        assert "terlewat saat penjadwal mati" in output
        assert f"menghentikan patroli #{latest['id']} dengan rapi" in output
        store.close()
    finally:
        market.stop()


def test_schedule_refuses_a_bad_config_at_start_naming_file_key_and_reason(tmp_path):
    path = tmp_path / "patroli.toml"
    path.write_text('[jobs.malam]\nmarketplaces = ["fake"]\ncron = "0 25 * * *"\n', encoding="utf-8")
    for command in (["schedule", "run"], ["schedule", "list"]):
        proc = cli(*command, "--config", str(path))
        output, _ = proc.communicate(timeout=60)
        assert proc.returncode == 2
        assert output.startswith(f"patroli: {path}: jobs.malam.cron: ekspresi cron '0 25 * * *' tidak valid")


def test_max_duration_stops_a_crawl_by_itself_as_finished(catalogue, tmp_path):
    market = start_market(catalogue, delay=0.3)
    db = str(tmp_path / "p.db")
    try:
        args = ["crawl", "fake", "--db", db, "--job", "uji", "--max-pages", "20", "--max-duration", "2s"]
        args += [f"--base-url=tokopedia={market.url}/fake", "-k", "batik", "-k", "tenun", "--quiet"]
        started = time.monotonic()
        proc = cli(*args)
        output, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, output
        assert time.monotonic() - started < 30
        store = Store(db)
        (row,) = RunRecords(store).runs("uji")
        assert row["status"] == "finished"
        assert row["reason"] == "batas jadwal tercapai: closespider_timeout"
        assert 0 < row["pages"] < 40  # stopped before the 2 x 20 pages it could have fetched
        store.close()
    finally:
        market.stop()
