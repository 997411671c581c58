"""WARC capture: every fetched response kept byte for byte, with the SHA-256 of its body.

`WarcArchive` writes request + response records (gzip, one member per record, WARC/1.1) into
rotating files under a captures directory; `WarcCaptureMiddleware` is the Scrapy glue that
archives each response, stores its `Capture` row and sets `response.meta["capture_id"]`, which
the spiders copy into every RawListing and PageRecord parsed from it.

What is stored is the body the parser saw: Scrapy's HttpCompressionMiddleware has already undone
any Content-Encoding (gzip, br, ...) and the transfer encoding is gone. The payload digest is
therefore the digest of exactly the bytes that were parsed; when the received Content-Length
no longer matches, the record says so in a `Patroli-Received-Content-Length` header.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from crawler import __version__

DEFAULT_CAPTURES_DIR = "data/captures"
DEFAULT_MAX_BYTES = 100 * 1024 * 1024  # rotate to a new .warc.gz past this size
# Middleware order: after HttpCompressionMiddleware (590) has decoded the body, before
# RetryMiddleware (550) turns a 503 into a retry, so failed attempts are kept too.
MIDDLEWARE_PRIORITY = 585


class CaptureError(Exception):
    """A capture that cannot be read back as it was written; the message names it."""


@dataclass(slots=True)
class Exchange:
    """One request and its response, as plain data (no Scrapy types)."""

    url: str
    status: int
    body: bytes
    response_headers: list[tuple[str, str]]
    method: str = "GET"
    request_headers: list[tuple[str, str]] | None = None
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    fetched_at: str | None = None  # ISO 8601 UTC; now when None
    ip_address: str | None = None
    kind: str | None = None  # search | detail | recapture | ...
    crawl_id: int | None = None


@dataclass(slots=True)
class Capture:
    """Where one response lives in the WARC files, and the digest of its body (a `captures` row)."""

    capture_id: str  # the response record's UUID
    url: str
    fetched_at: str  # ISO 8601 UTC, microseconds; the same instant as the record's WARC-Date
    status: int
    warc_file: str  # file name inside the captures directory (generated, never scraped)
    warc_offset: int  # start of the response record's gzip member
    warc_length: int  # response + request records, two gzip members, read as one slice
    payload_sha256: str  # hex SHA-256 of the body as parsed
    payload_length: int
    response_record_id: str
    request_record_id: str
    method: str = "GET"
    content_type: str | None = None
    kind: str | None = None
    crawl_id: int | None = None


class _Sha256WarcWriter(WARCWriter):
    """warcio writes sha1 digests by default; evidence wants SHA-256 (WARC-*-Digest: sha256:...)."""

    @staticmethod
    def _create_digester():
        return Digester("sha256")


def captures_dir_for(configured: str | None, db_path: str | Path | None) -> Path:
    """PATROLI_CAPTURES_DIR, or `captures/` beside the database: the WARCs follow their DB."""
    if configured:
        return Path(configured)
    if db_path and str(db_path) != ":memory:":
        return Path(db_path).parent / "captures"
    return Path(DEFAULT_CAPTURES_DIR)


def utc_now_micro() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class WarcArchive:
    """Appends exchanges to `<dir>/patroli-<UTC time>-<pid>-<n>.warc.gz`, rotating by size."""

    def __init__(
        self,
        directory: str | Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        operator: str | None = None,
    ):
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.operator = operator
        self._fh: io.BufferedWriter | None = None
        self._name: str | None = None
        self._seq = 0
        self.files_written: list[str] = []

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def _open_next(self) -> None:
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        for _ in range(10_000):
            self._seq += 1
            name = f"patroli-{stamp}-{os.getpid()}-{self._seq:05d}.warc.gz"
            try:
                self._fh = open(self.directory / name, "xb")  # noqa: SIM115 - kept open across writes
            except FileExistsError:
                continue
            break
        else:
            raise CaptureError(f"tidak bisa membuat berkas WARC baru di {self.directory}")
        self._name = name
        self.files_written.append(name)
        writer = _Sha256WarcWriter(self._fh, gzip=True, warc_version="1.1")
        info = {
            "software": f"Patroli/{__version__} (warcio)",
            "format": "WARC File Format 1.1",
            "hostname": socket.gethostname(),
            "payload": "response bodies as parsed (Content-Encoding already decoded)",
        }
        if self.operator:
            info["operator"] = self.operator
        writer.write_record(writer.create_warcinfo_record(name, info))

    def write(self, exchange: Exchange) -> Capture:
        """Write the response and request records; return where they are and the body digest."""
        if self._fh is None or self._fh.tell() >= self.max_bytes:
            self._open_next()
        assert self._fh is not None and self._name is not None
        fetched_at = exchange.fetched_at or utc_now_micro()
        writer = _Sha256WarcWriter(self._fh, gzip=True, warc_version="1.1")
        body = exchange.body
        headers = _response_headers(exchange.response_headers, len(body))
        warc_headers = {"WARC-Date": fetched_at}
        if exchange.ip_address:
            warc_headers["WARC-IP-Address"] = exchange.ip_address
        received = _header(exchange.response_headers, "content-length")
        if received is not None and received.strip() != str(len(body)):
            warc_headers["Patroli-Received-Content-Length"] = received.strip()
        status_line = f"{exchange.status} {_reason(exchange.status)}"
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(status_line, headers, protocol=exchange.protocol),
            warc_headers_dict=warc_headers,
        )
        parts = urlsplit(exchange.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_headers = list(exchange.request_headers or [])
        if _header(req_headers, "host") is None and parts.netloc:
            req_headers.insert(0, ("Host", parts.netloc))
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=StatusAndHeaders(
                f"{exchange.method} {target} HTTP/1.1", req_headers, is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": fetched_at},
        )
        offset = self._fh.tell()
        writer.write_request_response_pair(request, response)
        length = self._fh.tell() - offset
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        return Capture(
            capture_id=_uuid_of(response_id),
            url=exchange.url,
            fetched_at=fetched_at,
            status=exchange.status,
            warc_file=self._name,
            warc_offset=offset,
            warc_length=length,
            payload_sha256=sha256_hex(body),
            payload_length=len(body),
            response_record_id=response_id,
            request_record_id=request.rec_headers.get_header("WARC-Record-ID"),
            method=exchange.method,
            content_type=_header(exchange.response_headers, "content-type"),
            kind=exchange.kind,
            crawl_id=exchange.crawl_id,
        )


def _response_headers(headers: list[tuple[str, str]], body_length: int) -> list[tuple[str, str]]:
    """The received headers, made true of the stored body: no transfer coding, right length."""
    out = []
    for name, value in headers:
        lower = name.lower()
        if lower in ("transfer-encoding", "content-encoding"):
            continue
        if lower == "content-length":
            value = str(body_length)
        out.append((name, value))
    return out


def _header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _uuid_of(record_id: str) -> str:
    # "<urn:uuid:...>" -> "..." : the capture id is the response record's UUID.
    return record_id.strip("<>").removeprefix("urn:uuid:")


# -- reading back -----------------------------------------------------------------------------


def warc_path(captures_dir: str | Path, capture: Capture) -> Path:
    name = Path(capture.warc_file).name  # a stored name never leaves the captures directory
    return Path(captures_dir) / name


def read_record_bytes(captures_dir: str | Path, capture: Capture) -> bytes:
    """The capture's two gzip members exactly as the crawl wrote them."""
    path = warc_path(captures_dir, capture)
    try:
        with open(path, "rb") as fh:
            fh.seek(capture.warc_offset)
            data = fh.read(capture.warc_length)
    except OSError as exc:
        raise CaptureError(f"rekaman {capture.capture_id}: {path} tidak bisa dibaca ({exc})") from exc
    if len(data) != capture.warc_length:
        raise CaptureError(
            f"rekaman {capture.capture_id}: {path} terpotong ({len(data)} dari {capture.warc_length} byte)"
        )
    return data


@dataclass(slots=True)
class WarcRecord:
    record_type: str
    record_id: str
    target_uri: str | None
    payload: bytes
    payload_digest: str | None  # the WARC-Payload-Digest header as written


def iter_records(data: bytes | io.IOBase) -> Iterator[WarcRecord]:
    """Every record of a WARC (gzip or not), payload read raw: no chunked or gzip decoding."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    for record in ArchiveIterator(stream):
        headers = record.rec_headers
        yield WarcRecord(
            record_type=record.rec_type,
            record_id=headers.get_header("WARC-Record-ID"),
            target_uri=headers.get_header("WARC-Target-URI"),
            payload=record.raw_stream.read(),
            payload_digest=headers.get_header("WARC-Payload-Digest"),
        )


def payload_from_record_bytes(data: bytes, capture: Capture) -> bytes:
    """The response body inside a capture's record bytes, checked against its SHA-256."""
    try:
        records = list(iter_records(data))
    except Exception as exc:  # zlib, EOF and warcio parse errors alike: the bytes are damaged
        raise CaptureError(
            f"rekaman {capture.capture_id}: {capture.warc_file} rusak ({type(exc).__name__})"
        ) from exc
    for record in records:
        if record.record_type == "response" and record.record_id == capture.response_record_id:
            if sha256_hex(record.payload) != capture.payload_sha256:
                raise CaptureError(
                    f"rekaman {capture.capture_id}: SHA-256 isi tidak cocok dengan tabel captures"
                )
            if record.payload_digest != sha256_warc_digest(record.payload):
                raise CaptureError(
                    f"rekaman {capture.capture_id}: WARC-Payload-Digest tidak cocok dengan isi"
                )
            return record.payload
    raise CaptureError(f"rekaman {capture.capture_id}: record response tidak ada di {capture.warc_file}")


def read_payload(captures_dir: str | Path, capture: Capture) -> bytes:
    """Exactly the bytes that were parsed, read back from the WARC and checked."""
    return payload_from_record_bytes(read_record_bytes(captures_dir, capture), capture)


def sha256_warc_digest(payload: bytes) -> str:
    """The WARC-Payload-Digest form of SHA-256: 'sha256:' + base32."""
    return "sha256:" + base64.b32encode(hashlib.sha256(payload).digest()).decode("ascii")


# -- Scrapy glue ------------------------------------------------------------------------------


def exchange_from_scrapy(request, response, *, crawl_id: int | None = None) -> Exchange:
    def pairs(headers) -> list[tuple[str, str]]:
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values]

    ip = getattr(response, "ip_address", None)
    return Exchange(
        url=response.url,
        status=response.status,
        body=response.body,
        response_headers=pairs(response.headers),
        method=request.method,
        request_headers=pairs(request.headers),
        request_body=request.body or b"",
        protocol=getattr(response, "protocol", None) or "HTTP/1.1",
        ip_address=str(ip) if ip is not None else None,
        kind=request.meta.get("kind"),
        crawl_id=crawl_id,
    )


class WarcCaptureMiddleware:
    """Downloader middleware: archive every response, record it, tag it with its capture_id.

    Settings: PATROLI_CAPTURE (on/off), PATROLI_CAPTURES_DIR, PATROLI_CAPTURES_MAX_BYTES,
    PATROLI_DB (where the `captures` rows go), PATROLI_CRAWL_ID / the StorePipeline's crawl id.
    The row is committed before the response reaches the spider, so every capture_id that a
    listing or page record carries already has its row.
    """

    def __init__(self, crawler, captures_dir: str, max_bytes: int, db_path: str):
        self.crawler = crawler
        self.archive = WarcArchive(captures_dir, max_bytes=max_bytes)
        self.db_path = db_path
        self.store = None

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        settings = crawler.settings
        if not settings.getbool("PATROLI_CAPTURE", True):
            raise NotConfigured("PATROLI_CAPTURE is off")
        db_path = settings.get("PATROLI_DB") or "data/patroli.db"
        mw = cls(
            crawler,
            str(captures_dir_for(settings.get("PATROLI_CAPTURES_DIR"), db_path)),
            settings.getint("PATROLI_CAPTURES_MAX_BYTES", DEFAULT_MAX_BYTES),
            db_path,
        )
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _crawl_id(self) -> int | None:
        value = self.crawler.stats.get_value("patroli/crawl_id")
        if value is None:
            value = self.crawler.settings.getint("PATROLI_CRAWL_ID") or None
        return value

    def process_response(self, request, response, spider=None):
        from crawler.store import EvidenceStore

        if self.store is None:
            self.store = EvidenceStore(self.db_path)
        capture = self.archive.write(exchange_from_scrapy(request, response, crawl_id=self._crawl_id()))
        self.store.save_capture(capture)
        self.crawler.stats.inc_value("patroli/captures")
        self.crawler.stats.inc_value("patroli/capture_bytes", capture.payload_length)
        request.meta["capture_id"] = capture.capture_id  # response.meta is this same dict
        return response

    def spider_closed(self, spider=None) -> None:
        self.archive.close()
        if self.store is not None:
            self.store.close()
            self.store = None
