"""The `patroli` command. Help texts are Indonesian first, English after the slash."""

from __future__ import annotations

import contextlib
import sys

import click

from crawler import __version__

DEFAULT_DB = "data/patroli.db"
DEFAULT_CATALOGUE = "data/demo_catalogue.db"


def fail(message: str) -> None:
    """One line on stderr, exit status 2: how every user error ends."""
    click.echo(f"patroli: {message}", err=True)
    sys.exit(2)


class _Patroli(click.Group):
    def invoke(self, ctx: click.Context):
        from crawler.store import StoreError

        try:
            return super().invoke(ctx)
        except StoreError as exc:  # --db that is a folder, a ZIP, a damaged file...
            fail(str(exc))


@click.group(cls=_Patroli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="patroli")
def main() -> None:
    """Patroli: patroli marketplace untuk produk kerajinan dan tekstil.

    Patroli: patrol online marketplaces for craft and textile listings.
    """


def _base_urls(values: tuple[str, ...]) -> dict[str, str]:
    urls = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            fail(f"--base-url harus berbentuk MARKETPLACE=URL, bukan {value!r}")
        urls[name] = url
    return urls


@main.command()
@click.argument("marketplaces", nargs=-1, required=True)
@click.option("--keyword", "-k", "keywords", multiple=True, help="Kata kunci (boleh berulang) / keyword")
@click.option("--keywords-file", type=click.Path(dir_okay=False), help="Berkas kata kunci, satu per baris")
@click.option("--set", "keyword_set", help="Set kata kunci dari data/keywords.yaml / keyword set")
@click.option("--max-pages", type=click.IntRange(1, 100), help="Halaman per kata kunci / pages per keyword")
@click.option("--detail/--no-detail", default=None, help="Ambil halaman produk / follow product pages")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Basis data / database")
@click.option("--base-url", "base_urls", multiple=True, help="MARKETPLACE=URL, mis. untuk marketplace demo")
@click.option("--job", help="Nama jadwal yang memulai patroli ini / schedule job name")
@click.option("--max-duration", help="Berhenti sendiri setelah, mis. 90m atau 2h / stop after")
@click.option(
    "--quiet", "-q", is_flag=True, help="Baris log biasa, tanpa tampilan langsung / plain log lines"
)
@click.option("--crawl-id", type=int, hidden=True, help="Baris crawls yang dibuka penjadwal")
@click.option("--redis", "redis_url", help="redis://HOST:6379/0: jadi worker patroli terdistribusi")
@click.option("--run", "run_name", help="Nama patroli terdistribusi (dengan --redis) / distributed run name")
def crawl(
    marketplaces,
    keywords,
    keywords_file,
    keyword_set,
    max_pages,
    detail,
    db,
    base_urls,
    job,
    max_duration,
    quiet,
    crawl_id,
    redis_url,
    run_name,
):
    """Patroli MARKETPLACE... untuk kata kunci; simpan ke basis data.

    Crawl the given marketplaces (tokopedia, shopee, lazada, blibli, shop) for keywords.
    With --redis, this process is one worker of a distributed patrol (see `patroli ingest`).
    """
    from crawler.keywords import KeywordError, resolve_keywords
    from crawler.progress import choose_mode
    from crawler.runner import format_summary, run_crawl

    try:
        words = resolve_keywords(keywords, keywords_file, keyword_set)
    except KeywordError as exc:
        fail(str(exc))
    overrides = {}
    if max_pages:
        overrides["PATROLI_MAX_PAGES"] = max_pages
    if detail is not None:
        overrides["PATROLI_DETAIL"] = detail
    if base_urls:
        from scrapy.utils.project import get_project_settings

        merged = dict(get_project_settings().getdict("PATROLI_BASE_URLS"))
        merged.update(_base_urls(base_urls))
        overrides["PATROLI_BASE_URLS"] = merged
    if max_duration:
        from crawler.schedule_config import parse_duration

        try:
            overrides["CLOSESPIDER_TIMEOUT"] = parse_duration(max_duration)
        except ValueError as exc:
            fail(f"--max-duration: {exc}")
    overrides["PATROLI_PROGRESS"] = choose_mode(quiet)
    if overrides["PATROLI_PROGRESS"] == "live":
        overrides.setdefault("LOG_LEVEL", "WARNING")  # the live table is the feedback
    if redis_url:
        from crawler.distributed import format_worker_summary, run_worker
        from crawler.redis_run import DistributedError

        try:
            result = run_worker(
                list(marketplaces), words, redis_url, run=run_name, overrides=overrides, job=job
            )
        except (ValueError, DistributedError) as exc:
            fail(str(exc))
        click.echo(format_worker_summary(result))
        sys.exit(0 if result.status != "failed" else 1)
    try:
        summary = run_crawl(list(marketplaces), words, db=db, overrides=overrides, job=job, crawl_id=crawl_id)
    except ValueError as exc:
        fail(str(exc))
    click.echo(format_summary(summary))
    if summary["crawl"]["status"] == "failed":
        sys.exit(1)


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Basis data / database")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def serve(db, host, port):
    """Buka basis data di Datasette / browse the database in Datasette."""
    from pathlib import Path

    if not Path(db).exists():
        fail(f"{db}: basis data belum ada; jalankan dulu `patroli crawl` atau `patroli demo`")
    from crawler.datasette_app import serve_datasette

    click.echo(f"Datasette: http://{host}:{port}/  (Ctrl-C untuk berhenti)")
    serve_datasette(db, host, port)


@main.command("demo-market")
@click.option("--listings", default=5000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--seed", default=20231004, show_default=True, type=int)
@click.option("--catalogue", default=DEFAULT_CATALOGUE, show_default=True, help="Berkas katalog demo")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--block", default=0.0, type=click.FloatRange(0, 1), help="Bagian permintaan diblokir")
@click.option("--throttle", default=0.0, type=click.FloatRange(0, 1), help="Bagian dijawab 429")
@click.option("--error", "error_share", default=0.0, type=click.FloatRange(0, 1), help="Bagian dijawab 500")
def demo_market(listings, seed, catalogue, port, block, throttle, error_share):
    """Jalankan marketplace demo di 127.0.0.1 / serve the demo marketplace on loopback."""
    from crawler.demo.catalogue import Catalogue
    from crawler.demo.server import DemoMarket, Faults

    cat = Catalogue.build(catalogue, listings, seed, progress=_progress("katalog demo"))
    try:
        faults = Faults(block=block, throttle=throttle, error=error_share, seed=seed)
    except ValueError as exc:
        fail(str(exc))
    market = DemoMarket(cat, port=port, faults=faults)
    click.echo(f"Marketplace demo ({listings} listing) di {market.url}/ (Ctrl-C untuk berhenti)")
    for prefix, url in sorted(market.base_urls().items()):
        click.echo(f"  {prefix:<14} {url}")
    with contextlib.suppress(KeyboardInterrupt):
        market.serve_forever()


@main.command()
@click.option("--listings", default=5000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--seed", default=20231004, show_default=True, type=int)
@click.option("--db", default=DEFAULT_DB, show_default=True)
@click.option("--catalogue", default=DEFAULT_CATALOGUE, show_default=True)
@click.option("--max-pages", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option("--serve/--no-serve", default=True, help="Buka Datasette setelah patroli")
@click.option("--port", default=8001, show_default=True, type=int)
@click.option(
    "--block", default=0.0, show_default=True, type=click.FloatRange(0, 1), help="Bagian permintaan diblokir"
)
@click.option(
    "--throttle", default=0.01, show_default=True, type=click.FloatRange(0, 1), help="Bagian dijawab 429"
)
@click.option(
    "--error",
    "error_share",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Bagian dijawab 500",
)
def demo(listings, seed, db, catalogue, max_pages, serve, port, block, throttle, error_share):
    """Patroli penuh atas marketplace demo, lalu Datasette.

    A full patrol of the bundled demo marketplace, then Datasette on http://127.0.0.1:8001.
    """
    from crawler.demo.patrol import run_demo
    from crawler.demo.server import Faults

    try:
        faults = Faults(block=block, throttle=throttle, error=error_share, seed=seed)
    except ValueError as exc:
        fail(str(exc))
    run_demo(
        listings=listings,
        seed=seed,
        db=db,
        catalogue=catalogue,
        max_pages=max_pages,
        faults=faults,
        echo=click.echo,
        progress=_progress("katalog demo"),
    )
    if serve:
        from crawler.datasette_app import serve_datasette

        click.echo(f"\nDatasette: http://127.0.0.1:{port}/  (Ctrl-C untuk berhenti)")
        serve_datasette(db, "127.0.0.1", port)


def _progress(label: str):
    def show(done: int, total: int) -> None:
        if total >= 50_000:
            click.echo(f"\r{label}: {done}/{total}", nl=done >= total, err=True)

    return show


# -- matchers: `patroli score` and `patroli match` (issue 4) -------------------------------------


def _load_matcher(data_dir: str | None):
    from matchers import DataError, load_matcher

    try:
        return load_matcher(data_dir)
    except DataError as exc:
        fail(f"data rujukan tidak valid / bad reference data: {exc}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--data-dir", default=None, help="Folder data rujukan (bawaan: data/) / reference data folder")
@click.option(
    "--no-cluster", is_flag=True, help="Tanpa lintasan DUP_CLUSTER / skip the duplicate-cluster pass"
)
def score(file, data_dir, no_cluster):
    """Nilai iklan dari berkas JSON lines; cetak satu objek JSON per iklan.

    Score listings in FILE (JSON lines: Listing fields, optional `description` and `id`; other
    keys ignored; '-' reads stdin) and print one JSON object per listing: id, listing_id,
    category, risk, the three verdicts and the flags with their reasons. A line that cannot be
    read is reported on stderr with its number; the others are still scored.
    """
    import json

    from matchers.jsonl import assessment_json, read_rows

    matcher = _load_matcher(data_dir)
    try:
        handle = click.open_file(file, encoding="utf-8")
    except OSError as exc:
        fail(f"tidak bisa membuka {file}: {exc.strerror}")
    rows, bad = [], 0
    with handle:
        try:
            for row in read_rows(handle):
                if isinstance(row, tuple):
                    bad += 1
                    click.echo(f"patroli score: baris {row[0]}: {row[1]}", err=True)
                else:
                    rows.append(row)
        except UnicodeDecodeError as exc:
            fail(f"{file} bukan UTF-8: {exc.reason}")
    listings = [r.listing for r in rows]
    if no_cluster:
        assessments = [matcher.assess(listing) for listing in listings]
    else:
        assessments = matcher.assess_all(listings)
    for row, assessment in zip(rows, assessments, strict=True):
        click.echo(json.dumps(assessment_json(row.id, assessment), ensure_ascii=False))
    if bad:
        click.echo(f"patroli score: {bad} baris tidak terbaca / unreadable lines", err=True)
        sys.exit(1)


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Basis data / database")
@click.option("--data-dir", default=None, help="Folder data rujukan (bawaan: data/) / reference data folder")
def match(db, data_dir):
    """Nilai ulang semua iklan di basis data setelah data/ berubah.

    Re-score every stored listing with the current reference data, including the duplicate-cluster
    pass. Idempotent: each listing's flags are replaced, so flags of an older matcher version go.
    """
    from pathlib import Path

    from crawler.store import Store
    from matchers.batch import format_summary, rescore

    if db != ":memory:" and not Path(db).exists():
        fail(f"basis data {db} tidak ada / database not found")
    matcher = _load_matcher(data_dir)
    store = Store(db)
    try:
        before = store.flag_versions()
        summary = rescore(store, matcher, progress=_progress("nilai ulang"))
        after = store.flag_versions()
    finally:
        store.close()
    old = {v: n for v, n in before.items() if v != matcher.version}
    if old:
        gone = ", ".join(f"{v} ({n})" for v, n in sorted(old.items()) if v not in after)
        if gone:
            click.echo(f"Tanda versi lama diganti / old-version flags replaced: {gone}")
    click.echo(format_summary(summary))


# -- patroli extract (helper: tokopedia) -------------------------------------------------------


@main.command("extract")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--marketplace",
    "-m",
    required=True,
    type=click.Choice(["tokopedia", "shopee", "lazada", "blibli", "shop"]),
    help="Marketplace asal berkas / the marketplace the file was saved from",
)
@click.option("--url", default="", help="URL asal halaman, untuk tautan relatif / the page's URL")
def extract_command(file, marketplace, url):
    """Tampilkan listing yang dibaca parser dari halaman tersimpan, satu JSON per baris.

    Print what the page parser reads from a saved page or API response: one JSON object per
    line with the Listing fields. A file the parser cannot read: one line on stderr, exit 2.
    """
    import dataclasses
    import json

    from crawler.extract import ExtractError, extract_file

    try:
        listings = extract_file(file, marketplace, url)
    except ExtractError as exc:
        fail(" ".join(str(exc).split()))
    except ImportError:
        fail(f"{file}: parser untuk {marketplace} belum tersedia")
    for listing in listings:
        click.echo(json.dumps(dataclasses.asdict(listing), ensure_ascii=False))
        if listing.note:
            # The listing is printed all the same (price null, raw text kept); say what was wrong.
            click.echo(
                f"patroli: {file}: {listing.marketplace}/{listing.listing_id}: {listing.note}", err=True
            )


# -- Independent web shops (spiders/shop.py) ------------------------------------------------------


@main.command("crawl-shops")
@click.argument("urls", nargs=-1)
@click.option("--urls-file", type=click.Path(dir_okay=False), help="Berkas alamat toko, satu per baris")
@click.option("--max-pages", type=click.IntRange(1, 100), help="Halaman katalog per toko / catalogue pages")
@click.option("--max-products", type=click.IntRange(1, 100_000), help="Produk per toko / products per shop")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Basis data / database")
def crawl_shops(urls, urls_file, max_pages, max_products, db):
    """Patroli toko daring mandiri (WooCommerce, Shopify, ...) lewat alamatnya.

    Patrol independent web shops by their address: catalogue pages, then every product page.
    """
    from crawler.runner import format_summary, run_crawl
    from spiders.shop import invalid_urls, read_shop_urls

    addresses = list(urls)
    if urls_file:
        try:
            addresses += read_shop_urls(urls_file)
        except ValueError as exc:
            fail(str(exc))
    if not addresses:
        fail("beri alamat toko: patroli crawl-shops https://toko.example/ (atau --urls-file)")
    if bad := invalid_urls(addresses):
        fail(f"alamat toko tidak sah (harus http:// atau https://): {', '.join(bad)}")
    overrides: dict[str, object] = {"PATROLI_SHOP_URLS": addresses}
    if max_pages:
        overrides["PATROLI_MAX_PAGES"] = max_pages
    if max_products:
        overrides["PATROLI_SHOP_MAX_PRODUCTS"] = max_products
    try:
        summary = run_crawl(["shop"], [], db=db, overrides=overrides)
    except ValueError as exc:
        fail(str(exc))
    click.echo(format_summary(summary))


# == patroli evidence: export | verify | keygen (crawler/evidence.py) ===========================


def _evidence_settings(overrides: tuple[str, ...]):
    from crawler.runner import project_settings

    pairs = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r}: tulis sebagai NAMA=NILAI", param_hint="-s/--set")
        pairs[key.strip()] = value
    return project_settings(pairs)


def _require_db(db: str) -> None:
    # Opening a missing path would create an empty database: an export from it finds nothing,
    # and a pack checked against its empty custody log would be reported as not intact.
    from pathlib import Path

    if db != ":memory:" and not Path(db).is_file():
        fail(f"basis data {db} tidak ada / database not found")


def _passphrase() -> bytes | None:
    import os

    value = os.environ.get("PATROLI_KEY_PASSPHRASE")
    return value.encode() if value else None


@main.group("evidence")
def evidence() -> None:
    """Paket bukti untuk kementerian: ekspor, periksa, kunci tanda tangan.

    Evidence packs for ministries: export, verify, signing keys.
    """


@evidence.command("export")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Berkas ZIP yang ditulis / the ZIP to write.",
)
@click.option("--db", default=None, help="Basis data (bawaan: PATROLI_DB) / database path.")
@click.option(
    "--rule",
    "rules",
    multiple=True,
    help="Hanya listing dengan tanda aturan ini (bisa berulang) / only this rule.",
)
@click.option(
    "--min-risk",
    type=click.IntRange(0, 100),
    default=None,
    help="Risiko minimum 0-100 / minimum risk.",
)
@click.option(
    "--marketplace",
    "marketplaces",
    multiple=True,
    help="Hanya marketplace ini (bisa berulang) / only this marketplace.",
)
@click.option("--since", default=None, help="Terlihat sejak tanggal ini, mis. 2026-11-01 / seen since.")
@click.option(
    "--listing",
    "listings",
    multiple=True,
    help="marketplace:id_listing atau URL (bisa berulang) / a listing.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Paling banyak N listing, risiko tertinggi dulu / at most N.",
)
@click.option(
    "--all-listings",
    is_flag=True,
    help="Juga listing tanpa tanda (bawaan: hanya yang bertanda) / also unflagged.",
)
@click.option(
    "--operator",
    default=None,
    help="Nama pengekspor (bawaan: PATROLI_OPERATOR atau pengguna) / who exports.",
)
@click.option(
    "--sign-key",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Kunci privat Ed25519 untuk menandatangani manifest / signing key.",
)
@click.option(
    "--recapture",
    is_flag=True,
    help="Ambil ulang halaman tiap listing sebelum ekspor / re-fetch first.",
)
@click.option(
    "--captures-dir", default=None, help="Folder WARC (bawaan: PATROLI_CAPTURES_DIR) / WARC folder."
)
@click.option(
    "-s",
    "--set",
    "overrides",
    multiple=True,
    metavar="NAMA=NILAI",
    help="Ubah satu setelan Scrapy/Patroli / override one setting.",
)
def evidence_export(
    out,
    db,
    rules,
    min_risk,
    marketplaces,
    since,
    listings,
    limit,
    all_listings,
    operator,
    sign_key,
    recapture,
    captures_dir,
    overrides,
) -> None:
    """Tulis paket bukti (ZIP) untuk listing terpilih.

    Write an evidence pack (ZIP) for the selected listings: report (HTML, PDF), link lists per
    marketplace (CSV), workbook (XLSX), the WARC records, manifest, SHA256SUMS, custody log.
    """
    from crawler.archive import captures_dir_for
    from crawler.evidence import EvidenceError, Selection, export_pack, load_private_key
    from crawler.store import CustodyConflict, EvidenceStore

    settings = _evidence_settings(overrides)
    db = db or settings.get("PATROLI_DB")
    _require_db(db)
    captures_dir = str(captures_dir_for(captures_dir or settings.get("PATROLI_CAPTURES_DIR"), db))
    settings.set("PATROLI_CAPTURES_DIR", captures_dir, priority="cmdline")  # recapture writes here
    selection = Selection(
        rules=list(rules),
        min_risk=min_risk,
        marketplaces=list(marketplaces),
        since=since,
        listings=list(listings),
        limit=limit,
        all_listings=all_listings,
    )
    try:
        selection.validate()
        key = load_private_key(sign_key, _passphrase()) if sign_key else None
        if recapture:
            from crawler.recapture import export_with_recapture

            result, checks = export_with_recapture(
                db,
                out,
                selection,
                settings,
                captures_dir=captures_dir,
                operator=operator,
                signing_key=key,
            )
        else:
            checks = []
            store = EvidenceStore(db)
            try:
                result = export_pack(
                    store,
                    out,
                    selection,
                    captures_dir=captures_dir,
                    operator=operator,
                    signing_key=key,
                )
            finally:
                store.close()
    except (EvidenceError, CustodyConflict) as exc:
        fail(str(exc))
    click.echo(f"Paket bukti ditulis: {result.path}")
    click.echo(f"  listing: {result.listing_count}, rekaman WARC: {result.capture_count}")
    click.echo(f"  log serah-terima: entri {result.custody.seq}, hash {result.custody.entry_hash}")
    if key is not None:
        fingerprint = result.manifest["signature"]["fingerprint_sha256"]
        click.echo(f"  ditandatangani, sidik jari kunci {fingerprint}")
    if checks:
        from collections import Counter

        from crawler.evidence_view import RECAPTURE_LABELS

        for status, n in sorted(Counter(c.status for c in checks).items()):
            click.echo(f"  periksa ulang: {n} {RECAPTURE_LABELS.get(status, status)}")
    click.echo(f"Periksa dengan / verify with: patroli evidence verify {result.path}")


@evidence.command("verify")
@click.argument("pack", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Kunci publik yang wajib dipakai menandatangani / pin the signing key.",
)
@click.option(
    "--db",
    default=None,
    help="Cocokkan juga dengan log serah-terima basis data ini / check the DB's log.",
)
@click.option("-v", "--verbose", is_flag=True, help="Tampilkan juga yang cocok / show what held.")
def evidence_verify(pack, public_key, db, verbose) -> None:
    """Periksa setiap hash, tanda tangan dan log serah-terima sebuah paket bukti.

    Check every hash, the signature and the custody log of an evidence pack; exit status 0 only
    when everything holds, and name each file that differs.
    """
    from crawler.evidence import EvidenceError, load_public_key, verify_pack
    from crawler.store import EvidenceStore

    try:
        pinned = load_public_key(public_key) if public_key else None
    except EvidenceError as exc:
        fail(str(exc))
    if db:
        _require_db(db)
    store = EvidenceStore(db) if db else None
    try:
        report = verify_pack(pack, public_key=pinned, store=store)
    finally:
        if store is not None:
            store.close()
    if verbose or report.ok:
        for line in report.checked:
            click.echo(f"  cocok: {line}")
    if report.ok:
        signed = f", ditandatangani (kunci {report.fingerprint})" if report.signed else ""
        click.echo(f"UTUH / OK: {pack}{signed}")
        return
    for problem in report.problems:
        click.echo(f"  BEDA: {problem}", err=True)
    click.echo(f"TIDAK UTUH / FAILED: {pack}: {len(report.problems)} masalah", err=True)
    raise SystemExit(1)


@evidence.command("keygen")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Berkas kunci privat (PEM); kunci publik ditulis ke .pub.pem di sebelahnya.",
)
def evidence_keygen(out) -> None:
    """Buat pasangan kunci Ed25519 untuk menandatangani paket bukti.

    Create an Ed25519 key pair for signing evidence packs. The private key is written with mode
    0600 (encrypted when PATROLI_KEY_PASSPHRASE is set); publish the public key's fingerprint.
    """
    from crawler.evidence import EvidenceError, generate_key

    try:
        private, public, fingerprint = generate_key(out, _passphrase())
    except EvidenceError as exc:
        fail(str(exc))
    click.echo(f"Kunci privat: {private} (simpan rahasia / keep secret)")
    click.echo(f"Kunci publik: {public}")
    click.echo(f"Sidik jari SHA-256 / fingerprint: {fingerprint}")


# -- schedules and distributed patrols (issue 6) ------------------------------------------------

DEFAULT_CONFIG = "patroli.toml"


@main.group()
def schedule():
    """Patroli terjadwal dari patroli.toml / scheduled patrols from patroli.toml."""


def _load_schedule(path: str):
    from scrapy.spiderloader import SpiderLoader

    from crawler.runner import project_settings
    from crawler.schedule_config import ConfigError, load_config

    known = SpiderLoader.from_settings(project_settings()).list()
    try:
        return load_config(path, known_marketplaces=known)
    except ConfigError as exc:
        fail(str(exc))


@schedule.command("list")
@click.option("--config", "-c", "config_path", default=DEFAULT_CONFIG, show_default=True)
@click.option(
    "--count", "-n", default=3, show_default=True, type=click.IntRange(1, 50), help="Jadwal berikutnya"
)
def schedule_list(config_path, count):
    """Tampilkan setiap jadwal dan waktu jalan berikutnya / every job and its next runs."""
    from datetime import UTC, datetime
    from pathlib import Path

    from crawler.schedule_config import local_text, next_runs

    config = _load_schedule(config_path)
    now = datetime.now(UTC)
    last_runs = {}
    if Path(config.db).exists():
        from crawler.store import RunRecords, Store

        store = Store(config.db)
        records = RunRecords(store)
        last_runs = {name: records.runs(name, limit=1) for name in config.jobs}
        store.close()
    click.echo(f"{config.path}: {len(config.jobs)} jadwal, zona waktu {config.timezone.key}")
    for job in config.jobs.values():
        state = "" if job.enabled else "  (nonaktif / disabled)"
        limits = []
        if job.max_pages:
            limits.append(f"{job.max_pages} halaman/kata kunci")
        if job.max_duration:
            limits.append(f"maks {job.max_duration / 60:.0f} menit")
        keywords = f"set {job.keyword_set!r}, " if job.keyword_set else ""
        click.echo(f"\n{job.name}{state}")
        click.echo(f"  marketplace : {', '.join(job.marketplaces)}")
        click.echo(f"  kata kunci  : {keywords}{len(job.keywords)} kata kunci")
        click.echo(f"  cron        : {job.cron}" + (f"  ({'; '.join(limits)})" if limits else ""))
        if job.enabled:
            times = next_runs(job, config.timezone, now, count)
            click.echo("  berikutnya  : " + ", ".join(local_text(t, config.timezone) for t in times))
        for row in last_runs.get(job.name, []):
            started = local_text(
                datetime.fromisoformat(row["started_at"].replace("Z", "+00:00")), config.timezone
            )
            click.echo(
                f"  terakhir    : #{row['id']} {row['status']} {started}"
                f" (baru {row['new_since_previous']}, risiko tinggi baru {row['new_high_risk']})"
            )


@schedule.command("run")
@click.option("--config", "-c", "config_path", default=DEFAULT_CONFIG, show_default=True)
@click.option("--once", metavar="JOB", help="Jalankan satu jadwal sekali lalu keluar (untuk cron/systemd)")
def schedule_run(config_path, once):
    """Jalankan jadwal terus-menerus; setiap patroli di prosesnya sendiri.

    Keep running and start each job on time (SIGTERM/Ctrl-C stop cleanly). With --once JOB: run that
    job now, once, and exit (for cron and systemd timers).
    """
    from crawler.schedule import PatrolScheduler, install_signal_handlers
    from crawler.schedule_config import ConfigError

    config = _load_schedule(config_path)
    scheduler = PatrolScheduler(config)
    install_signal_handlers(scheduler)
    try:
        if once:
            try:
                row = scheduler.run_once(once)
            except ConfigError as exc:
                fail(str(exc))
            click.echo(
                f"patroli #{row['id']} ({once}): {row['status']}"
                + (f" - {row['reason']}" if row["reason"] else "")
            )
            sys.exit(0 if row["status"] in ("finished", "skipped") else 1)
        click.echo(
            f"Penjadwal patroli berjalan ({len(scheduler.states)} jadwal aktif); SIGTERM/Ctrl-C berhenti"
        )
        scheduler.run()
    finally:
        scheduler.close()


@main.command()
@click.option("--redis", "redis_url", required=True, help="redis://HOST:6379/0, sama dengan para worker")
@click.option("--run", "run_name", default="patroli", show_default=True, help="Nama patroli terdistribusi")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Basis data / database")
@click.option("--follow", is_flag=True, help="Setelah satu patroli selesai, tunggu patroli berikutnya")
@click.option("--wait", "wait_seconds", type=float, help="Berhenti bila tidak ada patroli dalam N detik")
@click.option("--abandon", is_flag=True, help="Tinggalkan patroli ini: kosongkan antreannya, tandai gagal")
@click.option(
    "--no-cluster", is_flag=True, help="Tanpa lintasan DUP_CLUSTER di akhir / skip the cluster pass"
)
def ingest(redis_url, run_name, db, follow, wait_seconds, abandon, no_cluster):
    """Satu-satunya penulis ke SQLite untuk patroli terdistribusi.

    The single writer of a distributed patrol: takes what the Redis workers found and stores it.
    Ends when the patrol is complete (queue empty, nothing in flight, everything stored).
    """
    from crawler.ingest import Ingester, install_ingest_signals
    from crawler.redis_run import DistributedError
    from crawler.runner import format_summary

    try:
        ingester = Ingester(
            redis_url, run_name, db, echo=lambda line: click.echo(line, err=True), cluster=not no_cluster
        )
    except DistributedError as exc:
        fail(str(exc))
    if abandon:
        ingester.abandon()
        ingester.close()
        click.echo(f"patroli {run_name!r} ditinggalkan: antrean dan sewa dihapus")
        return
    install_ingest_signals(ingester)
    try:
        while True:
            summary = ingester.run(wait=wait_seconds)
            if summary is None:
                break
            click.echo(format_summary(summary))
            if not follow or ingester.stopping:
                break
    except DistributedError as exc:
        fail(str(exc))
    finally:
        ingester.close()


if __name__ == "__main__":
    main()
