"""Patrolling beyond one machine: scrapy-redis workers with leases, and one ingester that writes SQLite.

`patroli crawl M... --redis redis://HOST:6379/0 --run NAME` makes this process a worker of the
distributed patrol NAME; start as many as you like, on as many machines. `patroli ingest --redis ...
--run NAME` is the single writer: it stores what the workers found and closes the crawl row when the
patrol is complete. A worker never opens the database.

Built on scrapy-redis (its connection, request serialisation, fingerprints and scheduler), with one
change of semantics. In scrapy-redis a popped request is gone from the queue: a worker killed while
fetching it loses it. Here a pop is a *lease*:

    pop      queue -> inflight[token] + leases[token] = worker|spider|score      (one Lua script)
    commit   the request's children are queued (deduplicated), its records are pushed to the items
             list as ONE message, and the lease is dropped                      (one Lua script)

A worker holds its leases while its heartbeat key lives (PATROLI_REDIS_LEASE_SECONDS, refreshed every
PATROLI_REDIS_HEARTBEAT). Every worker and the ingester re-queue the leases of a worker whose heartbeat
expired. So a killed worker's requests are fetched again by another, and because the records and
children of a request are published atomically with its ack, what a killed worker had half-done is
never published: nothing is lost, and nothing is stored twice. A worker that was only slow (its lease
re-queued meanwhile) finds its lease gone at commit and drops its copy.

A request's processing is complete when Scrapy's scraper has finished with its response (callback,
item pipelines, scheduling of the requests it yielded): the scraper's `enqueue_scrape` is wrapped to
learn that moment, item_scraped stages each record under the response's lease, and the spider
middleware tags the requests a response yields with the lease of their parent.

The ingester moves messages to an `ingesting` list before writing them, and records each message id in
SQLite (table ingest_log) in the same transaction as its records: a restarted ingester neither loses
nor repeats a message.

The patrol is complete when one worker has queued all its start requests (`seeded`), the queues are
empty, no lease is held, and every message is stored. A run name can then be used again: the next
worker to join opens a new crawl (a new generation of the run).

Redis keys, under patroli:<run>: meta (hash), q:<spider> (zset), df:<spider> (set), inflight, leases
(hashes), hb:<worker> (string with TTL), items, ingesting, rejected (lists), seq (counter), ingester.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import signal
import socket
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy_redis.queue import Base as RedisQueueBase
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from crawler.archive import Capture, WarcCaptureMiddleware, exchange_from_scrapy
from crawler.items import Assessment, Flag, Listing, PageRecord, ScoredListing
from crawler.normalize import utc_now

logger = logging.getLogger(__name__)

LEASE_META = "patroli_lease"  # the token of the lease a popped request is fetched under
PARENT_META = "patroli_parent"  # the lease of the response that yielded a request
_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class DistributedError(RuntimeError):
    """A distributed patrol that cannot go on; the message says why and what to do."""


# -- the Redis side: keys and atomic scripts --------------------------------------------------------

_JOIN = """
local meta = KEYS[1]
local state = redis.call('HGET', meta, 'state')
if state == 'running' then
  local params = redis.call('HGET', meta, 'params')
  if params ~= ARGV[1] then return {'mismatch', params} end
  return {'joined', redis.call('HGET', meta, 'gen')}
end
local gen = tonumber(redis.call('HGET', meta, 'gen') or '0') + 1
redis.call('DEL', meta)
redis.call('HSET', meta, 'state', 'running', 'gen', gen, 'params', ARGV[1], 'started_at', ARGV[2])
return {'opened', tostring(gen)}
"""

# KEYS: queue, inflight, leases, hb, meta, seq   ARGV: worker, spider, ttl_ms
_POP = """
if redis.call('HGET', KEYS[5], 'state') ~= 'running' then return false end
redis.call('SET', KEYS[4], '1', 'PX', ARGV[3])
local got = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #got == 0 then return false end
redis.call('ZREM', KEYS[1], got[1])
local token = tostring(redis.call('INCR', KEYS[6]))
redis.call('HSET', KEYS[2], token, got[1])
redis.call('HSET', KEYS[3], token, ARGV[1] .. '|' .. ARGV[2] .. '|' .. got[2])
return {token, got[1]}
"""

# KEYS: queue, dupefilter, meta, seq, inflight, leases, items
# ARGV: fingerprint ('' = dont_filter), score, data, lease to hand over ('' = none), worker,
#       message of the lease handed over ('' = none)
_PUSH = """
if redis.call('HGET', KEYS[3], 'state') ~= 'running' then return -1 end
if ARGV[4] ~= '' then
  local owner = redis.call('HGET', KEYS[6], ARGV[4])
  if not owner or string.sub(owner, 1, #ARGV[5] + 1) ~= ARGV[5] .. '|' then return -2 end
  redis.call('HDEL', KEYS[5], ARGV[4])
  redis.call('HDEL', KEYS[6], ARGV[4])
  if ARGV[6] ~= '' then redis.call('RPUSH', KEYS[7], ARGV[6]) end
end
if ARGV[1] ~= '' and redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
local seq = redis.call('INCR', KEYS[4])
redis.call('ZADD', KEYS[1], ARGV[2], string.format('%012d', seq) .. '|' .. ARGV[3])
return 1
"""

# KEYS: inflight, leases, items, seq, queue, dupefilter
# ARGV: token, worker, message ('' = no records), then (fingerprint, score, data) per child
_COMMIT = """
local owner = redis.call('HGET', KEYS[2], ARGV[1])
if not owner or string.sub(owner, 1, #ARGV[2] + 1) ~= ARGV[2] .. '|' then return -1 end
local added = 0
for i = 4, #ARGV, 3 do
  if ARGV[i] == '' or redis.call('SADD', KEYS[6], ARGV[i]) == 1 then
    local seq = redis.call('INCR', KEYS[4])
    redis.call('ZADD', KEYS[5], ARGV[i + 1], string.format('%012d', seq) .. '|' .. ARGV[i + 2])
    added = added + 1
  end
end
if ARGV[3] ~= '' then redis.call('RPUSH', KEYS[3], ARGV[3]) end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return added
"""

# KEYS: inflight, leases   ARGV: key prefix, worker ('' = every worker whose heartbeat expired)
_REQUEUE = """
local leases = redis.call('HGETALL', KEYS[2])
local n = 0
for i = 1, #leases, 2 do
  local token, value = leases[i], leases[i + 1]
  local worker, spider, score = string.match(value, '^(.*)|([^|]*)|([^|]*)$')
  local release = false
  if ARGV[2] == '' then
    release = redis.call('EXISTS', ARGV[1] .. ':hb:' .. worker) == 0
  else
    release = worker == ARGV[2]
  end
  if release then
    local member = redis.call('HGET', KEYS[1], token)
    if member then redis.call('ZADD', ARGV[1] .. ':q:' .. spider, score, member) end
    redis.call('HDEL', KEYS[1], token)
    redis.call('HDEL', KEYS[2], token)
    n = n + 1
  end
end
return n
"""

# KEYS: meta, leases   ARGV: key prefix, spider...
# 1: every listed spider is seeded, its queue empty and no lease of it is held; 0: not yet;
# 2: the run is not running (finished, or never opened)
_DRAINED = """
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 2 end
local busy = {}
local leases = redis.call('HVALS', KEYS[2])
for i = 1, #leases do
  local spider = string.match(leases[i], '^.*|([^|]*)|[^|]*$')
  busy[spider] = true
end
for i = 2, #ARGV do
  local spider = ARGV[i]
  if redis.call('HGET', KEYS[1], 'seeded:' .. spider) ~= '1' then return 0 end
  if redis.call('ZCARD', ARGV[1] .. ':q:' .. spider) > 0 then return 0 end
  if busy[spider] then return 0 end
end
return 1
"""

# KEYS: meta, leases, items, ingesting   ARGV: key prefix, finished_at, spider...
_COMPLETE = """
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
if redis.call('HLEN', KEYS[2]) > 0 then return 0 end
if redis.call('LLEN', KEYS[3]) > 0 or redis.call('LLEN', KEYS[4]) > 0 then return 0 end
for i = 3, #ARGV do
  if redis.call('HGET', KEYS[1], 'seeded:' .. ARGV[i]) ~= '1' then return 0 end
  if redis.call('ZCARD', ARGV[1] .. ':q:' .. ARGV[i]) > 0 then return 0 end
end
redis.call('HSET', KEYS[1], 'state', 'done', 'finished_at', ARGV[2])
for i = 3, #ARGV do
  redis.call('DEL', ARGV[1] .. ':q:' .. ARGV[i], ARGV[1] .. ':df:' .. ARGV[i])
end
redis.call('DEL', ARGV[1] .. ':inflight', ARGV[1] .. ':seq')
return 1
"""

# KEYS: items, ingesting   ARGV: how many
_TAKE = """
local msgs = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #msgs > 0 then
  redis.call('RPUSH', KEYS[2], unpack(msgs))
  redis.call('LTRIM', KEYS[1], #msgs, -1)
end
return msgs
"""


@dataclass(frozen=True, slots=True)
class RunStatus:
    state: str | None  # running | done | None (never opened)
    gen: int
    queued: int
    leased: int
    items: int
    workers_alive: int
    seeded: tuple[str, ...]

    def text(self) -> str:
        return (
            f"antrean {self.queued}, sedang dikerjakan {self.leased}, pesan menunggu {self.items}, "
            f"worker hidup {self.workers_alive}"
        )


class RedisRun:
    """The Redis keys of one distributed patrol and the atomic steps that change them."""

    def __init__(self, server: redis.Redis, run: str):
        if not _RUN_NAME.match(run or ""):
            raise DistributedError(
                f"nama patroli {run!r}: huruf, angka, '-', '_' atau '.' (paling banyak 64)"
            )
        self.server = server
        self.run = run
        self.prefix = f"patroli:{run}"
        self.meta = f"{self.prefix}:meta"
        self.inflight = f"{self.prefix}:inflight"
        self.leases = f"{self.prefix}:leases"
        self.items = f"{self.prefix}:items"
        self.ingesting = f"{self.prefix}:ingesting"
        self.rejected = f"{self.prefix}:rejected"
        self.seq = f"{self.prefix}:seq"
        self.workers = f"{self.prefix}:workers"
        self.ingester_lock = f"{self.prefix}:ingester"
        self._join = server.register_script(_JOIN)
        self._pop = server.register_script(_POP)
        self._push = server.register_script(_PUSH)
        self._commit = server.register_script(_COMMIT)
        self._requeue = server.register_script(_REQUEUE)
        self._drained = server.register_script(_DRAINED)
        self._complete = server.register_script(_COMPLETE)
        self._take = server.register_script(_TAKE)

    @classmethod
    def connect(cls, url: str, run: str) -> RedisRun:
        try:
            server = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=30)
            server.ping()
        except (redis.ConnectionError, redis.TimeoutError, ValueError) as exc:
            raise DistributedError(f"Redis di {url} tidak bisa dihubungi: {exc}") from exc
        return cls(server, run)

    def queue(self, spider: str) -> str:
        return f"{self.prefix}:q:{spider}"

    def dupefilter(self, spider: str) -> str:
        return f"{self.prefix}:df:{spider}"

    def heartbeat_key(self, worker: str) -> str:
        return f"{self.prefix}:hb:{worker}"

    # -- workers --------------------------------------------------------------------------------

    def join(self, params: dict[str, Any]) -> tuple[str, int]:
        """Join the running generation of this run, or open a new one. ('opened'|'joined', gen)."""
        encoded = json.dumps(params, sort_keys=True, ensure_ascii=False)
        state, value = self._join(keys=[self.meta], args=[encoded, utc_now()])
        state = state.decode()
        if state == "mismatch":
            theirs = json.loads(value)
            raise DistributedError(
                f"patroli terdistribusi {self.run!r} sedang berjalan dengan parameter lain "
                f"({_describe_params(theirs)}; di sini: {_describe_params(params)}). Jalankan worker "
                f"dengan parameter yang sama, pakai --run lain, atau hentikan yang lama dengan "
                f"`patroli ingest --redis URL --run {self.run} --abandon`"
            )
        return state, int(value)

    def params(self) -> dict[str, Any] | None:
        raw = self.server.hget(self.meta, "params")
        return json.loads(raw) if raw else None

    def heartbeat(self, worker: str, ttl_ms: int) -> None:
        with self.server.pipeline() as pipe:
            pipe.set(self.heartbeat_key(worker), "1", px=ttl_ms)
            pipe.sadd(self.workers, worker)
            pipe.execute()

    def leave(self, worker: str) -> int:
        """A worker stopping cleanly gives its unfinished leases back at once."""
        released = self._requeue(keys=[self.inflight, self.leases], args=[self.prefix, worker])
        with self.server.pipeline() as pipe:
            pipe.delete(self.heartbeat_key(worker))
            pipe.srem(self.workers, worker)
            pipe.execute()
        return int(released)

    def pop(self, spider: str, worker: str, ttl_ms: int) -> tuple[str, bytes] | None:
        got = self._pop(
            keys=[
                self.queue(spider),
                self.inflight,
                self.leases,
                self.heartbeat_key(worker),
                self.meta,
                self.seq,
            ],
            args=[worker, spider, ttl_ms],
        )
        if not got:
            return None
        token, member = got
        return token.decode(), member

    def push(
        self,
        spider: str,
        fingerprint: str | None,
        score: float,
        data: bytes,
        *,
        hand_over: str | None = None,
        worker: str = "",
        message: str | None = None,
    ) -> int:
        """Queue a request unless its fingerprint was seen. 1 queued, 0 duplicate, -1 run not
        running, -2 the lease it takes over is no longer this worker's (then nothing is done).
        `message`: the records of the lease handed over, published with the hand-over."""
        return int(
            self._push(
                keys=[
                    self.queue(spider),
                    self.dupefilter(spider),
                    self.meta,
                    self.seq,
                    self.inflight,
                    self.leases,
                    self.items,
                ],
                args=[fingerprint or "", score, data, hand_over or "", worker, message or ""],
            )
        )

    def commit(
        self,
        token: str,
        worker: str,
        spider: str,
        message: str | None,
        children: Sequence[tuple[str | None, float, bytes]] = (),
    ) -> int:
        """Publish a request's records and children and drop its lease, atomically.

        Returns the number of children queued, or -1 when the lease is no longer this worker's (it was
        re-queued after a missed heartbeat): then nothing is published."""
        args: list[Any] = [token, worker, message or ""]
        for fingerprint, score, data in children:
            args += [fingerprint or "", score, data]
        return int(
            self._commit(
                keys=[
                    self.inflight,
                    self.leases,
                    self.items,
                    self.seq,
                    self.queue(spider),
                    self.dupefilter(spider),
                ],
                args=args,
            )
        )

    def mark_seeded(self, spider: str) -> None:
        self.server.hset(self.meta, f"seeded:{spider}", "1")

    def requeue_expired(self) -> int:
        """Give the leases of every worker whose heartbeat expired back to the queues."""
        return int(self._requeue(keys=[self.inflight, self.leases], args=[self.prefix, ""]))

    def drained(self, spiders: Iterable[str]) -> int:
        return int(self._drained(keys=[self.meta, self.leases], args=[self.prefix, *spiders]))

    # -- the ingester ---------------------------------------------------------------------------

    def take(self, count: int) -> list[bytes]:
        return list(self._take(keys=[self.items, self.ingesting], args=[count]))

    def pending_ingest(self) -> list[bytes]:
        return list(self.server.lrange(self.ingesting, 0, -1))

    def stored(self) -> None:
        self.server.delete(self.ingesting)

    def reject(self, message: bytes) -> None:
        self.server.rpush(self.rejected, message)

    def complete(self, spiders: Iterable[str]) -> bool:
        return bool(
            self._complete(
                keys=[self.meta, self.leases, self.items, self.ingesting],
                args=[self.prefix, utc_now(), *spiders],
            )
        )

    def abandon(self) -> None:
        """Stop a run for good: its queues, leases and unstored messages are dropped."""
        keys = list(self.server.scan_iter(match=f"{self.prefix}:*", count=500))
        keys = [k for k in keys if k.decode() != self.meta]
        if keys:
            self.server.delete(*keys)
        self.server.hset(self.meta, mapping={"state": "done", "finished_at": utc_now(), "abandoned": "1"})

    def status(self) -> RunStatus:
        meta = {k.decode(): v.decode() for k, v in self.server.hgetall(self.meta).items()}
        params = json.loads(meta["params"]) if "params" in meta else {}
        spiders = params.get("marketplaces", [])
        with self.server.pipeline() as pipe:
            for spider in spiders:
                pipe.zcard(self.queue(spider))
            pipe.hlen(self.leases)
            pipe.llen(self.items)
            pipe.smembers(self.workers)
            answers = pipe.execute()
        queued = sum(answers[: len(spiders)])
        leased, items, workers = answers[len(spiders) :]
        # A worker process has one identity per spider (WORKER.SPIDER): count processes.
        alive = len(
            {
                w.decode().rsplit(".", 1)[0]
                for w in workers
                if self.server.exists(self.heartbeat_key(w.decode()))
            }
        )
        return RunStatus(
            state=meta.get("state"),
            gen=int(meta.get("gen", 0)),
            queued=queued,
            leased=leased,
            items=items,
            workers_alive=alive,
            seeded=tuple(s for s in spiders if meta.get(f"seeded:{s}") == "1"),
        )


def _describe_params(params: dict[str, Any]) -> str:
    return (
        f"marketplace {', '.join(params.get('marketplaces', []))}; "
        f"{len(params.get('keywords', []))} kata kunci; halaman {params.get('max_pages')}"
    )


# -- records through Redis ----------------------------------------------------------------------


def _plain(record: Any) -> dict[str, Any]:
    """A flat dataclass as a dict. dataclasses.asdict deep-copies every value: on a worker that was a
    sixth of the CPU per listing, for records whose values are strings and numbers."""
    return {name: getattr(record, name) for name in _field_names(type(record))}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def encode_record(item: Any) -> dict[str, Any] | None:
    """A pipeline's output as JSON-ready data, or None for what the store does not keep."""
    if isinstance(item, ScoredListing | Listing):
        listing = item.listing if isinstance(item, ScoredListing) else item
        assessment = item.assessment if isinstance(item, ScoredListing) else None
        encoded = None
        if assessment is not None:
            encoded = _plain(assessment)
            encoded["flags"] = [_plain(flag) for flag in assessment.flags]
        return {"t": "listing", "listing": _plain(listing), "assessment": encoded}
    if isinstance(item, PageRecord):
        return {"t": "page", "page": _plain(item)}
    if isinstance(item, Capture):
        return {"t": "capture", "capture": _plain(item)}
    return None


def encode_message(message_id: str, records: list[dict[str, Any]]) -> str:
    return json.dumps({"id": message_id, "records": records}, ensure_ascii=False, default=str)


@dataclass(slots=True)
class Message:
    """What one request produced, as the ingester stores it (in one transaction)."""

    id: str
    listings: list[ScoredListing] = field(default_factory=list)
    pages: list[PageRecord] = field(default_factory=list)
    captures: list[Capture] = field(default_factory=list)  # the WARC records of its responses


def decode_message(raw: bytes | str) -> Message:
    """One Redis message -> Message. Raises ValueError on anything else."""
    data = json.loads(raw)
    message = Message(str(data["id"]))
    for record in data["records"]:
        if record["t"] == "listing":
            assessment = record.get("assessment")
            if assessment is not None:
                flags = [Flag(**f) for f in assessment.pop("flags", [])]
                assessment = Assessment(**assessment, flags=flags)
            message.listings.append(ScoredListing(Listing(**record["listing"]), assessment))
        elif record["t"] == "page":
            message.pages.append(PageRecord(**record["page"]))
        elif record["t"] == "capture":
            message.captures.append(Capture(**record["capture"]))
        else:
            raise ValueError(f"jenis rekaman tidak dikenal: {record['t']!r}")
    return message


# -- the worker side: Scrapy components ---------------------------------------------------------


@dataclass
class WorkUnit:
    """What one leased request produced so far: published together when its processing ends."""

    records: list[dict[str, Any]] = field(default_factory=list)
    children: list[Request] = field(default_factory=list)


class Worker:
    """This process's part in a distributed patrol, for one crawler (one spider)."""

    _by_crawler: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.run = RedisRun.connect(settings.get("REDIS_URL"), settings.get("PATROLI_REDIS_RUN"))
        # One identity per spider: the spiders of one process end at different times, and a spider
        # that ends gives back its own leases only, never those of a spider still crawling.
        base = settings.get("PATROLI_REDIS_WORKER") or worker_id()
        self.worker_id = f"{base}.{crawler.spidercls.name}"
        self.ttl_ms = int(settings.getfloat("PATROLI_REDIS_LEASE_SECONDS", 15.0) * 1000)
        self.heartbeat_every = settings.getfloat("PATROLI_REDIS_HEARTBEAT", 2.0)
        self.poll_every = settings.getfloat("PATROLI_REDIS_POLL", 0.2)
        self.units: dict[str, WorkUnit] = {}
        self.spider_name: str | None = None
        self.fingerprint: Callable[[Request], str] | None = None
        self.encode: Callable[[Request], bytes] | None = None
        self._loops: list = []

    @classmethod
    def of(cls, crawler) -> Worker:
        worker = cls._by_crawler.get(crawler)
        if worker is None:
            worker = cls._by_crawler[crawler] = cls(crawler)
        return worker

    @property
    def stats(self):
        return self.crawler.stats

    def open(self, spider, fingerprint, encode) -> None:
        from twisted.internet import task

        self.spider_name = spider.name
        self.fingerprint = fingerprint
        self.encode = encode
        self.run.heartbeat(self.worker_id, self.ttl_ms)
        signals_ = self.crawler.signals
        signals_.connect(self.item_scraped, signal=signals.item_scraped)
        signals_.connect(self.spider_idle, signal=signals.spider_idle)
        self._wrap_scraper()
        beat = task.LoopingCall(self.beat)
        beat.start(self.heartbeat_every, now=False)
        # Scrapy asks an idle scheduler again only every 5 s; the shared queue fills from other
        # machines, so ask sooner.
        poke = task.LoopingCall(self.poke)
        poke.start(self.poll_every, now=False)
        self._loops = [beat, poke]

    def close(self, reason: str) -> None:
        for loop in self._loops:
            if loop.running:
                loop.stop()
        released = self.run.leave(self.worker_id)
        if released:
            self.stats.inc_value("patroli/redis/leases_released", released)
            logger.info("%d permintaan yang belum selesai dikembalikan ke antrean", released)

    def beat(self) -> None:
        try:
            self.run.heartbeat(self.worker_id, self.ttl_ms)
            requeued = self.run.requeue_expired()
        except redis.RedisError as exc:
            logger.warning("Redis: detak gagal (%s); dicoba lagi", exc)
            return
        if requeued:
            self.stats.inc_value("patroli/redis/leases_requeued", requeued)
            logger.warning("%d permintaan dari worker yang mati dikembalikan ke antrean", requeued)

    def poke(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    def spider_idle(self, spider) -> None:
        try:
            state = self.run.drained([spider.name])
        except redis.RedisError as exc:
            # Not knowing is not "done": wait for Redis rather than end the patrol early.
            logger.warning("Redis: status patroli tidak terbaca (%s); menunggu", exc)
            raise DontCloseSpider from exc
        if state == 0:
            raise DontCloseSpider

    def _wrap_scraper(self) -> None:
        scraper = self.crawler.engine.scraper
        original = scraper.enqueue_scrape

        def enqueue_scrape(result, request):
            d = original(result, request)
            d.addBoth(self._scraped, request)
            return d

        scraper.enqueue_scrape = enqueue_scrape

    # -- units of work ------------------------------------------------------------------------

    def leased(self, token: str) -> None:
        self.units[token] = WorkUnit()

    def item_scraped(self, item, response, spider) -> None:
        request = getattr(response, "request", None)
        self.stage(request.meta.get(LEASE_META) if request is not None else None, item)

    def stage(self, token: str | None, item: Any) -> None:
        """Keep a record for the commit of its request's lease (or publish it alone: no lease)."""
        record = encode_record(item)
        if record is None:
            self.stats.inc_value("patroli/redis/records_unencodable")
            logger.error("rekaman %s tidak bisa dikirim lewat Redis; dilewati", type(item).__name__)
            return
        unit = self.units.get(token) if token else None
        if unit is not None:
            unit.records.append(record)
            return
        # A record with no lease (an item from start(), the capture of robots.txt): on its own.
        self.run.server.rpush(
            self.run.items, encode_message(f"{self.worker_id}:{secrets.token_hex(6)}", [record])
        )

    def adopt(self, request: Request) -> bool:
        """A request yielded while processing a leased response waits for its parent's commit."""
        parent = request.meta.pop(PARENT_META, None)
        unit = self.units.get(parent) if parent else None
        if unit is None:
            return False
        unit.children.append(request)
        return True

    def _scraped(self, result, request: Request):
        token = request.meta.get(LEASE_META)
        unit = self.units.pop(token, None) if token else None
        if unit is not None:
            self.commit(token, unit)
        return result

    def commit(self, token: str, unit: WorkUnit) -> None:
        children = []
        for child in unit.children:
            child.meta.pop(LEASE_META, None)
            fingerprint = None if child.dont_filter else self.fingerprint(child)
            children.append((fingerprint, -child.priority, self.encode(child)))
        message = encode_message(token, unit.records) if unit.records else None
        try:
            added = self.run.commit(token, self.worker_id, self.spider_name, message, children)
        except redis.RedisError as exc:
            # Not published, lease kept: when this worker dies or stops, the request is fetched again.
            logger.error("Redis: hasil permintaan %s tidak terkirim (%s)", token, exc)
            self.stats.inc_value("patroli/redis/commit_errors")
            return
        if added < 0:
            self.stats.inc_value("patroli/redis/leases_lost")
            logger.warning("sewa %s sudah diambil alih worker lain; hasil salinan ini dibuang", token)
            return
        self.stats.inc_value("patroli/redis/committed")
        self.stats.inc_value("patroli/redis/records", len(unit.records))
        self.stats.inc_value("patroli/redis/children_queued", added)


def worker_id() -> str:
    host = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname())[:40]
    return f"{host}-{os.getpid()}-{secrets.token_hex(2)}"


class LeasedQueue(RedisQueueBase):
    """scrapy-redis's per-spider priority queue, where a pop is a lease (see the module docstring)."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.worker = Worker.of(spider.crawler)
        self.name = spider.name

    def __len__(self) -> int:
        return self.worker.run.server.zcard(self.worker.run.queue(self.name))

    def encode(self, request: Request) -> bytes:
        transient = {k: request.meta.pop(k) for k in (LEASE_META, PARENT_META) if k in request.meta}
        try:
            return self._encode_request(request)
        finally:
            request.meta.update(transient)

    def push(self, request: Request, fingerprint: str | None = None) -> int:
        hand_over = request.meta.pop(LEASE_META, None)
        request.meta.pop(PARENT_META, None)
        unit = self.worker.units.get(hand_over) if hand_over else None
        # A retry or redirect of a leased request takes over the lease; what the attempt left (the
        # capture of a 503 is evidence too) is published in the same step.
        message = encode_message(hand_over, unit.records) if unit is not None and unit.records else None
        result = self.worker.run.push(
            self.name,
            fingerprint,
            -request.priority,
            self._encode_request(request),
            hand_over=hand_over,
            worker=self.worker.worker_id,
            message=message,
        )
        if hand_over and result != -2:
            self.worker.units.pop(hand_over, None)
        return result

    def pop(self, timeout: int = 0) -> Request | None:
        try:
            got = self.worker.run.pop(self.name, self.worker.worker_id, self.worker.ttl_ms)
        except redis.RedisError as exc:
            logger.warning("Redis: antrean tidak terbaca (%s); dicoba lagi", exc)
            return None
        if got is None:
            return None
        token, member = got
        request = self._decode_request(member.split(b"|", 1)[1])
        request.meta[LEASE_META] = token
        self.worker.leased(token)
        return request


class LeasedScheduler(RedisScheduler):
    """scrapy-redis's scheduler over LeasedQueue; deduplication happens inside the queue's scripts."""

    def open(self, spider):
        super().open(spider)
        self.worker = Worker.of(spider.crawler)
        self.worker.open(spider, self.df.request_fingerprint, self.queue.encode)

    def close(self, reason):
        # The queue, the dupefilter and the leases belong to the run, not to this worker: they stay
        # (the ingester clears them when the patrol is complete). Only this worker's leases go back.
        self.worker.close(reason)

    def enqueue_request(self, request: Request) -> bool:
        if self.worker.adopt(request):
            return True
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        result = self.queue.push(request, fingerprint)
        if result == 0:
            self.df.log(request, self.spider)
            return False
        if result == -1:
            logger.info("patroli %s sudah selesai; permintaan tidak diantrekan", self.worker.run.run)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return result == 1

    def next_request(self) -> Request | None:
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0


class LeaseMiddleware(BaseSpiderMiddleware):
    """Tags each request a response yields with the response's lease, and says when this worker has
    queued all its start requests."""

    def get_processed_request(self, request: Request, response) -> Request:
        if response is not None and (token := response.meta.get(LEASE_META)):
            request.meta[PARENT_META] = token
        return request

    async def process_start(self, start):
        async for item_or_request in start:
            yield item_or_request
        # The engine asks for the next start request only after it queued the previous one.
        spider = self.crawler.spider
        Worker.of(self.crawler).run.mark_seeded(spider.name)


class CaptureMiddleware(WarcCaptureMiddleware):
    """WARC capture on a worker: the record goes to this machine's captures directory as always,
    its `captures` row goes through Redis with the request's other records (a worker never writes
    the database). The ingester stores the row under the patrol's crawl id."""

    def process_response(self, request, response, spider=None):
        capture = self.archive.write(exchange_from_scrapy(request, response))
        Worker.of(self.crawler).stage(request.meta.get(LEASE_META), capture)
        self.crawler.stats.inc_value("patroli/captures")
        self.crawler.stats.inc_value("patroli/capture_bytes", capture.payload_length)
        request.meta["capture_id"] = capture.capture_id
        return response


# -- running a worker ---------------------------------------------------------------------------


def distributed_settings(redis_url: str, run: str, base=None, **extra: Any) -> dict[str, Any]:
    """The settings that turn a crawl into a worker of the distributed patrol `run`.

    `base` (the project settings) keeps the project's item pipelines and spider middlewares, less
    the store pipeline: a worker never writes the database, its records leave through Redis.
    """
    pipelines = dict(base.getdict("ITEM_PIPELINES")) if base is not None else {}
    pipelines.pop("crawler.pipelines.StorePipeline", None)
    middlewares = dict(base.getdict("SPIDER_MIDDLEWARES")) if base is not None else {}
    middlewares["crawler.distributed.LeaseMiddleware"] = 10
    downloader = dict(base.getdict("DOWNLOADER_MIDDLEWARES")) if base is not None else {}
    if "crawler.archive.WarcCaptureMiddleware" in downloader:
        downloader["crawler.distributed.CaptureMiddleware"] = downloader.pop(
            "crawler.archive.WarcCaptureMiddleware"
        )
    return {
        "SCHEDULER": "crawler.distributed.LeasedScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": f"patroli:{run}:q:%(spider)s",
        "SCHEDULER_DUPEFILTER_KEY": f"patroli:{run}:df:%(spider)s",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_SERIALIZER": "scrapy_redis.picklecompat",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        "PATROLI_REDIS_RUN": run,
        "ITEM_PIPELINES": pipelines,
        "SPIDER_MIDDLEWARES": middlewares,
        "DOWNLOADER_MIDDLEWARES": downloader,
        **extra,
    }


def crawl_params(marketplaces: Sequence[str], keywords: Sequence[str], settings) -> dict[str, Any]:
    """What every worker of one run must agree on."""
    return {
        "marketplaces": list(marketplaces),
        "keywords": list(keywords),
        "max_pages": settings.getint("PATROLI_MAX_PAGES"),
        "detail": settings.getbool("PATROLI_DETAIL"),
        "job": settings.get("PATROLI_JOB"),
    }


@dataclass(frozen=True, slots=True)
class WorkerResult:
    run: str
    gen: int
    joined: str  # opened | joined
    worker: str
    status: str  # finished | interrupted | failed
    reason: str | None
    committed: int
    records: int
    released: int
    requeued: int
    leases_lost: int
    seconds: float
    remaining: RunStatus


def run_worker(
    marketplaces: Sequence[str],
    keywords: Sequence[str],
    redis_url: str,
    *,
    run: str | None = None,
    overrides: dict[str, Any] | None = None,
    job: str | None = None,
) -> WorkerResult:
    """Be one worker of a distributed patrol until its queues are drained (blocking)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.runner import crawl_status, project_settings, spider_classes

    run = run or job or "patroli"
    redis_run = RedisRun.connect(redis_url, run)
    me = worker_id()
    base = project_settings(overrides)
    settings = project_settings(
        {
            **(overrides or {}),
            **distributed_settings(redis_url, run, base, PATROLI_REDIS_WORKER=me, PATROLI_JOB=job),
        }
    )
    classes = spider_classes(settings, marketplaces)
    joined, gen = redis_run.join(crawl_params(marketplaces, keywords, settings))
    started = time.monotonic()
    process = CrawlerProcess(settings)
    crawlers = []
    for cls in classes:
        crawler = process.create_crawler(cls)
        crawlers.append(crawler)
        process.crawl(crawler, keywords=list(keywords))
    with contextlib.suppress(KeyboardInterrupt):
        process.start()
    status, reason = crawl_status(c.stats.get_value("finish_reason") for c in crawlers)

    def total(key: str) -> int:
        return sum(c.stats.get_value(key, 0) or 0 for c in crawlers)

    return WorkerResult(
        run=run,
        gen=gen,
        joined=joined,
        worker=me,
        status=status,
        reason=reason,
        committed=total("patroli/redis/committed"),
        records=total("patroli/redis/records"),
        released=total("patroli/redis/leases_released"),
        requeued=total("patroli/redis/leases_requeued"),
        leases_lost=total("patroli/redis/leases_lost"),
        seconds=time.monotonic() - started,
        remaining=redis_run.status(),
    )


def format_worker_summary(result: WorkerResult) -> str:
    verb = "membuka" if result.joined == "opened" else "bergabung dengan"
    lines = [
        f"Worker {result.worker} {verb} patroli {result.run!r} (generasi {result.gen}): "
        f"{result.status} dalam {result.seconds:.1f} detik"
        + (f" ({result.reason})" if result.reason else ""),
        f"  permintaan selesai: {result.committed}, rekaman dikirim: {result.records}, "
        f"dikembalikan ke antrean: {result.released}, diambil alih dari worker mati: {result.requeued}",
    ]
    if result.leases_lost:
        lines.append(f"  {result.leases_lost} hasil dibuang: sewanya sudah diambil alih worker lain")
    remaining = result.remaining
    if remaining.state == "running":
        lines.append(f"  patroli masih berjalan: {remaining.text()}")
    lines.append("  Hasil disimpan oleh `patroli ingest` (satu-satunya penulis basis data).")
    return "\n".join(lines)


# -- the ingester: the single writer ------------------------------------------------------------


class Ingester:
    """Stores the messages of one distributed patrol into SQLite, and closes its crawl row."""

    def __init__(
        self,
        redis_url: str,
        run: str,
        db: str,
        *,
        echo: Callable[[str], None] = print,
        batch: int = 200,
        poll: float = 0.2,
        report_every: float = 30.0,
        lock_seconds: float = 30.0,
        cluster: bool = True,
    ):
        from crawler.store import RunRecords, Store

        self.redis = RedisRun.connect(redis_url, run)
        self.store = Store(db)
        self.records = RunRecords(self.store)
        self.echo = echo
        self.batch = batch
        self.poll = poll
        self.report_every = report_every
        self.lock_ms = int(lock_seconds * 1000)
        self.me = worker_id()
        self.stopping = False
        self.stored_messages = 0
        self.cluster = cluster

    def request_stop(self) -> None:
        self.stopping = True

    def close(self) -> None:
        if self.redis.server.get(self.redis.ingester_lock) == self.me.encode():
            self.redis.server.delete(self.redis.ingester_lock)
        self.store.close()

    def _hold_lock(self) -> None:
        server = self.redis.server
        if server.set(self.redis.ingester_lock, self.me, nx=True, px=self.lock_ms):
            return
        holder = server.get(self.redis.ingester_lock)
        if holder == self.me.encode():
            server.pexpire(self.redis.ingester_lock, self.lock_ms)
            return
        raise DistributedError(
            f"ingester lain ({holder.decode() if holder else '?'}) sudah menyimpan patroli {self.redis.run!r}: "
            f"hanya satu penulis basis data"
        )

    def wait_for_run(self, wait: float | None) -> dict[str, Any] | None:
        deadline = None if wait is None else time.monotonic() + wait
        announced = False
        while not self.stopping:
            status = self.redis.server.hget(self.redis.meta, "state")
            if status == b"running":
                return self.redis.params()
            if not announced:
                self.echo(
                    f"menunggu patroli {self.redis.run!r} (jalankan `patroli crawl ... --redis ... --run {self.redis.run}`)"
                )
                announced = True
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(self.poll)
        return None

    def crawl_row(self, params: dict[str, Any]) -> int:
        server = self.redis.server
        existing = server.hget(self.redis.meta, "crawl_id")
        if existing:
            crawl_id = int(existing)
            if self.records.get(crawl_id)["status"] != "running":
                self.records.reopen(crawl_id)
            self.echo(f"melanjutkan patroli #{crawl_id}")
            return crawl_id
        crawl_id = self.store.start_crawl(
            params["marketplaces"],
            params["keywords"],
            job=params.get("job"),
            settings={**params, "redis_run": self.redis.run},
        )
        self.records.mark_scheduled(crawl_id, trigger="redis", scheduled_for=None)
        server.hset(self.redis.meta, "crawl_id", crawl_id)
        self.echo(f"patroli #{crawl_id}: menyimpan hasil patroli terdistribusi {self.redis.run!r}")
        return crawl_id

    def store_messages(self, crawl_id: int, raw_messages: list[bytes]) -> int:
        messages = []
        for raw in raw_messages:
            try:
                messages.append(decode_message(raw))
            except (ValueError, KeyError, TypeError) as exc:
                self.redis.reject(raw)  # kept for a person to look at, never dropped silently
                self.echo(f"pesan tidak bisa dibaca, disimpan di {self.redis.rejected}: {exc}")
        if messages:
            self.records.save_messages(crawl_id, messages)
        self.redis.stored()
        self.stored_messages += len(messages)
        return len(messages)

    def run_once(self, crawl_id: int, spiders: list[str]) -> str:
        """One step: 'stored' | 'idle' | 'complete'."""
        self._hold_lock()
        self.redis.requeue_expired()
        taken = self.redis.take(self.batch)
        if taken:
            self.store_messages(crawl_id, taken)
            return "stored"
        if self.redis.complete(spiders):
            return "complete"
        return "idle"

    def run(self, wait: float | None = None) -> dict[str, Any] | None:
        """Store one patrol until it is complete: its summary, or None when stopped or none came."""
        params = self.wait_for_run(wait)
        if params is None:
            return None
        self._hold_lock()
        crawl_id = self.crawl_row(params)
        spiders = list(params["marketplaces"])
        leftover = self.redis.pending_ingest()
        if leftover:
            self.store_messages(crawl_id, leftover)  # taken before a crash; ingest_log skips repeats
        last_report = time.monotonic()
        while True:
            if self.stopping:
                self.store.finish_crawl(
                    crawl_id,
                    status="interrupted",
                    reason=f"ingest dihentikan; jalankan lagi `patroli ingest --run {self.redis.run}` untuk melanjutkan",
                )
                self.echo(f"patroli #{crawl_id}: ingest dihentikan, {self.stored_messages} pesan tersimpan")
                return None
            try:
                step = self.run_once(crawl_id, spiders)
            except redis.RedisError as exc:
                # Messages are moved, not lost, until stored: carry on when Redis answers again.
                self.echo(f"Redis: {exc}; dicoba lagi")
                time.sleep(max(self.poll, 1.0))
                continue
            if step == "complete":
                from crawler.runner import cluster_pass, project_settings

                if self.cluster:
                    cluster_pass(self.store.path, project_settings())  # as a local patrol does
                self.store.finish_crawl(crawl_id, status="finished")
                return self.store.crawl_summary(crawl_id)
            if step == "idle":
                if time.monotonic() - last_report >= self.report_every:
                    status = self.redis.status()
                    note = (
                        ""
                        if status.workers_alive
                        else " - tidak ada worker hidup: jalankan `patroli crawl --redis`"
                    )
                    self.echo(f"patroli #{crawl_id}: {status.text()}{note}")
                    last_report = time.monotonic()
                time.sleep(self.poll)

    def abandon(self) -> None:
        crawl_id = self.redis.server.hget(self.redis.meta, "crawl_id")
        self.redis.abandon()
        if crawl_id:
            self.store.finish_crawl(int(crawl_id), status="failed", reason="ditinggalkan (--abandon)")


def install_ingest_signals(ingester: Ingester) -> None:
    def handler(signum, frame):
        ingester.request_stop()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
