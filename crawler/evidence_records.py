"""Typed records of the evidence side: what the store hands the pack builder; the custody log.

A custody entry is hash-chained: `entry_hash` is the SHA-256 of the entry's canonical JSON
(every field but `entry_hash`), and `prev_hash` is the previous entry's `entry_hash`, so no
entry can be changed, dropped or reordered without every later hash showing it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from crawler.items import Flag, Listing

GENESIS_HASH = "0" * 64
RECAPTURE_STATUSES = ("live", "removed", "blocked", "error", "unchecked")


@dataclass(slots=True)
class Snapshot:
    """One listing_snapshots row: price and sold count as one crawl saw them."""

    crawl_id: int | None
    captured_at: str | None
    price_idr: int | None
    price_max_idr: int | None
    sold_count: int | None
    historical_sold: int | None
    capture_id: str | None


@dataclass(slots=True)
class StoredListing:
    """A listing as the store holds it, with the matchers' verdict, its flags and its history."""

    listing: Listing
    category: str | None = None
    risk: int | None = None
    first_seen_at: str | None = None
    last_seen_at: str | None = None
    flags: list[Flag] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)


@dataclass(slots=True)
class RecaptureResult:
    """Whether a listing's public page was still there just before an export."""

    marketplace: str
    listing_id: str
    status: str  # one of RECAPTURE_STATUSES
    checked_at: str
    url: str | None = None
    http_status: int | None = None
    capture_id: str | None = None  # the new capture, when the page answered
    previous_capture_id: str | None = None  # the capture the listing had before; always kept
    reason: str | None = None
    crawl_id: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.marketplace, self.listing_id)


@dataclass(slots=True)
class CustodyEntry:
    """One line of the append-only custody log (custody_log table and custody.json in a pack)."""

    seq: int
    at: str
    action: str  # "export"
    operator: str
    host: str
    database_id: str
    database_path: str
    pack_name: str
    parameters: dict[str, Any]
    listing_count: int
    capture_count: int
    content_sha256: str  # digest of the pack's content files (see evidence.content_digest)
    prev_export_content_sha256: str | None
    prev_hash: str
    entry_hash: str = ""

    def canonical(self) -> bytes:
        data = asdict(self)
        data.pop("entry_hash")
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CustodyEntry:
        names = set(cls.__slots__)
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"kolom tidak dikenal di log serah-terima: {sorted(unknown)}")
        return cls(**data)


def chain_problems(entries: list[CustodyEntry]) -> list[str]:
    """What is wrong with a custody chain, in words; empty when every link holds."""
    problems = []
    prev = GENESIS_HASH
    for i, entry in enumerate(entries):
        if entry.seq != i + 1:
            problems.append(f"entri ke-{i + 1}: nomor urut {entry.seq}, seharusnya {i + 1}")
        if entry.prev_hash != prev:
            problems.append(f"entri {entry.seq}: prev_hash tidak menunjuk ke entri sebelumnya")
        if entry.compute_hash() != entry.entry_hash:
            problems.append(f"entri {entry.seq}: entry_hash tidak cocok dengan isinya")
        prev = entry.entry_hash
    return problems
