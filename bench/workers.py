"""Distributed patrol speed: listings/s with 1 scrapy-redis worker and with 2, in the same run.

    python bench/workers.py [--listings 20000] [--marketplaces tokopedia shopee blibli] [--max-pages 5]
                            [--redis redis://127.0.0.1:6379/0] [--no-cache]

Everything is a process of its own, as in a real deployment: the demo marketplace (so it does not share
a GIL with the workers), Redis (a private redis-server unless --redis is given), the ingester
(`patroli ingest`, the single SQLite writer) and each worker (`crawler.distributed.run_worker`, the code
behind `patroli crawl --redis`).

The marketplace a real patrol crawls is someone else's servers; here it shares this machine's cores. By
default the demo answers from a response cache filled by a warm-up patrol (not measured), so that what
is measured is the workers' and the ingester's work, not the demo's page rendering; --no-cache measures
with the demo rendering every page (then the demo itself takes a large share of the CPU).

Figures, for the same keywords and pages in each run (listings = listings found on the fetched pages):
  A. crawl, then store: the ingester starts when the last worker ended, so the workers have the cores
     to themselves; crawl listings/s (workers' start to the last worker's end), then ingest listings/s;
  B. together: the ingester stores while the workers crawl, all on the same cores; listings/s from
     the workers' start until everything is stored (end to end).
The ingester skips the cross-listing DUP_CLUSTER re-scoring a patrol ends with (it re-scores the whole
database once, whatever the number of workers); --cluster includes it.
The ratio is 2 workers against 1. "inti" (cores) is the CPU time used by every process of the patrol
(workers, ingester, demo, Redis) divided by the wall time: on a 2-core machine, 2.0 is all of it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: tidak siap dalam {timeout:.0f} detik")
        time.sleep(0.1)


# -- the demo marketplace, in its own process --------------------------------------------------------


def serve(args: argparse.Namespace) -> None:
    """The demo marketplace; with a response cache unless --no-cache (one process, until killed)."""
    from crawler.demo.catalogue import Catalogue
    from crawler.demo.server import DemoMarket

    catalogue = Catalogue.build(args.catalogue, args.listings, 20231004)

    class CachedMarket(DemoMarket):
        cache: dict = {}

        def answer(self, method, raw_path, headers, body):
            key = (method, raw_path, body)
            hit = self.cache.get(key)
            if hit is None:
                hit = self.cache[key] = super().answer(method, raw_path, headers, body)
            return hit

    market_cls = DemoMarket if args.no_cache else CachedMarket
    market = market_cls(catalogue, port=args.port)
    market.serve_forever()


def start_market(args: argparse.Namespace, tmp: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, __file__, "--serve", "--listings", str(args.listings)]
    command += ["--catalogue", str(tmp / "catalogue.db"), "--port", str(port)]
    if args.no_cache:
        command.append("--no-cache")
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if proc.poll() is not None:
            raise SystemExit("marketplace demo berhenti sebelum siap")
        try:
            urllib.request.urlopen(f"{url}/robots.txt", timeout=1).read()
            return True
        except OSError:
            return False

    wait_until(ready, 600, "marketplace demo")
    return proc, url


def start_redis(tmp: Path) -> tuple[subprocess.Popen | None, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server tidak ada: apt-get install redis-server, atau beri --redis URL")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        + ["--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)

    def ready() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    wait_until(ready, 30, "redis-server")
    return proc, f"redis://127.0.0.1:{port}/0"


# -- one worker ---------------------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    """One worker of the run, with the demo's speed settings; prints its result as JSON."""
    from crawler.distributed import run_worker
    from crawler.runner import demo_settings

    overrides = demo_settings(
        json.loads(args.base_urls),
        PATROLI_MAX_PAGES=args.max_pages,
        LOG_LEVEL="ERROR",
        PATROLI_PROGRESS="off",
        PATROLI_CAPTURES_DIR=args.captures,  # every response into WARC files, as in a real patrol
    )
    result = run_worker(args.marketplaces, keywords(), args.redis, run=args.run, overrides=overrides)
    print(
        json.dumps(
            {
                "status": result.status,
                "committed": result.committed,
                "records": result.records,
                "seconds": result.seconds,
            }
        )
    )


def keywords() -> list[str]:
    """Every keyword of data/keywords.yaml: breadth enough to keep two workers busy."""
    from crawler.keywords import load_keyword_sets

    words = [w for ws in load_keyword_sets().values() for w in ws]
    return list(dict.fromkeys(words))


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def patrol(
    args: argparse.Namespace,
    workers: int,
    url: str,
    redis_url: str,
    tmp: Path,
    others=(),
    together: bool = True,
) -> dict:
    """One distributed patrol with `workers` workers and the ingester; its figures.

    together: the ingester stores while the workers crawl (everything shares the cores); otherwise it
    starts when the last worker ended (the workers have the cores to themselves, their messages wait
    in Redis). `others`: the pids of the demo marketplace and Redis, whose CPU is counted too."""
    from crawler.demo.server import load_shapes
    from crawler.store import Store

    run = f"bench-{workers}-{uuid.uuid4().hex[:8]}"
    db = tmp / f"{run}.db"
    base_urls = {prefix: f"{url}/{prefix}" for prefix in load_shapes()}

    def start_ingester() -> subprocess.Popen:
        command = [sys.executable, "-m", "crawler.cli", "ingest", "--redis", redis_url, "--run", run]
        command += ["--db", str(db)] + ([] if args.cluster else ["--no-cluster"])
        return subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    ingester = start_ingester() if together else None
    command = [sys.executable, __file__, "--worker", "--redis", redis_url, "--run", run]
    command += ["--base-urls", json.dumps(base_urls), "--max-pages", str(args.max_pages)]
    command += ["--marketplaces", *args.marketplaces, "--captures", str(tmp / f"{run}-captures")]
    cpu_before = children_cpu() + sum(cpu_seconds(pid) for pid in others)
    started = time.monotonic()
    procs = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(workers)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=3600)
        if proc.returncode != 0:
            raise SystemExit(f"worker gagal:\n{err[-3000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    crawled = time.monotonic() - started
    crawl_cpu = children_cpu() + sum(cpu_seconds(pid) for pid in others) - cpu_before
    if ingester is None:
        ingester = start_ingester()
    _, err = ingester.communicate(timeout=3600)
    stored = time.monotonic() - started
    cpu = children_cpu() + sum(cpu_seconds(pid) for pid in others) - cpu_before
    if ingester.returncode != 0:
        raise SystemExit(f"ingest gagal:\n{err[-3000:]}")
    store = Store(db)
    try:
        (crawl,) = store.db["crawls"].rows
        found = store.db.execute("select coalesce(sum(listings_found), 0) from crawl_pages").fetchone()[0]
        pages = store.count("crawl_pages")
        distinct = store.count("listings")
    finally:
        store.close()
    return {
        "workers": workers,
        "status": crawl["status"],
        "pages": pages,
        "found": found,
        "distinct": distinct,
        "crawl_s": crawled,
        "stored_s": stored,
        "ingest_s": stored - crawled,
        "per_worker": [r["committed"] for r in results],
        "cpu_s": cpu,
        "crawl_cpu_s": crawl_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listings", type=int, default=20_000, help="size of the demo catalogue")
    parser.add_argument("--max-pages", type=int, default=5, help="search pages per keyword")
    parser.add_argument("--marketplaces", nargs="+", default=None)
    parser.add_argument("--redis", help="an existing Redis; default: a private redis-server")
    parser.add_argument("--no-cache", action="store_true", help="the demo renders every page (no cache)")
    parser.add_argument(
        "--cluster", action="store_true", help="the ingester also runs the DUP_CLUSTER pass at the end"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--catalogue", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--base-urls", help=argparse.SUPPRESS)
    parser.add_argument("--captures", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    if args.worker:
        worker(args)
        return

    from scrapy.spiderloader import SpiderLoader

    from crawler.demo.server import load_shapes
    from crawler.runner import project_settings

    spiders = set(SpiderLoader.from_settings(project_settings()).list())
    shapes = load_shapes()
    args.marketplaces = args.marketplaces or [
        m for m in ("tokopedia", "shopee", "lazada", "blibli") if m in spiders and m in shapes
    ]
    if not args.marketplaces:
        raise SystemExit("tidak ada marketplace yang punya spider dan bentuk demo")
    tmp = Path(tempfile.mkdtemp(prefix="patroli-workers-"))
    redis_proc = None
    redis_url = args.redis
    if not redis_url:
        redis_proc, redis_url = start_redis(tmp)
    market, url = start_market(args, tmp)
    others = [market.pid] + ([redis_proc.pid] if redis_proc is not None else [])
    print(
        f"Katalog demo {args.listings:,} listing; {', '.join(args.marketplaces)}; {len(keywords())} kata kunci, "
        f"maks {args.max_pages} halaman; demo {'tanpa' if args.no_cache else 'dengan'} cache jawaban"
    )
    try:
        if not args.no_cache:
            warm = patrol(args, 2, url, redis_url, tmp, others)
            print(f"pemanasan (tidak diukur): {warm['pages']} halaman dalam {warm['stored_s']:.1f} detik")
        apart = [patrol(args, n, url, redis_url, tmp, others, together=False) for n in (1, 2)]
        together = [patrol(args, n, url, redis_url, tmp, others, together=True) for n in (1, 2)]
    finally:
        market.terminate()
        market.wait(timeout=10)
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)

    def rate(r: dict, seconds: str) -> float:
        return r["found"] / r[seconds]

    print("\nA. Crawl, lalu simpan: ingester mulai setelah worker terakhir selesai (inti CPU untuk worker)")
    print(
        f"{'worker':>6}{'halaman':>9}{'listing':>9}{'unik':>7}{'crawl s':>9}{'crawl list/s':>14}"
        f"{'inti':>6}{'ingest s':>10}{'ingest list/s':>15}  halaman per worker"
    )
    for r in apart:
        print(
            f"{r['workers']:>6}{r['pages']:>9}{r['found']:>9}{r['distinct']:>7}{r['crawl_s']:>9.1f}"
            f"{rate(r, 'crawl_s'):>14.0f}{r['crawl_cpu_s'] / r['crawl_s']:>6.2f}{r['ingest_s']:>10.1f}"
            f"{rate(r, 'ingest_s'):>15.0f}  {r['per_worker']}"
        )
    print("\nB. Bersamaan: ingester, worker, demo dan Redis berbagi inti yang sama (ujung ke ujung)")
    print(
        f"{'worker':>6}{'halaman':>9}{'listing':>9}{'selesai s':>11}{'list/s':>9}{'cpu s':>8}{'inti':>6}"
        f"  halaman per worker"
    )
    for r in together:
        print(
            f"{r['workers']:>6}{r['pages']:>9}{r['found']:>9}{r['stored_s']:>11.1f}{rate(r, 'stored_s'):>9.0f}"
            f"{r['cpu_s']:>8.1f}{r['cpu_s'] / r['stored_s']:>6.2f}  {r['per_worker']}"
        )
    statuses = {r["status"] for r in apart + together}
    print(
        f"\nrasio 2/1 worker: A crawl {rate(apart[1], 'crawl_s') / rate(apart[0], 'crawl_s'):.2f}x; "
        f"B ujung ke ujung {rate(together[1], 'stored_s') / rate(together[0], 'stored_s'):.2f}x "
        f"(cpu: {os.cpu_count()}; status {', '.join(sorted(statuses))})"
    )


if __name__ == "__main__":
    main()
