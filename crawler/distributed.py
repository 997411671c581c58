"""Patrolling beyond one machine: scrapy-redis workers whose pops are leases.

`patroli crawl M... --redis redis://HOST:6379/0 --run NAME` makes this process a worker of the
distributed patrol NAME; start as many as you like, on as many machines. `patroli ingest` (crawler/ingest.py)
is the single writer: it stores what the workers found and closes the crawl row when the patrol is
complete. A worker never opens the database.

Built on scrapy-redis (its connection, request serialisation, fingerprints and scheduler), with one
change of semantics. In scrapy-redis a popped request is gone from the queue: a worker killed while
fetching it loses it. Here a pop is a lease (crawler/redis_run.py), held while the worker's heartbeat
lives (PATROLI_REDIS_LEASE_SECONDS, refreshed every PATROLI_REDIS_HEARTBEAT); every worker and the
ingester re-queue the leases of a worker whose heartbeat expired, and another worker fetches them.

What a request produced - its records (crawler/messages.py) and the requests it yielded - is published
together with the release of its lease, in one Redis script. A worker killed halfway has published
nothing of that request, so its re-fetch adds nothing twice; a worker that was only slow (its lease
re-queued meanwhile) finds its lease gone at commit and drops its copy.

A request's processing is complete when Scrapy's scraper has finished with its response (callback,
item pipelines, scheduling of the requests it yielded): the scraper's `enqueue_scrape` is wrapped to
learn that moment, item_scraped stages each record under the response's lease, and LeaseMiddleware
tags the requests a response yields with the lease of their parent.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy_redis.queue import Base as RedisQueueBase
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from crawler.archive import WarcCaptureMiddleware, exchange_from_scrapy
from crawler.messages import encode_message, encode_record
from crawler.redis_run import RedisRun, RunStatus, worker_id

logger = logging.getLogger(__name__)

LEASE_META = "patroli_lease"  # the token of the lease a popped request is fetched under
PARENT_META = "patroli_parent"  # the lease of the response that yielded a request


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

    from crawler.runner import crawl_status, finish_reasons, project_settings, spider_classes, watch_start

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
    failures: dict[int, str] = {}
    for cls in classes:
        crawler = process.create_crawler(cls)
        crawlers.append(crawler)
        watch_start(process.crawl(crawler, keywords=list(keywords)), crawler, failures)
    with contextlib.suppress(KeyboardInterrupt):
        process.start()
    status, reason = crawl_status(finish_reasons(crawlers, failures))

    def total(key: str) -> int:
        count = 0
        for c in crawlers:
            with contextlib.suppress(RuntimeError):  # a crawler that never started has no stats
                count += c.stats.get_value(key, 0) or 0
        return count

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
