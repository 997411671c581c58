"""Evidence packs: one ZIP a ministry can check without trusting us.

`export_pack` selects listings from the store, copies their WARC records byte for byte, renders
the report (HTML + PDF), the per-marketplace link lists (CSV) and a workbook (XLSX), appends a
hash-chained entry to the custody log, and writes `manifest.json` (every file's SHA-256 and
size), `SHA256SUMS` and, with a key, an Ed25519 signature of the manifest.
`verify_pack` checks all of it and names each thing that differs.

Names inside the ZIP are fixed here; the only variable part, the marketplace in
`tautan_<marketplace>.csv`, must be one of crawler.items.MARKETPLACES.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import io
import json
import os
import re
import socket
import tempfile
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler import __version__
from crawler.archive import (
    Capture,
    CaptureError,
    iter_records,
    payload_from_record_bytes,
    read_record_bytes,
    sha256_hex,
    sha256_warc_digest,
)
from crawler.evidence_records import (
    GENESIS_HASH,
    CustodyEntry,
    RecaptureResult,
    StoredListing,
    chain_problems,
)
from crawler.evidence_render import render_html, render_links_csv, render_pdf, render_xlsx
from crawler.evidence_view import (
    RECAPTURE_LABELS,
    WIB,
    ReportView,
    capture_view,
    counts,
    fmt_utc,
    fmt_wib,
    listing_view,
)
from crawler.items import MARKETPLACES

PACK_FORMAT = "patroli-evidence-pack/1"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SIGNATURE = "manifest.json.sig"
CUSTODY = "custody.json"
WARC_NAME = "captures.warc.gz"
# Files that describe the others and so are not listed inside the manifest itself.
META_FILES = (MANIFEST, SUMS, SIGNATURE)
_LINKS_NAME = re.compile(r"^tautan_[a-z]+\.csv$")
MAX_MEMBER_BYTES = 4 * 1024**3  # refuse absurd members when verifying a pack from elsewhere


class EvidenceError(Exception):
    """An export or verification that cannot go ahead; the message says why, in Indonesian."""


@dataclass(slots=True)
class Selection:
    """Which listings go into a pack. Selectors combine with AND; no selector = flagged ones."""

    rules: list[str] = field(default_factory=list)
    min_risk: int | None = None
    marketplaces: list[str] = field(default_factory=list)
    since: str | None = None
    listings: list[str] = field(default_factory=list)  # "marketplace:listing_id" or a URL
    limit: int | None = None
    all_listings: bool = False

    def validate(self) -> None:
        unknown = [m for m in self.marketplaces if m not in MARKETPLACES]
        if unknown:
            raise EvidenceError(
                f"marketplace tidak dikenal: {', '.join(unknown)} (pilih dari {', '.join(MARKETPLACES)})"
            )
        for item in self.listings:
            if "://" not in item and ":" not in item:
                raise EvidenceError(
                    f"--listing {item!r}: tulis sebagai marketplace:id_listing atau URL lengkap"
                )
        if self.min_risk is not None and not 0 <= self.min_risk <= 100:
            raise EvidenceError(f"--min-risk {self.min_risk}: harus 0 sampai 100")
        if self.limit is not None and self.limit < 1:
            raise EvidenceError(f"--limit {self.limit}: harus 1 atau lebih")
        if self.since:
            try:
                self.since_moment()
            except ValueError as exc:
                raise EvidenceError(f"--since {self.since!r}: bukan tanggal (contoh 2026-11-01)") from exc

    def since_moment(self) -> datetime | None:
        """--since as a UTC moment. A date or time without a zone is WIB: the association's day
        (its 01:00 WIB patrol of 1 November ran on 31 October, UTC)."""
        if not self.since:
            return None
        moment = datetime.fromisoformat(self.since.strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=WIB)
        return moment.astimezone(UTC)

    def since_utc(self) -> str | None:
        # The stored times' own form (utc_now: milliseconds, Z), so that text order is time order.
        moment = self.since_moment()
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z") if moment else None

    def keys_and_urls(self) -> tuple[list[tuple[str, str]], list[str]]:
        keys, urls = [], []
        for item in self.listings:
            if "://" in item:
                urls.append(item)
            else:
                market, _, lid = item.partition(":")
                keys.append((market, lid))
        return keys, urls

    def select(self, store) -> list[tuple[str, str]]:
        self.validate()
        keys, urls = self.keys_and_urls()
        return store.select_listing_keys(
            rules=self.rules,
            min_risk=self.min_risk,
            marketplaces=self.marketplaces,
            since=self.since_utc(),
            listings=keys,
            urls=urls,
            flagged_only=not (self.all_listings or self.listings),
            limit=self.limit,
        )

    def scope(self) -> list[tuple[str, str]]:
        rows = [
            ("Aturan", ", ".join(self.rules) or "semua"),
            ("Risiko minimum", "-" if self.min_risk is None else str(self.min_risk)),
            ("Marketplace", ", ".join(self.marketplaces) or "semua"),
            ("Terlihat sejak", self._since_text()),
        ]
        if self.listings:
            rows.append(("Listing yang diminta", ", ".join(self.listings)))
        if self.limit is not None:
            rows.append(("Batas jumlah", str(self.limit)))
        if not (self.all_listings or self.listings):
            rows.append(("Syarat", "hanya listing yang punya tanda (flag)"))
        return rows

    def _since_text(self) -> str:
        moment = self.since_moment() if self.since else None
        if moment is None:
            return "-"
        wib = moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")
        return f"{self.since} ({wib} = {moment.strftime('%Y-%m-%d %H:%M UTC')})"


@dataclass(slots=True)
class ExportResult:
    path: Path
    manifest: dict[str, Any]
    custody: CustodyEntry
    listing_count: int
    capture_count: int


def default_operator() -> str:
    return os.environ.get("PATROLI_OPERATOR") or getpass.getuser()


# -- keys and signatures ----------------------------------------------------------------------


def generate_key(path: str | Path, passphrase: bytes | None = None) -> tuple[Path, Path, str]:
    """Write an Ed25519 private key (PEM, mode 0600) and its public key beside it (.pub.pem)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(path)
    public_path = path.with_name(path.name.removesuffix(".pem") + ".pub.pem")
    for p in (path, public_path):
        if p.exists():
            raise EvidenceError(f"{p} sudah ada; tidak ditimpa")
    key = Ed25519PrivateKey.generate()
    encryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_pem)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path, public_path, key_fingerprint(_raw_public(key.public_key()))


def load_private_key(path: str | Path, passphrase: bytes | None = None):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=passphrase)
    except (OSError, ValueError, TypeError) as exc:
        raise EvidenceError(f"kunci privat {path} tidak bisa dibaca: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise EvidenceError(f"{path} bukan kunci Ed25519")
    return key


def load_public_key(path: str | Path) -> bytes:
    """The raw 32 bytes of an Ed25519 public key in a PEM file."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise EvidenceError(f"kunci publik {path} tidak bisa dibaca: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise EvidenceError(f"{path} bukan kunci publik Ed25519")
    return _raw_public(key)


def _raw_public(public_key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_fingerprint(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()


# -- building a pack --------------------------------------------------------------------------


def content_digest(files: dict[str, bytes]) -> str:
    """One SHA-256 over the content files: sha256sum-style lines, sorted by name."""
    lines = "".join(f"{sha256_hex(data)}  {name}\n" for name, data in sorted(files.items()))
    return sha256_hex(lines.encode("utf-8"))


def sums_text(entries: dict[str, str]) -> bytes:
    """SHA256SUMS in the format `sha256sum -c` reads, sorted by file name."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(entries.items())).encode()


def _links_name(marketplace: str) -> str:
    # Fixed vocabulary only: a marketplace outside it would be a name from the data.
    return f"tautan_{marketplace}.csv" if marketplace in MARKETPLACES else "tautan_lainnya.csv"


def _dump_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def export_pack(
    store,
    out: str | Path,
    selection: Selection,
    *,
    captures_dir: str | Path,
    operator: str | None = None,
    signing_key=None,
    recaptures: Sequence[RecaptureResult] = (),
    previous_captures: dict[tuple[str, str], str | None] | None = None,
    keys: Sequence[tuple[str, str]] | None = None,
    now: str | None = None,
) -> ExportResult:
    """Write the evidence pack for `selection` to `out` and record it in the custody log.

    `keys` (already selected listings) and `previous_captures` (their capture before a
    recapture) come from `patroli evidence export --recapture`, which selects first.
    """
    out = Path(out)
    operator = operator or default_operator()
    created_at = now or datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    keys = list(keys) if keys is not None else selection.select(store)
    if not keys:
        raise EvidenceError("tidak ada listing yang cocok dengan pilihan ini; paket tidak dibuat")
    stored: list[StoredListing] = store.stored_listings(keys)
    by_recapture = {r.key: r for r in recaptures}
    previous_captures = previous_captures or {}

    # Each listing is reported with the capture its stored values came from (after a live
    # recapture, the new one). The pack also keeps the capture it had before the recapture (a
    # removed listing's evidence) and every recapture's answer.
    shown: dict[tuple[str, str], str | None] = {s.listing.key: s.listing.capture_id for s in stored}
    wanted = {c for c in shown.values() if c} | {c for c in previous_captures.values() if c}
    wanted |= {r.capture_id for r in recaptures if r.capture_id}
    captures: dict[str, Capture] = store.captures(wanted)
    missing_rows = sorted(wanted - set(captures))
    if missing_rows:
        raise EvidenceError(
            f"{len(missing_rows)} rekaman dirujuk listing tetapi tidak ada di tabel captures "
            f"(mis. {missing_rows[0]})"
        )
    ordered = sorted(captures.values(), key=lambda c: (c.fetched_at, c.capture_id))
    warc = io.BytesIO()
    for capture in ordered:
        try:
            data = read_record_bytes(captures_dir, capture)
            payload_from_record_bytes(data, capture)  # refuse to ship a capture that fails its hash
        except CaptureError as exc:
            raise EvidenceError(f"rekaman rusak atau hilang, paket tidak dibuat: {exc}") from exc
        warc.write(data)

    head: CustodyEntry | None = store.custody_head()
    fingerprint = key_fingerprint(_raw_public(signing_key.public_key())) if signing_key else None
    items = [
        listing_view(i, s, captures, shown[s.listing.key], by_recapture.get(s.listing.key))
        for i, s in enumerate(stored, start=1)
    ]
    by_market, by_rule, by_category = counts(stored)
    recapture_counts = Counter(RECAPTURE_LABELS.get(r.status, r.status) for r in recaptures)
    view = ReportView(
        created_utc=fmt_utc(created_at),
        created_wib=fmt_wib(created_at),
        created_at=created_at,
        operator=operator,
        tool_version=__version__,
        database_id=store.database_id(),
        database_path=str(Path(store.path).resolve()),
        scope=selection.scope() + ([("Periksa ulang", "ya")] if recaptures else []),
        by_marketplace=by_market,
        by_rule=by_rule,
        by_category=by_category,
        by_recapture=sorted(recapture_counts.items()),
        listings=items,
        captures=[capture_view(c) for c in ordered],
        custody_seq=(head.seq + 1) if head else 1,
        custody_prev_hash=head.entry_hash if head else GENESIS_HASH,
        signing_key_fingerprint=fingerprint,
        missing_captures=sum(1 for c in shown.values() if not c),
    )
    if view.missing_captures:
        view.notes.append(
            f"{view.missing_captures} listing tidak punya rekaman WARC (diambil sebelum perekaman "
            "aktif atau lewat 'patroli extract')."
        )

    files: dict[str, bytes] = {
        "laporan.html": render_html(view),
        "laporan.pdf": render_pdf(view),
        "listings.xlsx": render_xlsx(view),
        WARC_NAME: warc.getvalue(),
    }
    per_market: dict[str, list] = {}
    for item in items:
        per_market.setdefault(_links_name(item.marketplace), []).append(item)
    for name, market_items in per_market.items():
        files[name] = render_links_csv(market_items)

    parameters = {**asdict(selection), "recapture": bool(recaptures)}
    entry = CustodyEntry(
        seq=view.custody_seq,
        at=created_at,
        action="export",
        operator=operator,
        host=socket.gethostname(),
        database_id=view.database_id,
        database_path=view.database_path,
        pack_name=out.name,
        parameters=parameters,
        listing_count=len(items),
        capture_count=len(ordered),
        content_sha256=content_digest(files),
        prev_export_content_sha256=head.content_sha256 if head else None,
        prev_hash=view.custody_prev_hash,
    )
    entry.entry_hash = entry.compute_hash()
    chain = [*store.custody_entries(), entry]
    files[CUSTODY] = _dump_json(
        {
            "note": "Log serah-terima (append-only, berantai hash). Entri terakhir = ekspor ini.",
            "content_files": sorted(n for n in files),
            "entries": [e.as_dict() for e in chain],
        }
    )

    manifest = {
        "format": PACK_FORMAT,
        "tool": {"name": "patroli", "version": __version__},
        "created_at": created_at,
        "operator": operator,
        "parameters": parameters,
        "database": {"id": view.database_id, "path": view.database_path},
        "counts": {
            "listings": len(items),
            "captures": len(ordered),
            "by_marketplace": dict(by_market),
            "by_rule": dict(by_rule),
            "by_category": dict(by_category),
            "by_recapture": dict(Counter(r.status for r in recaptures)),
        },
        "custody": {
            "seq": entry.seq,
            "entry_hash": entry.entry_hash,
            "prev_hash": entry.prev_hash,
            "content_sha256": entry.content_sha256,
        },
        "captures": [
            {
                "capture_id": c.capture_id,
                "url": c.url,
                "fetched_at": c.fetched_at,
                "status": c.status,
                "payload_sha256": c.payload_sha256,
                "payload_length": c.payload_length,
                "response_record_id": c.response_record_id,
                "request_record_id": c.request_record_id,
            }
            for c in ordered
        ],
        "files": [
            {"name": name, "sha256": sha256_hex(data), "size": len(data)}
            for name, data in sorted(files.items())
        ],
    }
    if signing_key is not None:
        manifest["signature"] = {
            "algorithm": "Ed25519",
            "file": SIGNATURE,
            "public_key": base64.b64encode(_raw_public(signing_key.public_key())).decode(),
            "fingerprint_sha256": fingerprint,
        }
    files[MANIFEST] = _dump_json(manifest)
    if signing_key is not None:
        files[SIGNATURE] = base64.b64encode(signing_key.sign(files[MANIFEST])) + b"\n"
    files[SUMS] = sums_text({name: sha256_hex(data) for name, data in files.items()})

    _write_zip_then_record(store, out, files, created_at, entry)
    return ExportResult(out, manifest, entry, len(items), len(ordered))


def _write_zip_then_record(
    store, out: Path, files: dict[str, bytes], created_at: str, entry: CustodyEntry
) -> None:
    """Write the ZIP beside `out`, append the custody entry, then move the ZIP into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    stamp = (datetime.fromisoformat(created_at.replace("Z", "+00:00")).timetuple())[:6]
    fd, tmp = tempfile.mkstemp(prefix=".patroli-pack-", suffix=".zip", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w") as zf:
            # A third witness of the manifest, outside every file (shown by `unzip -z`).
            zf.comment = f"{PACK_FORMAT} {MANIFEST} sha256={sha256_hex(files[MANIFEST])}".encode()
            for name in _pack_order(files):
                info = zipfile.ZipInfo(name, date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
                info.compress_type = (
                    zipfile.ZIP_STORED if name.endswith((".gz", ".xlsx")) else zipfile.ZIP_DEFLATED
                )
                info.external_attr = 0o644 << 16
                zf.writestr(info, files[name])
        store.append_custody(entry)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _pack_order(files: dict[str, bytes]) -> list[str]:
    first = ["laporan.html", "laporan.pdf"]
    last = [CUSTODY, MANIFEST, SIGNATURE, SUMS]
    middle = sorted(n for n in files if n not in first and n not in last)
    return [n for n in first + middle + last if n in files]


def demo_pack(
    db: str | Path,
    out: str | Path,
    *,
    captures_dir: str | Path | None = None,
    limit: int = 50,
    operator: str = "demo",
) -> tuple[ExportResult, VerifyReport]:
    """The pack a demo ends with: the riskiest flagged listings, or the riskiest listings while no
    flag exists yet; verified against the database's custody log."""
    from crawler.archive import captures_dir_for
    from crawler.store import EvidenceStore

    store = EvidenceStore(db)
    try:
        selection = Selection(limit=limit)
        if not selection.select(store):
            selection = Selection(all_listings=True, limit=limit)
        result = export_pack(
            store,
            out,
            selection,
            captures_dir=captures_dir_for(str(captures_dir) if captures_dir else None, db),
            operator=operator,
        )
        return result, verify_pack(result.path, store=store)
    finally:
        store.close()


# -- verifying a pack -------------------------------------------------------------------------


@dataclass(slots=True)
class Problem:
    file: str  # the file (or "paket") where the difference is
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass(slots=True)
class VerifyReport:
    problems: list[Problem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # what held, in words
    signed: bool = False
    fingerprint: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, file: str, message: str) -> None:
        self.problems.append(Problem(file, message))


def _allowed_name(name: str) -> bool:
    return name in (
        "laporan.html",
        "laporan.pdf",
        "listings.xlsx",
        WARC_NAME,
        CUSTODY,
        *META_FILES,
    ) or bool(_LINKS_NAME.match(name))


def _read_members(zf: zipfile.ZipFile, report: VerifyReport) -> dict[str, bytes]:
    data: dict[str, bytes] = {}
    names = [info.filename for info in zf.infolist()]
    for name, n in Counter(names).items():
        if n > 1:
            report.fail(name, f"muncul {n} kali di dalam ZIP")
    for info in zf.infolist():
        name = info.filename
        if not _allowed_name(name):
            report.fail(name, "berkas tak dikenal di dalam paket (bukan nama yang dibuat Patroli)")
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            report.fail(name, f"terlalu besar ({info.file_size} byte)")
            continue
        try:
            data[name] = zf.read(info)
        except Exception as exc:  # CRC, inflate (zlib.error), header: a damaged member
            report.fail(name, f"tidak bisa dibaca dari ZIP ({type(exc).__name__}: {exc})")
    return data


def verify_pack(path: str | Path, *, public_key: bytes | None = None, store=None) -> VerifyReport:
    """Check every hash, the signature and the custody chain of a pack; name what differs.

    Each file has two witnesses of its SHA-256 (manifest.json and SHA256SUMS); manifest.json has
    SHA256SUMS, the ZIP comment and, when signed, the signature. A file that disagrees with its
    witnesses is named as changed; a witness that disagrees with a file its other witness vouches
    for is named instead. `public_key` (raw Ed25519) pins the signing key; `store` looks the
    pack's custody entry up in the database that made it.
    """
    report = VerifyReport()
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:  # BadZipFile, OSError, struct/value errors on a damaged directory
        report.fail("paket", f"bukan ZIP yang bisa dibaca ({type(exc).__name__}: {exc})")
        return report
    with zf:
        members = _read_members(zf, report)
        comment = zf.comment.decode("utf-8", "replace")
    actual = {name: sha256_hex(data) for name, data in members.items()}

    sums = _parse_sums(members.get(SUMS), report)
    comment_hash = _comment_hash(comment, report)
    raw_manifest = members.get(MANIFEST)
    manifest = _parse_manifest(raw_manifest, report)
    signature_ok = (
        _check_signature(members, manifest, raw_manifest, public_key, report)
        if manifest is not None
        else None
    )

    # manifest.json against its witnesses.
    manifest_changed = False
    if raw_manifest is not None:
        witnesses = [w for w in (sums.get(MANIFEST), comment_hash) if w]
        disagree = [w for w in witnesses if w != actual[MANIFEST]]
        manifest_changed = (
            manifest is None
            or bool(witnesses and len(disagree) == len(witnesses))
            or bool(signature_ok is False and disagree)
        )
        if manifest_changed and manifest is not None:
            report.fail(MANIFEST, "diubah: SHA-256-nya tidak cocok dengan SHA256SUMS/komentar ZIP")
        elif not manifest_changed:
            if sums and sums.get(MANIFEST) != actual[MANIFEST]:
                report.fail(SUMS, "baris manifest.json salah (manifest.json cocok dengan saksi lain)")
            if comment_hash and comment_hash != actual[MANIFEST]:
                report.fail("paket", "komentar ZIP mencatat SHA-256 manifest.json yang salah")
            if signature_ok is False:
                report.fail(SIGNATURE, "tanda tangan Ed25519 tidak cocok dengan manifest.json")
    if signature_ok and not manifest_changed:
        report.checked.append(f"tanda tangan Ed25519 sah (sidik jari kunci {report.fingerprint})")

    # Every other file against manifest.json and SHA256SUMS.
    listed = {f["name"]: f for f in manifest["files"]} if manifest is not None else {}
    names = (set(listed) | set(sums) | set(members)) - {MANIFEST, SUMS}
    for name in sorted(names):
        _check_file(name, members, actual, listed, sums, manifest, manifest_changed, report)
    if members.get(SUMS) is not None and sums and not any(p.file == SUMS for p in report.problems):
        if members[SUMS] != sums_text(sums):  # same claims, written differently
            report.fail(SUMS, "isinya berbeda dari yang seharusnya (format atau urutan diubah)")
        else:
            report.checked.append(f"{SUMS}: {len(sums)} baris cocok")
    if manifest is not None:
        _check_custody(members, manifest, report, store)
        _check_warc(members, manifest, report)
    return report


def _parse_sums(raw: bytes | None, report: VerifyReport) -> dict[str, str]:
    if raw is None:
        report.fail(SUMS, "tidak ada di dalam paket")
        return {}
    listed: dict[str, str] = {}
    for number, line in enumerate(raw.decode("utf-8", "replace").split("\n"), start=1):
        if not line and number > 1:
            continue
        digest, sep, name = line.partition("  ")
        if not sep or not re.fullmatch(r"[0-9a-f]{64}", digest) or not _allowed_name(name):
            report.fail(SUMS, f"baris {number} rusak")
            continue
        listed[name] = digest
    return listed


def _comment_hash(comment: str, report: VerifyReport) -> str | None:
    if not comment:
        return None  # a re-zipped pack loses its comment; the files can still be checked
    m = re.fullmatch(re.escape(f"{PACK_FORMAT} {MANIFEST} sha256=") + r"([0-9a-f]{64})", comment)
    if m is None:
        report.fail("paket", "komentar ZIP diubah")
        return None
    return m.group(1)


def _parse_manifest(raw: bytes | None, report: VerifyReport) -> dict | None:
    if raw is None:
        report.fail(MANIFEST, "tidak ada di dalam paket")
        return None
    try:
        manifest = json.loads(raw.decode("utf-8"))
        for entry in manifest["files"]:
            str(entry["name"]), str(entry["sha256"]), int(entry["size"])
        # The parts read later have their shape too, so that a rewritten manifest is named here
        # rather than raising in the custody or WARC checks.
        if not all(isinstance(c, dict) for c in _as_list(manifest.get("captures", []))):
            raise TypeError("captures")
        if not isinstance(manifest.get("custody", {}), dict):
            raise TypeError("custody")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        report.fail(MANIFEST, f"diubah: bukan manifest yang sah ({type(exc).__name__})")
        return None
    return manifest


def _as_list(value: Any) -> list:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


def _check_file(
    name: str,
    members: dict[str, bytes],
    actual: dict[str, str],
    listed: dict[str, dict],
    sums: dict[str, str],
    manifest: dict | None,
    manifest_changed: bool,
    report: VerifyReport,
) -> None:
    if name not in members:
        if name in listed and not manifest_changed:
            report.fail(name, "tercantum di manifest.json tetapi tidak ada di paket")
        elif name in sums and name not in listed:
            report.fail(SUMS, f"mencantumkan {name}, yang tidak ada di paket")
        return
    h = actual[name]
    if name == SIGNATURE:
        if name in sums and sums[name] != h and not any(p.file == SIGNATURE for p in report.problems):
            report.fail(SUMS, f"baris {name} salah")
        return
    entry = listed.get(name)
    if manifest is not None and entry is None:
        report.fail(name, "ada di paket tetapi tidak tercantum di manifest.json")
        return
    if name not in sums and sums:
        report.fail(SUMS, f"tidak mencantumkan {name}")
    by_manifest = entry is not None and entry["sha256"] == h and entry["size"] == len(members[name])
    by_sums = sums.get(name) == h
    if by_manifest:
        report.checked.append(f"{name}: SHA-256 {h}")
        if name in sums and not by_sums:
            report.fail(SUMS, f"baris {name} salah (berkasnya cocok dengan manifest.json)")
    elif by_sums and manifest is not None:
        if not manifest_changed:
            report.fail(MANIFEST, f"diubah: catatan untuk {name} tidak cocok dengan berkasnya")
    elif manifest is not None or name in sums:
        size = f", ukuran {len(members[name])} byte" if entry and entry["size"] != len(members[name]) else ""
        report.fail(name, f"diubah: SHA-256 tidak cocok dengan manifest.json maupun SHA256SUMS{size}")


def _check_signature(
    members: dict[str, bytes],
    manifest: dict,
    raw_manifest: bytes,
    pinned: bytes | None,
    report: VerifyReport,
) -> bool | None:
    """True/False: the signature does/does not match manifest.json; None: nothing to check."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    info = manifest.get("signature")
    sig_raw = members.get(SIGNATURE)
    if info is None:
        if sig_raw is not None:
            report.fail(SIGNATURE, "ada tanda tangan tetapi manifest.json tidak menyebut kuncinya")
        elif pinned is not None:
            report.fail(MANIFEST, "tidak ditandatangani, padahal kunci publik diminta")
        else:
            report.checked.append("paket tidak ditandatangani (tidak ada manifest.json.sig)")
        return None
    report.signed = True
    try:
        key_raw = base64.b64decode(info["public_key"], validate=True)
        key = Ed25519PublicKey.from_public_bytes(key_raw)
    except (KeyError, ValueError, TypeError):
        return False  # the manifest's key field was changed
    report.fingerprint = key_fingerprint(key_raw)
    if pinned is not None and key_raw != pinned:
        report.fail(
            MANIFEST,
            f"ditandatangani dengan kunci lain (sidik jari {report.fingerprint}, "
            f"diminta {key_fingerprint(pinned)})",
        )
    if sig_raw is None:
        report.fail(SIGNATURE, "tidak ada, padahal manifest.json menyebut tanda tangan")
        return None
    try:
        signature = base64.b64decode(sig_raw.strip(), validate=True)
        key.verify(signature, raw_manifest)
    except (ValueError, InvalidSignature):
        return False
    if sig_raw != base64.b64encode(signature) + b"\n":
        report.fail(SIGNATURE, "berkas tanda tangan diubah (format)")
    return True


def _check_custody(members: dict[str, bytes], manifest: dict, report: VerifyReport, store) -> None:
    raw = members.get(CUSTODY)
    if raw is None:
        report.fail(CUSTODY, "tidak ada di dalam paket")
        return
    try:
        data = json.loads(raw.decode("utf-8"))
        entries = [CustodyEntry.from_dict(e) for e in data["entries"]]
        content_files = list(data["content_files"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        report.fail(CUSTODY, f"tidak bisa dibaca ({exc})")
        return
    if not entries:
        report.fail(CUSTODY, "tidak memuat entri")
        return
    for problem in chain_problems(entries):
        report.fail(CUSTODY, problem)
    last = entries[-1]
    custody = manifest.get("custody") or {}
    if custody.get("entry_hash") != last.entry_hash:
        report.fail(CUSTODY, "entri terakhir bukan entri yang disebut manifest.json")
    missing = [n for n in content_files if n not in members]
    if missing:
        report.fail(CUSTODY, f"berkas isi tidak ada: {', '.join(missing)}")
    else:
        digest = content_digest({n: members[n] for n in content_files})
        changed = {p.file for p in report.problems} & set(content_files)
        if digest != last.content_sha256 and not changed:  # else those files are already named
            report.fail(CUSTODY, "hash isi paket tidak cocok dengan entri serah-terima")
        else:
            report.checked.append(
                f"log serah-terima: {len(entries)} entri berantai, entri {last.seq} = paket ini"
            )
    if store is not None:
        recorded = {e.entry_hash: e for e in store.custody_entries()}
        if last.entry_hash not in recorded:
            report.fail(CUSTODY, "entri paket ini tidak ada di log serah-terima basis data")
        else:
            report.checked.append("entri serah-terima ada di basis data")


def _check_warc(members: dict[str, bytes], manifest: dict, report: VerifyReport) -> None:
    raw = members.get(WARC_NAME)
    if raw is None:
        return  # already named by the manifest check
    expected = {c.get("response_record_id"): c for c in manifest.get("captures", [])}
    seen = set()
    try:
        for record in iter_records(raw):
            if record.record_type != "response":
                continue
            info = expected.get(record.record_id)
            if info is None:
                report.fail(WARC_NAME, f"record {record.record_id} tidak tercantum di manifest.json")
                continue
            seen.add(record.record_id)
            if sha256_hex(record.payload) != info.get("payload_sha256"):
                report.fail(WARC_NAME, f"isi rekaman {info.get('capture_id')} berbeda dari SHA-256-nya")
            elif record.payload_digest != sha256_warc_digest(record.payload):
                report.fail(WARC_NAME, f"WARC-Payload-Digest rekaman {info.get('capture_id')} salah")
    except Exception as exc:  # warcio raises several types on a damaged stream
        report.fail(WARC_NAME, f"tidak bisa dibaca sebagai WARC ({type(exc).__name__}: {exc})")
        return
    for record_id in sorted(set(expected) - seen):
        report.fail(WARC_NAME, f"rekaman {expected[record_id].get('capture_id')} tidak ada")
    if not any(p.file == WARC_NAME for p in report.problems):
        report.checked.append(f"{WARC_NAME}: {len(seen)} rekaman, isi cocok dengan SHA-256-nya")
