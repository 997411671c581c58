"""Progress you can see: a live table for an interactive `patroli crawl`, plain lines elsewhere.

The `Progress` extension counts what the spiders hand to the pipelines (pages by outcome, listings,
flagged listings) through Scrapy's item_scraped signal, so it works the same for a local crawl and a
Redis worker. Every spider of a crawl in one process shares one `Board`.

PATROLI_PROGRESS: "live" (rich table on the terminal, cleared when the crawl ends; the summary follows),
"log" (one plain line every PATROLI_PROGRESS_INTERVAL seconds and one at the end: for cron, CI,
systemd, --quiet), "off" (the default for a bare `scrapy crawl`).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import IO, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.items import Listing, PageRecord, ScoredListing

MODES = ("live", "log", "off")


def choose_mode(quiet: bool = False, stream: IO[str] | None = None, environ: dict | None = None) -> str:
    """live on a terminal a person watches; log lines under cron, CI, systemd or --quiet."""
    stream = stream if stream is not None else sys.stderr
    environ = environ if environ is not None else os.environ
    if quiet or environ.get("CI") or environ.get("TERM") == "dumb" or environ.get("INVOCATION_ID"):
        return "log"
    isatty = getattr(stream, "isatty", None)
    return "live" if isatty is not None and isatty() else "log"


@dataclass(slots=True)
class Tally:
    pages: int = 0
    listings: int = 0
    flagged: int = 0
    empty: int = 0
    blocked: int = 0
    throttled: int = 0
    errors: int = 0

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


class Board:
    """The counts of one crawl in this process, and their two renderings."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.started: float | None = None
        self.tallies: dict[str, Tally] = {}

    def begin(self) -> None:
        if self.started is None:
            self.started = self.clock()

    def record(self, item: Any) -> None:
        if isinstance(item, PageRecord):
            tally = self.tallies.setdefault(item.marketplace, Tally())
            tally.pages += 1
            if item.outcome == "empty":
                tally.empty += 1
            elif item.outcome == "blocked":
                tally.blocked += 1
            elif item.outcome == "throttled":
                tally.throttled += 1
            elif item.outcome == "error":
                tally.errors += 1
        elif isinstance(item, ScoredListing | Listing):
            listing = item.listing if isinstance(item, ScoredListing) else item
            tally = self.tallies.setdefault(listing.marketplace, Tally())
            tally.listings += 1
            assessment = item.assessment if isinstance(item, ScoredListing) else None
            if assessment is not None and assessment.flags:
                tally.flagged += 1

    def total(self) -> Tally:
        total = Tally()
        for tally in self.tallies.values():
            total.add(tally)
        return total

    def elapsed(self) -> float:
        return 0.0 if self.started is None else max(0.0, self.clock() - self.started)

    def line(self) -> str:
        """One plain line: what a log file under cron shows."""
        t = self.total()
        seconds = self.elapsed()
        rate = t.listings / seconds if seconds > 0 else 0.0
        return (
            f"patroli: {t.pages} halaman, {t.listings} listing, ditandai {t.flagged}, "
            f"kosong {t.empty}, diblokir {t.blocked}, dibatasi {t.throttled}, galat {t.errors}, "
            f"{rate:.1f} listing/detik, {seconds:.0f} detik"
        )

    def table(self):
        """The live display: one row per marketplace, then the total."""
        from rich.table import Table

        seconds = self.elapsed()
        table = Table(
            title=f"Patroli berjalan - {_clock_text(seconds)}",
            title_justify="left",
            caption="Ctrl-C: berhenti dengan rapi (batch terakhir tetap disimpan)",
            caption_justify="left",
        )
        for header in ("marketplace", "halaman", "listing", "ditandai", "diblokir", "galat", "listing/dtk"):
            table.add_column(header, justify="left" if header == "marketplace" else "right")
        rows = sorted(self.tallies.items())
        for name, t in [*rows, ("total", self.total())] if len(rows) != 1 else rows:
            rate = t.listings / seconds if seconds > 0 else 0.0
            table.add_row(
                name,
                str(t.pages),
                str(t.listings),
                str(t.flagged),
                _warn(t.blocked),
                _warn(t.errors),
                f"{rate:.1f}",
                style="bold" if name == "total" else None,
            )
        if not rows:
            table.add_row("(menunggu halaman pertama)", "0", "0", "0", "0", "0", "0.0")
        return table


def _warn(n: int) -> str:
    return f"[red]{n}[/red]" if n else "0"


def _clock_text(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class Display:
    """Shows one Board while any spider of the crawl runs; shared by the crawl's spiders."""

    def __init__(self, board: Board, mode: str, stream: IO[str], interval: float):
        self.board = board
        self.mode = mode
        self.stream = stream
        self.interval = interval
        self.users = 0
        self._live = None
        self._ticker = None
        self._swapped: list[tuple[logging.StreamHandler, IO[str]]] = []

    def open(self) -> None:
        self.users += 1
        if self.users > 1:
            return
        self.board.begin()
        if self.mode == "live":
            self._start_live()
        else:
            from twisted.internet import task

            self._ticker = task.LoopingCall(self.print_line)
            self._ticker.start(self.interval, now=False)

    def close(self) -> None:
        self.users -= 1
        if self.users > 0:
            return
        if self._live is not None:
            self._stop_live()
        if self._ticker is not None and self._ticker.running:
            self._ticker.stop()
        if self.mode == "log":
            self.print_line()

    def print_line(self) -> None:
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        self.stream.write(f"{stamp} {self.board.line()}\n")
        self.stream.flush()

    def _start_live(self) -> None:
        from rich.console import Console
        from rich.live import Live

        console = Console(file=self.stream)
        self._live = Live(
            console=console,
            get_renderable=self.board.table,
            refresh_per_second=2,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=self.stream is sys.stderr,
        )
        self._live.start()
        if self.stream is sys.stderr:
            # Scrapy's log handler holds the real stderr; point it at rich's proxy so that a
            # warning prints above the table instead of through it.
            for handler in logging.root.handlers:
                if isinstance(handler, logging.StreamHandler) and handler.stream is sys.__stderr__:
                    self._swapped.append((handler, handler.stream))
                    handler.setStream(sys.stderr)

    def _stop_live(self) -> None:
        for handler, stream in self._swapped:
            handler.setStream(stream)
        self._swapped.clear()
        self._live.stop()
        self._live = None


_shared: dict[int, Display] = {}


class Progress:
    """Scrapy extension: feeds the shared Board from item_scraped, opens and closes the display."""

    def __init__(self, crawler, display: Display):
        self.display = display
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        mode = settings.get("PATROLI_PROGRESS", "off")
        if mode not in MODES:
            raise NotConfigured(f"PATROLI_PROGRESS {mode!r}: pilih {MODES}")
        if mode == "off":
            raise NotConfigured
        stream = settings.get("PATROLI_PROGRESS_STREAM") or sys.stderr
        # The spiders of one crawl share a display; a crawl that ended leaves room for the next.
        display = _shared.get(id(stream))
        if display is None or (display.users == 0 and display.board.started is not None):
            display = Display(Board(), mode, stream, settings.getfloat("PATROLI_PROGRESS_INTERVAL", 30.0))
            _shared[id(stream)] = display
        return cls(crawler, display)

    def spider_opened(self, spider) -> None:
        self.display.open()

    def spider_closed(self, spider, reason) -> None:
        self.display.close()

    def item_scraped(self, item, response, spider) -> None:
        self.display.board.record(item)
