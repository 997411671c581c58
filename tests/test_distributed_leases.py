"""The Redis side of a distributed patrol, step by step: leases, commits, expiry, completion.

These talk to a real redis-server (tests/redisserver.py); each test uses its own run name.
"""

from __future__ import annotations

import json
import time

import pytest
import redis

from crawler.archive import Capture
from crawler.ingest import Ingester
from crawler.items import Assessment, Flag, Listing, PageRecord, ScoredListing
from crawler.messages import Message, decode_message, encode_message, encode_record
from crawler.redis_run import DistributedError, RedisRun
from crawler.store import Store

pytest_plugins = ["tests.redisserver"]  # redis_url, run_name

PARAMS = {"marketplaces": ["fake"], "keywords": ["songket"], "max_pages": 3, "detail": False, "job": None}


@pytest.fixture
def run(redis_url, run_name):
    r = RedisRun(redis.Redis.from_url(redis_url), run_name)
    yield r
    for key in r.server.scan_iter(match=f"{r.prefix}:*"):
        r.server.delete(key)


def opened(run: RedisRun) -> RedisRun:
    assert run.join(PARAMS) == ("opened", 1)
    return run


def test_join_opens_a_generation_and_refuses_other_parameters(run):
    opened(run)
    assert run.join(PARAMS) == ("joined", 1)
    with pytest.raises(DistributedError, match="sedang berjalan dengan parameter lain"):
        run.join({**PARAMS, "keywords": ["batik"]})
    with pytest.raises(DistributedError, match="nama patroli"):
        RedisRun(run.server, "a b")


def test_push_deduplicates_atomically_and_pop_is_a_lease(run):
    opened(run)
    assert run.push("fake", "fp1", 0, b"page-1") == 1
    assert run.push("fake", "fp1", 0, b"page-1 again") == 0  # same fingerprint
    assert run.push("fake", None, 0, b"retry") == 1  # dont_filter
    assert run.push("fake", "fp2", -5, b"urgent") == 1  # priority 5: first out
    run.heartbeat("w1", 5000)
    token, member = run.pop("fake", "w1", 5000)
    assert member.endswith(b"|urgent")
    token2, member2 = run.pop("fake", "w1", 5000)
    assert member2.endswith(b"|page-1")  # same priority: first in, first out
    status = run.status()
    assert (status.queued, status.leased, status.workers_alive) == (1, 2, 1)


def test_commit_publishes_records_and_children_with_the_ack_in_one_step(run):
    opened(run)
    run.push("fake", "fp1", 0, b"page-1")
    token, _ = run.pop("fake", "w1", 5000)
    added = run.commit(
        token, "w1", "fake", '{"id": "x", "records": []}', [("fp2", 0, b"page-2"), ("fp1", 0, b"dup")]
    )
    assert added == 1  # page-1's fingerprint was seen already
    assert run.server.lrange(run.items, 0, -1) == [b'{"id": "x", "records": []}']
    assert run.server.hlen(run.leases) == 0 and run.server.hlen(run.inflight) == 0
    # A second commit of the same lease publishes nothing.
    assert run.commit(token, "w1", "fake", '{"id": "x"}', []) == -1
    assert run.server.llen(run.items) == 1


def test_a_dead_workers_lease_goes_back_to_the_queue_and_its_late_commit_is_refused(run):
    opened(run)
    run.push("fake", "fp1", 0, b"page-1")
    token, member = run.pop("fake", "w1", 200)  # heartbeat lives 0.2 s
    assert run.requeue_expired() == 0  # w1 is alive
    time.sleep(0.3)
    assert run.requeue_expired() == 1
    assert run.server.zrange(run.queue("fake"), 0, -1) == [member]  # exactly as it was queued
    token2, member2 = run.pop("fake", "w2", 5000)
    assert member2 == member and token2 != token
    # w1 wakes up and tries to publish its copy: refused, nothing published.
    assert run.commit(token, "w1", "fake", '{"id": "late"}', [("fp9", 0, b"child")]) == -1
    assert run.server.llen(run.items) == 0 and run.server.zcard(run.queue("fake")) == 0
    assert run.commit(token2, "w2", "fake", '{"id": "ok"}', []) == 0
    assert run.server.lrange(run.items, 0, -1) == [b'{"id": "ok"}']


def test_a_retry_takes_over_its_parents_lease(run):
    opened(run)
    run.push("fake", "fp1", 0, b"page-1")
    token, _ = run.pop("fake", "w1", 5000)
    # The failed attempt's capture row goes out in the same step as the hand-over.
    message = json.dumps({"id": token, "records": []})
    assert run.push("fake", None, 0, b"page-1 retry", hand_over=token, worker="w1", message=message) == 1
    assert run.server.hlen(run.leases) == 0 and run.server.zcard(run.queue("fake")) == 1
    assert run.server.lrange(run.items, 0, -1) == [message.encode()]
    # A lease that is not ours any more is not handed over: no successor, no message.
    token, _ = run.pop("fake", "w1", 5000)
    assert run.push("fake", None, 0, b"x", hand_over=token, worker="w2", message='{"id": "no"}') == -2
    assert run.server.zcard(run.queue("fake")) == 0 and run.server.llen(run.items) == 1


def test_stopping_cleanly_gives_leases_back_at_once(run):
    opened(run)
    for i in range(3):
        run.push("fake", f"fp{i}", 0, f"p{i}".encode())
    run.pop("fake", "w1", 60_000)
    run.pop("fake", "w2", 60_000)
    assert run.leave("w1") == 1
    assert run.server.zcard(run.queue("fake")) == 2 and run.server.hlen(run.leases) == 1


def test_drained_and_complete_need_seeding_empty_queues_no_leases_and_everything_stored(run):
    assert run.drained(["fake"]) == 2  # not opened
    opened(run)
    assert run.drained(["fake"]) == 0  # not seeded yet
    run.push("fake", "fp1", 0, b"p1")
    run.mark_seeded("fake")
    assert run.drained(["fake"]) == 0  # queued
    token, _ = run.pop("fake", "w1", 5000)
    assert run.drained(["fake"]) == 0  # leased
    run.commit(token, "w1", "fake", '{"id": "1", "records": []}', [])
    assert run.drained(["fake"]) == 1
    assert run.complete(["fake"]) is False  # a message waits to be stored
    assert run.take(10) == [b'{"id": "1", "records": []}']
    assert run.complete(["fake"]) is False  # taken, not yet stored
    run.stored()
    assert run.complete(["fake"]) is True
    assert run.status().state == "done"
    assert run.server.exists(run.dupefilter("fake"), run.seq, run.queue("fake")) == 0
    # The run name can be used again: a new generation.
    assert run.join(PARAMS) == ("opened", 2)
    assert run.push("fake", "fp1", 0, b"p1") == 1  # a fresh dupefilter


def test_a_finished_run_refuses_new_requests(run):
    opened(run)
    run.mark_seeded("fake")
    assert run.complete(["fake"]) is True
    assert run.push("fake", "fp1", 0, b"p1") == -1
    assert run.pop("fake", "w1", 1000) is None


def test_records_round_trip_through_a_message():
    flag = Flag("tokopedia", "1", "BELOW_FLOOR", "high", 0.9, "di bawah harga", "below floor", {"floor": 1})
    assessment = Assessment("tokopedia", "1", "batik_tulis", 0.8, 80, flags=[flag])
    listing = Listing("tokopedia", "1", "https://t/1", "Batik tulis", price_idr=150000, is_cross_border=False)
    page = PageRecord(
        "tokopedia", "https://t/s", "ok", 200, keyword="batik", listings_found=1, capture_id="c1"
    )
    capture = Capture(
        "c1",
        "https://t/s",
        "2024-05-01T00:00:00.000001Z",
        200,
        "patroli-x.warc.gz",
        0,
        10,
        "ab" * 32,
        5,
        "r",
        "q",
    )
    records = [encode_record(ScoredListing(listing, assessment)), encode_record(page), encode_record(capture)]
    message = decode_message(encode_message("7", records))
    assert message == Message("7", [ScoredListing(listing, assessment)], [page], [capture])
    assert encode_record(object()) is None
    with pytest.raises(ValueError, match="jenis rekaman tidak dikenal"):
        decode_message(json.dumps({"id": "1", "records": [{"t": "seller"}]}))


def test_the_ingester_stores_each_message_once_even_after_a_crash(run, redis_url, tmp_path):
    opened(run)
    run.mark_seeded("fake")
    listing = Listing("tokopedia", "1", "https://t/1", "Batik tulis", price_idr=150000)
    message = encode_message("41", [encode_record(ScoredListing(listing))])
    run.server.rpush(run.items, message, b"not json")
    # An ingester that died after storing but before clearing its 'ingesting' list:
    ingester = Ingester(redis_url, run.run, str(tmp_path / "p.db"), echo=lambda s: None)
    crawl_id = ingester.crawl_row(run.params())
    taken = run.take(10)
    assert taken == [message.encode(), b"not json"]
    assert ingester.store_messages(crawl_id, taken) == 1
    run.server.rpush(run.ingesting, message)  # ... as if the DEL never happened
    ingester.close()
    again = Ingester(redis_url, run.run, str(tmp_path / "p.db"), echo=lambda s: None)
    summary = again.run(wait=5)
    again.close()
    assert summary["crawl"]["id"] == crawl_id and summary["crawl"]["status"] == "finished"
    store = Store(tmp_path / "p.db")
    assert store.count("listings") == 1 and store.count("listing_snapshots") == 1
    assert store.db["ingest_log"].count == 1
    assert run.server.lrange(run.rejected, 0, -1) == [b"not json"]


def test_only_one_ingester_writes_a_run(run, redis_url, tmp_path):
    opened(run)
    first = Ingester(redis_url, run.run, str(tmp_path / "p.db"), echo=lambda s: None)
    first._hold_lock()
    second = Ingester(redis_url, run.run, str(tmp_path / "q.db"), echo=lambda s: None)
    with pytest.raises(DistributedError, match="hanya satu penulis basis data"):
        second.run(wait=1)
    first.close()
    second.close()
