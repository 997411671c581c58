from crawler.throttle import retry_after_seconds


def test_retry_after_seconds_and_dates():
    assert retry_after_seconds("30") == 30.0
    assert retry_after_seconds(" 0 ") == 0.0
    assert retry_after_seconds("Sat, 28 Nov 2026 06:00:30 GMT", "2026-11-28T06:00:00Z") == 30.0
    assert retry_after_seconds("Sat, 28 Nov 2026 05:00:00 GMT", "2026-11-28T06:00:00Z") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_retry_after_in_every_http_date_form():
    # RFC 9110 5.6.7: recipients accept IMF-fixdate, RFC 850 and asctime. asctime carries no zone
    # (it is GMT); read as a naive datetime it made the middleware raise TypeError, and the
    # throttled page became an error that is never asked again.
    now = "2026-11-28T06:00:00Z"
    assert retry_after_seconds("Saturday, 28-Nov-26 06:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Sat Nov 28 06:00:30 2026", now) == 30.0
    assert retry_after_seconds("Sat, 28 Nov 2026 06:00:30 -0000", now) == 30.0


def test_project_settings_keep_every_downloader_middleware():
    # Two sections of settings.py once each defined DOWNLOADER_MIDDLEWARES; the later one won.
    from crawler.runner import project_settings

    middlewares = project_settings().getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.throttle.RetryAfterMiddleware"] == 560
    assert middlewares["crawler.archive.WarcCaptureMiddleware"] == 585


def test_slot_is_slowed_as_asked_then_given_back():
    from types import SimpleNamespace

    from scrapy.http import Request, Response
    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    from crawler.throttle import RetryAfterMiddleware

    slot = SimpleNamespace(delay=0.5)
    crawler = SimpleNamespace(
        settings=Settings({"PATROLI_RETRY_AFTER_MAX": 60}),
        engine=SimpleNamespace(downloader=SimpleNamespace(slots={"demo": slot})),
    )
    crawler.stats = MemoryStatsCollector(crawler)
    now = [100.0]
    mw = RetryAfterMiddleware(crawler, clock=lambda: now[0])
    request = Request("http://127.0.0.1/x", meta={"download_slot": "demo"})
    mw.process_response(request, Response(request.url, status=429, headers={"Retry-After": "600"}))
    assert slot.delay == 60  # capped by PATROLI_RETRY_AFTER_MAX
    mw.process_response(request, Response(request.url, status=200))
    assert slot.delay == 60  # still inside the wait
    now[0] += 61
    mw.process_response(request, Response(request.url, status=200))
    assert slot.delay == 0.5
    assert crawler.stats.get_value("patroli/retry_after") == 1
