from crawler.throttle import retry_after_seconds


def test_retry_after_seconds_and_dates():
    assert retry_after_seconds("30") == 30.0
    assert retry_after_seconds(" 0 ") == 0.0
    assert retry_after_seconds("Sat, 28 Nov 2026 06:00:30 GMT", "2026-11-28T06:00:00Z") == 30.0
    assert retry_after_seconds("Sat, 28 Nov 2026 05:00:00 GMT", "2026-11-28T06:00:00Z") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_project_settings_keep_every_downloader_middleware():
    # Two sections of settings.py once each defined DOWNLOADER_MIDDLEWARES; the later one won.
    from crawler.runner import project_settings

    middlewares = project_settings().getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.throttle.RetryAfterMiddleware"] == 560
    assert middlewares["crawler.archive.WarcCaptureMiddleware"] == 585
