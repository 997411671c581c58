"""Progress you can see: the counts, the two renderings, the choice between them, and a real crawl."""

from __future__ import annotations

import io

import pytest
import pytest_twisted
from rich.console import Console

from crawler.demo.catalogue import Catalogue
from crawler.items import Assessment, Flag, Listing, PageRecord, ScoredListing
from crawler.progress import Board, choose_mode
from crawler.store import Store
from tests.crawling import crawl
from tests.fakemarket import FakeSpider, served_ids, start_market


class Tick:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def listing(market: str, i: int, flagged: bool = False) -> ScoredListing:
    flags = [Flag(market, str(i), "BELOW_FLOOR", "high", 1.0, "murah", "cheap")] if flagged else []
    return ScoredListing(
        Listing(market, str(i), f"https://x/{i}", "batik"), Assessment(market, str(i), flags=flags)
    )


def filled_board() -> tuple[Board, Tick]:
    clock = Tick()
    board = Board(clock)
    board.begin()
    for outcome in ("ok", "ok", "ok", "empty", "blocked", "throttled", "error"):
        board.record(PageRecord("tokopedia", "https://t/s", outcome))
    board.record(PageRecord("shopee", "https://s/s", "ok"))
    for i in range(40):
        board.record(listing("tokopedia", i, flagged=i < 6))
    for i in range(10):
        board.record(listing("shopee", i, flagged=i < 1))
    board.record(Listing("shopee", "x", "https://s/x", "tenun"))  # unscored (PATROLI_MATCH off)
    board.record(object())  # not a patrol record: ignored
    clock.t = 125.0
    return board, clock


def test_board_counts_and_its_plain_line():
    board, _ = filled_board()
    total = board.total()
    assert (total.pages, total.listings, total.flagged) == (8, 51, 7)
    assert (total.empty, total.blocked, total.throttled, total.errors) == (1, 1, 1, 1)
    assert board.line() == (
        "patroli: 8 halaman, 51 listing, ditandai 7, kosong 1, diblokir 1, dibatasi 1, galat 1, "
        "2.0 listing/detik, 25 detik"
    )


def test_board_table_shows_each_marketplace_and_the_total():
    board, _ = filled_board()
    console = Console(file=io.StringIO(), width=120, record=True, color_system=None)
    console.print(board.table())
    text = console.export_text()
    assert "Patroli berjalan - 0:00:25" in text
    cells = [[c.strip() for c in line.strip().strip("│").split("│")] for line in text.splitlines()]
    rows = {row[0]: row[1:] for row in cells if row[0] in ("shopee", "tokopedia", "total")}
    # marketplace, pages, listings, flagged, blocked, errors, listings/s
    assert rows["tokopedia"] == ["7", "40", "6", "1", "1", "1.6"]
    assert rows["shopee"] == ["1", "11", "1", "0", "0", "0.4"]
    assert rows["total"] == ["8", "51", "7", "1", "1", "2.0"]


def test_an_empty_board_says_it_waits():
    console = Console(file=io.StringIO(), width=120, record=True, color_system=None)
    console.print(Board(Tick()).table())
    assert "(menunggu halaman pertama)" in console.export_text()


class Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize(
    ("quiet", "tty", "environ", "mode"),
    [
        (False, True, {}, "live"),
        (True, True, {}, "log"),  # --quiet
        (False, False, {}, "log"),  # cron: no terminal
        (False, True, {"CI": "true"}, "log"),
        (False, True, {"INVOCATION_ID": "abc"}, "log"),  # a systemd service
        (False, True, {"TERM": "dumb"}, "log"),
    ],
)
def test_choose_mode(quiet, tty, environ, mode):
    assert choose_mode(quiet, Stream(tty), environ) == mode


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return Catalogue.build(tmp_path_factory.mktemp("cat") / "cat.db", 3000, seed=11)


@pytest_twisted.ensureDeferred
async def test_a_crawl_in_log_mode_ends_with_a_line_that_matches_the_database(catalogue, tmp_path):
    market = start_market(catalogue)
    stream = io.StringIO()
    db = str(tmp_path / "p.db")
    try:
        crawl_id = await crawl(
            [FakeSpider],
            db,
            {"tokopedia": f"{market.url}/fake"},
            ["songket", "tas rotan"],
            PATROLI_MAX_PAGES=3,
            PATROLI_PROGRESS="log",
            PATROLI_PROGRESS_STREAM=stream,
            PATROLI_PROGRESS_INTERVAL=0.05,
        )
    finally:
        market.stop()
    lines = stream.getvalue().splitlines()
    assert lines, "no progress line"
    row = Store(db).db["crawls"].get(crawl_id)
    expected = served_ids(catalogue, ["songket", "tas rotan"], 3)
    assert row["listings_seen"] == len(expected)
    store = Store(db)
    flagged = {
        (f["marketplace"], f["listing_id"]) for f in store.db["flags"].rows_where("crawl_id = ?", [crawl_id])
    }
    assert (
        f"patroli: {row['pages']} halaman, {len(expected)} listing, ditandai {len(flagged)}, kosong 0,"
        in lines[-1]
    )
    assert all(" patroli: " in line for line in lines)


@pytest_twisted.ensureDeferred
async def test_a_crawl_in_live_mode_draws_the_table(catalogue, tmp_path):
    market = start_market(catalogue, delay=0.3)  # long enough for a refresh or two
    stream = Stream(tty=True)
    try:
        await crawl(
            [FakeSpider],
            str(tmp_path / "p.db"),
            {"tokopedia": f"{market.url}/fake"},
            ["songket"],
            PATROLI_MAX_PAGES=2,
            PATROLI_PROGRESS="live",
            PATROLI_PROGRESS_STREAM=stream,
        )
    finally:
        market.stop()
    text = stream.getvalue()
    assert "Patroli berjalan" in text and "listing/dtk" in text
