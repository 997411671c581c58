"""data/ is edited by people: every malformed file is rejected naming the file, the line and why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from matchers import DEFAULT_DATA_DIR, DataError, load_matcher
from matchers.data import load_reference


@pytest.fixture
def data_dir(tmp_path) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    for name in ("text.yaml", "categories.yaml", "signals.yaml", "rates.yaml", "watchlist.csv"):
        shutil.copy(DEFAULT_DATA_DIR / name, target / name)
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace `old` (once) and return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def test_shipped_data_loads_with_every_floor_sourced():
    ref = load_reference(DEFAULT_DATA_DIR)
    floors = [f for c in ref.categories.values() for f in c.floors]
    assert len(floors) == 12
    assert all(f.sources and all(s.url and s.date for s in f.sources) for f in floors)
    assert {c for c in ref.categories} == {
        "batik_tulis", "batik_cap", "batik_printing", "pakaian_batik", "tenun_ikat", "songket", "lurik",
        "kain_meteran", "benang", "anyaman_rotan", "rotan_sintetis", "anyaman_bambu", "anyaman_pandan",
        "kerajinan_kayu",
    }  # fmt: skip
    assert ref.rates["USD"].idr == 15_500 and ref.rates["USD"].date == "2023-10"
    assert len(ref.watchlist) == 3


def test_floor_written_in_words(data_dir):
    line = edit(
        data_dir / "categories.yaml",
        'floor_idr: 300000\n        strong_below_idr: 200000\n        why: "di atas',
        'floor_idr: tiga ratus ribu\n        strong_below_idr: 200000\n        why: "di atas',
    )
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.path.endswith("categories.yaml") and err.value.line == line
    assert "floor_idr harus bilangan bulat" in err.value.reason and "tiga ratus ribu" in err.value.reason


def test_unknown_source_key(data_dir):
    line = edit(data_dir / "categories.yaml", "sources: [bisnisbali2019]", "sources: [bisnisbali2020]")
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.line == line and "bisnisbali2020" in err.value.reason


def test_misspelt_field_name(data_dir):
    line = edit(
        data_dir / "categories.yaml",
        '        strong_below_idr: 80000\n        why: "batik cap',
        '        strong_below: 80000\n        why: "batik cap',
    )
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.line == line and "kunci tidak dikenal 'strong_below'" in err.value.reason


def test_yaml_syntax_error_names_the_line(data_dir):
    line = edit(data_dir / "signals.yaml", "threshold: 4\n", "threshold: [4\n")
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.path.endswith("signals.yaml")
    assert err.value.line is not None and err.value.line >= line
    assert "YAML tidak valid" in err.value.reason


def test_duplicate_key(data_dir):
    line = edit(data_dir / "rates.yaml", "    idr: 15500\n", "    idr: 15500\n    idr: 16000\n")
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.line == line + 1 and "kunci ganda 'idr'" in err.value.reason


def test_bad_regular_expression(data_dir):
    edit(
        data_dir / "categories.yaml",
        '"tidak bolak balik"\n  pale_reverse_strong',
        '"tidak (bolak balik"\n  pale_reverse_strong',
    )
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert "pola regex tidak valid" in err.value.reason and err.value.line is not None


def test_bad_date(data_dir):
    line = edit(
        data_dir / "rates.yaml", "    date: 2023-10\n    source:", "    date: Oktober 2023\n    source:"
    )
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.line == line and "YYYY-MM" in err.value.reason


def test_weight_that_is_not_a_number(data_dir):
    line = edit(
        data_dir / "signals.yaml",
        '    weight: 2\n    label_id: "penjual di pusat',
        '    weight: sedang\n    label_id: "penjual di pusat',
    )
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.line == line and "weight harus angka" in err.value.reason


def test_watchlist_row_with_wrong_column_count(data_dir):
    path = data_dir / "watchlist.csv"
    path.write_text(path.read_text(encoding="utf-8") + "W0009,shopee,123\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.path.endswith("watchlist.csv") and err.value.line == 5
    assert "harus 11 kolom, ada 3" in err.value.reason


def test_watchlist_duplicate_id_and_unknown_category(data_dir):
    path = data_dir / "watchlist.csv"
    base = path.read_text(encoding="utf-8")
    path.write_text(base + "W0001,,,,Kain lain,,batik_printing,2024,PKTN,laporan,\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.line == 5 and "W0001" in err.value.reason
    path.write_text(base + "W0009,,,,Kain lain,,batik_palsu,2024,PKTN,laporan,\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert "batik_palsu" in err.value.reason


def test_missing_file(data_dir):
    (data_dir / "rates.yaml").unlink()
    with pytest.raises(DataError) as err:
        load_matcher(data_dir)
    assert err.value.path.endswith("rates.yaml") and "tidak ada" in err.value.reason


def test_message_reads_file_line_reason(data_dir):
    line = edit(data_dir / "categories.yaml", "min_score: 3.0", "min_score: tiga")
    with pytest.raises(DataError, match=rf"categories.yaml, baris {line}: min_score harus angka"):
        load_reference(data_dir)


def test_data_change_changes_the_matcher_version(data_dir):
    before = load_matcher(data_dir).version
    edit(data_dir / "rates.yaml", "idr: 15500", "idr: 16300")
    after = load_matcher(data_dir).version
    assert before != after and before.split("+")[0] == after.split("+")[0]


def test_made_of_window_written_in_words(data_dir):
    line = edit(data_dir / "categories.yaml", "      window: 3\n", "      window: tiga\n")
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.line == line and "made_of.window harus bilangan bulat" in err.value.reason


def test_made_of_without_materials(data_dir):
    edit(data_dir / "categories.yaml", "      materials: [kayu, wooden,", "      bahan: [kayu, wooden,")
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert "kerajinan_kayu.made_of: kunci tidak dikenal 'bahan'" in err.value.reason


def test_hedged_factor_must_be_a_number(data_dir):
    line = edit(
        data_dir / "categories.yaml", "    hedged_factor: 0.25  # ", "    hedged_factor: seperempat  # "
    )
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.line == line and "songket.hedged_factor harus angka" in err.value.reason


def test_unknown_distractor_list(data_dir):
    line = edit(data_dir / "categories.yaml", "  heads: [alat,", "  kepala: [alat,")
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert err.value.line == line and "distractors: kunci tidak dikenal 'kepala'" in err.value.reason


def test_measure_words_are_required(data_dir):
    edit(data_dir / "text.yaml", "measure_words: [gram,", "measures: [gram,")
    with pytest.raises(DataError) as err:
        load_reference(data_dir)
    assert "kunci tidak dikenal 'measures'" in err.value.reason
