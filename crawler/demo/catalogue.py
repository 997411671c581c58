"""The demo marketplace's catalogue: seeded, generated, searchable, with its ground truth.

Listing number i is a pure function of (seed, i): nothing is held in memory. SQLite keeps only the
search index (title words per marketplace, listing id, shop), so a million listings cost a few
hundred MB of disk and no RAM; a page of results is regenerated from its numbers on demand.

Mix (of all listings): about 74% genuine local products, 6% honest local goods below the cost
floor, 4% technique mislabelled ("tulis" at printing price), 9% imported, 7% dropship cluster
members (one imported item listed by many hub shops). The truth fields say which and why; the
server never serves them.
"""

from __future__ import annotations

import hashlib
import random
import re
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from crawler.demo import vocab
from crawler.demo.records import DemoListing, DemoShop

MARKET_WEIGHTS = (("tokopedia", 0.40), ("shopee", 0.30), ("lazada", 0.10), ("blibli", 0.10), ("shop", 0.10))
KIND_WEIGHTS = (
    ("genuine", 0.74),
    ("local_cheap", 0.06),
    ("mislabel", 0.04),
    ("import", 0.09),
    ("dropship", 0.07),
)
_CATEGORY_BY_NAME = {c.name: c for c in vocab.CATEGORIES}
_GROUP = {
    "batik_tulis": "batik",
    "batik_cap": "batik",
    "batik_printing": "batik",
    "pakaian_batik": "batik",
    "tenun_ikat": "tenun",
    "songket": "songket",
    "anyaman_rotan": "rotan",
    "anyaman_bambu": "bambu",
    "kerajinan_kayu": "kayu",
    "other": "other",
}
SCHEMA_VERSION = "1"


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    x = rng.random() * sum(w for _, w in weighted)
    for name, w in weighted:
        x -= w
        if x < 0:
            return name
    return weighted[-1][0]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "produk"


def _rng(*parts: object) -> random.Random:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


class Generator:
    """Listing i of a catalogue of n listings with a given seed."""

    def __init__(self, n: int, seed: int = 20231004):
        self.n = n
        self.seed = seed
        # Shop pools grow with the catalogue so that shops keep a realistic few dozen listings.
        self.pool = max(4, n // 300)
        self.clusters = max(3, n // 250)

    def shop(self, marketplace: str, group: str, kind: str, index: int) -> DemoShop:
        rng = _rng(self.seed, "shop", marketplace, group, kind, index)
        if kind == "cross_border":
            name = rng.choice(vocab.CROSS_BORDER_SHOP_NAMES)
            city = "Luar Negeri"
        elif kind == "hub":
            name = rng.choice(vocab.HUB_SHOP_NAMES)
            city = rng.choice(vocab.HUB_CITIES)
        else:
            prefix = rng.choice(vocab.SHOP_PREFIX[group])
            spec = next(c for c in vocab.CATEGORIES if _GROUP[c.name] == group)
            city = rng.choice(spec.regions)
            place = city.replace("Kab. ", "").replace("Kota ", "")
            name = f"{prefix} {rng.choice(vocab.SHOP_NAMES)} {place}"
        name = f"{name} {index}" if index >= 20 else name
        shop_num = int.from_bytes(
            hashlib.blake2b(
                f"{self.seed}|{marketplace}|{group}|{kind}|{index}".encode(), digest_size=4
            ).digest(),
            "big",
        )
        return DemoShop(
            shop_id=str(10_000_000 + shop_num % 890_000_000),
            name=name,
            # Unique per marketplace, as a real shop domain is: the name plus digits of the id.
            domain=slugify(name).replace("-", "")[:24] + str(shop_num % 1000),
            city=city,
            is_official=kind == "local" and rng.random() < 0.05,
            kind=kind,
        )

    def listing(self, i: int) -> DemoListing:
        if not 0 <= i < self.n:
            raise IndexError(i)
        rng = _rng(self.seed, "listing", i)
        marketplace = _pick(rng, MARKET_WEIGHTS)
        kind = _pick(rng, KIND_WEIGHTS)
        if kind in ("import", "dropship") and marketplace == "shop":
            kind = "genuine"  # the demo's independent shops are local makers
        reasons: list[str] = []
        imported = below = mislabel = False
        dup_group = None
        preorder = cross_border = False
        motif_rng = rng
        if kind == "dropship":
            cluster = rng.randrange(self.clusters)
            dup_group = f"DG{cluster:04d}"
            motif_rng = _rng(self.seed, "cluster", cluster)  # every member shows the same item
            category, title_t, desc, price_range = motif_rng.choice(vocab.IMPORT_ITEMS)
            spec = _CATEGORY_BY_NAME[category]
            shop = self.shop(marketplace, _GROUP[category], "hub", rng.randrange(self.pool * 3))
            title = rng.choice(vocab.PROMO_WORDS) + title_t
            base = _round_price(motif_rng.randint(*price_range))
            price = max(1_000, base + rng.randint(-3, 3) * 500)
            imported = True
            reasons.append(f"dropship: barang impor yang sama dijual banyak toko ({dup_group})")
        elif kind == "import":
            category, title, desc, price_range = rng.choice(vocab.IMPORT_ITEMS)
            spec = _CATEGORY_BY_NAME[category]
            cross_border = marketplace in ("shopee", "lazada") and rng.random() < 0.5
            shop_kind = "cross_border" if cross_border else "hub"
            shop = self.shop(marketplace, _GROUP[category], shop_kind, rng.randrange(self.pool))
            price = _round_price(rng.randint(*price_range))
            preorder = cross_border or "PO 7-14" in desc
            imported = True
            reasons.append(
                "impor: " + ("toko luar negeri (cross-border)" if cross_border else "penjual menyebut impor")
            )
        else:
            spec = _pick_category(rng)
            category = spec.name
            shop = self.shop(marketplace, _GROUP[category], "local", rng.randrange(self.pool))
            title = rng.choice(spec.titles)
            desc = rng.choice(spec.descriptions)
            price = _round_price(rng.randint(*spec.price))
            if kind == "local_cheap" and spec.floor:
                price = _round_price(int(spec.floor * rng.uniform(0.55, 0.95)))
                desc += " Harga promo, stok lama."
            elif kind == "mislabel":
                category = "batik_tulis" if rng.random() < 0.7 else "batik_cap"
                spec = _CATEGORY_BY_NAME[category]
                title = rng.choice(vocab.MISLABEL_TITLES)
                desc = "Motif rapi sama persis, warna cerah, bagian belakang pucat. Bisa grosir kodian."
                price = _round_price(rng.randint(30_000, 75_000))
                shop = self.shop(marketplace, "batik", "local", rng.randrange(self.pool))
                mislabel = True
                reasons.append("klaim tulis/cap pada harga dan ciri batik printing")
        if spec.floor and price < spec.floor:
            below = True
            reasons.append(
                f"harga Rp{price:,} di bawah batas Rp{spec.floor:,} ({category})".replace(",", ".")
            )
            if imported and _TECHNIQUE_CLAIM.search(title):
                # Imported cloth sold as tulis/cap/hand-woven at a printing price is mislabelled
                # too (the labelled set's convention).
                mislabel = True
                reasons.append("klaim teknik (tulis/cap/tenun) pada barang impor di bawah batas harga")
        fill = {
            "motif": motif_rng.choice(spec.motifs) if spec.motifs else "Klasik",
            "region": shop.city.replace("Kab. ", "").replace("Kota ", "")
            if shop.kind == "local"
            else motif_rng.choice(("Pekalongan", "Solo", "Jogja", "Bali")),
            "colour": motif_rng.choice(vocab.COLOURS),
        }
        title = title.format(**fill)
        desc = desc.format(**fill)
        sold = int(rng.paretovariate(1.3) * (40 if imported else 8)) - 1
        listing_num = 1_000_000_000 + i * 7_919 + rng.randrange(7_919)
        original = _round_price(int(price * rng.uniform(1.1, 1.6))) if rng.random() < 0.3 else None
        return DemoListing(
            marketplace=marketplace,
            listing_id=str(listing_num),
            slug=slugify(title),
            title=title,
            description=desc,
            price_idr=price,
            original_price_idr=original,
            sold_count=max(0, sold),
            rating=round(rng.uniform(4.3, 5.0), 1) if sold > 0 else None,
            review_count=max(0, sold // 3),
            shop=shop,
            category=category,
            category_path=spec.path,
            image_url=f"https://images.example/demo/{listing_num}.jpg",
            is_cross_border=cross_border,
            is_preorder=preorder,
            created_at=f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}",
            truth_imported=imported,
            truth_below_cost=below,
            truth_mislabelled=mislabel,
            truth_dup_group=dup_group,
            truth_reasons=reasons,
        )


def _pick_category(rng: random.Random) -> vocab.CategorySpec:
    return _CATEGORY_BY_NAME[_pick(rng, tuple((c.name, c.weight) for c in vocab.CATEGORIES))]


def _round_price(price: int) -> int:
    step = 500 if price < 100_000 else 5_000
    return max(step, int(round(price / step)) * step)


_TOKEN = re.compile(r"[0-9a-z]+")
_TECHNIQUE_CLAIM = re.compile(r"\b(tulis|cap|tenun)\b", re.IGNORECASE)


def fts_query(marketplace: str, keyword: str) -> str | None:
    """An FTS5 query for every word of the keyword within one marketplace; words are quoted."""
    words = _TOKEN.findall(keyword.lower())
    if not words:
        return None
    terms = " AND ".join(f'title:"{w}"' for w in words[:10])
    return f'market:"{marketplace}" AND {terms}'


class Catalogue:
    """The generated catalogue and its search index. Safe to use from many threads."""

    def __init__(self, path: str | Path, generator: Generator):
        self.path = Path(path)
        self.generator = generator
        self._local = threading.local()
        self._counts: dict[tuple[str, str], int] = {}

    # -- building -----------------------------------------------------------------------------

    @classmethod
    def build(cls, path: str | Path, listings: int, seed: int = 20231004, progress=None) -> Catalogue:
        """Open the catalogue at `path`, generating it first unless it already holds (n, seed)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        generator = Generator(listings, seed)
        meta = f"{SCHEMA_VERSION}:{listings}:{seed}"
        if path.exists():
            try:
                with sqlite3.connect(path) as conn:
                    row = conn.execute("select value from meta where key = 'catalogue'").fetchone()
                if row and row[0] == meta:
                    return cls(path, generator)
            except sqlite3.DatabaseError:
                pass
            path.unlink()
        tmp = path.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        conn.executescript(
            """
            pragma journal_mode = off; pragma synchronous = off;
            create table meta (key text primary key, value text);
            create table listings (i integer primary key, marketplace text, listing_id text, shop_id text);
            create virtual table search using fts5(title, market, content='', tokenize='unicode61');
            """
        )
        batch: list[tuple] = []
        fts: list[tuple] = []
        for i in range(listings):
            item = generator.listing(i)
            batch.append((i, item.marketplace, item.listing_id, item.shop.shop_id))
            fts.append((i, item.title, item.marketplace))
            if len(batch) >= 20_000:
                _flush(conn, batch, fts)
                if progress:
                    progress(i + 1, listings)
        _flush(conn, batch, fts)
        conn.execute("create index by_id on listings (marketplace, listing_id)")
        conn.execute("create index by_shop on listings (marketplace, shop_id, i)")
        conn.execute("insert into meta values ('catalogue', ?)", [meta])
        conn.commit()
        conn.close()
        tmp.replace(path)
        if progress:
            progress(listings, listings)
        return cls(path, generator)

    # -- reading ------------------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def __len__(self) -> int:
        return self.generator.n

    def listing(self, i: int) -> DemoListing:
        return self.generator.listing(i)

    def search(
        self, marketplace: str, keyword: str, offset: int, limit: int
    ) -> tuple[int, list[DemoListing]]:
        query = fts_query(marketplace, keyword)
        if query is None or limit <= 0 or offset < 0:
            return 0, []
        key = (marketplace, query)
        if key not in self._counts:
            self._counts[key] = self.conn.execute(
                "select count(*) from search where search match ?", [query]
            ).fetchone()[0]
        rows = self.conn.execute(
            "select rowid from search where search match ? order by rowid limit ? offset ?",
            [query, limit, offset],
        ).fetchall()
        return self._counts[key], [self.generator.listing(r[0]) for r in rows]

    def get(self, marketplace: str, listing_id: str) -> DemoListing | None:
        row = self.conn.execute(
            "select i from listings where marketplace = ? and listing_id = ?", [marketplace, str(listing_id)]
        ).fetchone()
        return self.generator.listing(row[0]) if row else None

    def by_shop(
        self, marketplace: str, shop_id: str, offset: int, limit: int
    ) -> tuple[int, list[DemoListing]]:
        total = self.conn.execute(
            "select count(*) from listings where marketplace = ? and shop_id = ?", [marketplace, shop_id]
        ).fetchone()[0]
        rows = self.conn.execute(
            "select i from listings where marketplace = ? and shop_id = ? order by i limit ? offset ?",
            [marketplace, shop_id, limit, offset],
        ).fetchall()
        return total, [self.generator.listing(r[0]) for r in rows]

    def shops(self, marketplace: str) -> list[DemoShop]:
        rows = self.conn.execute(
            "select min(i) from listings where marketplace = ? group by shop_id order by min(i)",
            [marketplace],
        ).fetchall()
        return [self.generator.listing(r[0]).shop for r in rows]

    def iter_all(self, marketplace: str | None = None) -> Iterator[DemoListing]:
        for i in range(self.generator.n):
            item = self.generator.listing(i)
            if marketplace is None or item.marketplace == marketplace:
                yield item


def _flush(conn: sqlite3.Connection, batch: list[tuple], fts: list[tuple]) -> None:
    conn.executemany("insert into listings values (?, ?, ?, ?)", batch)
    conn.executemany("insert into search (rowid, title, market) values (?, ?, ?)", fts)
    batch.clear()
    fts.clear()
