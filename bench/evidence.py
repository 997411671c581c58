"""Benchmark: time to export an evidence pack of 1,000 listings (and to verify it), and the cost
of WARC capture per response.

    python bench/evidence.py [--listings 1000] [--hostile] [--responses 500]

Builds its own database (two crawls, 20 listings per search-page capture, flags, history) in a
temporary folder, then exports every listing. Prints each stage and the ratio of the whole
export to a baseline measured in the same run: selecting the listings, loading them with their
flags and history, and copying their WARC records (the work no pack can skip). The capture figure
compares writing N search-page-sized responses through WarcArchive + the captures row with writing
the same bytes to a plain file.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler import evidence  # noqa: E402
from crawler.archive import Exchange, WarcArchive, read_record_bytes  # noqa: E402
from crawler.store import EvidenceStore  # noqa: E402
from tests.evidence_helpers import fill_store  # noqa: E402

STAGES = ("render_html", "render_pdf", "render_xlsx", "render_links_csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=1000)
    parser.add_argument("--hostile", action="store_true", help="hostile titles, URLs and sellers")
    parser.add_argument("--responses", type=int, default=500, help="responses for the capture figure")
    args = parser.parse_args()

    spent = dict.fromkeys(STAGES, 0.0)
    for name in STAGES:
        original = getattr(evidence, name)

        def timed(*a, _f=original, _n=name, **kw):
            start = time.perf_counter()
            try:
                return _f(*a, **kw)
            finally:
                spent[_n] += time.perf_counter() - start

        setattr(evidence, name, timed)

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        start = time.perf_counter()
        filled = fill_store(base / "p.db", base / "cap", args.listings, hostile=args.hostile, per_page=20)
        fill_s = time.perf_counter() - start
        store = EvidenceStore(filled.db)
        selection = evidence.Selection(all_listings=True)

        start = time.perf_counter()
        keys = selection.select(store)
        stored = store.stored_listings(keys)
        captures = store.captures({s.listing.capture_id for s in stored})
        warc = b"".join(read_record_bytes(filled.captures_dir, c) for c in captures.values())
        baseline_s = time.perf_counter() - start

        start = time.perf_counter()
        result = evidence.export_pack(
            store, base / "pack.zip", selection, captures_dir=filled.captures_dir, operator="bench"
        )
        export_s = time.perf_counter() - start
        start = time.perf_counter()
        report = evidence.verify_pack(result.path)
        verify_s = time.perf_counter() - start
        assert report.ok, report.problems
        size = result.path.stat().st_size
        flags = sum(len(s.flags) for s in stored)
        capture_s, plain_s, body_kib = _capture_figures(base, store, args.responses)

    print(
        f"Patroli evidence export benchmark ({platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()})"
    )
    print(
        f"  data: {len(keys)} listings, {flags} flags, {len(captures)} captures "
        f"({len(warc) / 1024:.0f} KiB of WARC records); built in {fill_s:.2f} s"
    )
    print(f"  baseline (select + load + copy WARC records): {baseline_s:8.3f} s")
    for name in STAGES:
        print(f"    {name:<22} {spent[name]:8.3f} s")
    other = export_s - sum(spent.values())
    print(f"    {'hashes, custody, zip':<22} {other:8.3f} s (with the baseline's work)")
    print(
        f"  export of {result.listing_count} listings:        {export_s:8.3f} s "
        f"= {export_s / baseline_s:.1f}x baseline, {export_s / result.listing_count * 1000:.1f} ms/listing"
    )
    print(f"  pack: {size / 1024 / 1024:.1f} MiB; verify: {verify_s:.3f} s")
    print(
        f"  capture: {args.responses} responses of {body_kib:.0f} KiB in {capture_s:.3f} s "
        f"({capture_s / args.responses * 1000:.2f} ms each, WARC + row) vs {plain_s:.3f} s plain write "
        f"= {capture_s / plain_s:.1f}x"
    )


def _capture_figures(base: Path, store: EvidenceStore, n: int) -> tuple[float, float, float]:
    """WARC capture of n ~150 KiB HTML responses (+ the captures row) vs a plain file write."""
    body = (b"<div class='card'>Kain batik tulis Rp150.000 " + bytes(range(48, 123)) + b"</div>\n") * 1300
    start = time.perf_counter()
    with WarcArchive(base / "bench-cap") as archive:
        for i in range(n):
            capture = archive.write(
                Exchange(
                    url=f"https://www.tokopedia.com/search?q=batik&page={i}",
                    status=200,
                    body=body,
                    response_headers=[("Content-Type", "text/html")],
                )
            )
            store.save_capture(capture)
    capture_s = time.perf_counter() - start
    start = time.perf_counter()
    with open(base / "plain.bin", "wb") as fh:
        for _ in range(n):
            fh.write(body)
            fh.flush()
    plain_s = time.perf_counter() - start
    return capture_s, plain_s, len(body) / 1024


if __name__ == "__main__":
    main()
