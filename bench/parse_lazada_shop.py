"""Parser speed for the Lazada and web shop shapes, against the bare cost of reading the page.

    python bench/parse_lazada_shop.py [--repeat 50]

For each shape: `parse` is the Patroli parser (spiders/pages/lazada.py, spiders/pages/shop.py);
`baseline` is what any parser of that body must at least do, measured in the same run: build the
lxml tree (parsel.Selector) for HTML, json.loads for JSON. The ratio parse/baseline is the cost of
Patroli's own reading. Bodies: the real lazada.com.ph capture (when ../shared is present) and the
demo shapes' pages for the rest.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import parsel  # noqa: E402

from crawler.demo.catalogue import Catalogue  # noqa: E402
from crawler.demo.shapes import lazada as lazada_shape  # noqa: E402
from crawler.demo.shapes import shop as shop_shape  # noqa: E402
from spiders.pages import lazada, shop  # noqa: E402

CAPTURE = ROOT.parent / "shared" / "fixtures" / "lazada" / "search_diapers_watson_PH.html"


def timed(fn, repeat: int) -> float:
    """Median seconds per call."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def cases(catalogue: Catalogue) -> list[tuple[str, bytes, str, callable, int]]:
    base = "http://127.0.0.1:8765"
    total, items = catalogue.search("lazada", "batik", 0, lazada_shape.PAGE_SIZE)
    out = []
    if CAPTURE.exists():
        out.append(("lazada capture (PH, 40 kartu)", CAPTURE.read_bytes(), "html", lazada.parse_search, 40))
    out.append(
        (
            "lazada demo HTML (40)",
            lazada_shape.search_html(f"{base}/lazada", "batik", 1, total, items),
            "html",
            lazada.parse_search,
            len(items),
        )
    )
    out.append(
        (
            "lazada demo JSON (40)",
            lazada_shape.search_json(f"{base}/lazada", "batik", 1, total, items),
            "json",
            lazada.parse_search,
            len(items),
        )
    )
    out.append(
        (
            "lazada demo produk",
            lazada_shape.product_html(f"{base}/lazada", items[0]),
            "html",
            lazada.parse_product,
            1,
        )
    )
    seen: set[str] = set()
    for demo_shop in catalogue.shops("shop"):
        style = shop_shape.style_of(demo_shop)
        if style in seen:
            continue
        seen.add(style)
        _, listings = catalogue.by_shop("shop", demo_shop.shop_id, 0, 1)
        body = shop_shape.product_html(f"{base}/shop", listings[0])
        out.append((f"toko {style} produk", body, "html", shop.parse_product, 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        catalogue = Catalogue.build(Path(tmp) / "cat.db", 5000)
        print(f"{'bentuk / shape':<30}{'KB':>7}{'parse ms':>10}{'dasar ms':>10}{'rasio':>7}{'listing/s':>11}")
        for name, body, kind, parse, listings in cases(catalogue):
            url = "https://www.lazada.com.ph/catalog/?q=diapers+watson" if "capture" in name else ""
            parse_s = timed(lambda b=body, p=parse, u=url: p(b, u), args.repeat)
            if kind == "json":
                base_s = timed(lambda b=body: json.loads(b), args.repeat)
            else:
                base_s = timed(lambda b=body: parsel.Selector(body=b), args.repeat)
            print(
                f"{name:<30}{len(body) / 1024:>7.0f}{parse_s * 1000:>10.2f}{base_s * 1000:>10.2f}"
                f"{parse_s / base_s:>7.1f}{listings / parse_s:>11.0f}"
            )


if __name__ == "__main__":
    main()
