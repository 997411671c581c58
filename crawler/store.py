"""The store: data/patroli.db through sqlite-utils. The only module that holds SQL.

Tables (see migrations below): crawls, listings (current state, one row per
(marketplace, listing_id)), listing_snapshots (price and sold count per crawl), sellers,
crawl_pages (every fetch and its outcome), flags. Full-text search on listing titles.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from crawler.items import Assessment, Flag, Listing, PageRecord, ScoredListing
from crawler.normalize import utc_now

LISTING_FIELDS = [f.name for f in fields(Listing)]
# Columns of `listings` that change from crawl to crawl and so also go to listing_snapshots.
SNAPSHOT_FIELDS = [
    "price_idr",
    "price_max_idr",
    "original_price_idr",
    "sold_count",
    "historical_sold",
    "rating",
    "review_count",
]
ASSESSMENT_COLUMNS = {
    "category": str,
    "category_confidence": float,
    "risk": int,
    "likely_imported": int,
    "below_local_cost": int,
    "mislabelled_technique": int,
    "unit_price_idr": int,
    "matcher_version": str,
}

migrations = Migrations("patroli")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["crawls"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running | finished | interrupted | failed
            "job": str,
            "marketplaces": str,
            "keywords": str,
            "pages": int,
            "listings_seen": int,
            "listings_new": int,
            "listings_updated": int,
            "blocked": int,
            "errors": int,
            "flags_raised": int,
            "seconds": float,
            "reason": str,
            "settings": str,
        },
        pk="id",
    )
    listing_cols: dict[str, Any] = {
        "marketplace": str,
        "listing_id": str,
        "url": str,
        "title": str,
        "price_idr": int,
        "price_max_idr": int,
        "original_price_idr": int,
        "currency": str,
        "sold_count": int,
        "rating": float,
        "review_count": int,
        "seller_id": str,
        "seller_name": str,
        "seller_location": str,
        "is_cross_border": int,
        "image_url": str,
        "category_path": str,
        "captured_at": str,
        "price_text": str,
        "price_original": float,
        "sold_text": str,
        "historical_sold": int,
        "seller_url": str,
        "is_official": int,
        "is_preorder": int,
        "description": str,
        "keyword": str,
        "source": str,
        "capture_id": str,
        "first_seen_at": str,
        "last_seen_at": str,
        "first_crawl_id": int,
        "last_crawl_id": int,
        **ASSESSMENT_COLUMNS,
    }
    db["listings"].create(listing_cols, pk=("marketplace", "listing_id"))
    db["listing_snapshots"].create(
        {
            "id": int,
            "crawl_id": int,
            "marketplace": str,
            "listing_id": str,
            "captured_at": str,
            "price_idr": int,
            "price_max_idr": int,
            "original_price_idr": int,
            "sold_count": int,
            "historical_sold": int,
            "rating": float,
            "review_count": int,
            "capture_id": str,
        },
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db["sellers"].create(
        {
            "marketplace": str,
            "seller_id": str,
            "name": str,
            "location": str,
            "url": str,
            "is_official": int,
            "first_seen_at": str,
            "last_seen_at": str,
        },
        pk=("marketplace", "seller_id"),
    )
    db["crawl_pages"].create(
        {
            "id": int,
            "crawl_id": int,
            "marketplace": str,
            "keyword": str,
            "kind": str,
            "page": int,
            "url": str,
            "status": int,
            "outcome": str,
            "listings_found": int,
            "new_listings": int,
            "bytes": int,
            "elapsed_ms": float,
            "fetched_at": str,
            "reason": str,
            "capture_id": str,
        },
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db["flags"].create(
        {
            "id": int,
            "marketplace": str,
            "listing_id": str,
            "rule": str,
            "severity": str,
            "score": float,
            "category": str,
            "reason_id": str,
            "reason_en": str,
            "evidence": str,
            "legal_basis": str,
            "matcher_version": str,
            "crawl_id": int,
            "created_at": str,
        },
        pk="id",
    )
    # One snapshot per listing per crawl, even when two keywords find the same listing.
    db["listing_snapshots"].create_index(["marketplace", "listing_id", "crawl_id"], unique=True)
    db["listing_snapshots"].create_index(["crawl_id"])
    db["crawl_pages"].create_index(["crawl_id", "marketplace", "keyword"])
    db["crawl_pages"].create_index(["outcome"])
    db["flags"].create_index(["marketplace", "listing_id"])
    db["flags"].create_index(["rule"])
    db["flags"].create_index(["severity"])
    db["flags"].create_index(["category"])
    # Datasette facets must stay fast at a million rows: every default facet is indexed.
    for cols in (
        ["marketplace"],
        ["seller_location"],
        ["category"],
        ["risk"],
        ["seller_id"],
        ["last_crawl_id"],
        ["first_crawl_id"],
    ):
        db["listings"].create_index(cols)
    db["listings"].enable_fts(["title", "seller_name"], tokenize="unicode61", create_triggers=True)


class StoreError(Exception):
    """The database path cannot be opened as a Patroli database; the message names it."""


class Store:
    """One SQLite database, opened in WAL mode; all reads and writes of the patrol go through it."""

    def __init__(self, path: str | Path, *, batch_size: int = 500):
        self.path = Path(path)
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(str(path))
        except (OSError, sqlite3.DatabaseError) as exc:
            raise StoreError(f"{path}: bukan basis data SQLite yang bisa dibuka ({exc})") from exc
        try:
            if str(path) != ":memory:":
                self.db.enable_wal()
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=30000")
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            # A directory, a ZIP, a truncated file: say so instead of a traceback.
            self.db.close()
            raise StoreError(f"{path}: bukan basis data SQLite yang bisa dibuka ({exc})") from exc
        self.batch_size = batch_size

    def close(self) -> None:
        self.db.close()

    # -- crawls -------------------------------------------------------------------------------

    def start_crawl(
        self,
        marketplaces: Sequence[str],
        keywords: Sequence[str],
        *,
        job: str | None = None,
        settings: dict[str, Any] | None = None,
    ) -> int:
        row = {
            "started_at": utc_now(),
            "status": "running",
            "job": job,
            "marketplaces": ",".join(marketplaces),
            "keywords": json.dumps(list(keywords), ensure_ascii=False),
            "pages": 0,
            "listings_seen": 0,
            "listings_new": 0,
            "listings_updated": 0,
            "blocked": 0,
            "errors": 0,
            "flags_raised": 0,
            "settings": json.dumps(settings or {}, ensure_ascii=False, default=str),
        }
        with self.db.atomic():
            return self.db["crawls"].insert(row).last_pk

    def finish_crawl(self, crawl_id: int, status: str = "finished", reason: str | None = None) -> dict:
        """Close a crawl row, computing its figures from what was stored."""
        stats = self.crawl_stats(crawl_id)
        crawl = self.db["crawls"].get(crawl_id)
        started = crawl["started_at"]
        finished = utc_now()
        from datetime import datetime

        seconds = (
            datetime.fromisoformat(finished.replace("Z", "+00:00"))
            - datetime.fromisoformat(started.replace("Z", "+00:00"))
        ).total_seconds()
        update = {**stats, "finished_at": finished, "status": status, "seconds": seconds}
        if reason:
            update["reason"] = reason
        with self.db.atomic():
            self.db["crawls"].update(crawl_id, update)
        return self.db["crawls"].get(crawl_id)

    def crawl_stats(self, crawl_id: int) -> dict[str, int]:
        one = self.db.execute
        pages = one(
            """select count(*),
                      coalesce(sum(outcome = 'blocked'), 0),
                      coalesce(sum(outcome = 'error'), 0)
               from crawl_pages where crawl_id = ?""",
            [crawl_id],
        ).fetchone()
        seen = one("select count(*) from listing_snapshots where crawl_id = ?", [crawl_id]).fetchone()
        new = one("select count(*) from listings where first_crawl_id = ?", [crawl_id]).fetchone()
        flags = one("select count(*) from flags where crawl_id = ?", [crawl_id]).fetchone()
        return {
            "pages": pages[0],
            "blocked": pages[1],
            "errors": pages[2],
            "listings_seen": seen[0],
            "listings_new": new[0],
            "listings_updated": seen[0] - new[0],
            "flags_raised": flags[0],
        }

    def crawl_summary(self, crawl_id: int) -> dict[str, Any]:
        """Figures for the end-of-crawl summary, per marketplace, with what was blocked."""
        crawl = self.db["crawls"].get(crawl_id)
        per_market = {
            row[0]: {
                "pages": row[1],
                "ok": row[2],
                "empty": row[3],
                "blocked": row[4],
                "errors": row[5],
                "throttled": row[6],
            }
            for row in self.db.execute(
                """select marketplace, count(*), sum(outcome = 'ok'), sum(outcome = 'empty'),
                          sum(outcome = 'blocked'), sum(outcome = 'error'), sum(outcome = 'throttled')
                   from crawl_pages where crawl_id = ? group by marketplace""",
                [crawl_id],
            ).fetchall()
        }
        for market, listings, sellers in self.db.execute(
            """select marketplace, count(distinct listing_id), count(distinct seller_id) from (
                 select s.marketplace, s.listing_id, l.seller_id
                 from listing_snapshots s join listings l
                   on l.marketplace = s.marketplace and l.listing_id = s.listing_id
                 where s.crawl_id = ?) group by marketplace""",
            [crawl_id],
        ).fetchall():
            per_market.setdefault(market, {}).update({"listings": listings, "sellers": sellers})
        blocked = [
            dict(zip(("marketplace", "keyword", "url", "status", "reason"), row, strict=True))
            for row in self.db.execute(
                """select marketplace, keyword, url, status, reason from crawl_pages
                   where crawl_id = ? and outcome = 'blocked' order by id limit 20""",
                [crawl_id],
            ).fetchall()
        ]
        sellers = self.db.execute(
            """select count(distinct l.marketplace || '/' || l.seller_id)
               from listing_snapshots s join listings l
                 on l.marketplace = s.marketplace and l.listing_id = s.listing_id
               where s.crawl_id = ?""",
            [crawl_id],
        ).fetchone()[0]
        flagged = self.db.execute(
            "select count(distinct marketplace || '/' || listing_id) from flags where crawl_id = ?",
            [crawl_id],
        ).fetchone()[0]
        return {
            "crawl": crawl,
            "marketplaces": per_market,
            "blocked_pages": blocked,
            "sellers": sellers,
            "flagged_listings": flagged,
        }

    # -- writing a crawl's items --------------------------------------------------------------

    def save_batch(
        self,
        crawl_id: int | None,
        scored: Iterable[ScoredListing],
        pages: Iterable[PageRecord] = (),
    ) -> tuple[int, int]:
        """Store one batch in one transaction. Returns (new listings, updated listings)."""
        now = utc_now()
        # A listing can come twice in a batch (two keywords): the last one wins, one snapshot.
        by_key: dict[tuple[str, str], ScoredListing] = {}
        for item in scored:
            by_key[item.listing.key] = item
        existing = self._existing_keys(list(by_key))
        listing_rows, snapshot_rows, seller_rows, flag_rows = [], [], [], []
        for item in by_key.values():
            listing = item.listing
            seen = listing.captured_at or now
            row = _listing_row(listing)
            row.update(first_seen_at=seen, last_seen_at=seen, first_crawl_id=crawl_id, last_crawl_id=crawl_id)
            if item.assessment is not None:
                row.update(_assessment_row(item.assessment))
                flag_rows.extend(_flag_rows(item.assessment.flags, crawl_id, now))
            listing_rows.append(row)
            snapshot_rows.append(
                {
                    "crawl_id": crawl_id,
                    "marketplace": listing.marketplace,
                    "listing_id": listing.listing_id,
                    "captured_at": seen,
                    "capture_id": listing.capture_id,
                    **{f: getattr(listing, f) for f in SNAPSHOT_FIELDS},
                }
            )
            if listing.seller_id:
                seller_rows.append(
                    {
                        "marketplace": listing.marketplace,
                        "seller_id": listing.seller_id,
                        "name": listing.seller_name,
                        "location": listing.seller_location,
                        "url": listing.seller_url,
                        "is_official": _flag_int(listing.is_official),
                        "first_seen_at": now,
                        "last_seen_at": now,
                    }
                )
        page_rows = [{**_record_dict(p), "crawl_id": crawl_id} for p in pages]
        with self.db.atomic():
            self._upsert(
                "listings",
                ("marketplace", "listing_id"),
                listing_rows,
                keep=FIRST_SEEN,
                keep_known=READ_FROM_DETAIL,
            )
            self._upsert(
                "listing_snapshots", ("marketplace", "listing_id", "crawl_id"), snapshot_rows, keep=set()
            )
            self._upsert("sellers", ("marketplace", "seller_id"), seller_rows, keep={"first_seen_at"})
            self._delete_flags([key for key, item in by_key.items() if item.assessment is not None])
            self._insert("flags", flag_rows)
            self._insert("crawl_pages", page_rows)
        new = sum(1 for key in by_key if key not in existing)
        return new, len(by_key) - new

    # The hot path writes with executemany: sqlite-utils' insert_all costs more per row than the
    # SQLite work itself at crawl rates. Rows of one call share their columns.
    def _insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        for columns, group in _by_columns(rows).items():
            sql = f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"
            self.db.conn.executemany(sql, [tuple(r[c] for c in columns) for r in group])

    def _upsert(
        self,
        table: str,
        pk: tuple[str, ...],
        rows: list[dict[str, Any]],
        keep: set[str],
        keep_known: frozenset[str] = frozenset(),
    ) -> None:
        """Insert, or update every column but the key and `keep` (first-seen facts stay);
        a NULL in a `keep_known` column leaves the stored value."""
        for columns, group in _by_columns(rows).items():
            updates = ", ".join(
                f"[{c}] = coalesce(excluded.[{c}], [{table}].[{c}])"
                if c in keep_known
                else f"[{c}] = excluded.[{c}]"
                for c in columns
                if c not in pk and c not in keep
            )
            sql = (
                f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                f"values ({', '.join('?' * len(columns))}) "
                f"on conflict ({', '.join(pk)}) do update set {updates}"
            )
            self.db.conn.executemany(sql, [tuple(r[c] for c in columns) for r in group])

    def _existing_keys(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for i in range(0, len(keys), 400):
            chunk = keys[i : i + 400]
            where = " or ".join(["(marketplace = ? and listing_id = ?)"] * len(chunk))
            params = [v for key in chunk for v in key]
            found.update(
                (m, lid)
                for m, lid in self.db.execute(
                    f"select marketplace, listing_id from listings where {where}", params
                ).fetchall()
            )
        return found

    def _delete_flags(self, keys: list[tuple[str, str]]) -> None:
        for i in range(0, len(keys), 400):
            chunk = keys[i : i + 400]
            where = " or ".join(["(marketplace = ? and listing_id = ?)"] * len(chunk))
            self.db.execute(f"delete from flags where {where}", [v for k in chunk for v in k])

    # -- reading ------------------------------------------------------------------------------

    def listing_ids(self, marketplace: str | None = None) -> set[tuple[str, str]]:
        sql = "select marketplace, listing_id from listings"
        params: list[Any] = []
        if marketplace:
            sql += " where marketplace = ?"
            params.append(marketplace)
        return {(m, lid) for m, lid in self.db.execute(sql, params).fetchall()}

    def count(self, table: str) -> int:
        return self.db[table].count

    def iter_listings(self, batch: int = 2000) -> Iterator[Listing]:
        """Every stored listing as a Listing record, streamed."""
        cols = ", ".join(LISTING_FIELDS)
        cursor = self.db.execute(f"select {cols} from listings order by marketplace, listing_id")
        while True:
            rows = cursor.fetchmany(batch)
            if not rows:
                return
            for row in rows:
                yield _row_listing(dict(zip(LISTING_FIELDS, row, strict=True)))

    def save_assessments(self, assessments: Sequence[Assessment], crawl_id: int | None = None) -> None:
        """Replace the matchers' output for these listings (flags of an older version go).

        A flag belongs to a crawl: `crawl_id`, or else the crawl that last saw its listing, so
        that a re-score after a patrol counts in that patrol's figures.
        """
        now = utc_now()
        keys = [(a.marketplace, a.listing_id) for a in assessments]
        crawl_of = {} if crawl_id is not None else self._last_crawl_ids(keys)
        columns = list(ASSESSMENT_COLUMNS)
        update = (
            f"update listings set {', '.join(f'[{c}] = ?' for c in columns)} "
            "where marketplace = ? and listing_id = ?"
        )
        rows = [
            r
            for a in assessments
            for r in _flag_rows(a.flags, crawl_id or crawl_of.get((a.marketplace, a.listing_id)), now)
        ]
        with self.db.atomic():
            self._delete_flags(keys)
            self.db.conn.executemany(
                update,
                [(*_ordered(_assessment_row(a), columns), a.marketplace, a.listing_id) for a in assessments],
            )
            self._insert("flags", rows)

    def _last_crawl_ids(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        for i in range(0, len(keys), 400):
            chunk = keys[i : i + 400]
            where = " or ".join(["(marketplace = ? and listing_id = ?)"] * len(chunk))
            rows = self.db.execute(
                f"select marketplace, listing_id, last_crawl_id from listings where {where}",
                [v for key in chunk for v in key],
            ).fetchall()
            found.update({(m, lid): c for m, lid, c in rows})
        return found

    # -- matchers (issue 4): what `patroli match` reports -------------------------------------

    def flag_versions(self) -> dict[str, int]:
        """Stored flags per matcher version (empty string when unknown)."""
        rows = self.db.execute(
            "select coalesce(matcher_version, ''), count(*) from flags group by 1 order by 1"
        ).fetchall()
        return {version: n for version, n in rows}


FIRST_SEEN = {"first_seen_at", "first_crawl_id"}
# Only a product page (--detail) has these: a search card's NULL means "not read this time", and
# must not erase what an earlier detail patrol read (the matchers read the description).
READ_FROM_DETAIL = frozenset({"description"})
_BOOL_FIELDS = ("is_cross_border", "is_official", "is_preorder")


def _flag_int(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _record_dict(record: Any) -> dict[str, Any]:
    # asdict() deep-copies every value; these records hold only scalars.
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _by_columns(rows: list[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return groups


def _listing_row(listing: Listing) -> dict[str, Any]:
    row = {name: getattr(listing, name) for name in LISTING_FIELDS}
    for key in _BOOL_FIELDS:
        row[key] = _flag_int(row[key])
    return row


def _row_listing(row: dict[str, Any]) -> Listing:
    for key in _BOOL_FIELDS:
        if row[key] is not None:
            row[key] = bool(row[key])
    return Listing(**row)


def _ordered(row: dict[str, Any], columns: list[str]) -> tuple:
    return tuple(row[c] for c in columns)


def _assessment_row(a: Assessment) -> dict[str, Any]:
    return {
        "category": a.category,
        "category_confidence": a.category_confidence,
        "risk": a.risk,
        "likely_imported": int(a.likely_imported),
        "below_local_cost": int(a.below_local_cost),
        "mislabelled_technique": int(a.mislabelled_technique),
        "unit_price_idr": a.unit_price_idr,
        "matcher_version": a.matcher_version,
    }


def _flag_rows(flags: Iterable[Flag], crawl_id: int | None, now: str) -> list[dict[str, Any]]:
    rows = []
    for flag in flags:
        row = _record_dict(flag)
        row["evidence"] = json.dumps(flag.evidence, ensure_ascii=False, default=str)
        row["crawl_id"] = crawl_id
        row["created_at"] = now
        rows.append(row)
    return rows


@migrations()
def m002_views(db: sqlite_utils.Database) -> None:
    """Views Datasette shows: coverage, flagged listings, sellers at a glance."""
    db.create_view(
        "coverage",
        """
        select crawl_id, marketplace, keyword,
               count(*) as pages,
               sum(outcome = 'ok') as ok,
               sum(outcome = 'empty') as empty,
               sum(outcome = 'blocked') as blocked,
               sum(outcome = 'throttled') as throttled,
               sum(outcome = 'error') as error,
               sum(listings_found) as listings_found,
               sum(bytes) as bytes,
               min(fetched_at) as first_fetch,
               max(fetched_at) as last_fetch
        from crawl_pages
        group by crawl_id, marketplace, keyword
        """,
    )
    db.create_view(
        "flagged_listings",
        """
        select l.marketplace, l.listing_id, l.title, l.price_idr, l.unit_price_idr, l.category,
               l.risk, l.likely_imported, l.below_local_cost, l.mislabelled_technique,
               l.seller_name, l.seller_location, l.sold_count, l.url,
               group_concat(f.rule, ', ') as rules,
               group_concat(f.reason_id, ' | ') as alasan
        from listings l join flags f on f.marketplace = l.marketplace and f.listing_id = l.listing_id
        group by l.marketplace, l.listing_id
        order by l.risk desc
        """,
    )
    db.create_view(
        "seller_summary",
        """
        select s.marketplace, s.seller_id, s.name, s.location,
               count(l.listing_id) as listings,
               sum(l.risk >= 50) as high_risk_listings,
               min(l.price_idr) as min_price_idr,
               sum(l.sold_count) as sold_count
        from sellers s left join listings l
          on l.marketplace = s.marketplace and l.seller_id = s.seller_id
        group by s.marketplace, s.seller_id
        """,
    )


@migrations()
def m003_listing_note(db: sqlite_utils.Database) -> None:
    """What normalisation could not read (an unreadable price), kept beside the raw text."""
    db["listings"].add_column("note", str)


# == Evidence: captures, recaptures and the custody log ========================================
# (crawler/archive.py writes captures; crawler/evidence.py reads listings for packs and appends
# to the custody log.) Kept in its own section so that it merges cleanly.


@migrations()
def m_evidence_001_captures_custody(db: sqlite_utils.Database) -> None:
    import uuid

    db["captures"].create(
        {
            "capture_id": str,
            "crawl_id": int,
            "url": str,
            "method": str,
            "kind": str,
            "fetched_at": str,
            "status": int,
            "content_type": str,
            "warc_file": str,
            "warc_offset": int,
            "warc_length": int,
            "payload_sha256": str,
            "payload_length": int,
            "response_record_id": str,
            "request_record_id": str,
        },
        pk="capture_id",
    )
    db["captures"].create_index(["crawl_id"])
    db["captures"].create_index(["url"])
    db["recaptures"].create(
        {
            "id": int,
            "crawl_id": int,
            "marketplace": str,
            "listing_id": str,
            "url": str,
            "checked_at": str,
            "status": str,  # live | removed | blocked | error | unchecked
            "http_status": int,
            "capture_id": str,
            "previous_capture_id": str,
            "reason": str,
        },
        pk="id",
    )
    db["recaptures"].create_index(["marketplace", "listing_id"])
    db["custody_log"].create(
        {
            "seq": int,
            "at": str,
            "action": str,
            "operator": str,
            "host": str,
            "database_id": str,
            "database_path": str,
            "pack_name": str,
            "parameters": str,
            "listing_count": int,
            "capture_count": int,
            "content_sha256": str,
            "prev_export_content_sha256": str,
            "prev_hash": str,
            "entry_hash": str,
        },
        pk="seq",
    )
    # Append-only: the database itself refuses to change or drop a custody entry.
    for event in ("update", "delete"):
        db.execute(
            f"""create trigger custody_log_no_{event} before {event} on custody_log
                begin select raise(abort, 'custody_log hanya boleh ditambah (append-only)'); end"""
        )
    db["patroli_meta"].create({"key": str, "value": str}, pk="key")
    db["patroli_meta"].insert({"key": "database_id", "value": str(uuid.uuid4())})


class CustodyConflict(Exception):
    """Another export appended to the custody log first; the pack was not recorded."""


class EvidenceStore(Store):
    """The Store plus what evidence needs: captures, recaptures, listing selection, custody log."""

    # -- captures ---------------------------------------------------------------------------

    def save_capture(self, capture) -> None:
        with self.db.atomic():
            self.db["captures"].insert(_record_dict(capture), replace=True)

    def captures(self, capture_ids: Iterable[str]):
        from crawler.archive import Capture

        ids = sorted({c for c in capture_ids if c})
        found = {}
        names = [f.name for f in fields(Capture)]
        cols = ", ".join(names)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join("?" * len(chunk))
            for row in self.db.execute(
                f"select {cols} from captures where capture_id in ({marks})", chunk
            ).fetchall():
                capture = Capture(**dict(zip(names, row, strict=True)))
                found[capture.capture_id] = capture
        return found

    # -- selecting listings for a pack ----------------------------------------------------------

    def select_listing_keys(
        self,
        *,
        rules: Sequence[str] = (),
        min_risk: int | None = None,
        marketplaces: Sequence[str] = (),
        since: str | None = None,
        listings: Sequence[tuple[str, str]] = (),
        urls: Sequence[str] = (),
        flagged_only: bool = False,
        limit: int | None = None,
    ) -> list[tuple[str, str]]:
        """Keys of the listings matching every given selector, riskiest first."""
        where: list[str] = []
        params: list[Any] = []
        if marketplaces:
            where.append(f"l.marketplace in ({', '.join('?' * len(marketplaces))})")
            params.extend(marketplaces)
        if min_risk is not None:
            where.append("l.risk >= ?")
            params.append(min_risk)
        if since:
            where.append("l.last_seen_at >= ?")
            params.append(since)
        if rules:
            where.append(
                "exists (select 1 from flags f where f.marketplace = l.marketplace"
                f" and f.listing_id = l.listing_id and f.rule in ({', '.join('?' * len(rules))}))"
            )
            params.extend(rules)
        elif flagged_only:
            where.append(
                "exists (select 1 from flags f where f.marketplace = l.marketplace"
                " and f.listing_id = l.listing_id)"
            )
        if listings or urls:
            ors = ["(l.marketplace = ? and l.listing_id = ?)"] * len(listings)
            params.extend(v for key in listings for v in key)
            if urls:
                ors.append(f"l.url in ({', '.join('?' * len(urls))})")
                params.extend(urls)
            where.append("(" + " or ".join(ors) + ")")
        sql = "select l.marketplace, l.listing_id from listings l"
        if where:
            sql += " where " + " and ".join(where)
        sql += " order by coalesce(l.risk, -1) desc, l.last_seen_at desc, l.marketplace, l.listing_id"
        if limit is not None:
            sql += " limit ?"
            params.append(limit)
        return [(m, lid) for m, lid in self.db.execute(sql, params).fetchall()]

    def stored_listings(self, keys: Sequence[tuple[str, str]]):
        """StoredListing records (listing, verdict, flags, snapshots) in the order of `keys`."""
        from crawler.evidence_records import Snapshot, StoredListing

        extra = ["category", "risk", "first_seen_at", "last_seen_at"]
        cols = ", ".join(LISTING_FIELDS + extra)
        by_key: dict[tuple[str, str], StoredListing] = {}
        for chunk in _chunks(list(keys), 400):
            where = " or ".join(["(marketplace = ? and listing_id = ?)"] * len(chunk))
            params = [v for key in chunk for v in key]
            for row in self.db.execute(f"select {cols} from listings where {where}", params).fetchall():
                data = dict(zip(LISTING_FIELDS + extra, row, strict=True))
                meta = {k: data.pop(k) for k in extra}
                listing = _row_listing(data)
                by_key[listing.key] = StoredListing(listing, **meta)
            for row in self.db.execute(
                "select marketplace, listing_id, rule, severity, score, reason_id, reason_en,"
                " evidence, legal_basis, matcher_version, category from flags"
                f" where {where} order by score desc, id",
                params,
            ).fetchall():
                stored = by_key.get((row[0], row[1]))
                if stored is None:
                    continue
                evidence = json.loads(row[7]) if row[7] else {}
                stored.flags.append(
                    Flag(
                        marketplace=row[0],
                        listing_id=row[1],
                        rule=row[2],
                        severity=row[3],
                        score=row[4],
                        reason_id=row[5],
                        reason_en=row[6],
                        evidence=evidence if isinstance(evidence, dict) else {"value": evidence},
                        legal_basis=row[8],
                        matcher_version=row[9] or "",
                        category=row[10],
                    )
                )
            for row in self.db.execute(
                "select marketplace, listing_id, crawl_id, captured_at, price_idr, price_max_idr,"
                " sold_count, historical_sold, capture_id from listing_snapshots"
                f" where {where} order by captured_at, id",
                params,
            ).fetchall():
                stored = by_key.get((row[0], row[1]))
                if stored is not None:
                    stored.snapshots.append(Snapshot(*row[2:]))
        return [by_key[key] for key in keys if key in by_key]

    # -- recaptures -------------------------------------------------------------------------

    def save_recaptures(self, results) -> None:
        rows = [_record_dict(r) for r in results]
        if rows:
            with self.db.atomic():
                self.db["recaptures"].insert_all(rows, batch_size=500)

    # -- custody log ------------------------------------------------------------------------

    def database_id(self) -> str:
        return self.db["patroli_meta"].get("database_id")["value"]

    def custody_entries(self):
        from crawler.evidence_records import CustodyEntry

        names = [f.name for f in fields(CustodyEntry)]
        sql = f"select {', '.join(names)} from custody_log order by seq"
        rows = self.db.execute(sql).fetchall()
        entries = []
        for row in rows:
            data = dict(zip(names, row, strict=True))
            data["parameters"] = json.loads(data["parameters"])
            entries.append(CustodyEntry(**data))
        return entries

    def custody_head(self):
        entries = self.custody_entries()
        return entries[-1] if entries else None

    def append_custody(self, entry) -> None:
        """Append one entry, refusing it when the log moved on since `entry.prev_hash` was read."""
        from crawler.evidence_records import GENESIS_HASH

        row = _record_dict(entry)
        row["parameters"] = json.dumps(entry.parameters, ensure_ascii=False, sort_keys=True)
        conn = self.db.conn
        if conn.in_transaction:
            conn.commit()  # an implicit transaction of this connection would make BEGIN fail
        conn.execute("begin immediate")
        try:
            head = conn.execute(
                "select seq, entry_hash from custody_log order by seq desc limit 1"
            ).fetchone()
            head_seq, head_hash = head if head else (0, GENESIS_HASH)
            if entry.prev_hash != head_hash or entry.seq != head_seq + 1:
                raise CustodyConflict(
                    "log serah-terima berubah sejak ekspor ini dimulai (ekspor lain?); ulangi"
                )
            cols = ", ".join(row)
            marks = ", ".join("?" * len(row))
            conn.execute(f"insert into custody_log ({cols}) values ({marks})", list(row.values()))
        except BaseException:
            conn.execute("rollback")
            raise
        conn.execute("commit")


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# -- schedules and distributed crawls (issue 6) ------------------------------------------------


@migrations()
def m006_schedule_runs(db: sqlite_utils.Database) -> None:
    """Which schedule started a run and how it ended; exactly-once ingestion from Redis; job_runs."""
    db["crawls"].add_column("scheduled_for", str)  # the cron time this run was for (UTC)
    db["crawls"].add_column("trigger", str)  # jadwal | once | manual | redis
    db["crawls"].add_column("exit_code", int)  # of the crawl process, when a scheduler ran it
    db["crawls"].create_index(["job", "id"])
    db["flags"].create_index(["crawl_id"])
    # One row per Redis message stored: a restarted ingester never stores a message twice.
    db["ingest_log"].create(
        {"crawl_id": int, "message_id": str, "records": int, "ingested_at": str},
        pk=("crawl_id", "message_id"),
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    # Each run of a job beside the previous run of the same job: what it found that the
    # previous run did not see (new listings, new listings with a high-severity flag).
    db.create_view(
        "job_runs",
        """
        with runs as (
          select c.*,
                 (select max(p.id) from crawls p
                   where p.job = c.job and p.id < c.id
                     and p.status in ('finished', 'interrupted')) as previous_run
          from crawls c
          where c.job is not null
        )
        select r.id, r.job, r.status, r.trigger, r.scheduled_for, r.started_at, r.finished_at,
               r.seconds, r.marketplaces, r.pages, r.listings_seen, r.listings_new,
               r.listings_updated, r.flags_raised, r.blocked, r.errors,
               r.previous_run,
               (select count(distinct s.marketplace || '/' || s.listing_id)
                  from listing_snapshots s
                 where s.crawl_id = r.id
                   and not exists (select 1 from listing_snapshots t
                                    where t.crawl_id = r.previous_run
                                      and t.marketplace = s.marketplace
                                      and t.listing_id = s.listing_id)) as new_since_previous,
               (select count(distinct f.marketplace || '/' || f.listing_id)
                  from flags f
                 where f.crawl_id = r.id and f.severity = 'high'
                   and not exists (select 1 from listing_snapshots t
                                    where t.crawl_id = r.previous_run
                                      and t.marketplace = f.marketplace
                                      and t.listing_id = f.listing_id)) as new_high_risk,
               r.reason, r.exit_code
        from runs r
        order by r.id desc
        """,
    )


class RunRecords:
    """The scheduler's and the Redis ingester's reads and writes of the crawls table."""

    def __init__(self, store: Store):
        self.db = store.db
        self.store = store

    def mark_scheduled(self, crawl_id: int, *, trigger: str, scheduled_for: str | None) -> None:
        with self.db.atomic():
            self.db["crawls"].update(crawl_id, {"trigger": trigger, "scheduled_for": scheduled_for})

    def record_skipped(
        self,
        job: str,
        marketplaces: Sequence[str],
        keywords: Sequence[str],
        *,
        scheduled_for: str | None,
        trigger: str,
        reason: str,
    ) -> int:
        """A run that was due but did not start (the previous one still running): on the record."""
        now = utc_now()
        crawl_id = self.store.start_crawl(marketplaces, keywords, job=job)
        with self.db.atomic():
            self.db["crawls"].update(
                crawl_id,
                {
                    "status": "skipped",
                    "finished_at": now,
                    "seconds": 0.0,
                    "reason": reason,
                    "trigger": trigger,
                    "scheduled_for": scheduled_for,
                },
            )
        return crawl_id

    def close_run(self, crawl_id: int, *, status: str, reason: str | None, exit_code: int | None) -> dict:
        """Close a run the crawl process left open (it crashed, or was killed)."""
        row = self.store.finish_crawl(crawl_id, status=status, reason=reason)
        if exit_code is not None:
            with self.db.atomic():
                self.db["crawls"].update(crawl_id, {"exit_code": exit_code})
            row = self.db["crawls"].get(crawl_id)
        return row

    def set_exit_code(self, crawl_id: int, exit_code: int) -> None:
        with self.db.atomic():
            self.db["crawls"].update(crawl_id, {"exit_code": exit_code})

    def reopen(self, crawl_id: int) -> None:
        """A stopped Redis ingester starting again carries on the same crawl row."""
        with self.db.atomic():
            self.db["crawls"].update(crawl_id, {"status": "running", "finished_at": None})

    def get(self, crawl_id: int) -> dict[str, Any]:
        return self.db["crawls"].get(crawl_id)

    def last_started(self, job: str) -> str | None:
        """When the latest run of a job that actually ran started (skipped runs do not count)."""
        row = self.db.execute(
            "select max(started_at) from crawls where job = ? and status != 'skipped'", [job]
        ).fetchone()
        return row[0]

    def runs(self, job: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        sql = "select * from job_runs"
        params: list[Any] = []
        if job:
            sql += " where job = ?"
            params.append(job)
        sql += " limit ?"
        params.append(limit)
        cursor = self.db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def save_messages(self, crawl_id: int, messages: Sequence[Any]) -> tuple[int, int, int]:
        """Store Redis messages once each, in one transaction: their listings, page records and
        capture rows (crawler.distributed.Message: id, listings, pages, captures).

        Returns (new listings, updated listings, messages already stored and so skipped).
        """
        ids = [m.id for m in messages]
        done: set[str] = set()
        for i in range(0, len(ids), 400):
            chunk = ids[i : i + 400]
            marks = ",".join("?" * len(chunk))
            done.update(
                r[0]
                for r in self.db.execute(
                    f"select message_id from ingest_log where crawl_id = ? and message_id in ({marks})",
                    [crawl_id, *chunk],
                ).fetchall()
            )
        # The same message twice in one call (a redelivery) is stored once too.
        unique = list({m.id: m for m in messages if m.id not in done}.values())
        now = utc_now()
        captures = [{**_record_dict(c), "crawl_id": crawl_id} for m in unique for c in m.captures]
        with self.db.atomic():
            if captures:
                # First: the listings and pages below point at these rows by capture_id.
                self.db["captures"].insert_all(captures, replace=True, batch_size=500)
            new, updated = self.store.save_batch(
                crawl_id,
                [s for m in unique for s in m.listings],
                [p for m in unique for p in m.pages],
            )
            self.db["ingest_log"].insert_all(
                [
                    {
                        "crawl_id": crawl_id,
                        "message_id": m.id,
                        "records": len(m.listings) + len(m.pages) + len(m.captures),
                        "ingested_at": now,
                    }
                    for m in unique
                ]
            )
        return new, updated, len(messages) - len(unique)


@migrations()
def m007_facet_indexes(db: sqlite_utils.Database) -> None:
    """Every default Datasette facet on an indexed column (tests/test_datasette_metadata.py)."""
    for table, column in (
        ("sellers", "location"),
        ("crawl_pages", "marketplace"),
        ("captures", "status"),
        ("recaptures", "status"),
        ("crawls", "status"),
        ("crawls", "job"),
    ):
        db[table].create_index([column], if_not_exists=True)
