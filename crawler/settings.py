"""Scrapy settings for Patroli. Polite by default: these are the settings for the real sites.

The demo marketplace and the tests override a few of them (base URLs, throttling) through
`crawler.runner.demo_settings`; nothing reads this module directly except Scrapy.
"""

BOT_NAME = "patroli"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Who we are and how to reach us: site operators should be able to tell who is crawling.
PATROLI_CONTACT = "patroli@asosiasi-kerajinan.example"
USER_AGENT = f"Patroli/0.1 (+https://github.com/patroli/patroli; {PATROLI_CONTACT})"

# Politeness.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # +-50%
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
# 429 is not retried here: the spider records each throttled fetch and asks again itself
# (PATROLI_THROTTLE_RETRIES), after RetryAfterMiddleware has slowed the site down as asked.
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
PATROLI_THROTTLE_RETRIES = 3
PATROLI_RETRY_AFTER_MAX = 120.0
DOWNLOADER_MIDDLEWARES = {
    # Responses pass these from the highest number down: captured first (every attempt is
    # evidence), then Retry-After read, then Scrapy's RetryMiddleware (550).
    "crawler.archive.WarcCaptureMiddleware": 585,
    "crawler.throttle.RetryAfterMiddleware": 560,
}
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

ITEM_PIPELINES = {
    "crawler.pipelines.NormalizePipeline": 100,
    "crawler.pipelines.MatchPipeline": 200,
    "crawler.pipelines.StorePipeline": 300,
}

# Where each marketplace lives. The demo marketplace replaces these with 127.0.0.1 URLs.
PATROLI_BASE_URLS = {
    "tokopedia": "https://www.tokopedia.com",
    "tokopedia-gql": "https://gql.tokopedia.com",  # product pages (PDPGetLayoutQuery)
    "shopee": "https://shopee.co.id",
    "lazada": "https://www.lazada.co.id",
    "blibli": "https://www.blibli.com",
}

PATROLI_DB = "data/patroli.db"
PATROLI_CRAWL_ID = None  # set by `patroli crawl`; a bare `scrapy crawl` opens its own crawl row
PATROLI_STORE_BATCH = 500
PATROLI_MAX_PAGES = 5  # per keyword
PATROLI_DETAIL = False  # follow each listing to its product page
PATROLI_MATCH = True  # score listings as they are stored
PATROLI_CLUSTER = True  # after a patrol, re-score with the cross-listing DUP_CLUSTER pass
PATROLI_DATA_DIR = None  # reference data for the matchers; None: data/ of this checkout
PATROLI_KEYWORDS = ["batik tulis", "kain tenun", "songket", "tas rotan"]

# -- Independent web shops (spiders/shop.py) ------------------------------------------------------
# The shops to patrol, by address (home page, catalogue or product page). With none here nor in
# the file, the spider needs `-a urls=...` or a PATROLI_BASE_URLS["shop"] directory page (the demo
# marketplace has one).
PATROLI_SHOP_URLS: list[str] = []
# One address per line, '#' comments; read when PATROLI_SHOP_URLS is empty and no directory
# (PATROLI_BASE_URLS["shop"], set by the demo) is given.
PATROLI_SHOP_URLS_FILE = "data/toko.txt"
PATROLI_SHOP_MAX_PRODUCTS = 500  # product pages read per shop and crawl; catalogue pages: PATROLI_MAX_PAGES


# -- Evidence (crawler/archive.py): every response, byte for byte, into WARC files -------------
# After HttpCompressionMiddleware (590) decodes the body, before RetryMiddleware (550) retries:
# the WARC holds exactly what the parser read, failed attempts included.
PATROLI_CAPTURE = True
PATROLI_CAPTURES_DIR = None  # None: captures/ beside PATROLI_DB (data/captures)
PATROLI_CAPTURES_MAX_BYTES = 100 * 1024 * 1024  # start a new .warc.gz past this size


# Progress display (crawler/progress.py): "live" on a terminal, "log" lines under cron/CI/--quiet.
# `patroli crawl` chooses; a bare `scrapy crawl` shows nothing extra.
EXTENSIONS = {"crawler.progress.Progress": 500}
PATROLI_PROGRESS = "off"
PATROLI_PROGRESS_INTERVAL = 30.0  # seconds between log lines

# Distributed patrols (`patroli crawl --redis`, crawler/distributed.py): a worker holds the requests it
# fetches while its heartbeat lives; a worker silent for PATROLI_REDIS_LEASE_SECONDS is taken for dead
# and its requests go back to the queue.
PATROLI_REDIS_LEASE_SECONDS = 15.0
PATROLI_REDIS_HEARTBEAT = 2.0  # seconds between heartbeats (well under the lease)
PATROLI_REDIS_POLL = 0.2  # seconds between looks at the shared queue when this worker is idle
