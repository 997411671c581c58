"""Any one-byte change to any file of a pack, the manifest included, is caught and the changed
file is named; the ZIP's own bytes can be damaged without verify crashing or passing a change."""

from __future__ import annotations

import random
import zipfile

import pytest

from crawler.evidence import Selection, export_pack, generate_key, load_private_key, verify_pack
from crawler.store import EvidenceStore
from tests.evidence_helpers import fill_store

NAMES = [
    "laporan.html",
    "laporan.pdf",
    "listings.xlsx",
    "captures.warc.gz",
    "custody.json",
    "tautan_tokopedia.csv",
    "tautan_shopee.csv",
    "manifest.json",
    "SHA256SUMS",
]


def _pack(tmp_path_factory, signed: bool):
    base = tmp_path_factory.mktemp("signed" if signed else "plain")
    filled = fill_store(base / "p.db", base / "cap", 10, hostile=True)
    key = None
    if signed:
        private, _, _ = generate_key(base / "k.pem")
        key = load_private_key(private)
    store = EvidenceStore(filled.db)
    result = export_pack(
        store,
        base / "pack.zip",
        Selection(all_listings=True),
        captures_dir=filled.captures_dir,
        operator="Uji",
        signing_key=key,
        now="2026-11-28T03:00:00Z",
    )
    store.close()
    with zipfile.ZipFile(result.path) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
        comment = zf.comment
    return result.path, members, comment


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    return {signed: _pack(tmp_path_factory, signed) for signed in (False, True)}


def _write(path, members: dict[str, bytes], comment: bytes = b"") -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.comment = comment
        for name, data in members.items():
            zf.writestr(name, data)


def _positions(size: int, seed: str) -> list[int]:
    rng = random.Random(seed)
    fixed = {0, 1, size // 3, size // 2, size - 2, size - 1}
    return sorted(fixed | {rng.randrange(size) for _ in range(8)})


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
@pytest.mark.parametrize("name", [*NAMES, "manifest.json.sig"])
def test_one_changed_byte_is_detected_and_the_file_named(packs, tmp_path, signed, name):
    _, members, comment = packs[signed]
    if name not in members:
        assert name == "manifest.json.sig" and not signed
        return
    data = members[name]
    for pos in _positions(len(data), f"{name}{signed}"):
        for flip in (0x01, 0x40):
            changed = bytearray(data)
            changed[pos] ^= flip
            target = tmp_path / "t.zip"
            _write(target, {**members, name: bytes(changed)}, comment)
            report = verify_pack(target)
            named = {p.file for p in report.problems}
            assert not report.ok, (name, pos)
            assert name in named, (name, pos, [str(p) for p in report.problems])


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_unchanged_copy_passes(packs, tmp_path, signed):
    path, members, comment = packs[signed]
    assert verify_pack(path).ok
    _write(tmp_path / "copy.zip", members, comment)
    assert verify_pack(tmp_path / "copy.zip").ok
    # Re-zipped by another tool, the comment is lost; the files are still fully checked.
    _write(tmp_path / "nocomment.zip", members)
    report = verify_pack(tmp_path / "nocomment.zip")
    assert report.ok, report.problems


def test_changed_zip_comment_is_named(packs, tmp_path):
    _, members, comment = packs[False]
    _write(tmp_path / "t.zip", members, comment.replace(b"sha256=", b"sha-256=", 1))
    assert [str(p) for p in verify_pack(tmp_path / "t.zip").problems] == ["paket: komentar ZIP diubah"]
    digits = bytearray(comment)
    digits[-1] = ord("0") if digits[-1] != ord("0") else ord("1")
    _write(tmp_path / "t2.zip", members, bytes(digits))
    assert [str(p) for p in verify_pack(tmp_path / "t2.zip").problems] == [
        "paket: komentar ZIP mencatat SHA-256 manifest.json yang salah"
    ]


def test_removed_and_added_files_are_named(packs, tmp_path):
    _, members, comment = packs[True]
    for gone in ("laporan.pdf", "manifest.json", "SHA256SUMS", "manifest.json.sig", "custody.json"):
        _write(tmp_path / "t.zip", {n: d for n, d in members.items() if n != gone}, comment)
        report = verify_pack(tmp_path / "t.zip")
        assert gone in {p.file for p in report.problems}, (gone, report.problems)
    for extra in ("../../etc/passwd", "laporan.exe", "tautan_lainnya.csv"):
        _write(tmp_path / "t.zip", {**members, extra: b"x"}, comment)
        report = verify_pack(tmp_path / "t.zip")
        assert extra in {p.file for p in report.problems}, (extra, report.problems)


def test_damaged_zip_bytes_never_pass_a_changed_member(packs, tmp_path):
    path, members, _ = packs[True]
    raw = path.read_bytes()
    rng = random.Random(5)
    for pos in sorted({rng.randrange(len(raw)) for _ in range(60)}):
        damaged = bytearray(raw)
        damaged[pos] ^= 0x10
        target = tmp_path / "d.zip"
        target.write_bytes(bytes(damaged))
        report = verify_pack(target)  # must not raise
        try:
            with zipfile.ZipFile(target) as zf:
                same = {i.filename: zf.read(i) for i in zf.infolist()} == members
        except Exception:
            same = False
        if not same:
            assert not report.ok, pos


def test_not_a_zip_is_named(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"bukan zip")
    assert [p.file for p in verify_pack(tmp_path / "x.zip").problems] == ["paket"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("captures", [1]),
        ("captures", "x"),
        ("custody", "x"),
        ("signature", ["x"]),
        ("files", [["laporan.html"]]),
    ],
)
def test_a_manifest_with_the_wrong_shape_is_named_not_a_crash(packs, tmp_path, field, value):
    """verify must report a rewritten manifest, whatever its JSON holds, never raise."""
    import json

    _, members, comment = packs[True]
    manifest = json.loads(members["manifest.json"])
    manifest[field] = value
    _write(tmp_path / "t.zip", {**members, "manifest.json": json.dumps(manifest).encode()}, comment)
    report = verify_pack(tmp_path / "t.zip")
    assert not report.ok
    assert "manifest.json" in {p.file for p in report.problems}, report.problems
