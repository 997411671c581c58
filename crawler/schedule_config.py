"""patroli.toml: named patrol jobs on a cron schedule.

The file is checked completely when it is read, so that a typo is refused at start with the file, the
key and the reason (an unknown key, a cron expression that is not one, a marketplace we cannot crawl)
instead of surfacing at one in the morning as a patrol that never ran.

    [patroli]                      # optional, these are the defaults
    db = "data/patroli.db"
    timezone = "Asia/Jakarta"      # cron times are read in this zone (WIB)
    log_dir = "data/logs"          # one log file per run
    stop_grace = "5m"              # how long a patrol gets to finish its batch after SIGTERM
    catch_up = true                # a run missed while the scheduler was down runs once at start

    [jobs.malam]
    marketplaces = ["tokopedia", "shopee"]
    keyword_set = "default"        # a set from data/keywords.yaml; and/or keywords = ["..."]
    cron = "0 1 * * *"             # every night at 01:00 WIB
    max_pages = 5                  # per keyword
    max_duration = "2h"            # the patrol stops itself after this long
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, croniter

from crawler.keywords import DEFAULT_FILE as KEYWORDS_FILE
from crawler.keywords import KeywordError, load_keyword_sets

DEFAULT_CONFIG = "patroli.toml"
DEFAULT_TIMEZONE = "Asia/Jakarta"

GLOBAL_KEYS = ("db", "timezone", "log_dir", "stop_grace", "catch_up")
JOB_KEYS = (
    "marketplaces",
    "keyword_set",
    "keywords",
    "cron",
    "max_pages",
    "max_duration",
    "detail",
    "enabled",
    "base_urls",
)
_JOB_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")


class ConfigError(ValueError):
    """A patroli.toml the scheduler refuses: says which file, which key, and why."""

    def __init__(self, path: str | Path, key: str, reason: str):
        self.path = str(path)
        self.key = key
        self.reason = reason
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class Job:
    """One scheduled patrol."""

    name: str
    marketplaces: tuple[str, ...]
    keywords: tuple[str, ...]
    cron: str
    keyword_set: str | None = None
    max_pages: int | None = None
    max_duration: float | None = None  # seconds
    detail: bool | None = None
    enabled: bool = True
    base_urls: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    path: Path
    jobs: dict[str, Job]
    timezone: ZoneInfo
    db: str = "data/patroli.db"
    log_dir: str = "data/logs"
    stop_grace: float = 300.0
    catch_up: bool = True

    def job(self, name: str) -> Job:
        if name not in self.jobs:
            known = ", ".join(self.jobs) or "tidak ada"
            raise ConfigError(self.path, f"jobs.{name}", f"tidak ada jadwal bernama {name!r} (ada: {known})")
        return self.jobs[name]


def cron_times(job: Job, tz: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """The job's run times after `after`, in the schedule's time zone, without end."""
    it = croniter(job.cron, after.astimezone(tz))
    while True:
        yield it.get_next(datetime)


def previous_time(job: Job, tz: ZoneInfo, before: datetime) -> datetime:
    """The latest run time at or before `before`."""
    return croniter(job.cron, before.astimezone(tz)).get_prev(datetime)


def next_runs(job: Job, tz: ZoneInfo, after: datetime, count: int = 3) -> list[datetime]:
    times = cron_times(job, tz, after)
    return [next(times) for _ in range(count)]


DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def local_text(moment: datetime, tz: ZoneInfo) -> str:
    """'Senin 2024-05-06 01:00 WIB': how run times are shown to people."""
    local = moment.astimezone(tz)
    return f"{DAYS[local.weekday()]} {local:%Y-%m-%d %H:%M} {local.tzname()}"


def parse_duration(value: Any) -> float:
    """'90m', '2h', '1h30m', '45s' -> seconds. A bare number is refused: minutes or seconds?"""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"tulis dengan satuan, mis. '90m' atau '2h', bukan {value!r}")
    match = _DURATION.match(value)
    if not match or not any(match.groups()):
        raise ValueError(f"durasi {value!r} tidak dikenal; contoh: '45s', '90m', '2h', '1h30m'")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise ValueError("durasi harus lebih dari nol")
    return float(total)


def load_config(
    path: str | Path = DEFAULT_CONFIG,
    *,
    known_marketplaces: Collection[str],
    keywords_file: str | Path = KEYWORDS_FILE,
) -> ScheduleConfig:
    """Read and check patroli.toml; raises ConfigError naming the file, the key and the reason."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a Windows editor's BOM is no TOML error
    except FileNotFoundError as exc:
        raise ConfigError(
            path, "", "berkas tidak ada; salin patroli.toml.example menjadi patroli.toml"
        ) from exc
    except OSError as exc:
        raise ConfigError(path, "", f"tidak bisa dibaca ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "", f"bukan teks UTF-8 ({exc.reason}); simpan ulang sebagai UTF-8") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"TOML tidak valid: {exc}") from exc
    return parse_config(data, path, known_marketplaces=known_marketplaces, keywords_file=keywords_file)


def parse_config(
    data: dict[str, Any],
    path: str | Path,
    *,
    known_marketplaces: Collection[str],
    keywords_file: str | Path = KEYWORDS_FILE,
) -> ScheduleConfig:
    path = Path(path)
    _no_unknown_keys(path, "", data, ("patroli", "jobs"))
    settings = _table(path, "patroli", data.get("patroli", {}))
    _no_unknown_keys(path, "patroli", settings, GLOBAL_KEYS)
    tz_name = _string(path, "patroli.timezone", settings.get("timezone", DEFAULT_TIMEZONE))
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(path, "patroli.timezone", f"zona waktu {tz_name!r} tidak dikenal") from exc
    stop_grace = _duration(path, "patroli.stop_grace", settings.get("stop_grace", "5m"))
    catch_up = _bool(path, "patroli.catch_up", settings.get("catch_up", True))

    jobs_table = _table(path, "jobs", data.get("jobs", {}))
    if not jobs_table:
        raise ConfigError(path, "jobs", "belum ada jadwal; tambahkan misalnya [jobs.malam]")
    keyword_sets: dict[str, list[str]] | None = None

    def sets() -> dict[str, list[str]]:
        nonlocal keyword_sets
        if keyword_sets is None:
            try:
                keyword_sets = load_keyword_sets(keywords_file)
            except KeywordError as exc:
                raise ConfigError(path, "keyword_set", str(exc)) from exc
        return keyword_sets

    jobs = {name: _job(path, name, body, known_marketplaces, sets) for name, body in jobs_table.items()}
    return ScheduleConfig(
        path=path,
        jobs=jobs,
        timezone=tz,
        db=_string(path, "patroli.db", settings.get("db", "data/patroli.db")),
        log_dir=_string(path, "patroli.log_dir", settings.get("log_dir", "data/logs")),
        stop_grace=stop_grace,
        catch_up=catch_up,
    )


def _job(
    path: Path,
    name: str,
    body: Any,
    known_marketplaces: Collection[str],
    sets: Callable[[], dict[str, list[str]]],
) -> Job:
    key = f"jobs.{name}"
    if not _JOB_NAME.match(name):
        raise ConfigError(
            path, key, "nama jadwal: huruf kecil, angka, '-' atau '_' (paling banyak 40), mis. 'malam'"
        )
    body = _table(path, key, body)
    _no_unknown_keys(path, key, body, JOB_KEYS)
    for required in ("marketplaces", "cron"):
        if required not in body:
            raise ConfigError(path, f"{key}.{required}", "wajib diisi")

    markets = body["marketplaces"]
    if isinstance(markets, str):
        markets = [markets]
    if not isinstance(markets, list) or not markets or not all(isinstance(m, str) for m in markets):
        raise ConfigError(path, f"{key}.marketplaces", 'harus daftar nama, mis. ["tokopedia", "shopee"]')
    for market in markets:
        if market not in known_marketplaces:
            raise ConfigError(
                path,
                f"{key}.marketplaces",
                f"marketplace {market!r} tidak dikenal{_suggest(market, known_marketplaces)} "
                f"(tersedia: {', '.join(sorted(known_marketplaces)) or 'tidak ada'})",
            )

    cron = _string(path, f"{key}.cron", body["cron"]).strip()
    reason = cron_problem(cron)
    if reason:
        raise ConfigError(path, f"{key}.cron", reason)

    keyword_set = body.get("keyword_set")
    explicit = body.get("keywords", [])
    if keyword_set is not None:
        keyword_set = _string(path, f"{key}.keyword_set", keyword_set)
    if not isinstance(explicit, list) or not all(isinstance(k, str) and k.strip() for k in explicit):
        raise ConfigError(path, f"{key}.keywords", 'harus daftar kata kunci, mis. ["batik tulis"]')
    words = [" ".join(k.split()) for k in explicit]
    if keyword_set is not None or not words:
        chosen = keyword_set or "default"
        available = sets()
        if chosen not in available:
            raise ConfigError(
                path,
                f"{key}.keyword_set",
                f"set kata kunci {chosen!r} tidak ada di data/keywords.yaml"
                f"{_suggest(chosen, available)} (ada: {', '.join(available)})",
            )
        words += available[chosen]
        keyword_set = chosen

    max_pages = body.get("max_pages")
    if max_pages is not None and (isinstance(max_pages, bool) or not isinstance(max_pages, int)):
        raise ConfigError(path, f"{key}.max_pages", f"harus bilangan bulat 1-100, bukan {max_pages!r}")
    if max_pages is not None and not 1 <= max_pages <= 100:
        raise ConfigError(path, f"{key}.max_pages", f"harus 1-100, bukan {max_pages}")
    max_duration = body.get("max_duration")
    if max_duration is not None:
        max_duration = _duration(path, f"{key}.max_duration", max_duration)
    detail = body.get("detail")
    if detail is not None:
        detail = _bool(path, f"{key}.detail", detail)
    base_urls = _table(path, f"{key}.base_urls", body.get("base_urls", {}))
    for market, url in base_urls.items():
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(path, f"{key}.base_urls.{market}", f"harus URL http(s), bukan {url!r}")

    return Job(
        name=name,
        marketplaces=tuple(dict.fromkeys(markets)),
        keywords=tuple(dict.fromkeys(words)),
        cron=cron,
        keyword_set=keyword_set,
        max_pages=max_pages,
        max_duration=max_duration,
        detail=detail,
        enabled=_bool(path, f"{key}.enabled", body.get("enabled", True)),
        base_urls=dict(base_urls),
    )


def cron_problem(expression: str) -> str | None:
    """Why a cron expression is refused, or None. Five fields (or @daily...), nothing else."""
    fields = expression.split()
    if expression.startswith("@"):
        if expression not in (
            "@yearly",
            "@annually",
            "@monthly",
            "@weekly",
            "@daily",
            "@midnight",
            "@hourly",
        ):
            return f"ekspresi cron {expression!r} tidak dikenal (@hourly, @daily, @weekly, @monthly, @yearly)"
        return None
    if len(fields) != 5:
        return (
            f"ekspresi cron {expression!r} harus 5 kolom: menit jam tanggal bulan hari, "
            f"mis. '0 1 * * *' (setiap hari pukul 01.00)"
        )
    if not croniter.is_valid(expression):
        try:
            croniter(expression)
        except (ValueError, KeyError) as exc:
            return f"ekspresi cron {expression!r} tidak valid ({exc})"
        return f"ekspresi cron {expression!r} tidak valid"
    try:
        # Every field valid, yet no such day ("0 1 30 2 *"): croniter gives up searching.
        croniter(expression, datetime(2000, 1, 1)).get_next(datetime)
    except CroniterBadDateError:
        return f"ekspresi cron {expression!r} tidak pernah jatuh pada tanggal yang ada"
    return None


def _no_unknown_keys(path: Path, where: str, table: dict[str, Any], known: tuple[str, ...]) -> None:
    for key in table:
        if key not in known:
            full = f"{where}.{key}" if where else key
            raise ConfigError(
                path,
                full,
                f"kunci tidak dikenal{_suggest(key, known)} (yang dikenal di sini: {', '.join(known)})",
            )


def _suggest(word: str, options: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; maksudnya {close[0]!r}?" if close else ""


def _table(path: Path, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(path, key, f"harus tabel TOML ([{key}]), bukan {type(value).__name__}")
    return value


def _string(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(path, key, f"harus teks, bukan {value!r}")
    return value


def _bool(path: Path, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(path, key, f"harus true atau false, bukan {value!r}")
    return value


def _duration(path: Path, key: str, value: Any) -> float:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ConfigError(path, key, str(exc)) from exc
