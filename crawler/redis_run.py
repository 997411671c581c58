"""The Redis side of a distributed patrol: its keys, and the atomic steps (Lua scripts) that change them.

Used by the workers (crawler/distributed.py) and the ingester (crawler/ingest.py). A pop is a lease:

    pop      queue -> inflight[token] + leases[token] = worker|spider|score
    push     a request joins its spider's queue unless the dupefilter saw its fingerprint (a retry or a
             redirect takes over the lease of the request it replaces, in the same step)
    commit   a request's children are queued (deduplicated), its records are pushed to the items list
             as ONE message, and its lease is dropped
    requeue  the leases of a worker whose heartbeat expired go back to the queues, exactly as queued
    complete seeded, queues empty, no lease, every message stored: the run is done, its keys cleared

Keys, under patroli:<run>: meta (hash: state, gen, params, seeded:<spider>, crawl_id), q:<spider> (zset,
member = zero-padded sequence | serialised request, so equal priorities come out first in, first out),
df:<spider> (set), inflight, leases (hashes), hb:<worker> (string with TTL), workers (set), items,
ingesting, rejected (lists), seq (counter), ingester (the single writer's lock).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import redis

from crawler.normalize import utc_now

_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class DistributedError(RuntimeError):
    """A distributed patrol that cannot go on; the message says why and what to do."""


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


def worker_id() -> str:
    """host-pid-random: unique per process, readable in logs and in the leases hash."""
    host = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname())[:40]
    return f"{host}-{os.getpid()}-{secrets.token_hex(2)}"
