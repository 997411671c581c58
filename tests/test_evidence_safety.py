"""Hostile titles, seller names and URLs (XSS, formulas, ../ names, 10,000 characters, RTL
overrides, control characters, CJK) through the HTML, the PDF, the CSV and the XLSX."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from crawler.evidence import Selection, export_pack
from crawler.evidence_render import PDF_TEXT_LIMIT, XLSX_CELL_LIMIT, pdf_text, xlsx_text
from crawler.evidence_view import FORMULA_TRIGGERS, http_url, neutralize_cell
from crawler.store import EvidenceStore
from tests.evidence_helpers import HOSTILE_SELLERS, HOSTILE_TITLES, HOSTILE_URLS, LONG, fill_store

ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "h1",
    "h2",
    "h3",
    "p",
    "small",
    "table",
    "tr",
    "th",
    "td",
    "div",
    "span",
    "bdi",
    "a",
    "br",
}
PACK_NAMES = re.compile(
    r"^(laporan\.html|laporan\.pdf|listings\.xlsx|captures\.warc\.gz|custody\.json|manifest\.json"
    r"|manifest\.json\.sig|SHA256SUMS|tautan_(tokopedia|shopee|lazada|blibli|shop|lainnya)\.csv)$"
)


def _runs_as_formula(value: str) -> bool:
    return value.lstrip(" \u00a0\u3000").startswith(FORMULA_TRIGGERS)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    n = 28  # every hostile title (20), seller (4) and URL (7) at least once
    filled = fill_store(base / "p.db", base / "cap", n, hostile=True)
    out_dir = base / "out"
    store = EvidenceStore(filled.db)
    export_pack(
        store,
        out_dir / "paket.zip",
        Selection(all_listings=True),
        captures_dir=filled.captures_dir,
        operator="<script>alert('op')</script>",
    )
    store.close()
    with zipfile.ZipFile(out_dir / "paket.zip") as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    return filled, members, out_dir


class _Html(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []  # (enclosing tag, text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag not in ("meta", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        self.texts.append((self.stack[-1] if self.stack else "", data))


def test_no_file_name_comes_from_scraped_text(pack):
    filled, members, out_dir = pack
    assert all(PACK_NAMES.match(name) for name in members), sorted(members)
    assert sorted(p.name for p in out_dir.iterdir()) == ["paket.zip"]  # no stray temp files


def test_html_holds_hostile_text_as_text_only(pack):
    filled, members, _ = pack
    page = members["laporan.html"].decode("utf-8")
    parser = _Html()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert set(tags) <= ALLOWED_TAGS, set(tags) - ALLOWED_TAGS
    assert tags.count("h1") == 1 and "script" not in tags and "img" not in tags
    for tag, attrs in parser.tags:
        assert not any(name.startswith("on") for name, _ in attrs), (tag, attrs)
        if tag == "a":
            href = dict(attrs)["href"]
            assert href.startswith(("http://", "https://")) and href == http_url(href)
    assert "default-src 'none'" in page
    texts = {text for _, text in parser.texts}
    for listing in filled.listings:  # verbatim, every character, inside an isolate
        assert ("bdi", listing.title) in parser.texts
        assert listing.seller_name in texts
        assert listing.url in texts
    assert LONG in texts
    assert "<script>alert('op')</script>" in texts  # the operator name too
    assert "U+202E" in page  # hidden characters are pointed out


def test_html_links_only_plain_http(pack):
    _, members, _ = pack
    page = members["laporan.html"].decode()
    assert 'href="javascript' not in page and 'href="data:' not in page
    assert "bukan tautan http/https biasa" in page


def test_pdf_renders_hostile_text_with_nothing_active(pack):
    _, members, _ = pack
    pdf = members["laporan.pdf"]
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    for marker in (b"/JavaScript", b"/JS ", b"/Launch", b"/URI", b"/SubmitForm", b"/AA "):
        assert marker not in pdf
    # fpdf2's only open action is a view destination ([page /FitH]), never an action dictionary.
    assert re.findall(rb"/OpenAction\s*(.)", pdf) == [b"["]


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Kain \u202etulis\u202c", "Kain [U+202E]tulis[U+202C]"),
        ("a\x00b\x07c\r\n", "a[U+0000]b[U+0007]c[U+000D][U+000A]"),
        ("＝1+1", "[U+FF1D]1+1"),  # DejaVu Sans has no full-width forms: shown, not dropped
        ("蜡染 batik", "[U+8721][U+67D3] batik"),
        ("Kain ikat Rp1.250.000 – é ✓", "Kain ikat Rp1.250.000 – é ✓"),
        ("", "-"),
    ],
)
def test_pdf_text_shows_what_it_cannot_draw(text, shown):
    assert pdf_text(text) == shown


def test_pdf_text_cuts_long_strings_with_a_note():
    out = pdf_text(LONG)
    assert out.startswith(LONG[:PDF_TEXT_LIMIT])
    assert out.endswith("[dipotong: 10,006 karakter; teks lengkap di laporan.html dan listings.xlsx]")


def test_csv_cells_never_run_and_round_trip(pack):
    filled, members, _ = pack
    by_key = {(x.marketplace, x.listing_id): x for x in filled.listings}
    rows_seen = 0
    for name, data in members.items():
        if not name.startswith("tautan_"):
            continue
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert rows[0][:5] == ["no", "marketplace", "id_listing", "url", "judul"]
        for row in rows[1:]:
            rows_seen += 1
            assert all(not _runs_as_formula(cell) for cell in row), row
            listing = by_key[(row[1], row[2])]
            assert (row[3], row[4], row[5]) == (
                neutralize_cell(listing.url),
                neutralize_cell(listing.title),
                neutralize_cell(listing.seller_name),
            )
    assert rows_seen == 28


def test_xlsx_has_no_formula_cell_and_keeps_text(pack):
    filled, members, _ = pack
    data = members["listings.xlsx"]
    with zipfile.ZipFile(io.BytesIO(data)) as inner:
        for name in inner.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", inner.read(name)), name
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["listing", "tanda", "riwayat", "rekaman"]
    cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                cells += 1
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not _runs_as_formula(cell.value), (ws.title, cell.coordinate)
                    assert len(cell.value) <= XLSX_CELL_LIMIT + 60
    assert cells > 28 * 15
    sheet = wb["listing"]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) for name in ("id_listing", "judul", "url", "penjual")}
    titles = {row[col["id_listing"]]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(titles) == 28
    for listing in filled.listings:
        row = titles[listing.listing_id]
        assert row[col["judul"]] == xlsx_text(listing.title)
        assert row[col["penjual"]] == xlsx_text(listing.seller_name)
        assert row[col["url"]] == xlsx_text(listing.url)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+62 812", "'+62 812"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("\u3000＝1", "'\u3000＝1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠x", "'＠x"),
        ("Kain batik = bagus", "Kain batik = bagus"),
        ("Rp-5", "Rp-5"),
        (150000, 150000),
        (None, None),
    ],
)
def test_neutralize_cell(value, expected):
    assert neutralize_cell(value) == expected


def test_xlsx_text_replaces_characters_xml_forbids_and_cuts_length():
    assert xlsx_text("a\x00b\x1fc") == "a[U+0000]b[U+001F]c"
    long = xlsx_text("x" * 40_000)
    assert len(long) < 32_767 and long.endswith("[dipotong dari 40,000 karakter]")


@pytest.mark.parametrize(
    "url, linked",
    # A quote or "../" in an http(s) URL is harmless once autoescaped in the attribute; a
    # different scheme, or a hidden character the reader cannot see, is never made a link.
    list(zip(HOSTILE_URLS, [False, True, False, True, False, True, False], strict=True)),
)
def test_http_url_links_only_plain_web_addresses(url, linked):
    assert http_url(url) == (url if linked else None)


def test_hostile_fixtures_cover_the_brief():
    joined = "".join(HOSTILE_TITLES + HOSTILE_SELLERS + HOSTILE_URLS)
    for needle in ("<script>", "=HYPERLINK", "../", "\u202e", "＝", "\x00"):
        assert needle in joined
    assert any(len(t) >= 10_000 for t in HOSTILE_TITLES)
