"""The scheduler with a controllable clock and a fake process launcher: no real sleeping, no forks.

The fake patrol writes to the store what a real `patroli crawl --crawl-id N` writes (a batch of
listings, then the closed crawls row), so the records checked here are the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.items import Listing, ScoredListing
from crawler.schedule import JobLock, PatrolScheduler, crawl_argv, describe_exit, iso
from crawler.schedule_config import parse_config
from crawler.store import RunRecords, Store

WIB = ZoneInfo("Asia/Jakarta")
KNOWN = {"tokopedia", "shopee", "lazada", "blibli", "shop"}


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


class FakeClock:
    """Time moves only when the scheduler waits. `suspend` puts the machine to sleep for a while;
    `at` runs something (a SIGTERM) at a given moment, which ends the wait in progress there."""

    def __init__(self, start: datetime):
        self.t = start
        self.events: list[tuple[datetime, object]] = []
        self.suspensions: list[tuple[datetime, timedelta]] = []
        self.waits = 0

    def now(self) -> datetime:
        return self.t

    def wait(self, seconds: float) -> None:
        self.waits += 1
        assert self.waits < 100_000, "the scheduler is spinning"
        target = self.t + timedelta(seconds=seconds)
        for when, length in list(self.suspensions):
            if self.t <= when < target:
                self.suspensions.remove((when, length))
                target += length
        self.events.sort(key=lambda e: e[0])
        if self.events and self.events[0][0] <= target:
            when, action = self.events.pop(0)
            self.t = max(self.t, when)
            action()
            return
        self.t = target

    def interrupt(self) -> None:
        pass

    def at(self, when: datetime, action) -> None:
        self.events.append((when, action))

    def suspend(self, when: datetime, length: timedelta) -> None:
        self.suspensions.append((when, length))


@dataclass
class Plan:
    """How a fake patrol behaves."""

    minutes: float = 10
    exit_code: int = 0
    closes_row: bool = True  # a crash leaves the row 'running'
    output: str = ""
    honours_sigterm: bool = True
    stop_seconds: float = 20  # to finish its batch after SIGTERM
    listings: int = 3


@dataclass
class FakeRun:
    launcher: FakeLauncher
    job: str
    crawl_id: int
    argv: list[str]
    plan: Plan
    started: datetime
    pid: int = 4242
    code: int | None = None
    terminated: datetime | None = None
    killed: bool = False

    def poll(self) -> int | None:
        if self.code is not None:
            return self.code
        now = self.launcher.clock.now()
        if self.killed:
            self.code = -9
        elif self.terminated and self.plan.honours_sigterm:
            if now >= self.terminated + timedelta(seconds=self.plan.stop_seconds):
                self.write("interrupted", "shutdown")
                self.code = 0
        elif now >= self.started + timedelta(minutes=self.plan.minutes):
            if self.plan.closes_row:
                self.write("finished", None)
            self.code = self.plan.exit_code
        return self.code

    def write(self, status: str, reason: str | None) -> None:
        """What run_crawl does: the last batch goes to the store, then the row is closed."""
        store = Store(self.launcher.db)
        listings = [
            ScoredListing(Listing("tokopedia", f"{self.job}-{self.crawl_id}-{i}", f"https://t/{i}", "batik"))
            for i in range(self.plan.listings)
        ]
        store.save_batch(self.crawl_id, listings)
        store.finish_crawl(self.crawl_id, status=status, reason=reason)
        store.close()

    def terminate(self) -> None:
        self.launcher.signals.append((self.job, "SIGTERM", self.launcher.clock.now()))
        self.terminated = self.launcher.clock.now()

    def kill(self) -> None:
        self.launcher.signals.append((self.job, "SIGKILL", self.launcher.clock.now()))
        self.killed = True

    def tail(self) -> str:
        return self.plan.output


@dataclass
class FakeLauncher:
    clock: FakeClock
    db: str
    plans: dict[str, list[Plan]] = field(default_factory=dict)
    runs: list[FakeRun] = field(default_factory=list)
    signals: list[tuple[str, str, datetime]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    def start(self, job, crawl_id, argv, log_path: Path) -> FakeRun:
        if job.name in self.refuse:
            raise OSError(2, "No such file or directory: 'python'")
        queue = self.plans.get(job.name) or []
        plan = queue.pop(0) if len(queue) > 1 else (queue[0] if queue else Plan())
        run = FakeRun(self, job.name, crawl_id, argv, plan, self.clock.now())
        self.runs.append(run)
        return run

    def starts(self, job: str) -> list[str]:
        return [r.started.astimezone(WIB).strftime("%m-%d %H:%M") for r in self.runs if r.job == job]


def make(tmp_path, jobs: str, start: datetime, catch_up: bool = True, grace: str = "2m"):
    import tomllib

    db = str(tmp_path / "patroli.db")
    text = f'[patroli]\ndb = "{db}"\nlog_dir = "{tmp_path}/logs"\nstop_grace = "{grace}"\n'
    text += f"catch_up = {'true' if catch_up else 'false'}\n" + jobs
    config = parse_config(tomllib.loads(text), tmp_path / "patroli.toml", known_marketplaces=KNOWN)
    clock = FakeClock(start)
    launcher = FakeLauncher(clock, db)
    lines: list[str] = []
    scheduler = PatrolScheduler(
        config, clock=clock, launcher=launcher, log=lines.append, lock_dir=tmp_path / "locks"
    )
    return scheduler, clock, launcher, lines


def run_until(scheduler, clock, end: datetime) -> None:
    clock.at(end, scheduler.request_stop)
    scheduler.run()


def rows(scheduler, job: str | None = None) -> list[dict]:
    records = RunRecords(scheduler.store)
    return sorted(records.runs(job, limit=1000), key=lambda r: r["id"])


NIGHTLY = """
[jobs.malam]
marketplaces = ["tokopedia"]
keywords = ["batik tulis"]
cron = "0 1 * * *"
"""
HOURLY = """
[jobs.jam]
marketplaces = ["shopee"]
keywords = ["songket"]
cron = "0 * * * *"
"""


def test_jobs_start_on_time_each_in_its_own_run(tmp_path):
    scheduler, clock, launcher, _ = make(tmp_path, NIGHTLY, wib(2024, 5, 1, 0, 0))
    run_until(scheduler, clock, wib(2024, 5, 3, 3, 0))
    assert launcher.starts("malam") == ["05-01 01:00", "05-02 01:00", "05-03 01:00"]
    runs = rows(scheduler)
    assert [(r["status"], r["trigger"], r["scheduled_for"]) for r in runs] == [
        ("finished", "jadwal", "2024-04-30T18:00:00Z"),
        ("finished", "jadwal", "2024-05-01T18:00:00Z"),
        ("finished", "jadwal", "2024-05-02T18:00:00Z"),
    ]
    assert [r["exit_code"] for r in runs] == [0, 0, 0]
    assert [r["listings_new"] for r in runs] == [3, 3, 3]
    # Each run's process was given its own crawls row, the job name and the limits.
    first = launcher.runs[0]
    assert first.argv[:7] == [
        "crawl",
        "tokopedia",
        "--job",
        "malam",
        "--crawl-id",
        str(runs[0]["id"]),
        "--db",
    ]
    assert launcher.signals == []


def test_a_run_due_while_the_previous_still_runs_is_skipped_and_recorded(tmp_path):
    scheduler, clock, launcher, lines = make(tmp_path, HOURLY, wib(2024, 5, 1, 0, 30))
    launcher.plans["jam"] = [Plan(minutes=90), Plan(minutes=10)]
    run_until(scheduler, clock, wib(2024, 5, 1, 3, 30))
    # 01:00 runs until 02:30, so 02:00 is skipped; 03:00 runs again.
    assert launcher.starts("jam") == ["05-01 01:00", "05-01 03:00"]
    runs = rows(scheduler)
    assert [(r["status"], r["scheduled_for"]) for r in runs] == [
        ("finished", "2024-04-30T18:00:00Z"),
        ("skipped", "2024-04-30T19:00:00Z"),
        ("finished", "2024-04-30T20:00:00Z"),
    ]
    skipped = runs[1]
    assert skipped["reason"] == (
        f"patroli sebelumnya #{runs[0]['id']} masih berjalan sejak 2024-05-01 01:00 WIB; "
        f"jadwal 2024-05-01 02:00 WIB dilewati"
    )
    assert skipped["seconds"] == 0.0 and skipped["pages"] == 0
    assert any("dilewati" in line for line in lines)


def test_a_run_held_by_another_process_is_skipped(tmp_path):
    scheduler, clock, launcher, _ = make(tmp_path, NIGHTLY, wib(2024, 5, 1, 0, 0))
    other = JobLock(tmp_path / "locks", "malam")
    assert other.acquire("cron --once")
    try:
        run_until(scheduler, clock, wib(2024, 5, 1, 2, 0))
    finally:
        other.release()
    assert launcher.runs == []
    (row,) = rows(scheduler)
    assert row["status"] == "skipped"
    assert row["reason"].startswith("jadwal malam sedang dijalankan proses lain (pid ")
    assert row["reason"].endswith(" cron --once)")


def test_missed_runs_while_the_machine_sleeps_run_once_on_wake_up(tmp_path):
    scheduler, clock, launcher, lines = make(tmp_path, HOURLY, wib(2024, 5, 1, 0, 30))
    # Asleep from 00:40 to 06:10: the 01:00 ... 06:00 runs were all missed.
    clock.suspend(wib(2024, 5, 1, 0, 40), timedelta(hours=5, minutes=30))
    run_until(scheduler, clock, wib(2024, 5, 1, 7, 30))
    starts = [r.started.astimezone(WIB).strftime("%H:%M") for r in launcher.runs]
    assert starts[0] >= "06:10" and starts[0] < "06:11"
    assert len(starts) == 2 and starts[1] == "07:00"
    runs = rows(scheduler)
    assert [(r["status"], r["scheduled_for"]) for r in runs] == [
        ("finished", "2024-04-30T23:00:00Z"),  # the latest missed time, 06:00 WIB
        ("finished", "2024-05-01T00:00:00Z"),
    ]
    assert any(
        "6 jadwal sejak 2024-05-01 01:00 WIB terlewat (mesin tidur?); dijalankan sekali" in s for s in lines
    )


def test_a_run_missed_while_the_scheduler_was_down_runs_once_at_start(tmp_path):
    scheduler, clock, launcher, lines = make(tmp_path, NIGHTLY, wib(2024, 5, 3, 9, 0))
    # The job last ran two days ago: last night's 01:00 run was missed.
    old = scheduler.store.start_crawl(["tokopedia"], ["batik tulis"], job="malam")
    scheduler.store.finish_crawl(old)
    scheduler.store.db["crawls"].update(old, {"started_at": "2024-04-30T18:00:00Z"})
    run_until(scheduler, clock, wib(2024, 5, 3, 9, 30))
    assert launcher.starts("malam") == ["05-03 09:00"]
    assert rows(scheduler)[-1]["scheduled_for"] == "2024-05-02T18:00:00Z"
    assert any("terlewat saat penjadwal mati; dijalankan sekali sekarang" in s for s in lines)


def test_no_catch_up_for_a_job_that_never_ran_or_when_disabled(tmp_path):
    scheduler, clock, launcher, _ = make(tmp_path, NIGHTLY, wib(2024, 5, 3, 9, 0))
    run_until(scheduler, clock, wib(2024, 5, 3, 9, 30))
    assert launcher.runs == []
    scheduler, clock, launcher, _ = make(tmp_path / "b", NIGHTLY, wib(2024, 5, 3, 9, 0), catch_up=False)
    old = scheduler.store.start_crawl(["tokopedia"], ["batik tulis"], job="malam")
    scheduler.store.db["crawls"].update(old, {"started_at": "2024-04-30T18:00:00Z", "status": "finished"})
    run_until(scheduler, clock, wib(2024, 5, 3, 9, 30))
    assert launcher.runs == []


def test_a_failing_job_is_recorded_with_its_reason_and_the_scheduler_carries_on(tmp_path):
    scheduler, clock, launcher, lines = make(tmp_path, NIGHTLY + HOURLY, wib(2024, 5, 1, 0, 30))
    crash = Plan(minutes=2, exit_code=1, closes_row=False, output="Traceback ... | ValueError: boom")
    launcher.plans["malam"] = [crash, Plan()]
    run_until(scheduler, clock, wib(2024, 5, 2, 1, 30))
    malam = rows(scheduler, "malam")
    assert [r["status"] for r in malam] == ["failed", "finished"]
    assert malam[0]["reason"] == "proses patroli keluar dengan kode 1: Traceback ... | ValueError: boom"
    assert malam[0]["exit_code"] == 1
    # The hourly job went on meanwhile: 01:00 to 01:00 the next day.
    assert len(rows(scheduler, "jam")) == 25
    assert all(r["status"] == "finished" for r in rows(scheduler, "jam"))


def test_a_run_that_cannot_start_is_recorded_as_failed(tmp_path):
    scheduler, clock, launcher, _ = make(tmp_path, NIGHTLY, wib(2024, 5, 1, 0, 30))
    launcher.refuse.add("malam")
    run_until(scheduler, clock, wib(2024, 5, 1, 1, 30))
    (row,) = rows(scheduler)
    assert row["status"] == "failed"
    assert row["reason"].startswith("proses patroli tidak bisa dimulai: [Errno 2] No such file")
    # The lock went with it: the next night's run is not 'held by another process'.
    launcher.refuse.clear()
    clock.events.clear()
    scheduler.stopping = False
    run_until(scheduler, clock, wib(2024, 5, 2, 1, 30))
    assert [r["status"] for r in rows(scheduler)] == ["failed", "finished"]


def test_a_process_killed_by_a_signal_is_recorded(tmp_path):
    scheduler, clock, launcher, _ = make(tmp_path, NIGHTLY, wib(2024, 5, 1, 0, 30))
    launcher.plans["malam"] = [Plan(minutes=5, exit_code=-9, closes_row=False)]
    run_until(scheduler, clock, wib(2024, 5, 1, 1, 30))
    (row,) = rows(scheduler)
    assert (row["status"], row["reason"], row["exit_code"]) == (
        "failed",
        "proses patroli dihentikan oleh sinyal SIGKILL",
        -9,
    )


def test_sigterm_stops_cleanly_the_patrol_finishes_its_batch_and_is_interrupted(tmp_path):
    scheduler, clock, launcher, lines = make(tmp_path, NIGHTLY + HOURLY, wib(2024, 5, 1, 0, 30))
    launcher.plans["malam"] = [Plan(minutes=120, listings=7)]
    stop_at = wib(2024, 5, 1, 1, 10)
    run_until(scheduler, clock, stop_at)
    # Both patrols in flight got SIGTERM at once, and nothing started after.
    assert [(job, sig, t) for job, sig, t in launcher.signals] == [
        ("malam", "SIGTERM", stop_at),
        ("jam", "SIGTERM", stop_at),
    ]
    assert clock.now() == stop_at + timedelta(seconds=20)  # waited for the batches, not longer
    malam = rows(scheduler, "malam")
    assert [(r["status"], r["reason"], r["listings_new"]) for r in malam] == [("interrupted", "shutdown", 7)]
    assert len(launcher.runs) == 2
    assert not (tmp_path / "locks" / "malam.lock").exists() or JobLock(tmp_path / "locks", "malam").acquire()


def test_a_patrol_that_ignores_sigterm_is_killed_after_the_grace_and_recorded(tmp_path):
    scheduler, clock, launcher, _ = make(tmp_path, NIGHTLY, wib(2024, 5, 1, 0, 30), grace="2m")
    launcher.plans["malam"] = [Plan(minutes=300, honours_sigterm=False, closes_row=False)]
    stop_at = wib(2024, 5, 1, 2, 0)
    run_until(scheduler, clock, stop_at)
    assert [(sig, t) for _, sig, t in launcher.signals] == [
        ("SIGTERM", stop_at),
        ("SIGKILL", stop_at + timedelta(minutes=2)),
    ]
    (row,) = rows(scheduler)
    assert row["status"] == "interrupted"
    assert row["reason"] == "penjadwal dihentikan (SIGTERM); proses patroli dihentikan oleh sinyal SIGKILL"
    assert row["exit_code"] == -9


def test_max_duration_backstop_stops_a_patrol_that_overruns(tmp_path):
    job = NIGHTLY + 'max_duration = "1h"\n'
    scheduler, clock, launcher, _ = make(tmp_path, job, wib(2024, 5, 1, 0, 30), grace="5m")
    launcher.plans["malam"] = [Plan(minutes=600)]
    run_until(scheduler, clock, wib(2024, 5, 1, 3, 0))
    assert [(sig, t.astimezone(WIB).strftime("%H:%M")) for _, sig, t in launcher.signals] == [
        ("SIGTERM", "02:05")
    ]
    (row,) = rows(scheduler)
    # The fake patrol closed its own row when it stopped; the scheduler kept its verdict on record.
    assert row["status"] == "interrupted"
    assert "--max-duration" in launcher.runs[0].argv and "3600s" in launcher.runs[0].argv


def test_run_once_runs_now_and_waits(tmp_path):
    scheduler, clock, launcher, _ = make(tmp_path, NIGHTLY, wib(2024, 5, 1, 14, 0))
    row = scheduler.run_once("malam")
    assert (row["status"], row["trigger"], row["scheduled_for"], row["listings_new"]) == (
        "finished",
        "once",
        None,
        3,
    )
    assert clock.now() == wib(2024, 5, 1, 14, 10)
    # A second --once while one holds the lock is recorded as skipped, not stacked.
    other = JobLock(tmp_path / "locks", "malam")
    assert other.acquire("jadwal")
    row = scheduler.run_once("malam")
    other.release()
    assert row["status"] == "skipped" and "sedang dijalankan proses lain" in row["reason"]


def test_crawl_argv_carries_the_job(tmp_path):
    import tomllib

    text = """
[jobs.malam]
marketplaces = ["tokopedia", "shopee"]
keywords = ["batik tulis", "kain tenun"]
cron = "0 1 * * *"
max_pages = 4
max_duration = "90m"
detail = false
base_urls = { tokopedia = "http://127.0.0.1:9/tokopedia" }
"""
    config = parse_config(tomllib.loads(text), "p.toml", known_marketplaces=KNOWN)
    assert crawl_argv(config.job("malam"), 12, "data/x.db") == [
        "crawl", "tokopedia", "shopee", "--job", "malam", "--crawl-id", "12", "--db", "data/x.db", "--quiet",
        "--keyword", "batik tulis", "--keyword", "kain tenun", "--max-pages", "4", "--max-duration", "5400s",
        "--no-detail", "--base-url", "tokopedia=http://127.0.0.1:9/tokopedia",
    ]  # fmt: skip


def test_describe_exit_and_iso():
    assert describe_exit(2) == "proses patroli keluar dengan kode 2"
    assert describe_exit(-15) == "proses patroli dihentikan oleh sinyal SIGTERM"
    assert iso(wib(2024, 5, 1, 1, 0)) == "2024-04-30T18:00:00Z"
    assert iso(datetime(2024, 5, 1, tzinfo=UTC)) == "2024-05-01T00:00:00Z"
