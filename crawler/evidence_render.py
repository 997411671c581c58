"""Render a ReportView as laporan.html, laporan.pdf, tautan_<marketplace>.csv and listings.xlsx.

HTML: Jinja2 with autoescape on, scraped text in <bdi> isolates, a CSP that forbids scripts.
PDF: fpdf2 with the bundled DejaVu Sans (crawler/fonts), so the report renders the same on every
machine; hidden characters and glyphs the font lacks are written out as [U+XXXX], and very long
strings are cut with a note (the HTML and XLSX keep them whole).
CSV/XLSX: every text cell goes through `neutralize_cell`; XLSX cells are typed as strings.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import datetime
from functools import cache
from pathlib import Path

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from crawler.evidence_view import (
    CaptureView,
    ListingView,
    ReportView,
    neutralize_cell,
    parse_utc,
)

TEMPLATES = Path(__file__).with_name("templates")
FONTS = Path(__file__).with_name("fonts")
PDF_TEXT_LIMIT = 1_000  # characters of one scraped field shown in the PDF
XLSX_CELL_LIMIT = 32_000  # Excel holds at most 32,767 characters in a cell


# -- HTML -------------------------------------------------------------------------------------


@cache
def _jinja() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every template, whatever its name: scraped text is data, not markup
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(view: ReportView) -> bytes:
    return _jinja().get_template("laporan.html.j2").render(r=view).encode("utf-8")


# -- PDF --------------------------------------------------------------------------------------


@cache
def _font_cmap(filename: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(FONTS / filename), lazy=True).getBestCmap())


def pdf_text(text: str | None, *, bold: bool = False, limit: int = PDF_TEXT_LIMIT) -> str:
    """Text the PDF can show truthfully: hidden and unrenderable characters as [U+XXXX]."""
    if not text:
        return "-"
    cut = ""
    if len(text) > limit:
        cut = f" … [dipotong: {len(text):,} karakter; teks lengkap di laporan.html dan listings.xlsx]"
        text = text[:limit]
    cmap = _font_cmap("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") or ord(ch) not in cmap:
            out.append(f"[U+{ord(ch):04X}]")
        else:
            out.append(ch)
    return "".join(out) + cut


class _ReportFPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-11)
        self.set_font("DejaVu", "", 7)
        self.cell(0, 5, f"Laporan Bukti Patroli · halaman {self.page_no()}/{{nb}}", align="C")


class _Pdf:
    """A thin layer over fpdf2: headings, label/value rows and small tables in DejaVu Sans."""

    def __init__(self, created_at: str):
        pdf = _ReportFPDF(orientation="P", unit="mm", format="A4")
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.set_margins(15, 15, 15)
        pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        created = parse_utc(created_at) or datetime.now().astimezone()
        pdf.set_creation_date(created)
        pdf.set_title("Laporan Bukti Patroli Marketplace")
        pdf.set_creator("Patroli")
        pdf.set_lang("id")
        pdf.alias_nb_pages()
        self.pdf = pdf

    def page(self) -> None:
        self.pdf.add_page()

    def _fits(self, text: str, width: float) -> bool:
        # One cell() is far cheaper than multi_cell()'s line breaking: use it when one line will do.
        return "\n" not in text and self.pdf.get_string_width(text) <= width - 2 * self.pdf.c_margin

    def _text(self, width: float, height: float, text: str) -> None:
        """Text from the current position to `width`, wrapped when it must be; then a new line."""
        pdf = self.pdf
        if self._fits(text, width or pdf.w - pdf.r_margin - pdf.get_x()):
            pdf.cell(width, height, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(width, height, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, size: float = 13) -> None:
        self.pdf.set_font("DejaVu", "B", size)
        self._text(0, size * 0.5, pdf_text(text, bold=True))
        self.pdf.ln(1.5)

    def para(self, text: str, size: float = 9) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "", size)
        pdf.multi_cell(0, 4.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def row(self, label: str, value: str, size: float = 9) -> None:
        pdf = self.pdf
        if pdf.will_page_break(5):
            pdf.add_page()
        pdf.set_font("DejaVu", "B", size)
        pdf.cell(45, 4.5, label)  # labels are ours and short
        pdf.set_font("DejaVu", "", size)
        self._text(0, 4.5, value)

    def table(self, header: list[str], rows: list[list[str]], widths: list[float], size: float = 7.5) -> None:
        """A bordered grid; a cell wraps only when its text does not fit on one line."""
        self.pdf.set_font("DejaVu", "B", size)
        self._grid_row(header, widths, fill=True)
        self.pdf.set_font("DejaVu", "", size)
        for cells in rows:
            self._grid_row(cells, widths)
        self.pdf.ln(2)

    def _grid_row(self, cells: list[str], widths: list[float], fill: bool = False) -> None:
        pdf = self.pdf
        lh = 3.6
        lines = [
            [text] if self._fits(text, w) else pdf.multi_cell(w, lh, text, dry_run=True, output="LINES")
            for text, w in zip(cells, widths, strict=True)
        ]
        height = max(len(cell) for cell in lines) * lh
        if pdf.will_page_break(height):
            pdf.add_page()
        x0, y0 = pdf.l_margin, pdf.get_y()
        x = x0
        pdf.set_fill_color(235, 235, 235)
        for cell_lines, w in zip(lines, widths, strict=True):
            pdf.rect(x, y0, w, height, style="DF" if fill else "D")
            for n, line in enumerate(cell_lines):
                pdf.set_xy(x, y0 + n * lh)
                pdf.cell(w, lh, line)
            x += w
        pdf.set_xy(x0, y0 + height)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _capture_line(c: CaptureView) -> str:
    return f"{c.capture_id} · HTTP {c.status} · {c.length} byte"


def _listing_pdf(doc: _Pdf, item: ListingView) -> None:
    pdf = doc.pdf
    if pdf.will_page_break(40):
        pdf.add_page()
    else:
        pdf.ln(3)
    doc.heading(f"{item.number}. {item.marketplace} · {item.listing_id}", size=11)
    doc.row("Judul (apa adanya)", pdf_text(item.title))
    price = item.price + (f" (teks halaman: {pdf_text(item.price_text)})" if item.price_text else "")
    if item.original_price != "-":
        price += f"; harga coret {item.original_price}"
    doc.row("Harga", price)
    doc.row("Penjual", f"{pdf_text(item.seller_name)} (ID {pdf_text(item.seller_id)})")
    doc.row("Lokasi penjual", pdf_text(item.seller_location))
    sold = item.sold + (f" (teks halaman: {pdf_text(item.sold_text)})" if item.sold_text else "")
    doc.row("Terjual", sold)
    doc.row("Lintas batas", item.cross_border)
    doc.row("Kategori · risiko", f"{pdf_text(item.category)} · {item.risk}")
    doc.row("URL", pdf_text(item.url))
    if item.capture:
        doc.row("Waktu rekam", f"{item.capture.fetched_utc} / {item.capture.fetched_wib}")
        doc.row("Rekaman", _capture_line(item.capture))
        doc.row("SHA-256 rekaman", item.capture.sha256)
    else:
        doc.row("Rekaman", "tidak ada rekaman WARC untuk listing ini")
    if item.recapture_status:
        text = item.recapture_label
        if item.recapture:
            text += (
                f" · {item.recapture.fetched_utc} / {item.recapture.fetched_wib}; rekaman "
                f"{item.recapture.capture_id}, SHA-256 {item.recapture.sha256}"
            )
        if item.recapture_reason:
            text += f" ({pdf_text(item.recapture_reason)})"
        doc.row("Periksa ulang", text)
    for label, points in item.hidden.items():
        doc.row("Karakter tersembunyi", f"{label} memuat {', '.join(points)}")
    if item.flags:
        doc.table(
            ["Aturan", "Tingkat", "Skor", "Alasan", "Dasar hukum"],
            [
                [
                    pdf_text(f.rule),
                    f.severity,
                    f.score,
                    pdf_text(f.reason_id) + "\n" + pdf_text(f.reason_en),
                    pdf_text(f.legal_basis),
                ]
                for f in item.flags
            ],
            [32, 15, 9, 84, 40],
        )
    else:
        doc.para("Tidak ada tanda (flag) untuk listing ini.", size=8)
    if item.history:
        doc.table(
            ["Riwayat", "WIB", "Harga", "Terjual", "Rekaman"],
            [[h.when_utc, h.when_wib, h.price, h.sold, h.capture_id] for h in item.history],
            [38, 38, 26, 16, 62],
        )


def render_pdf(view: ReportView) -> bytes:
    doc = _Pdf(view.created_at)
    doc.page()
    doc.heading("Laporan Bukti Patroli Marketplace", size=16)
    doc.para(f"Evidence report of a marketplace patrol (Patroli {view.tool_version}).", size=8)
    doc.row("Diekspor oleh", pdf_text(view.operator))
    doc.row("Waktu ekspor", f"{view.created_utc} / {view.created_wib}")
    doc.row("Basis data", f"{view.database_id}\n{pdf_text(view.database_path)}")
    doc.row("Jumlah listing", str(len(view.listings)))
    doc.row("Jumlah rekaman", str(len(view.captures)))
    doc.row(
        "Log serah-terima",
        f"entri nomor {view.custody_seq}; hash entri sebelumnya {view.custody_prev_hash}",
    )
    if view.signing_key_fingerprint:
        doc.row("Kunci tanda tangan", f"Ed25519, sidik jari SHA-256 {view.signing_key_fingerprint}")
    doc.pdf.ln(2)
    doc.heading("Cakupan", size=11)
    for label, value in view.scope:
        doc.row(label, pdf_text(value))
    doc.pdf.ln(2)
    for title, pairs in (
        ("Jumlah per marketplace", view.by_marketplace),
        ("Jumlah per aturan", view.by_rule),
        ("Jumlah per kategori", view.by_category),
        ("Periksa ulang sebelum ekspor", view.by_recapture),
    ):
        if pairs:
            doc.heading(title, size=10)
            doc.table(["", "Listing"], [[pdf_text(k), str(n)] for k, n in pairs], [90, 30])
    for note in view.notes:
        doc.para(note)
    doc.page()
    doc.heading("Daftar listing", size=14)
    for item in view.listings:
        _listing_pdf(doc, item)
    doc.page()
    doc.heading("Lampiran: metode dan hash", size=14)
    doc.para(
        "Setiap halaman yang diambil Patroli disimpan byte demi byte dalam berkas WARC (WARC/1.1, "
        "gzip) beserta permintaan HTTP-nya. Yang disimpan adalah isi respons persis seperti yang "
        "dibaca parser (setelah kompresi HTTP dibuka), dengan SHA-256 dari isinya (juga di header "
        "WARC-Payload-Digest). captures.warc.gz dalam paket memuat record WARC yang sama persis, "
        "byte demi byte, dengan arsip patroli."
    )
    doc.para(
        "Keutuhan paket: manifest.json mencatat SHA-256 dan ukuran setiap berkas; SHA256SUMS bisa "
        "diperiksa dengan 'sha256sum -c SHA256SUMS'; 'patroli evidence verify PAKET.zip' memeriksa "
        "semuanya, termasuk tanda tangan Ed25519 (bila ada) dan rantai log serah-terima "
        "(custody.json)."
    )
    doc.para(
        "Teks dari halaman marketplace ditampilkan apa adanya. Di PDF ini, karakter kendali, "
        "pembalik arah teks dan huruf yang tidak ada di fonta ditulis sebagai [U+XXXX]; teks yang "
        f"lebih dari {PDF_TEXT_LIMIT:,} karakter dipotong. laporan.html dan listings.xlsx memuat "
        "teks lengkapnya."
    )
    doc.table(
        ["Rekaman", "Waktu (UTC)", "HTTP", "SHA-256 isi", "URL"],
        [
            [c.capture_id, c.fetched_utc, str(c.status), c.sha256, pdf_text(c.url, limit=300)]
            for c in view.captures
        ],
        [30, 30, 10, 55, 55],
    )
    return doc.output()


# -- CSV and XLSX -----------------------------------------------------------------------------

LINK_COLUMNS = [
    "no",
    "marketplace",
    "id_listing",
    "url",
    "judul",
    "penjual",
    "id_penjual",
    "lokasi_penjual",
    "harga",
    "terjual",
    "aturan",
    "dasar_hukum",
    "waktu_rekam_utc",
    "sha256_rekaman",
    "periksa_ulang",
]


def link_row(item: ListingView) -> list:
    return [
        item.number,
        item.marketplace,
        item.listing_id,
        item.url,
        item.title,
        item.seller_name,
        item.seller_id,
        item.seller_location,
        item.price,
        item.sold,
        "; ".join(sorted({f.rule for f in item.flags})),
        "; ".join(sorted({f.legal_basis for f in item.flags if f.legal_basis != "-"})),
        item.capture.fetched_utc if item.capture else "",
        item.capture.sha256 if item.capture else "",
        item.recapture_label,
    ]


def render_links_csv(items: list[ListingView]) -> bytes:
    """The takedown list of one marketplace: one row per listing URL (UTF-8 with BOM for Excel)."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(LINK_COLUMNS)
    for item in items:
        writer.writerow([neutralize_cell(v) for v in link_row(item)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_text(value):
    """An XLSX-safe cell: no formula, no character XML 1.0 forbids, within Excel's length."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", value)
    if len(value) > XLSX_CELL_LIMIT:
        value = value[:XLSX_CELL_LIMIT] + f" … [dipotong dari {len(value):,} karakter]"
    return neutralize_cell(value)


def render_xlsx(view: ReportView) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    created = parse_utc(view.created_at)
    if created is not None:
        wb.properties.created = wb.properties.modified = created.replace(tzinfo=None)
    wb.properties.creator = "Patroli"
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows) -> None:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        head = []
        for name in header:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            head.append(cell)
        ws.append(head)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(ws, value=xlsx_text(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # a string stays a string, whatever it starts with
                cells.append(cell)
            ws.append(cells)

    sheet(
        "listing",
        [
            *LINK_COLUMNS,
            "harga_idr",
            "harga_teks",
            "terjual_angka",
            "kategori",
            "risiko",
            "id_rekaman",
        ],
        (
            [
                *link_row(item),
                item.price_idr,
                item.price_text,
                item.sold_count,
                item.category,
                item.risk_value,
                item.capture.capture_id if item.capture else "",
            ]
            for item in view.listings
        ),
    )
    sheet(
        "tanda",
        [
            "no",
            "marketplace",
            "id_listing",
            "aturan",
            "tingkat",
            "skor",
            "alasan",
            "reason",
            "dasar_hukum",
        ],
        (
            [
                item.number,
                item.marketplace,
                item.listing_id,
                f.rule,
                f.severity,
                f.score,
                f.reason_id,
                f.reason_en,
                f.legal_basis,
            ]
            for item in view.listings
            for f in item.flags
        ),
    )
    sheet(
        "riwayat",
        [
            "no",
            "marketplace",
            "id_listing",
            "waktu_utc",
            "waktu_wib",
            "harga",
            "terjual",
            "id_rekaman",
        ],
        (
            [
                item.number,
                item.marketplace,
                item.listing_id,
                h.when_utc,
                h.when_wib,
                h.price,
                h.sold,
                h.capture_id,
            ]
            for item in view.listings
            for h in item.history
        ),
    )
    sheet(
        "rekaman",
        ["id_rekaman", "jenis", "waktu_utc", "waktu_wib", "http", "byte", "sha256", "url"],
        (
            [
                c.capture_id,
                c.kind,
                c.fetched_utc,
                c.fetched_wib,
                c.status,
                c.length,
                c.sha256,
                c.url,
            ]
            for c in view.captures
        ),
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
