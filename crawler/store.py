"""The store: data/patroli.db through sqlite-utils. The only module that holds SQL.

Tables (see migrations below): crawls, listings (current state, one row per
(marketplace, listing_id)), listing_snapshots (price and sold count per crawl), sellers,
crawl_pages (every fetch and its outcome), flags. Full-text search on listing titles.
"""

from __future__ import annotations

import json
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


class Store:
    """One SQLite database, opened in WAL mode; all reads and writes of the patrol go through it."""

    def __init__(self, path: str | Path, *, batch_size: int = 500):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(str(path))
        if str(path) != ":memory:":
            self.db.enable_wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=30000")
        migrations.apply(self.db)
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
            row[0]: {"pages": row[1], "ok": row[2], "empty": row[3], "blocked": row[4], "errors": row[5]}
            for row in self.db.execute(
                """select marketplace, count(*), sum(outcome = 'ok'), sum(outcome = 'empty'),
                          sum(outcome = 'blocked'), sum(outcome = 'error')
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
        return {"crawl": crawl, "marketplaces": per_market, "blocked_pages": blocked, "sellers": sellers}

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
            self._upsert("listings", ("marketplace", "listing_id"), listing_rows, keep=FIRST_SEEN)
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

    def _upsert(self, table: str, pk: tuple[str, ...], rows: list[dict[str, Any]], keep: set[str]) -> None:
        """Insert, or update every column but the key and `keep` (first-seen facts stay)."""
        for columns, group in _by_columns(rows).items():
            updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c not in pk and c not in keep)
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
        """Replace the matchers' output for these listings (flags of an older version go)."""
        now = utc_now()
        with self.db.atomic():
            self._delete_flags([(a.marketplace, a.listing_id) for a in assessments])
            for a in assessments:
                self.db["listings"].update((a.marketplace, a.listing_id), _assessment_row(a))
            rows = [r for a in assessments for r in _flag_rows(a.flags, crawl_id, now)]
            if rows:
                self.db["flags"].insert_all(rows, batch_size=1000)


FIRST_SEEN = {"first_seen_at", "first_crawl_id"}
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
