"""patroli.toml: what is accepted, and what is refused with the file, the key and the reason."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.items import MARKETPLACES
from crawler.schedule_config import (
    ConfigError,
    cron_problem,
    load_config,
    next_runs,
    parse_duration,
    previous_time,
)

ROOT = Path(__file__).resolve().parent.parent
KNOWN = set(MARKETPLACES)


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "patroli.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, known_marketplaces=KNOWN)
    assert str(info.value).startswith(f"{path}: ")
    return info.value


GOOD = """
[jobs.malam]
marketplaces = ["tokopedia", "shopee"]
keyword_set = "songket"
cron = "0 1 * * *"
max_pages = 3
max_duration = "1h30m"
"""


def test_example_file_is_valid_and_complete():
    config = load_config(ROOT / "patroli.toml.example", known_marketplaces=KNOWN)
    assert list(config.jobs) == ["malam", "senin-batik", "kampanye"]
    malam = config.jobs["malam"]
    assert malam.marketplaces == ("tokopedia", "shopee", "lazada", "blibli")
    assert malam.keywords == ("batik tulis", "kain tenun", "songket", "tas rotan")
    assert malam.max_pages == 5 and malam.max_duration == 3 * 3600
    assert config.jobs["senin-batik"].detail is True
    assert config.jobs["kampanye"].keywords == ("batik tulis lasem", "songket palembang")
    assert config.jobs["kampanye"].enabled is False
    assert config.timezone.key == "Asia/Jakarta" and config.stop_grace == 300 and config.catch_up is True


def test_a_job_with_its_keyword_set_and_limits(tmp_path):
    config = load_config(write(tmp_path, GOOD), known_marketplaces=KNOWN)
    job = config.job("malam")
    assert job.keywords == ("songket", "songket palembang", "songket minang", "songket pandai sikek")
    assert job.keyword_set == "songket"
    assert job.max_duration == 5400.0
    assert config.db == "data/patroli.db" and config.log_dir == "data/logs"


def test_explicit_keywords_and_set_together_keep_order_without_repeats(tmp_path):
    text = GOOD.replace('keyword_set = "songket"', 'keyword_set = "songket"\nkeywords = ["ulos", "songket"]')
    job = load_config(write(tmp_path, text), known_marketplaces=KNOWN).job("malam")
    assert job.keywords == ("ulos", "songket", "songket palembang", "songket minang", "songket pandai sikek")


def test_next_runs_are_in_jakarta_time(tmp_path):
    config = load_config(write(tmp_path, GOOD), known_marketplaces=KNOWN)
    after = datetime(2024, 5, 1, 17, 0, tzinfo=UTC)  # 00:00 WIB on 2 May
    runs = next_runs(config.job("malam"), config.timezone, after, 2)
    assert [r.isoformat() for r in runs] == ["2024-05-02T01:00:00+07:00", "2024-05-03T01:00:00+07:00"]
    assert runs[0].astimezone(UTC) == datetime(2024, 5, 1, 18, 0, tzinfo=UTC)
    assert (
        previous_time(config.job("malam"), config.timezone, after).isoformat() == "2024-05-01T01:00:00+07:00"
    )


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        (GOOD + "kata_kunci = 'batik'\n", "jobs.malam.kata_kunci", "kunci tidak dikenal"),
        (GOOD + "max_page = 3\n", "jobs.malam.max_page", "maksudnya 'max_pages'?"),
        ("[patroli]\ntimezon = 'Asia/Jakarta'\n" + GOOD, "patroli.timezon", "maksudnya 'timezone'?"),
        ("jadwal = 1\n" + GOOD, "jadwal", "kunci tidak dikenal"),
        (GOOD.replace("0 1 * * *", "61 1 * * *"), "jobs.malam.cron", "'61 1 * * *' tidak valid"),
        (GOOD.replace("0 1 * * *", "0 1 * *"), "jobs.malam.cron", "harus 5 kolom"),
        (GOOD.replace("0 1 * * *", "0 0 1 * * *"), "jobs.malam.cron", "harus 5 kolom"),
        (GOOD.replace("0 1 * * *", "@nightly"), "jobs.malam.cron", "tidak dikenal"),
        (GOOD.replace("0 1 * * *", "0 1 * * senin"), "jobs.malam.cron", "tidak valid"),
        # Valid fields, but no such day: accepted, it crashed `schedule list` and `run` at start.
        (GOOD.replace("0 1 * * *", "0 1 30 2 *"), "jobs.malam.cron", "tidak pernah jatuh"),
        (GOOD.replace("0 1 * * *", "0 1 31 4,6,9,11 *"), "jobs.malam.cron", "tidak pernah jatuh"),
        (GOOD.replace('"shopee"', '"bukalapak"'), "jobs.malam.marketplaces", "'bukalapak' tidak dikenal"),
        (GOOD.replace('"shopee"', '"shoppe"'), "jobs.malam.marketplaces", "maksudnya 'shopee'?"),
        (GOOD.replace('"songket"', '"songkt"'), "jobs.malam.keyword_set", "'songkt' tidak ada"),
        (GOOD.replace('"1h30m"', "90"), "jobs.malam.max_duration", "tulis dengan satuan"),
        (GOOD.replace('"1h30m"', '"sejam"'), "jobs.malam.max_duration", "tidak dikenal"),
        (GOOD.replace("max_pages = 3", "max_pages = 0"), "jobs.malam.max_pages", "harus 1-100"),
        (GOOD.replace("max_pages = 3", "max_pages = '3'"), "jobs.malam.max_pages", "bilangan bulat"),
        (GOOD.replace('cron = "0 1 * * *"\n', ""), "jobs.malam.cron", "wajib diisi"),
        (GOOD.replace("[jobs.malam]", '[jobs."Malam Hari"]'), "jobs.Malam Hari", "nama jadwal"),
        ("[patroli]\ntimezone = 'Asia/Jakart'\n" + GOOD, "patroli.timezone", "tidak dikenal"),
        (GOOD + "enabled = 'ya'\n", "jobs.malam.enabled", "true atau false"),
        (GOOD + "base_urls = { tokopedia = 'ftp://x' }\n", "jobs.malam.base_urls.tokopedia", "URL http"),
        ("[patroli]\n", "jobs", "belum ada jadwal"),
    ],
)
def test_bad_config_is_refused_naming_file_key_and_reason(tmp_path, text, key, reason):
    error = refused(tmp_path, text)
    assert error.key == key
    assert reason in error.reason
    assert f": {key}: " in str(error)


def test_broken_toml_and_missing_file_are_refused(tmp_path):
    error = refused(tmp_path, "[jobs.malam\ncron = 1")
    assert "TOML tidak valid" in error.reason and "line 1" in error.reason
    with pytest.raises(ConfigError, match="berkas tidak ada; salin patroli.toml.example"):
        load_config(tmp_path / "tidak-ada.toml", known_marketplaces=KNOWN)


def test_config_saved_with_a_bom_or_another_encoding(tmp_path):
    path = tmp_path / "patroli.toml"
    path.write_bytes(GOOD.encode("utf-8-sig"))  # Notepad's "UTF-8 with BOM"
    assert list(load_config(path, known_marketplaces=KNOWN).jobs) == ["malam"]
    path.write_bytes(("# jadwal ‘malam’\n" + GOOD).encode("cp1252"))
    with pytest.raises(ConfigError, match=r"patroli.toml: bukan teks UTF-8"):
        load_config(path, known_marketplaces=KNOWN)


def test_unknown_job_name_is_named():
    config = load_config(ROOT / "patroli.toml.example", known_marketplaces=KNOWN)
    with pytest.raises(
        ConfigError, match=r"jobs.pagi: tidak ada jadwal bernama 'pagi' \(ada: malam, senin-batik"
    ):
        config.job("pagi")


@pytest.mark.parametrize(
    ("text", "seconds"), [("45s", 45), ("90m", 5400), ("2h", 7200), ("1h30m", 5400), ("1h 5m 3s", 3903)]
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_cron_problem_accepts_aliases_and_five_fields():
    assert cron_problem("@daily") is None
    assert cron_problem("*/15 8-20 * * 1-5") is None
    assert cron_problem("0 25 * * *") is not None
    assert cron_problem("0 1 29 2 *") is None  # 29 February comes, every fourth year


def test_local_text_names_the_day_in_indonesian():
    from zoneinfo import ZoneInfo

    from crawler.schedule_config import local_text

    assert (
        local_text(datetime(2024, 5, 5, 18, 0, tzinfo=UTC), ZoneInfo("Asia/Jakarta"))
        == "Senin 2024-05-06 01:00 WIB"
    )
