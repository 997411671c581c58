"""Evidence packs: what goes in, round trip through verify, byte-identical WARC records,
selection, custody chain, signatures, and the CLI."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile

import pytest
from click.testing import CliRunner

from crawler import __version__
from crawler.archive import iter_records, read_record_bytes
from crawler.cli import main
from crawler.evidence import (
    EvidenceError,
    Selection,
    export_pack,
    generate_key,
    load_private_key,
    load_public_key,
    verify_pack,
)
from crawler.evidence_records import GENESIS_HASH
from crawler.store import CustodyConflict, EvidenceStore
from tests.evidence_helpers import fill_store, manifest_of

NOW = "2026-11-28T03:00:00Z"
CONTENT = {
    "laporan.html",
    "laporan.pdf",
    "listings.xlsx",
    "captures.warc.gz",
    "custody.json",
    "tautan_tokopedia.csv",
    "tautan_shopee.csv",
    "tautan_lazada.csv",
    "tautan_blibli.csv",
}


@pytest.fixture
def filled(tmp_path):
    return fill_store(tmp_path / "p.db", tmp_path / "cap", 12)


def _export(filled, out, selection=None, **kw):
    store = EvidenceStore(filled.db)
    try:
        return export_pack(
            store,
            out,
            selection or Selection(all_listings=True),
            captures_dir=filled.captures_dir,
            operator=kw.pop("operator", "Petugas Uji"),
            now=kw.pop("now", NOW),
            **kw,
        )
    finally:
        store.close()


def test_pack_holds_exactly_the_promised_files(filled, tmp_path):
    result = _export(filled, tmp_path / "pack.zip")
    with zipfile.ZipFile(result.path) as zf:
        names = zf.namelist()
    assert set(names) == CONTENT | {"manifest.json", "SHA256SUMS"}
    assert len(names) == len(set(names))
    assert result.listing_count == 12
    assert result.capture_count == 3  # 12 listings on 3 search pages of the last crawl


def test_round_trip_verifies_and_manifest_lists_every_file(filled, tmp_path):
    result = _export(filled, tmp_path / "pack.zip")
    report = verify_pack(result.path)
    assert report.ok, report.problems
    manifest = manifest_of(result.path)
    assert manifest["tool"] == {"name": "patroli", "version": __version__}
    assert manifest["created_at"] == NOW
    assert manifest["operator"] == "Petugas Uji"
    assert manifest["parameters"]["all_listings"] is True
    assert manifest["counts"]["listings"] == 12
    assert manifest["counts"]["by_marketplace"] == {
        "blibli": 3,
        "lazada": 3,
        "shopee": 3,
        "tokopedia": 3,
    }
    assert manifest["counts"]["by_rule"] == {"BELOW_FLOOR": 6, "CB_UNDER_USD100": 4}
    with zipfile.ZipFile(result.path) as zf:
        for entry in manifest["files"]:
            data = zf.read(entry["name"])
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert entry["size"] == len(data)
        assert {e["name"] for e in manifest["files"]} == CONTENT
        sums = zf.read("SHA256SUMS").decode()
        lines = dict(reversed(line.split("  ")) for line in sums.splitlines())
        assert set(lines) == CONTENT | {"manifest.json"}
        for name, digest in lines.items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == digest


def test_warc_records_in_the_pack_are_byte_identical_to_the_crawl(filled, tmp_path):
    result = _export(filled, tmp_path / "pack.zip")
    store = EvidenceStore(filled.db)
    listed = [c["capture_id"] for c in manifest_of(result.path)["captures"]]
    captures = store.captures(listed)
    expected = b"".join(read_record_bytes(filled.captures_dir, captures[c]) for c in listed)
    with zipfile.ZipFile(result.path) as zf:
        packed = zf.read("captures.warc.gz")
    assert packed == expected
    # ... and those are the very bytes on disk in the crawl's own WARC files.
    for capture_id in listed:
        c = captures[capture_id]
        on_disk = (filled.captures_dir / c.warc_file).read_bytes()[
            c.warc_offset : c.warc_offset + c.warc_length
        ]
        assert on_disk in packed
    bodies = {r.record_id: r.payload for r in iter_records(packed) if r.record_type == "response"}
    assert sorted(bodies.values()) == sorted(filled.bodies[c] for c in listed)


def test_report_shows_each_listing_with_history_times_and_hashes(filled, tmp_path):
    result = _export(filled, tmp_path / "pack.zip", Selection(listings=["tokopedia:1004"]))
    with zipfile.ZipFile(result.path) as zf:
        html = zf.read("laporan.html").decode()
        csv_text = zf.read("tautan_tokopedia.csv").decode("utf-8-sig")
        assert zf.namelist().count("tautan_tokopedia.csv") == 1
        assert "tautan_shopee.csv" not in zf.namelist()
    listing = next(x for x in filled.listings if x.listing_id == "1004")
    assert listing.title in html
    assert "Rp154.000" in html and "Rp149.000" in html  # price history: 1st and 2nd crawl
    assert "2026-11-15 01:00:00 UTC" in html and "2026-11-15 08:00:00 WIB" in html
    assert filled.captures[listing.capture_id].payload_sha256 in html
    assert "Permendag 31/2023 Pasal 13" in html and "BELOW_FLOOR" in html
    assert "Diekspor oleh" in html and "Petugas Uji" in html
    rows = csv_text.strip().split("\r\n")
    assert len(rows) == 2 and listing.url in rows[1]


def test_selectors_combine(filled, tmp_path):
    store = EvidenceStore(filled.db)

    def keys(**kw):
        return Selection(**kw).select(store)

    assert len(keys(all_listings=True)) == 12
    assert len(keys()) == 8  # default: flagged listings only (i even or i % 3 == 0)
    assert {k[0] for k in keys(marketplaces=["shopee"], all_listings=True)} == {"shopee"}
    assert len(keys(rules=["CB_UNDER_USD100"])) == 4
    assert keys(rules=["CB_UNDER_USD100"], marketplaces=["tokopedia"]) == [("tokopedia", "1000")]
    risky = keys(min_risk=40)
    assert all(store.db["listings"].get(k)["risk"] >= 40 for k in risky) and risky
    assert keys(since="2026-12-01", all_listings=True) == []
    assert len(keys(since="2026-11-15", all_listings=True)) == 12
    by_url = filled.listings[3]  # listing 1003, on blibli
    assert set(keys(listings=["lazada:1002", by_url.url])) == {
        ("lazada", "1002"),
        ("blibli", "1003"),
    }
    top = keys(all_listings=True, limit=3)
    assert len(top) == 3
    risks = [store.db["listings"].get(k)["risk"] for k in keys(all_listings=True)]
    assert risks == sorted(risks, reverse=True)


@pytest.mark.parametrize(
    "selection, message",
    [
        (Selection(marketplaces=["ebay"]), "marketplace tidak dikenal"),
        (Selection(listings=["1004"]), "marketplace:id_listing"),
        (Selection(since="kemarin"), "bukan tanggal"),
        (Selection(min_risk=101), "0 sampai 100"),
        (Selection(rules=["TIDAK_ADA"]), "tidak ada listing"),
    ],
)
def test_bad_or_empty_selection_is_refused_and_writes_nothing(filled, tmp_path, selection, message):
    with pytest.raises(EvidenceError, match=message):
        _export(filled, tmp_path / "pack.zip", selection)
    assert not (tmp_path / "pack.zip").exists()
    assert EvidenceStore(filled.db).custody_entries() == []


def test_custody_log_chains_exports_and_refuses_edits(filled, tmp_path):
    first = _export(filled, tmp_path / "a.zip")
    second = _export(filled, tmp_path / "b.zip", Selection(rules=["BELOW_FLOOR"]), operator="Andi")
    assert first.custody.seq == 1 and first.custody.prev_hash == GENESIS_HASH
    assert second.custody.seq == 2
    assert second.custody.prev_hash == first.custody.entry_hash
    assert second.custody.prev_export_content_sha256 == first.custody.content_sha256
    store = EvidenceStore(filled.db)
    entries = store.custody_entries()
    assert [e.entry_hash for e in entries] == [first.custody.entry_hash, second.custody.entry_hash]
    assert entries[1].operator == "Andi" and entries[1].database_id == store.database_id()
    assert entries[1].database_path == str(filled.db.resolve())
    with zipfile.ZipFile(second.path) as zf:
        chain = json.loads(zf.read("custody.json"))["entries"]
    assert [e["entry_hash"] for e in chain] == [e.entry_hash for e in entries]
    for sql in ("update custody_log set operator = 'x'", "delete from custody_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute(sql)
    assert verify_pack(second.path, store=store).ok


def test_an_export_racing_another_is_refused(filled, tmp_path):
    store = EvidenceStore(filled.db)
    _export(filled, tmp_path / "a.zip")
    stale = _export(filled, tmp_path / "b.zip").custody  # entry 2 is now in the log
    with pytest.raises(CustodyConflict):
        store.append_custody(stale)  # a second writer holding the same head


def test_pack_from_another_database_is_not_in_this_log(filled, tmp_path):
    result = _export(filled, tmp_path / "pack.zip")
    other = fill_store(tmp_path / "other.db", tmp_path / "cap2", 2)
    report = verify_pack(result.path, store=EvidenceStore(other.db))
    assert [str(p) for p in report.problems] == [
        "custody.json: entri paket ini tidak ada di log serah-terima basis data"
    ]


def test_signed_pack_verifies_and_a_foreign_key_is_named(filled, tmp_path):
    private, public, fingerprint = generate_key(tmp_path / "kunci" / "asosiasi.pem")
    assert oct(private.stat().st_mode & 0o777) == "0o600"
    key = load_private_key(private)
    result = _export(filled, tmp_path / "pack.zip", signing_key=key)
    report = verify_pack(result.path, public_key=load_public_key(public))
    assert report.ok, report.problems
    assert report.signed and report.fingerprint == fingerprint
    _, other_public, _ = generate_key(tmp_path / "lain.pem")
    report = verify_pack(result.path, public_key=load_public_key(other_public))
    assert [p.file for p in report.problems] == ["manifest.json"]
    assert "kunci lain" in report.problems[0].message
    with pytest.raises(EvidenceError, match="sudah ada"):
        generate_key(private)


def test_unsigned_pack_fails_when_a_key_is_required(filled, tmp_path):
    _, public, _ = generate_key(tmp_path / "k.pem")
    result = _export(filled, tmp_path / "pack.zip")
    report = verify_pack(result.path, public_key=load_public_key(public))
    assert [str(p) for p in report.problems] == [
        "manifest.json: tidak ditandatangani, padahal kunci publik diminta"
    ]


def test_listing_without_capture_is_reported_not_hidden(filled, tmp_path):
    store = EvidenceStore(filled.db)
    store.db.execute("update listings set capture_id = null where listing_id = '1001'")
    store.db.conn.commit()
    result = _export(filled, tmp_path / "pack.zip", Selection(listings=["shopee:1001"]))
    with zipfile.ZipFile(result.path) as zf:
        assert "tidak ada rekaman WARC untuk listing ini" in zf.read("laporan.html").decode()
    assert result.capture_count == 0
    assert verify_pack(result.path).ok


def test_a_damaged_capture_stops_the_export(filled, tmp_path):
    capture = filled.captures[filled.listings[0].capture_id]
    path = filled.captures_dir / capture.warc_file
    data = bytearray(path.read_bytes())
    data[capture.warc_offset + 40] ^= 0xFF
    path.write_bytes(bytes(data))
    owner = [x for x in filled.listings if x.capture_id == capture.capture_id]
    selection = Selection(listings=[f"{x.marketplace}:{x.listing_id}" for x in owner])
    with pytest.raises(EvidenceError, match=capture.capture_id):
        _export(filled, tmp_path / "pack.zip", selection)
    assert not (tmp_path / "pack.zip").exists()


# -- CLI --------------------------------------------------------------------------------------


def test_cli_export_verify_keygen(filled, tmp_path):
    runner = CliRunner()
    key = tmp_path / "k.pem"
    done = runner.invoke(main, ["evidence", "keygen", "--out", str(key)])
    assert done.exit_code == 0, done.output
    assert "Sidik jari" in done.output
    pack = tmp_path / "out" / "paket.zip"
    done = runner.invoke(
        main,
        [
            "evidence",
            "export",
            "--out",
            str(pack),
            "--db",
            str(filled.db),
            "--captures-dir",
            str(filled.captures_dir),
            "--rule",
            "BELOW_FLOOR",
            "--marketplace",
            "tokopedia",
            "--marketplace",
            "lazada",
            "--operator",
            "Siti",
            "--sign-key",
            str(key),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "listing: 6" in done.output
    manifest = manifest_of(pack)
    assert manifest["parameters"]["rules"] == ["BELOW_FLOOR"]
    assert manifest["parameters"]["marketplaces"] == ["tokopedia", "lazada"]
    assert manifest["operator"] == "Siti"
    done = runner.invoke(
        main,
        [
            "evidence",
            "verify",
            str(pack),
            "--public-key",
            str(tmp_path / "k.pub.pem"),
            "--db",
            str(filled.db),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "UTUH / OK" in done.output


def test_cli_verify_exits_1_and_names_the_file(filled, tmp_path):
    result = _export(filled, tmp_path / "pack.zip")
    tampered = tmp_path / "tampered.zip"
    _rewrite(result.path, tampered, "tautan_shopee.csv", lambda b: b.replace(b"Rp", b"RP", 1))
    done = CliRunner().invoke(main, ["evidence", "verify", str(tampered)])
    assert done.exit_code == 1
    assert done.output.count("BEDA:") == 1
    assert "BEDA: tautan_shopee.csv: diubah: SHA-256 tidak cocok" in done.output
    assert "TIDAK UTUH" in done.output


def test_cli_export_with_nothing_selected_fails_clearly(filled, tmp_path):
    done = CliRunner().invoke(
        main,
        [
            "evidence",
            "export",
            "--out",
            str(tmp_path / "x.zip"),
            "--db",
            str(filled.db),
            "--captures-dir",
            str(filled.captures_dir),
            "--since",
            "2030-01-01",
        ],
    )
    assert done.exit_code == 2
    assert "tidak ada listing yang cocok" in done.output


def _rewrite(src, dst, name, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == name else data)


def test_rewrite_helper_changes_only_the_named_member(filled, tmp_path):
    result = _export(filled, tmp_path / "pack.zip")
    _rewrite(result.path, tmp_path / "same.zip", "laporan.pdf", lambda b: b)
    with zipfile.ZipFile(result.path) as a, zipfile.ZipFile(tmp_path / "same.zip") as b:
        assert {n: a.read(n) for n in a.namelist()} == {n: b.read(n) for n in b.namelist()}
    assert verify_pack(tmp_path / "same.zip").ok


def test_demo_pack_takes_flagged_listings_or_else_the_top_ones(filled, tmp_path):
    from crawler.evidence import demo_pack

    result, report = demo_pack(filled.db, tmp_path / "demo.zip", captures_dir=filled.captures_dir, limit=5)
    assert report.ok and result.listing_count == 5
    assert manifest_of(result.path)["parameters"]["all_listings"] is False
    store = EvidenceStore(filled.db)
    store.db.execute("delete from flags")
    store.db.conn.commit()
    result, report = demo_pack(filled.db, tmp_path / "demo2.zip", captures_dir=filled.captures_dir, limit=5)
    assert report.ok and result.listing_count == 5
    assert manifest_of(result.path)["parameters"]["all_listings"] is True


def test_cli_missing_database_is_named_not_created(filled, tmp_path):
    """A mistyped --db must not become a new, empty database: export would say 'nothing selected'
    and verify would call a sound pack TIDAK UTUH because the empty log lacks its entry."""
    result = _export(filled, tmp_path / "pack.zip")
    missing = tmp_path / "salah" / "patroli.db"
    runner = CliRunner()
    done = runner.invoke(main, ["evidence", "verify", str(result.path), "--db", str(missing)])
    assert done.exit_code == 2, done.output
    assert done.output.strip() == f"patroli: basis data {missing} tidak ada / database not found"
    done = runner.invoke(
        main,
        ["evidence", "export", "--out", str(tmp_path / "x.zip"), "--db", str(missing), "--all-listings"],
    )
    assert done.exit_code == 2, done.output
    assert done.output.strip() == f"patroli: basis data {missing} tidak ada / database not found"
    assert not missing.exists() and not missing.parent.exists()
    assert not (tmp_path / "x.zip").exists()


def test_since_is_a_moment_not_a_string_and_a_date_is_a_jakarta_date(tmp_path):
    """--since was compared as text with the stored UTC times. A bare date is the association's
    own (WIB) date: the 01:00 WIB patrol of 1 November ran at 18:00 UTC on 31 October."""
    from crawler.items import Listing, ScoredListing

    store = EvidenceStore(tmp_path / "p.db")
    crawl = store.start_crawl(["tokopedia"], ["batik"])
    seen = {
        "1": "2026-10-31T16:59:00.000Z",  # 23:59 WIB on 31 October
        "2": "2026-10-31T18:00:00.000Z",  # 01:00 WIB on 1 November
        "3": "2026-11-01T04:00:00.000Z",  # 11:00 WIB on 1 November
    }
    store.save_batch(
        crawl,
        [
            ScoredListing(Listing("tokopedia", lid, f"u{lid}", "Batik", captured_at=at))
            for lid, at in seen.items()
        ],
    )

    def ids(since):
        return sorted(lid for _, lid in Selection(since=since, all_listings=True).select(store))

    assert ids("2026-11-01") == ["2", "3"]
    assert ids("2026-11-01 10:00") == ["3"]  # a time without zone is WIB too
    assert ids("2026-11-01T10:00+07:00") == ["3"]
    assert ids("2026-11-01T02:00Z") == ["3"]
    assert ids("2026-10-31T17:00:00Z") == ["2", "3"]
    # The report's scope says how the date was read.
    assert ("Terlihat sejak", "2026-11-01 (2026-11-01 00:00 WIB = 2026-10-31 17:00 UTC)") in Selection(
        since="2026-11-01"
    ).scope()
    store.close()
