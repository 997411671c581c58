"""Two scrapy-redis workers and the ingester against the demo marketplace, as separate processes.

Every listing the demo served is stored exactly once; then a worker is killed (SIGKILL) in the middle
of the patrol, and the patrol still completes with nothing lost and nothing stored twice: the
requests the dead worker held are fetched by the other one.
"""

from __future__ import annotations

import pickle
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from crawler.archive import read_payload, sha256_hex
from crawler.demo.catalogue import Catalogue
from crawler.keywords import load_keyword_sets
from crawler.store import EvidenceStore, Store
from tests.fakemarket import disjoint_keywords, expected_pages, served_ids, start_market, subprocess_env

pytest_plugins = ["tests.redisserver"]  # redis_url, run_name

ROOT = Path(__file__).resolve().parent.parent
MAX_PAGES = 5


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 3000, seed=11)


@pytest.fixture(scope="module")
def keywords(catalogue):
    candidates = [k for words in load_keyword_sets().values() for k in words]
    chosen = disjoint_keywords(catalogue, candidates, MAX_PAGES)
    assert len(chosen) >= 8
    return chosen


def start(*args: str, captures=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=ROOT,
        env=subprocess_env(captures),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def worker(
    url: str, run: str, market, keywords: list[str], spiders: tuple[str, ...] = ("fake",), captures=None
) -> subprocess.Popen:
    args = ["crawl", *spiders, "--redis", url, "--run", run, "--max-pages", str(MAX_PAGES), "--quiet"]
    args += ["--job", "uji"]
    args += [f"--base-url=tokopedia={market.url}/fake", f"--base-url=shopee={market.url}/fake"]
    for keyword in keywords:
        args += ["--keyword", keyword]
    return start(*args, captures=captures)


def finish(proc: subprocess.Popen, timeout: float = 120) -> str:
    output, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, output[-3000:]
    return output


def committed(output: str) -> int:
    return int(re.search(r"permintaan selesai: (\d+)", output).group(1))


def check_stored_exactly_once(
    db: str, catalogue, keywords: list[str], pages_by_market: dict[str, int]
) -> dict:
    """Each marketplace's listings exactly as served, each once; each page once; one message per page."""
    store = Store(db)
    (crawl,) = store.db["crawls"].rows
    assert (crawl["status"], crawl["trigger"], crawl["job"]) == ("finished", "redis", "uji")
    urls = []
    for market, max_pages in pages_by_market.items():
        expected = served_ids(catalogue, keywords, max_pages)
        assert {lid for _, lid in store.listing_ids(market)} == expected
        # Each listing once in this crawl's history (the keywords share no listing), each page once.
        snapshots = [
            r["listing_id"]
            for r in store.db["listing_snapshots"].rows_where(
                "crawl_id = ? and marketplace = ?", [crawl["id"], market]
            )
        ]
        assert sorted(snapshots) == sorted(expected)
        pages = [
            r["url"]
            for r in store.db["crawl_pages"].rows_where(
                "crawl_id = ? and marketplace = ?", [crawl["id"], market]
            )
        ]
        assert len(pages) == len(set(pages)) == expected_pages(catalogue, keywords, max_pages), market
        urls += pages
    assert crawl["pages"] == len(urls)
    # One message per fetched page, and one per robots.txt fetch (its capture, leased by nobody).
    robots = [c for c in store.db["captures"].rows if c["url"].endswith("/robots.txt")]
    assert store.db["ingest_log"].count == len(urls) + len(robots)
    store.close()
    return {"urls": set(urls), "pages": len(urls)}


def test_two_workers_and_the_ingester_store_every_listing_exactly_once(
    catalogue,
    keywords,
    redis_url,
    run_name,
    tmp_path,
):
    market = start_market(catalogue, delay=0.05)
    db = str(tmp_path / "p.db")
    try:
        ingester = start("ingest", "--redis", redis_url, "--run", run_name, "--db", db)
        # Two spiders per worker; the short one ends early and must leave the other's work alone.
        spiders = ("fake", "fake-short")
        captures_dir = tmp_path / "captures"
        workers = [worker(redis_url, run_name, market, keywords, spiders, captures_dir) for _ in range(2)]
        outputs = [finish(w) for w in workers]
        ingest_output = finish(ingester)
        result = check_stored_exactly_once(db, catalogue, keywords, {"tokopedia": MAX_PAGES, "shopee": 1})
        # Every page's WARC capture: written by the worker that fetched it, its row stored by the
        # ingester under the patrol's crawl id, its bytes as they were served.
        store = EvidenceStore(db)
        page_captures = [r["capture_id"] for r in store.db["crawl_pages"].rows]
        found = store.captures(page_captures)
        assert len(page_captures) == len(set(page_captures)) == len(found) == result["pages"]
        assert {c.crawl_id for c in found.values()} == {1}
        for capture in list(found.values())[:10]:
            assert sha256_hex(read_payload(captures_dir, capture)) == capture.payload_sha256
        store.close()
        # Both workers fetched pages, and between them each page once.
        counts = [committed(o) for o in outputs]
        assert all(c > 0 for c in counts), outputs
        assert sum(counts) == result["pages"] == market.requests["ok"]
        assert "Patroli #1 finished" in ingest_output
        # The run's working keys are gone; its meta says it is done.
        server = redis.Redis.from_url(redis_url)
        assert server.hget(f"patroli:{run_name}:meta", "state") == b"done"
        assert server.exists(*(f"patroli:{run_name}:{k}:{s}" for k in ("q", "df") for s in spiders)) == 0
    finally:
        market.stop()


def test_a_worker_killed_mid_crawl_loses_nothing_and_duplicates_nothing(
    catalogue,
    keywords,
    redis_url,
    run_name,
    tmp_path,
):
    market = start_market(catalogue, delay=0.2)
    db = str(tmp_path / "p.db")
    server = redis.Redis.from_url(redis_url)
    leases = f"patroli:{run_name}:leases"
    try:
        ingester = start("ingest", "--redis", redis_url, "--run", run_name, "--db", db)
        victim = worker(redis_url, run_name, market, keywords)
        survivor = worker(redis_url, run_name, market, keywords)

        def victims_leases() -> dict[bytes, bytes]:
            return {t: v for t, v in server.hgetall(leases).items() if f"-{victim.pid}-".encode() in v}

        deadline = time.monotonic() + 60
        while not (market.requests["ok"] >= 8 and victims_leases()):
            assert time.monotonic() < deadline, "the victim never held a lease"
            assert victim.poll() is None, victim.communicate()[0][-3000:]
            time.sleep(0.02)
        victim.kill()  # SIGKILL: no goodbye, its leases stay behind
        victim.wait(timeout=10)
        held = victims_leases()
        assert held, "the killed worker held no lease"
        inflight = server.hmget(f"patroli:{run_name}:inflight", list(held))
        lost_urls = {pickle.loads(member.split(b"|", 1)[1])["url"] for member in inflight}

        survivor_output = finish(survivor)
        ingest_output = finish(ingester)
        result = check_stored_exactly_once(db, catalogue, keywords, {"tokopedia": MAX_PAGES})
        # What the dead worker was fetching was fetched again, by the survivor, and stored once.
        assert lost_urls <= result["urls"]
        assert "Patroli #1 finished" in ingest_output
        assert committed(survivor_output) > 0
    finally:
        market.stop()


def test_a_worker_stopped_with_sigterm_gives_its_requests_back_at_once(
    catalogue, keywords, redis_url, run_name, tmp_path
):
    market = start_market(catalogue, delay=0.2)
    db = str(tmp_path / "p.db")
    server = redis.Redis.from_url(redis_url)
    try:
        ingester = start("ingest", "--redis", redis_url, "--run", run_name, "--db", db)
        leaver = worker(redis_url, run_name, market, keywords)
        stayer = worker(redis_url, run_name, market, keywords)
        deadline = time.monotonic() + 60
        while not (
            market.requests["ok"] >= 8
            and any(f"-{leaver.pid}-".encode() in v for v in server.hvals(f"patroli:{run_name}:leases"))
        ):
            assert time.monotonic() < deadline, "the worker never held a lease"
            time.sleep(0.02)
        leaver.send_signal(signal.SIGTERM)
        leaver_output = finish(leaver, timeout=60)
        assert not any(f"-{leaver.pid}-".encode() in v for v in server.hvals(f"patroli:{run_name}:leases"))
        finish(stayer)
        finish(ingester)
        check_stored_exactly_once(db, catalogue, keywords, {"tokopedia": MAX_PAGES})
        # Scrapy's graceful stop lets the requests in flight finish (and commit); whatever had not
        # started is given back, so no lease of the stopped worker is left to expire.
        assert re.search(r"interrupted dalam [\d.]+ detik \(shutdown\)", leaver_output), leaver_output[-800:]
    finally:
        market.stop()
