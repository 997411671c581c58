"""Project settings plus the tests' fake spider (tests/fakemarket.py): SCRAPY_SETTINGS_MODULE for
crawl subprocesses started by schedule and Redis tests."""

from crawler.settings import *  # noqa: F403

SPIDER_MODULES = ["spiders", "tests.fakemarket"]
