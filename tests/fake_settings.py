"""Project settings plus the tests' fake spider (tests/fakemarket.py), for crawl subprocesses that
schedule and Redis tests start (SCRAPY_SETTINGS_MODULE=tests.fake_settings). The marketplace is the
local demo, so the demo's speed settings apply (crawler.runner.DEMO_OVERRIDES)."""

import os
import tempfile

from crawler.runner import DEMO_OVERRIDES
from crawler.settings import *  # noqa: F403

SPIDER_MODULES = ["spiders", "tests.fakemarket"]
globals().update(DEMO_OVERRIDES)
LOG_LEVEL = "INFO"

# Four requests at a time per worker: with a dozen keywords in flight, two workers both get work.
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 4

# Redis workers in tests: a killed worker's leases come back within about two seconds.
PATROLI_REDIS_LEASE_SECONDS = 1.5
PATROLI_REDIS_HEARTBEAT = 0.3

# A Redis worker has no database of its own: its WARC captures go where the test says, never into
# the checkout's data/ directory.
PATROLI_CAPTURES_DIR = os.environ.get("PATROLI_TEST_CAPTURES_DIR") or tempfile.mkdtemp(
    prefix="patroli-captures-"
)
