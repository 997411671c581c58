"""Listings as JSON lines (for `patroli score` and bench/quality.py), and assessments back out.

A line holds the Listing fields plus an optional `description` and `id`; other keys (`labels`, ...)
are ignored. Money may be a number or a string as a page shows it ("Rp 15rb"): strings go through
crawler.normalize. A line that cannot be read raises `RowError` with the reason; the caller reports
it with the line number and goes on with the next line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any, TextIO

from crawler.items import Assessment, Listing
from crawler.normalize import NormalizeError, clean_text, parse_count, parse_price, parse_rating

LISTING_FIELDS = {f.name: f for f in fields(Listing)}
_INT_FIELDS = {"price_idr", "price_max_idr", "original_price_idr"}
_COUNT_FIELDS = {"sold_count", "review_count", "historical_sold"}
_BOOL_FIELDS = {"is_cross_border", "is_official", "is_preorder"}
_TEXT_LIMIT = 20_000


class RowError(ValueError):
    pass


@dataclass(slots=True)
class Row:
    line: int
    id: str | None
    listing: Listing
    raw: dict[str, Any]


def _money(value: Any, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise RowError(f"{key} bukan harga: {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise RowError(f"{key} bukan harga: {value!r}")
        return int(round(value)) or None
    try:
        return parse_price(str(value))[0]
    except NormalizeError as exc:
        raise RowError(f"{key}: {exc}") from None


def _count(value: Any, key: str) -> int | None:
    try:
        return parse_count(value)
    except NormalizeError as exc:
        raise RowError(f"{key}: {exc}") from None


def _bool(value: Any, key: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "ya", "tidak"):
        return value.strip().lower() in ("true", "1", "ya")
    raise RowError(f"{key} harus true/false/null, bukan {value!r}")


def _text(value: Any, key: str, limit: int = _TEXT_LIMIT) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise RowError(f"{key} harus teks, bukan {type(value).__name__}")
    return clean_text(str(value), limit=limit)


def row_to_listing(obj: Any, line: int) -> Row:
    if not isinstance(obj, dict):
        raise RowError(f"baris harus objek JSON, bukan {type(obj).__name__}")
    row_id = obj.get("id")
    row_id = None if row_id is None else str(row_id)
    values: dict[str, Any] = {}
    for key, value in obj.items():
        if key not in LISTING_FIELDS:
            continue  # labels and anything else: ignored
        if key in _INT_FIELDS:
            values[key] = _money(value, key)
        elif key in _COUNT_FIELDS:
            values[key] = _count(value, key)
        elif key in _BOOL_FIELDS:
            values[key] = _bool(value, key)
        elif key == "rating":
            values[key] = parse_rating(value)
        elif key == "price_original":
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise RowError(f"price_original harus angka, bukan {value!r}")
            values[key] = None if value is None else float(value)
        else:
            values[key] = _text(value, key)
    values["marketplace"] = values.get("marketplace") or "unknown"
    values["listing_id"] = values.get("listing_id") or row_id or f"line{line}"
    values["url"] = values.get("url") or ""
    values["title"] = values.get("title") or ""
    values["currency"] = (values.get("currency") or "IDR").upper()
    return Row(line, row_id, Listing(**values), obj)


def read_rows(handle: TextIO) -> Iterator[Row | tuple[int, str]]:
    """Rows, or (line, reason) for a line that cannot be read. Blank lines are skipped."""
    for line_no, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield line_no, f"JSON tidak valid: {exc.msg} (kolom {exc.colno})"
            continue
        try:
            yield row_to_listing(obj, line_no)
        except RowError as exc:
            yield line_no, str(exc)


def assessment_json(row_id: str | None, a: Assessment) -> dict[str, Any]:
    return {
        "id": row_id,
        "listing_id": a.listing_id,
        "marketplace": a.marketplace,
        "category": a.category,
        "category_confidence": a.category_confidence,
        "risk": a.risk,
        "likely_imported": a.likely_imported,
        "below_local_cost": a.below_local_cost,
        "mislabelled_technique": a.mislabelled_technique,
        "unit_price_idr": a.unit_price_idr,
        "units": a.units,
        "matcher_version": a.matcher_version,
        "flags": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "score": f.score,
                "reason_id": f.reason_id,
                "reason_en": f.reason_en,
                "evidence": f.evidence,
                "legal_basis": f.legal_basis,
                "matcher_version": f.matcher_version,
            }
            for f in a.flags
        ],
    }
