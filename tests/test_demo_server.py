import json
import types
import urllib.error
import urllib.request

import pytest

from crawler.demo.catalogue import Catalogue
from crawler.demo.records import DemoResponse
from crawler.demo.server import DemoMarket, Faults


def _fake_shape():
    """A minimal marketplace shape, so the server is tested apart from the real renderers."""

    def handle(req, catalogue):
        if req.path != "/search":
            return None
        total, items = catalogue.search("tokopedia", req.arg("q", ""), 0, 10)
        return DemoResponse(
            200,
            json.dumps({"total": total, "ids": [i.listing_id for i in items]}).encode(),
            "application/json",
        )

    def blocked(req):
        return DemoResponse(200, b"<html>captcha</html>")

    return types.SimpleNamespace(handle=handle, blocked=blocked, PREFIXES=("fake",))


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 2000, seed=5)


def _market(catalogue, faults=None):
    market = DemoMarket(catalogue, faults=faults)
    market.routes["fake"] = _fake_shape()
    return market.start()


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_serves_on_loopback_only(catalogue):
    with pytest.raises(ValueError):
        DemoMarket(catalogue, host="0.0.0.0")


def test_search_robots_and_served_ids(catalogue):
    market = _market(catalogue)
    try:
        assert market.url.startswith("http://127.0.0.1:")
        status, _, body = _get(f"{market.url}/robots.txt")
        assert status == 200 and b"User-agent" in body
        status, _, body = _get(f"{market.url}/fake/search?q=batik+tulis")
        data = json.loads(body)
        assert status == 200 and len(data["ids"]) == 10
        assert market.catalogue.served["tokopedia"] == set(data["ids"])
        assert _get(f"{market.url}/fake/nothing")[0] == 404
        assert _get(f"{market.url}/unknown/search")[0] == 404
    finally:
        market.stop()


def test_faults_block_throttle_error(catalogue):
    market = _market(
        catalogue,
        Faults(keywords={"diblokir": "block", "pelan": "throttle", "rusak": "error"}, retry_after=3),
    )
    try:
        assert _get(f"{market.url}/fake/search?q=diblokir")[2] == b"<html>captcha</html>"
        status, headers, _ = _get(f"{market.url}/fake/search?q=pelan")
        assert status == 429 and headers["Retry-After"] == "3"
        # Throttled once: the retry of the same URL is served.
        assert _get(f"{market.url}/fake/search?q=pelan")[0] == 200
        assert _get(f"{market.url}/fake/search?q=rusak")[0] == 500
        assert _get(f"{market.url}/fake/search?q=rusak")[0] == 500  # error_times=None: always
        assert market.requests["blocked"] == 1 and market.requests["throttled"] == 1
    finally:
        market.stop()


def test_fault_shares_are_roughly_honoured():
    faults = Faults(block=0.2, throttle=0.1, error=0.1, seed=1)
    chosen = [faults.choose(f"GET /x?page={i}", "") for i in range(5000)]
    assert 0.17 < chosen.count("block") / 5000 < 0.23
    assert 0.08 < chosen.count("throttle") / 5000 < 0.12
    assert 0.08 < chosen.count("error") / 5000 < 0.12
    with pytest.raises(ValueError):
        Faults(block=0.8, error=0.5)
    with pytest.raises(ValueError):
        Faults(keywords={"x": "explode"})
