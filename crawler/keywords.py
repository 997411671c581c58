"""Keyword sets from data/keywords.yaml, checked so that a typo is an error, not an empty patrol."""

from __future__ import annotations

from pathlib import Path

import yaml

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "keywords.yaml"


class KeywordError(ValueError):
    pass


def read_text_file(path: str | Path) -> str:
    """A text file people write: UTF-8, with or without the BOM Windows editors put first."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise KeywordError(f"{path}: tidak bisa dibaca ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise KeywordError(f"{path}: bukan teks UTF-8 ({exc.reason}); simpan ulang sebagai UTF-8") from exc


def load_keyword_sets(path: str | Path = DEFAULT_FILE) -> dict[str, list[str]]:
    path = Path(path)
    text = read_text_file(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" baris {mark.line + 1}" if mark else ""
        raise KeywordError(f"{path}{line}: YAML tidak valid ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(data, dict):
        raise KeywordError(f"{path}: harus berisi set bernama, mis. 'default: [batik tulis, ...]'")
    sets: dict[str, list[str]] = {}
    for name, words in data.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise KeywordError(f"{path}: set {name!r} harus daftar kata kunci (teks tidak kosong)")
        sets[str(name)] = [" ".join(w.split()) for w in words]
    return sets


def read_keywords_file(path: str | Path) -> list[str]:
    """A plain file of keywords, one per line; '#' starts a comment."""
    path = Path(path)
    lines = read_text_file(path).splitlines()
    words = [" ".join(line.split("#", 1)[0].split()) for line in lines]
    words = [w for w in words if w]
    if not words:
        raise KeywordError(f"{path}: tidak ada kata kunci")
    return words


def resolve_keywords(
    keywords: tuple[str, ...] | list[str] = (),
    keywords_file: str | Path | None = None,
    keyword_set: str | None = None,
    sets_file: str | Path = DEFAULT_FILE,
) -> list[str]:
    """--keyword, --keywords-file and --set together; the default set when none is given."""
    chosen: list[str] = [" ".join(k.split()) for k in keywords if k.strip()]
    if keywords_file:
        chosen += read_keywords_file(keywords_file)
    if keyword_set or not chosen:
        sets = load_keyword_sets(sets_file)
        name = keyword_set or "default"
        if name not in sets:
            raise KeywordError(f"set kata kunci {name!r} tidak ada di {sets_file} (ada: {', '.join(sets)})")
        chosen += sets[name]
    return list(dict.fromkeys(chosen))  # keep order, drop repeats
