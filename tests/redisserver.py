"""A Redis server for the tests that need one (scrapy-redis workers, the ingester).

PATROLI_TEST_REDIS=redis://127.0.0.1:PORT/0 names a running server. Without it, a private
redis-server is started on a free port (`make test` installs Debian's redis-server first, through
scripts/ensure-redis). In CI a missing Redis is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(reason: str):
    if os.environ.get("CI") or os.environ.get("PATROLI_TEST_REDIS"):
        pytest.fail(f"Redis untuk tes tidak tersedia: {reason}")
    pytest.skip(f"Redis tidak tersedia ({reason}): apt-get install redis-server, atau set PATROLI_TEST_REDIS")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = os.environ.get("PATROLI_TEST_REDIS")
    if url:
        try:
            redis.Redis.from_url(url).ping()
        except redis.RedisError as exc:
            _missing(f"{url}: {exc}")
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("redis-server tidak ada di PATH")
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                _missing(f"redis-server di port {port} tidak mau mulai")
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def run_name():
    """A run name of its own per test: tests may share one Redis server."""
    return f"test-{uuid.uuid4().hex[:10]}"
