"""What an evidence report shows, formatted once for HTML, PDF, CSV and XLSX alike. Pure.

Scraped text stays verbatim here; each renderer makes it safe for its own format (autoescape
in HTML, visible code points in the PDF, formula neutralisation in CSV/XLSX). This module also
holds the small text-safety helpers those renderers share.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from crawler.archive import Capture
from crawler.evidence_records import RecaptureResult, StoredListing

WIB = ZoneInfo("Asia/Jakarta")

RECAPTURE_LABELS = {
    "live": "masih tayang",
    "removed": "sudah tidak tayang (dihapus)",
    "blocked": "tidak bisa diperiksa (diblokir situs)",
    "error": "tidak bisa diperiksa (galat)",
    "unchecked": "tidak diperiksa",
}
SEVERITY_LABELS = {"high": "tinggi", "medium": "sedang", "low": "rendah"}

# OWASP CSV injection: a cell starting with one of these is run as a formula by some
# spreadsheet; the full-width forms are folded to ASCII by some of them too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# Leading characters a spreadsheet may skip before it looks for a trigger.
_SKIPPED_LEADERS = " \u00a0\u3000"


# -- text safety ------------------------------------------------------------------------------


def hidden_characters(text: str | None) -> list[str]:
    """Code points that do not show as themselves: controls, bidi overrides, zero-width marks."""
    if not text:
        return []
    seen: dict[str, None] = {}
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            seen.setdefault(f"U+{ord(ch):04X}", None)
    return list(seen)


def show_hidden(text: str) -> str:
    """`text` with every hidden character written out as [U+XXXX]."""
    return "".join(
        f"[U+{ord(ch):04X}]" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") else ch
        for ch in text
    )


def neutralize_cell(value):
    """A CSV/XLSX cell value that no spreadsheet will run as a formula.

    Strings starting (after blanks) with = + - @ tab CR LF or their full-width forms get a
    leading apostrophe, as OWASP advises; numbers and None pass unchanged.
    """
    if not isinstance(value, str):
        return value
    if value.lstrip(_SKIPPED_LEADERS).startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def http_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) link, else None (then it is shown, never linked)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(unicodedata.category(ch)[0] in "CZ" for ch in url):
        return None  # spaces, controls or bidi marks inside a link are not a link we vouch for
    return url


# -- formatting -------------------------------------------------------------------------------


def parse_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def fmt_utc(value: str | None) -> str:
    dt = parse_utc(value)
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if dt else "-"


def fmt_wib(value: str | None) -> str:
    dt = parse_utc(value)
    return dt.astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S WIB") if dt else "-"


def fmt_rupiah(value: int | None) -> str:
    if value is None:
        return "tidak diketahui"
    return "Rp" + f"{value:,}".replace(",", ".")


def fmt_count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}".replace(",", ".")


def fmt_price(stored: StoredListing) -> str:
    listing = stored.listing
    if listing.currency != "IDR" and listing.price_original is not None:
        return f"{listing.currency} {listing.price_original:,.2f}"
    text = fmt_rupiah(listing.price_idr)
    if listing.price_max_idr is not None and listing.price_max_idr != listing.price_idr:
        text += f" – {fmt_rupiah(listing.price_max_idr)}"
    return text


# -- the view -------------------------------------------------------------------------------------


@dataclass(slots=True)
class FlagView:
    rule: str
    severity: str
    score: str
    reason_id: str
    reason_en: str
    legal_basis: str


@dataclass(slots=True)
class HistoryView:
    when_utc: str
    when_wib: str
    price: str
    sold: str
    capture_id: str


@dataclass(slots=True)
class CaptureView:
    capture_id: str
    url: str
    fetched_utc: str
    fetched_wib: str
    status: int
    sha256: str
    length: int
    kind: str


@dataclass(slots=True)
class ListingView:
    number: int
    anchor: str  # "L<number>": generated, never from scraped text
    marketplace: str
    listing_id: str
    title: str
    url: str
    url_href: str | None
    price: str
    price_idr: int | None
    price_text: str
    original_price: str
    seller_name: str
    seller_id: str
    seller_location: str
    sold: str
    sold_count: int | None
    sold_text: str
    category: str
    risk: str
    risk_value: int | None
    cross_border: str
    capture: CaptureView | None
    flags: list[FlagView]
    history: list[HistoryView]
    recapture_status: str | None  # raw status (live, removed, ...) or None when not recaptured
    recapture_label: str
    recapture: CaptureView | None
    recapture_reason: str
    hidden: dict[str, list[str]]  # field label -> hidden code points found in it


@dataclass(slots=True)
class ReportView:
    created_utc: str
    created_wib: str
    created_at: str
    operator: str
    tool_version: str
    database_id: str
    database_path: str
    scope: list[tuple[str, str]]
    by_marketplace: list[tuple[str, int]]
    by_rule: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    by_recapture: list[tuple[str, int]]
    listings: list[ListingView]
    captures: list[CaptureView]
    custody_seq: int
    custody_prev_hash: str
    signing_key_fingerprint: str | None
    missing_captures: int = 0
    notes: list[str] = field(default_factory=list)


def capture_view(capture: Capture | None) -> CaptureView | None:
    if capture is None:
        return None
    return CaptureView(
        capture_id=capture.capture_id,
        url=capture.url,
        fetched_utc=fmt_utc(capture.fetched_at),
        fetched_wib=fmt_wib(capture.fetched_at),
        status=capture.status,
        sha256=capture.payload_sha256,
        length=capture.payload_length,
        kind=capture.kind or "",
    )


def _yes_no(value: bool | None) -> str:
    return "tidak diketahui" if value is None else ("ya" if value else "tidak")


def listing_view(
    number: int,
    stored: StoredListing,
    captures: dict[str, Capture],
    capture_id: str | None,
    recapture: RecaptureResult | None,
) -> ListingView:
    listing = stored.listing
    recapture_capture = captures.get(recapture.capture_id) if recapture and recapture.capture_id else None
    hidden = {
        label: found
        for label, value in (
            ("judul", listing.title),
            ("penjual", listing.seller_name),
            ("lokasi", listing.seller_location),
            ("URL", listing.url),
        )
        if (found := hidden_characters(value))
    }
    return ListingView(
        number=number,
        anchor=f"L{number}",
        marketplace=listing.marketplace,
        listing_id=listing.listing_id,
        title=listing.title or "",
        url=listing.url or "",
        url_href=http_url(listing.url),
        price=fmt_price(stored),
        price_idr=listing.price_idr,
        price_text=listing.price_text or "",
        original_price=fmt_rupiah(listing.original_price_idr) if listing.original_price_idr else "-",
        seller_name=listing.seller_name or "-",
        seller_id=listing.seller_id or "-",
        seller_location=listing.seller_location or "-",
        sold=fmt_count(listing.sold_count),
        sold_count=listing.sold_count,
        sold_text=listing.sold_text or "",
        category=stored.category or "-",
        risk="-" if stored.risk is None else str(stored.risk),
        risk_value=stored.risk,
        cross_border=_yes_no(listing.is_cross_border),
        capture=capture_view(captures.get(capture_id) if capture_id else None),
        flags=[
            FlagView(
                rule=f.rule,
                severity=SEVERITY_LABELS.get(f.severity, f.severity),
                score=f"{f.score:g}" if isinstance(f.score, int | float) else str(f.score),
                reason_id=f.reason_id or "",
                reason_en=f.reason_en or "",
                legal_basis=f.legal_basis or "-",
            )
            for f in stored.flags
        ],
        history=[
            HistoryView(
                when_utc=fmt_utc(s.captured_at),
                when_wib=fmt_wib(s.captured_at),
                price=fmt_rupiah(s.price_idr),
                sold=fmt_count(s.sold_count if s.sold_count is not None else s.historical_sold),
                capture_id=s.capture_id or "-",
            )
            for s in stored.snapshots
        ],
        recapture_status=recapture.status if recapture else None,
        recapture_label=RECAPTURE_LABELS.get(recapture.status, recapture.status) if recapture else "",
        recapture=capture_view(recapture_capture),
        recapture_reason=(recapture.reason or "") if recapture else "",
        hidden=hidden,
    )


def counts(stored: list[StoredListing]) -> tuple[list, list, list]:
    by_market = Counter(s.listing.marketplace for s in stored)
    by_rule = Counter(rule for s in stored for rule in {f.rule for f in s.flags})
    by_category = Counter(s.category or "-" for s in stored)
    return _most_first(by_market), _most_first(by_rule), _most_first(by_category)


def _most_first(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
