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


def test_files_saved_by_windows_editors(tmp_path):
    # Notepad's "UTF-8 with BOM": the BOM is not whitespace, so it stuck to the first keyword
    # and that keyword was searched with an invisible character in front of it.
    f = tmp_path / "kata.txt"
    f.write_bytes("batik tulis\nsongket\n".encode("utf-8-sig"))
    assert read_keywords_file(f) == ["batik tulis", "songket"]
    sets = tmp_path / "k.yaml"
    sets.write_bytes("default: [batik tulis]\n".encode("utf-8-sig"))
    assert load_keyword_sets(sets) == {"default": ["batik tulis"]}
    # Another encoding (ANSI/cp1252, UTF-16) is a one-line error, not a UnicodeDecodeError traceback.
    f.write_bytes("batik tulis\nkain tenun ikat Sumba\n".encode("utf-16"))
    with pytest.raises(KeywordError, match=r"kata.txt: bukan teks UTF-8"):
        read_keywords_file(f)
    sets.write_bytes("default: [songket ‘Palembang’]\n".encode("cp1252"))
    with pytest.raises(KeywordError, match=r"k.yaml: bukan teks UTF-8"):
        load_keyword_sets(sets)
