"""`patroli ingest`: the single writer of a distributed patrol.

It takes the workers' messages from Redis (moving them to an `ingesting` list first), stores each one
in SQLite through crawler/store.py, recording its id in `ingest_log` in the same transaction (so a
restarted ingester neither loses nor repeats a message), puts back the leases of dead workers, and
closes the crawl row when the patrol is complete.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from typing import Any

import redis

from crawler.messages import decode_message
from crawler.redis_run import DistributedError, RedisRun, worker_id
from crawler.store import RunRecords, Store


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
