"""`patroli schedule run`: start each job of patroli.toml on time, each patrol in its own process.

Rules, each tested with a controllable clock (tests/test_schedule.py):
- never two runs of one job at once: a run due while the previous one still runs (here, or in another
  process such as a cron `--once`, seen through a lock file) is recorded as `skipped`, not stacked;
- a missed run (the machine slept, or the scheduler was down) runs once on wake-up, not once per miss;
- a failed run (the crawl process died, or exited non-zero) is recorded with its reason, and the
  scheduler carries on;
- SIGTERM stops the scheduler cleanly: each patrol in flight gets SIGTERM, which Scrapy turns into a
  graceful stop (requests in flight finish, the store pipeline writes its last batch, the row says
  `interrupted`); one still running after `stop_grace` is killed and recorded as interrupted here.

The clock and the process launcher are injected: the real ones sleep and fork, the tests' ones do not.
Waits are cut into short naps checked against the wall clock, because a monotonic sleep does not count
the time a laptop spends suspended.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

from crawler.schedule_config import Job, ScheduleConfig, cron_times, previous_time
from crawler.store import RunRecords, Store

MAX_NAP = 30.0  # seconds; the wall clock is looked at again at least this often
KILL_WAIT = 10.0  # seconds after SIGKILL before a run is given up on


class Clock(Protocol):
    def now(self) -> datetime: ...  # timezone-aware

    def wait(self, seconds: float) -> None: ...  # returns early when interrupted

    def interrupt(self) -> None: ...


class SystemClock:
    def __init__(self) -> None:
        self._wake = threading.Event()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def wait(self, seconds: float) -> None:
        self._wake.wait(max(0.0, min(seconds, MAX_NAP)))
        self._wake.clear()

    def interrupt(self) -> None:
        self._wake.set()


class RunHandle(Protocol):
    """One patrol process."""

    pid: int | None

    def poll(self) -> int | None: ...  # exit code once it ended (negative: killed by that signal)

    def terminate(self) -> None: ...  # SIGTERM: finish the batch, then stop

    def kill(self) -> None: ...

    def tail(self) -> str: ...  # the last lines it printed: why it failed


class Launcher(Protocol):
    def start(self, job: Job, crawl_id: int, argv: list[str], log_path: Path) -> RunHandle: ...


class SubprocessRun:
    def __init__(self, process: subprocess.Popen, log_path: Path, log_file: IO[bytes]):
        self.process = process
        self.pid = process.pid
        self.log_path = log_path
        self._log_file = log_file

    def poll(self) -> int | None:
        code = self.process.poll()
        if code is not None and not self._log_file.closed:
            self._log_file.close()
        return code

    def terminate(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()

    def tail(self) -> str:
        return log_tail(self.log_path)


class SubprocessLauncher:
    """Runs `python -m crawler.cli crawl ...` with its output in the run's log file."""

    def __init__(self, python: str = sys.executable, cwd: str | Path | None = None, env: dict | None = None):
        self.python = python
        self.cwd = cwd
        self.env = env

    def start(self, job: Job, crawl_id: int, argv: list[str], log_path: Path) -> SubprocessRun:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = open(log_path, "ab")  # noqa: SIM115 (closed when the process ends)
        try:
            process = subprocess.Popen(
                [self.python, "-m", "crawler.cli", *argv],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                env=self.env,
                # Its own session: a Ctrl-C at the scheduler's terminal reaches the scheduler only,
                # which then stops each patrol itself, gracefully.
                start_new_session=True,
            )
        except OSError:
            log_file.close()
            raise
        return SubprocessRun(process, log_path, log_file)


def log_tail(path: Path, lines: int = 3, limit: int = 600) -> str:
    """The last non-empty lines of a log file: a traceback's last line says why."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 8192))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    kept = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(kept)[-limit:]


class JobLock:
    """One lock file per job, so that two processes (the scheduler, a cron --once) never run it twice."""

    def __init__(self, directory: str | Path, job: str):
        self.path = Path(directory) / f"{job}.lock"
        self._fd: int | None = None

    def acquire(self, note: str = "") -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} {note}".strip().encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "tidak diketahui"
        except OSError:
            return "tidak diketahui"

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def crawl_argv(job: Job, crawl_id: int, db: str) -> list[str]:
    """The `patroli crawl` command line of one run of a job."""
    argv = ["crawl", *job.marketplaces, "--job", job.name, "--crawl-id", str(crawl_id), "--db", db, "--quiet"]
    for keyword in job.keywords:
        argv += ["--keyword", keyword]
    if job.max_pages:
        argv += ["--max-pages", str(job.max_pages)]
    if job.max_duration:
        argv += ["--max-duration", f"{int(job.max_duration)}s"]
    if job.detail is not None:
        argv.append("--detail" if job.detail else "--no-detail")
    for market, url in sorted(job.base_urls.items()):
        argv += ["--base-url", f"{market}={url}"]
    return argv


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"proses patroli dihentikan oleh sinyal {name}"
    return f"proses patroli keluar dengan kode {code}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class ActiveRun:
    job: Job
    crawl_id: int
    handle: RunHandle
    lock: JobLock
    started: datetime
    trigger: str
    deadline: datetime | None = None  # past it, the patrol is stopped from outside
    terminated_at: datetime | None = None
    killed_at: datetime | None = None
    stop_reason: str | None = None


@dataclass
class JobState:
    job: Job
    next_due: datetime | None = None
    active: ActiveRun | None = None
    results: list[dict[str, Any]] = field(default_factory=list)


class PatrolScheduler:
    def __init__(
        self,
        config: ScheduleConfig,
        *,
        clock: Clock | None = None,
        launcher: Launcher | None = None,
        log: Callable[[str], None] | None = None,
        poll: float = 2.0,
        lock_dir: str | Path | None = None,
    ):
        self.config = config
        self.clock = clock or SystemClock()
        self.launcher = launcher or SubprocessLauncher()
        self._log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.poll = poll
        self.lock_dir = Path(lock_dir) if lock_dir else Path(config.db).parent / "locks"
        self.store = Store(config.db)
        self.records = RunRecords(self.store)
        self.states = {name: JobState(job) for name, job in config.jobs.items() if job.enabled}
        self.stopping = False
        self.stop_reason = "penjadwal dihentikan (SIGTERM)"

    # -- the loop ---------------------------------------------------------------------------------

    def request_stop(self, reason: str | None = None) -> None:
        """From a signal handler: stop starting runs, stop the ones in flight, return."""
        if reason:
            self.stop_reason = reason
        self.stopping = True
        self.clock.interrupt()

    def run(self) -> None:
        """Keep starting jobs on time until request_stop()."""
        now = self.clock.now()
        self.plan(now)
        for state in self.states.values():
            self.log(f"{state.job.name}: berikutnya {self.local(state.next_due)} ({state.job.cron})")
        while not self.stopping:
            wait = self.tick()
            if self.stopping:
                break
            self.clock.wait(wait)
        self.shutdown()

    def plan(self, now: datetime) -> None:
        """First due time of each job; a run missed while the scheduler was down is due at once."""
        tz = self.config.timezone
        for state in self.states.values():
            state.next_due = next(cron_times(state.job, tz, now))
            if not self.config.catch_up:
                continue
            last = self.records.last_started(state.job.name)
            previous = previous_time(state.job, tz, now)
            if last is not None and parse_iso(last) < previous:
                self.log(
                    f"{state.job.name}: jadwal {self.local(previous)} terlewat saat penjadwal mati; "
                    f"dijalankan sekali sekarang"
                )
                state.next_due = previous

    def tick(self) -> float:
        """Reap ended runs, start the due ones; the seconds until something is due again."""
        now = self.clock.now()
        self.reap(now)
        if not self.stopping:
            for state in self.states.values():
                if state.next_due is not None and now >= state.next_due:
                    try:
                        self.due(state, now)
                    except Exception as exc:  # one job's trouble must not stop the others
                        self.log(f"{state.job.name}: galat penjadwal, jadwal ini dicoba lagi nanti: {exc!r}")
        waits = [(s.next_due - now).total_seconds() for s in self.states.values() if s.next_due]
        if any(s.active for s in self.states.values()):
            waits.append(self.poll)
        return max(0.0, min([MAX_NAP, *waits]))

    def due(self, state: JobState, now: datetime) -> None:
        job, tz = state.job, self.config.timezone
        # Every time due since next_due counts once: after a sleep of six hours an hourly job
        # runs once, for the latest time it was due.
        first = scheduled = state.next_due
        missed = 0
        for moment in cron_times(job, tz, first):
            if moment > now:
                state.next_due = moment
                break
            scheduled = moment
            missed += 1
            if missed > 10_000:  # a minutely job after a week asleep: no need to count further
                state.next_due = next(cron_times(job, tz, now))
                break
        if missed:
            self.log(
                f"{job.name}: {missed + 1} jadwal sejak {self.local(first)} terlewat (mesin tidur?); "
                f"dijalankan sekali"
            )
        if state.active is not None:
            run = state.active
            reason = (
                f"patroli sebelumnya #{run.crawl_id} masih berjalan sejak {self.local(run.started)}; "
                f"jadwal {self.local(scheduled)} dilewati"
            )
            crawl_id = self.records.record_skipped(
                job.name,
                job.marketplaces,
                job.keywords,
                scheduled_for=iso(scheduled),
                trigger="jadwal",
                reason=reason,
            )
            self.log(f"{job.name}: #{crawl_id} dilewati: {reason}")
            state.results.append(self.records.get(crawl_id))
            return
        self.start(state, scheduled, trigger="jadwal")

    def start(self, state: JobState, scheduled: datetime | None, trigger: str) -> int:
        """Open the run's crawls row and its process; a run the lock refuses is recorded as skipped."""
        job = state.job
        lock = JobLock(self.lock_dir, job.name)
        if not lock.acquire(note=f"{trigger} {iso(self.clock.now())}"):
            reason = f"jadwal {job.name} sedang dijalankan proses lain ({lock.holder()})"
            crawl_id = self.records.record_skipped(
                job.name,
                job.marketplaces,
                job.keywords,
                scheduled_for=iso(scheduled) if scheduled else None,
                trigger=trigger,
                reason=reason,
            )
            self.log(f"{job.name}: #{crawl_id} dilewati: {reason}")
            state.results.append(self.records.get(crawl_id))
            return crawl_id
        settings = {"max_pages": job.max_pages, "max_duration": job.max_duration, "detail": job.detail}
        crawl_id = self.store.start_crawl(job.marketplaces, job.keywords, job=job.name, settings=settings)
        self.records.mark_scheduled(
            crawl_id, trigger=trigger, scheduled_for=iso(scheduled) if scheduled else None
        )
        log_path = Path(self.config.log_dir) / f"{job.name}-{crawl_id}.log"
        now = self.clock.now()
        try:
            handle = self.launcher.start(job, crawl_id, crawl_argv(job, crawl_id, self.config.db), log_path)
        except OSError as exc:
            lock.release()
            row = self.records.close_run(
                crawl_id, status="failed", reason=f"proses patroli tidak bisa dimulai: {exc}", exit_code=None
            )
            self.log(f"{job.name}: #{crawl_id} gagal dimulai: {exc}")
            state.results.append(row)
            return crawl_id
        deadline = None
        if job.max_duration:
            # The crawl stops itself at max_duration (CLOSESPIDER_TIMEOUT); this is the backstop.
            deadline = now + timedelta(seconds=job.max_duration + self.config.stop_grace)
        state.active = ActiveRun(job, crawl_id, handle, lock, now, trigger, deadline=deadline)
        self.log(f"{job.name}: mulai patroli #{crawl_id} (pid {handle.pid}, log {log_path})")
        return crawl_id

    def reap(self, now: datetime) -> None:
        for state in self.states.values():
            run = state.active
            if run is None:
                continue
            code = run.handle.poll()
            if code is not None:
                try:
                    self.finished(state, code)
                except Exception as exc:  # the record could not be written; the scheduler goes on
                    self.log(
                        f"{run.job.name}: patroli #{run.crawl_id} selesai, catatan gagal ditulis: {exc!r}"
                    )
            elif run.terminated_at is None and run.deadline is not None and now >= run.deadline:
                self.log(f"{run.job.name}: #{run.crawl_id} melewati batas waktu; dihentikan")
                self.stop_run(run, now, "melewati batas waktu jadwal (max_duration + stop_grace)")
            elif (
                run.terminated_at is not None
                and run.killed_at is None
                and now >= run.terminated_at + timedelta(seconds=self.config.stop_grace)
            ):
                self.log(
                    f"{run.job.name}: #{run.crawl_id} tidak berhenti dalam "
                    f"{self.config.stop_grace:.0f} detik setelah SIGTERM; SIGKILL"
                )
                run.killed_at = now
                run.handle.kill()

    def stop_run(self, run: ActiveRun, now: datetime, reason: str) -> None:
        run.stop_reason = reason
        run.terminated_at = now
        run.handle.terminate()

    def finished(self, state: JobState, code: int) -> None:
        """Record how a run ended; the crawl process itself has closed its row, unless it died."""
        run = state.active
        assert run is not None
        state.active = None
        run.lock.release()
        row = self.records.get(run.crawl_id)
        if row["status"] == "running":
            if run.stop_reason:
                status, reason = "interrupted", f"{run.stop_reason}; {describe_exit(code)}"
            else:
                tail = run.handle.tail()
                status, reason = "failed", describe_exit(code) + (f": {tail}" if tail else "")
            row = self.records.close_run(run.crawl_id, status=status, reason=reason, exit_code=code)
        else:
            self.records.set_exit_code(run.crawl_id, code)
            row = self.records.get(run.crawl_id)
        state.results.append(row)
        self.log(
            f"{run.job.name}: patroli #{run.crawl_id} {row['status']}"
            f" (listing {row['listings_seen']}, baru {row['listings_new']}, halaman {row['pages']},"
            f" diblokir {row['blocked']}, galat {row['errors']})"
            + (f": {row['reason']}" if row["reason"] and row["status"] != "finished" else "")
        )

    def shutdown(self) -> None:
        """SIGTERM to every patrol in flight; wait for them (stop_grace), then kill what is left."""
        now = self.clock.now()
        for state in self.states.values():
            if state.active is not None:
                self.log(f"{state.job.name}: menghentikan patroli #{state.active.crawl_id} dengan rapi")
                self.stop_run(state.active, now, self.stop_reason)
        while any(s.active for s in self.states.values()):
            now = self.clock.now()
            self.reap(now)
            for state in self.states.values():
                run = state.active
                if run and run.killed_at and now >= run.killed_at + timedelta(seconds=KILL_WAIT):
                    # A process that outlives SIGKILL this long is not ours to wait for any more.
                    self.finished(state, -signal.SIGKILL)
            if any(s.active for s in self.states.values()):
                self.clock.wait(min(self.poll, 1.0))

    def close(self) -> None:
        self.store.close()

    # -- one run, for cron and systemd ------------------------------------------------------------

    def run_once(self, name: str, trigger: str = "once") -> dict[str, Any]:
        """Start one run of a job now and wait for it: the row it left."""
        state = JobState(self.config.job(name))
        self.states = {name: state}
        crawl_id = self.start(state, None, trigger=trigger)
        while state.active is not None and not self.stopping:
            self.clock.wait(self.poll)
            self.reap(self.clock.now())
        if state.active is not None:
            self.shutdown()
        return self.records.get(crawl_id)

    # -- output -----------------------------------------------------------------------------------

    def local(self, moment: datetime | None) -> str:
        if moment is None:
            return "-"
        local = moment.astimezone(self.config.timezone)
        return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")

    def log(self, line: str) -> None:
        self._log(f"{self.local(self.clock.now())}  {line}")


def install_signal_handlers(scheduler: PatrolScheduler) -> None:
    """SIGTERM (systemd stop) and SIGINT (Ctrl-C) both stop gracefully; the patrols get SIGTERM."""

    def handler(signum, frame):
        name = signal.Signals(signum).name
        scheduler.request_stop(f"penjadwal dihentikan ({name})")

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
