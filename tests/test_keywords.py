import pytest

from crawler.keywords import KeywordError, load_keyword_sets, read_keywords_file, resolve_keywords


def test_bundled_sets_load_and_default_is_used_without_arguments():
    sets = load_keyword_sets()
    assert sets["default"] == ["batik tulis", "kain tenun", "songket", "tas rotan"]
    assert {"batik", "tenun", "songket", "anyaman"} <= set(sets)
    assert resolve_keywords() == sets["default"]


def test_explicit_keywords_file_and_set_combine_without_repeats(tmp_path):
    f = tmp_path / "kata.txt"
    f.write_text("# patroli khusus\nbatik  lasem\n\nsongket # komentar\n", encoding="utf-8")
    assert read_keywords_file(f) == ["batik lasem", "songket"]
    words = resolve_keywords(("songket", " tenun  ikat "), f, "songket")
    assert words[:3] == ["songket", "tenun ikat", "batik lasem"]
    assert words.count("songket") == 1 and "songket palembang" in words


def test_bad_inputs_are_named(tmp_path):
    with pytest.raises(KeywordError, match="tidak ada"):
        resolve_keywords(keyword_set="tidakada")
    bad = tmp_path / "k.yaml"
    bad.write_text("default: [batik\n", encoding="utf-8")
    with pytest.raises(KeywordError, match=r"k.yaml baris \d+"):
        load_keyword_sets(bad)
    bad.write_text("default: batik\n", encoding="utf-8")
    with pytest.raises(KeywordError, match="default"):
        load_keyword_sets(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(KeywordError, match="tidak ada kata kunci"):
        read_keywords_file(empty)
