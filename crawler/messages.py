"""What workers send the ingester through Redis: each request's records as one JSON message.

A message holds typed records (crawler/items.py, crawler/archive.py) as plain JSON: listings with their
assessment, page records, WARC capture rows. Never pickle: the ingester only reads data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

from crawler.archive import Capture
from crawler.items import Assessment, Flag, Listing, PageRecord, ScoredListing


def _plain(record: Any) -> dict[str, Any]:
    """A flat dataclass as a dict. dataclasses.asdict deep-copies every value: on a worker that was a
    sixth of the CPU per listing, for records whose values are strings and numbers."""
    return {name: getattr(record, name) for name in _field_names(type(record))}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def encode_record(item: Any) -> dict[str, Any] | None:
    """A pipeline's output as JSON-ready data, or None for what the store does not keep."""
    if isinstance(item, ScoredListing | Listing):
        listing = item.listing if isinstance(item, ScoredListing) else item
        assessment = item.assessment if isinstance(item, ScoredListing) else None
        encoded = None
        if assessment is not None:
            encoded = _plain(assessment)
            encoded["flags"] = [_plain(flag) for flag in assessment.flags]
        return {"t": "listing", "listing": _plain(listing), "assessment": encoded}
    if isinstance(item, PageRecord):
        return {"t": "page", "page": _plain(item)}
    if isinstance(item, Capture):
        return {"t": "capture", "capture": _plain(item)}
    return None


def encode_message(message_id: str, records: list[dict[str, Any]]) -> str:
    return json.dumps({"id": message_id, "records": records}, ensure_ascii=False, default=str)


@dataclass(slots=True)
class Message:
    """What one request produced, as the ingester stores it (in one transaction)."""

    id: str
    listings: list[ScoredListing] = field(default_factory=list)
    pages: list[PageRecord] = field(default_factory=list)
    captures: list[Capture] = field(default_factory=list)  # the WARC records of its responses


def decode_message(raw: bytes | str) -> Message:
    """One Redis message -> Message. Raises ValueError on anything else."""
    data = json.loads(raw)
    message = Message(str(data["id"]))
    for record in data["records"]:
        if record["t"] == "listing":
            assessment = record.get("assessment")
            if assessment is not None:
                flags = [Flag(**f) for f in assessment.pop("flags", [])]
                assessment = Assessment(**assessment, flags=flags)
            message.listings.append(ScoredListing(Listing(**record["listing"]), assessment))
        elif record["t"] == "page":
            message.pages.append(PageRecord(**record["page"]))
        elif record["t"] == "capture":
            message.captures.append(Capture(**record["capture"]))
        else:
            raise ValueError(f"jenis rekaman tidak dikenal: {record['t']!r}")
    return message
