"""Reference data in data/: read, check, and turn into typed records.

Every file is people-edited, so every mistake is reported as `DataError(file, line, reason)` in
Indonesian, naming what was expected: a floor written as "tiga ratus ribu", a source key that does
not exist, a misspelt field name, a regular expression that does not compile, a duplicate key.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from matchers.text import TextRules, normalise_phrase

FILES = ("text.yaml", "categories.yaml", "signals.yaml", "rates.yaml", "watchlist.csv")
RULE_IDS = (
    "CROSS_BORDER_UNDER_USD100",
    "BELOW_FLOOR",
    "TECHNIQUE_MISLABEL",
    "IMPORT_SIGNALS",
    "WATCHLIST",
    "DUP_CLUSTER",
)
DETECTORS = (
    "cross_border_flag",
    "overseas_location",
    "wholesale_hub",
    "cjk",
    "below_floor",
    "far_below_floor",
    "synthetic_craft_fabric",
)
SEVERITIES = ("low", "medium", "high")
CONFIDENCES = ("low", "medium", "high")
SOURCE_KINDS = ("reg", "gov", "press", "blog", "proposal", "report")
WATCHLIST_COLUMNS = (
    "id",
    "marketplace",
    "listing_id",
    "url",
    "title",
    "seller_name",
    "category",
    "reported_on",
    "reported_to",
    "source",
    "note",
)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class DataError(ValueError):
    """A reference file that cannot be used: which file, which line, and why."""

    def __init__(self, path: str | Path, line: int | None, reason: str):
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}, baris {line}" if line else self.path
        super().__init__(f"{where}: {reason}")


# -- YAML with line numbers ---------------------------------------------------------------------


class LDict(dict):
    """A mapping that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict[Any, int]


class LList(list):
    line: int = 0
    lines: list[int]


class _DuplicateKey(Exception):
    def __init__(self, line: int, key: Any):
        self.line, self.key = line, key


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LDict:
    loader.flatten_mapping(node)
    out = LDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict):
            raise _DuplicateKey(key_node.start_mark.line + 1, "kunci tidak boleh berupa daftar")
        if key in out:
            raise _DuplicateKey(key_node.start_mark.line + 1, key)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LList:
    out = LList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def read_yaml(path: Path) -> LDict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(path, None, "berkas tidak ada (file missing)") from None
    except UnicodeDecodeError as exc:
        raise DataError(path, None, f"bukan UTF-8: {exc}") from None
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except _DuplicateKey as exc:
        raise DataError(path, exc.line, f"kunci ganda {exc.key!r} (duplicate key)") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise DataError(path, line, f"YAML tidak valid: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise DataError(path, None, f"YAML tidak valid: {exc}") from None
    if not isinstance(doc, dict):
        raise DataError(path, 1, "isi berkas harus berupa pemetaan (mapping) kunci: nilai")
    return doc


def _name(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class _Check:
    """Field checks for one file; each failure names the line."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, line: int | None, reason: str) -> DataError:
        return DataError(self.path, line, reason)

    def line(self, d: Any, key: Any = None) -> int | None:
        if isinstance(d, LDict) and key is not None and key in d.lines:
            return d.lines[key]
        return getattr(d, "line", None)

    def keys(self, d: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        if not isinstance(d, dict):
            raise self.fail(self.line(d), f"{where} harus berupa pemetaan (mapping)")
        for key in d:
            if key not in required and key not in optional:
                allowed = ", ".join(required + optional)
                raise self.fail(self.line(d, key), f"{where}: kunci tidak dikenal {key!r} (boleh: {allowed})")
        for key in required:
            if key not in d:
                raise self.fail(self.line(d), f"{where}: kunci wajib {key!r} tidak ada")

    def number(
        self,
        d: dict,
        key: str,
        where: str,
        *,
        low: float | None = None,
        integer: bool = False,
        allow_none: bool = False,
    ) -> float | int | None:
        value = d.get(key)
        if value is None and allow_none:
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if integer:
            ok = ok and float(value).is_integer()
        if not ok:
            kind = "bilangan bulat" if integer else "angka"
            raise self.fail(self.line(d, key), f"{_name(where, key)} harus {kind}, bukan {value!r}")
        if low is not None and value < low:
            raise self.fail(self.line(d, key), f"{_name(where, key)} harus >= {low}, bukan {value!r}")
        return int(value) if integer else float(value)

    def text(self, d: dict, key: str, where: str, *, allow_none: bool = False) -> str | None:
        value = d.get(key)
        if value is None and allow_none:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(
                self.line(d, key), f"{_name(where, key)} harus teks yang tidak kosong, bukan {value!r}"
            )
        return value.strip()

    def choice(self, d: dict, key: str, where: str, options: tuple[str, ...]) -> str:
        value = d.get(key)
        if value not in options:
            raise self.fail(
                self.line(d, key),
                f"{_name(where, key)} harus salah satu dari {', '.join(options)}, bukan {value!r}",
            )
        return value

    def words(self, d: dict, key: str, where: str, *, allow_missing: bool = True) -> list[str]:
        value = d.get(key)
        if value is None and allow_missing:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int) and str(v).strip() for v in value):
            raise self.fail(
                self.line(d, key), f"{_name(where, key)} harus daftar kata/frasa, bukan {value!r}"
            )
        return [str(v).strip() for v in value]

    def date(self, d: dict, key: str, where: str) -> str:
        value = d.get(key)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, int) and 1900 < value < 2200:
            return str(value)
        if isinstance(value, str) and (value == "n.d." or _DATE.match(value)):
            return value
        raise self.fail(
            self.line(d, key),
            f"{_name(where, key)} harus tanggal YYYY, YYYY-MM, YYYY-MM-DD atau 'n.d.', bukan {value!r}",
        )

    def pattern(self, value: Any, line: int | None, where: str) -> re.Pattern:
        if not isinstance(value, str) or not value:
            raise self.fail(line, f"{where}: pola harus teks, bukan {value!r}")
        try:
            return re.compile(value)
        except re.error as exc:
            raise self.fail(line, f"{where}: pola regex tidak valid {value!r}: {exc}") from None


# -- records ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    title: str
    url: str
    date: str
    kind: str

    def cite(self) -> str:
        return f"{self.title}, {self.date}"


@dataclass(frozen=True, slots=True)
class Floor:
    forms: tuple[str, ...]
    techniques: tuple[str, ...]
    requires_claim: str | None
    unless_claim: str | None
    unit_id: str
    unit_en: str
    nominal_length_m: float | None
    floor_idr: int
    strong_below_idr: int | None
    why: str
    sources: tuple[Source, ...]
    confidence: str
    line: int

    def cite(self) -> str:
        return "; ".join(s.cite() for s in self.sources)


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    name_id: str
    name_en: str
    group: str | None
    claims: tuple[str, ...]
    aliases: dict[str, float]
    floors: tuple[Floor, ...]
    motif_is_category: bool = False
    not_forms: tuple[str, ...] = ()
    made_of: MadeOf | None = None
    hedged_factor: float | None = None  # None: the file's hedged_alias_factor
    motifs: dict[str, float] = field(default_factory=dict)  # always read as a motif ("motif tenun")


@dataclass(frozen=True, slots=True)
class MadeOf:
    """'<product> <material>' ("sendok kayu jati", "mangkok makan kayu"): a product word followed
    within `window` words by a material word counts `weight` for the category, where neither
    word alone would (a steel spoon, a teak wardrobe)."""

    products: tuple[str, ...]
    materials: tuple[str, ...]
    weight: float
    window: int


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    aliases: dict[str, float]
    by_form: dict[str, str]
    by_technique: dict[str, str]
    default: str
    motif_is_category: bool = False
    motifs: dict[str, float] = field(default_factory=dict)  # always read as a motif ("kawung")


@dataclass(frozen=True, slots=True)
class Technique:
    name: str
    terms: tuple[str, ...]
    strong_cues: tuple[str, ...]
    weak_cues: tuple[str, ...]
    support: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CueSet:
    name: str
    explicit: bool
    terms: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]


@dataclass(frozen=True, slots=True)
class Signal:
    id: str
    weight: float
    group: str | None
    terms: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]
    detector: str | None
    label_id: str
    label_en: str
    sources: tuple[Source, ...]
    field: str = "text"  # "text" (title and description) or "seller_name"


@dataclass(frozen=True, slots=True)
class RuleSettings:
    id: str
    severity: str
    legal_basis: str
    sources: tuple[Source, ...]
    params: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


@dataclass(frozen=True, slots=True)
class Rate:
    currency: str
    idr: float
    date: str
    source: Source


@dataclass(frozen=True, slots=True)
class WatchEntry:
    id: str
    marketplace: str
    listing_id: str
    url: str
    title: str
    seller_name: str
    category: str
    reported_on: str
    reported_to: str
    source: str
    note: str
    line: int


@dataclass(frozen=True)
class Reference:
    """Everything in data/, checked."""

    data_dir: Path
    digest: str  # first 12 hex of the SHA-256 over the files: part of the matcher version
    text: TextRules
    min_score: float
    description_weight: float
    first_word_bonus: float
    hedged_alias_factor: float
    forms: dict[str, tuple[str, ...]]
    techniques: dict[str, Technique]
    cues: dict[str, CueSet]
    groups: dict[str, Group]
    categories: dict[str, Category]
    distractor_weight: float
    distractors: tuple[str, ...]
    material_distractors: tuple[str, ...]
    head_distractors: tuple[str, ...]
    motif_products: tuple[str, ...]
    import_threshold: float
    import_strong: float
    signals: tuple[Signal, ...]
    overseas_locations: tuple[str, ...]
    wholesale_hubs: tuple[str, ...]
    positive_list_terms: tuple[str, ...]
    rules: dict[str, RuleSettings]
    rates: dict[str, Rate]
    watchlist: tuple[WatchEntry, ...]


# -- the files ----------------------------------------------------------------------------------


def _sources(c: _Check, doc: dict) -> dict[str, Source]:
    raw = doc.get("sources") or {}
    out = {}
    if not isinstance(raw, dict):
        raise c.fail(c.line(doc, "sources"), "sources harus berupa pemetaan kunci -> sumber")
    for key, s in raw.items():
        where = f"sources.{key}"
        c.keys(s, where, ("title", "url", "date", "kind"))
        out[str(key)] = Source(
            key=str(key),
            title=c.text(s, "title", where),
            url=c.text(s, "url", where),
            date=c.date(s, "date", where),
            kind=c.choice(s, "kind", where, SOURCE_KINDS),
        )
    return out


def _refs(c: _Check, d: dict, key: str, where: str, sources: dict[str, Source]) -> tuple[Source, ...]:
    keys = c.words(d, key, where, allow_missing=False)
    if not keys:
        raise c.fail(c.line(d, key), f"{where}.{key}: setidaknya satu sumber")
    for k in keys:
        if k not in sources:
            raise c.fail(c.line(d, key), f"{where}.{key}: sumber {k!r} tidak ada di bagian sources")
    return tuple(sources[k] for k in keys)


def _weights(c: _Check, d: dict, key: str, where: str) -> dict[str, float]:
    raw = d.get(key) or {}
    if not isinstance(raw, dict):
        raise c.fail(c.line(d, key), f"{where}.{key} harus pemetaan frasa: bobot")
    out = {}
    for phrase, w in raw.items():
        if not isinstance(w, int | float) or isinstance(w, bool):
            raise c.fail(c.line(raw, phrase), f"{where}.{key}: bobot {phrase!r} harus angka, bukan {w!r}")
        out[str(phrase)] = float(w)
    return out


def load_text(path: Path) -> TextRules:
    doc = read_yaml(path)
    c = _Check(path)
    c.keys(
        doc,
        "text.yaml",
        (
            "spelling",
            "promo_noise",
            "negators",
            "negation_window",
            "purpose_words",
            "hedges_before",
            "hedges_after",
            "modifier_words",
            "container_words",
            "count_words",
            "piece_words",
            "not_pack_words",
            "length_words",
            "measure_words",
        ),
        ("reviewed",),
    )
    spelling_raw = doc["spelling"]
    if not isinstance(spelling_raw, dict):
        raise c.fail(c.line(doc, "spelling"), "spelling harus pemetaan varian: bentuk baku")
    spelling = {}
    for src, dst in spelling_raw.items():
        if not isinstance(dst, str | int) or not str(dst).strip():
            raise c.fail(c.line(spelling_raw, src), f"spelling: {src!r} harus dipetakan ke teks")
        key = normalise_phrase(str(src), None)
        if not key:
            raise c.fail(c.line(spelling_raw, src), f"spelling: {src!r} kosong setelah normalisasi")
        spelling[key] = normalise_phrase(str(dst), None)
    counts = doc["count_words"]
    if not isinstance(counts, dict):
        raise c.fail(c.line(doc, "count_words"), "count_words harus pemetaan kata: jumlah")
    for word in counts:
        c.number(counts, word, "count_words", low=1, integer=True)
    lengths = doc["length_words"]
    if not isinstance(lengths, dict):
        raise c.fail(c.line(doc, "length_words"), "length_words harus pemetaan kata: meter")
    for word in lengths:
        c.number(lengths, word, "length_words", low=0.001)
    return TextRules(
        spelling=spelling,
        promo_noise=frozenset(normalise_phrase(p, None) for p in c.words(doc, "promo_noise", "")),
        negators=frozenset(c.words(doc, "negators", "")),
        negation_window=c.number(doc, "negation_window", "", low=1, integer=True),
        purpose_words=frozenset(c.words(doc, "purpose_words", "")),
        hedges_before=frozenset(c.words(doc, "hedges_before", "")),
        hedges_after=frozenset(c.words(doc, "hedges_after", "")),
        modifier_words=frozenset(c.words(doc, "modifier_words", "")),
        container_words=frozenset(c.words(doc, "container_words", "")),
        count_words={str(k): int(v) for k, v in counts.items()},
        piece_words=frozenset(c.words(doc, "piece_words", "")),
        not_pack_words=frozenset(c.words(doc, "not_pack_words", "")),
        length_words={str(k): float(v) for k, v in lengths.items()},
        measure_words=frozenset(c.words(doc, "measure_words", "")),
    )


def _floors(
    c: _Check, cat: dict, where: str, sources: dict[str, Source], forms: dict, techniques: dict
) -> tuple[Floor, ...]:
    raw = cat.get("floors") or []
    if not isinstance(raw, list):
        raise c.fail(c.line(cat, "floors"), f"{where}.floors harus daftar")
    out = []
    for i, f in enumerate(raw):
        fw = f"{where}.floors[{i}]"
        c.keys(
            f,
            fw,
            ("unit_id", "unit_en", "floor_idr", "why", "sources", "confidence"),
            ("forms", "technique", "requires_claim", "unless_claim", "nominal_length_m", "strong_below_idr"),
        )
        form_list = c.words(f, "forms", fw)  # empty: any form
        for form in form_list:
            if form != "default" and form not in forms:
                raise c.fail(c.line(f, "forms"), f"{fw}.forms: bentuk {form!r} tidak ada di bagian forms")
        tech_list = c.words(f, "technique", fw) or ["default"]
        for tech in tech_list:
            if tech != "default" and tech not in techniques:
                raise c.fail(
                    c.line(f, "technique"), f"{fw}.technique: teknik {tech!r} tidak ada di bagian techniques"
                )
        for key in ("requires_claim", "unless_claim"):
            value = f.get(key)
            if value is not None and value not in techniques:
                raise c.fail(c.line(f, key), f"{fw}.{key}: teknik {value!r} tidak ada di bagian techniques")
        floor = c.number(f, "floor_idr", fw, low=1, integer=True)
        strong = c.number(f, "strong_below_idr", fw, low=1, integer=True, allow_none=True)
        if strong is not None and strong > floor:
            raise c.fail(
                c.line(f, "strong_below_idr"),
                f"{fw}.strong_below_idr ({strong}) melebihi floor_idr ({floor})",
            )
        out.append(
            Floor(
                forms=tuple(form_list),
                techniques=tuple(tech_list),
                requires_claim=f.get("requires_claim"),
                unless_claim=f.get("unless_claim"),
                unit_id=c.text(f, "unit_id", fw),
                unit_en=c.text(f, "unit_en", fw),
                nominal_length_m=c.number(f, "nominal_length_m", fw, low=0.01, allow_none=True),
                floor_idr=floor,
                strong_below_idr=strong,
                why=c.text(f, "why", fw),
                sources=_refs(c, f, "sources", fw, sources),
                confidence=c.choice(f, "confidence", fw, CONFIDENCES),
                line=getattr(f, "line", 0),
            )
        )
    return tuple(out)


def load_categories(path: Path) -> dict[str, Any]:
    doc = read_yaml(path)
    c = _Check(path)
    c.keys(
        doc,
        "categories.yaml",
        (
            "min_score",
            "description_weight",
            "first_word_bonus",
            "hedged_alias_factor",
            "sources",
            "forms",
            "techniques",
            "cues",
            "groups",
            "categories",
            "distractors",
            "motif_products",
        ),
        ("reviewed",),
    )
    sources = _sources(c, doc)
    forms_raw = doc["forms"]
    c.keys(forms_raw, "forms", (), tuple(forms_raw) if isinstance(forms_raw, dict) else ())
    forms = {str(k): tuple(c.words(forms_raw, k, "forms", allow_missing=False)) for k in forms_raw}
    cues_raw = doc["cues"]
    if not isinstance(cues_raw, dict):
        raise c.fail(c.line(doc, "cues"), "cues harus pemetaan nama: kumpulan kata")
    cues = {}
    for name, s in cues_raw.items():
        w = f"cues.{name}"
        c.keys(s, w, (), ("explicit", "terms", "patterns"))
        explicit = s.get("explicit", False)
        if not isinstance(explicit, bool):
            raise c.fail(c.line(s, "explicit"), f"{w}.explicit harus true/false")
        pats = c.words(s, "patterns", w)
        lines = getattr(s.get("patterns"), "lines", None) or [c.line(s, "patterns")] * len(pats)
        compiled = tuple(c.pattern(p, ln, w) for p, ln in zip(pats, lines, strict=False))
        terms = tuple(c.words(s, "terms", w))
        if not terms and not compiled:
            raise c.fail(c.line(s), f"{w}: perlu terms atau patterns")
        cues[str(name)] = CueSet(str(name), explicit, terms, compiled)
    tech_raw = doc["techniques"]
    if not isinstance(tech_raw, dict):
        raise c.fail(c.line(doc, "techniques"), "techniques harus pemetaan")
    techniques = {}
    for name, t in tech_raw.items():
        w = f"techniques.{name}"
        c.keys(t, w, ("terms",), ("strong_cues", "weak_cues", "support"))
        for key in ("strong_cues", "weak_cues", "support"):
            for cue in c.words(t, key, w):
                if cue not in cues:
                    raise c.fail(
                        c.line(t, key), f"{w}.{key}: kumpulan isyarat {cue!r} tidak ada di bagian cues"
                    )
        techniques[str(name)] = Technique(
            str(name),
            tuple(c.words(t, "terms", w, allow_missing=False)),
            tuple(c.words(t, "strong_cues", w)),
            tuple(c.words(t, "weak_cues", w)),
            tuple(c.words(t, "support", w)),
        )
    cats_raw = doc["categories"]
    if not isinstance(cats_raw, dict) or not cats_raw:
        raise c.fail(c.line(doc, "categories"), "categories harus pemetaan yang tidak kosong")
    groups_raw = doc["groups"] or {}
    categories = {}
    for name, cat in cats_raw.items():
        w = f"categories.{name}"
        if name == "other":
            raise c.fail(c.line(cats_raw, name), "'other' adalah kategori bawaan; jangan didefinisikan")
        c.keys(
            cat,
            w,
            ("name_id", "name_en"),
            (
                "group",
                "claims",
                "aliases",
                "floors",
                "motif_is_category",
                "not_forms",
                "made_of",
                "hedged_factor",
                "motifs",
            ),
        )
        for form in c.words(cat, "not_forms", w):
            if form not in forms:
                raise c.fail(
                    c.line(cat, "not_forms"), f"{w}.not_forms: bentuk {form!r} tidak ada di bagian forms"
                )
        if not isinstance(cat.get("motif_is_category", False), bool):
            raise c.fail(c.line(cat, "motif_is_category"), f"{w}.motif_is_category harus true/false")
        group = cat.get("group")
        if group is not None and group not in groups_raw:
            raise c.fail(c.line(cat, "group"), f"{w}.group: kelompok {group!r} tidak ada di bagian groups")
        claims = c.words(cat, "claims", w)
        for claim in claims:
            if claim not in techniques:
                raise c.fail(
                    c.line(cat, "claims"), f"{w}.claims: teknik {claim!r} tidak ada di bagian techniques"
                )
        aliases = _weights(c, cat, "aliases", w)
        if group is None and not any(v > 0 for v in aliases.values()):
            raise c.fail(c.line(cat), f"{w}: perlu aliases (atau group)")
        made_of = None
        if cat.get("made_of") is not None:
            mo, mw = cat["made_of"], f"{w}.made_of"
            c.keys(mo, mw, ("products", "materials", "weight", "window"))
            made_of = MadeOf(
                products=tuple(c.words(mo, "products", mw, allow_missing=False)),
                materials=tuple(c.words(mo, "materials", mw, allow_missing=False)),
                weight=c.number(mo, "weight", mw, low=0),
                window=c.number(mo, "window", mw, low=1, integer=True),
            )
        categories[str(name)] = Category(
            name=str(name),
            name_id=c.text(cat, "name_id", w),
            name_en=c.text(cat, "name_en", w),
            group=group,
            claims=tuple(claims),
            aliases=aliases,
            floors=_floors(c, cat, w, sources, forms, techniques),
            motif_is_category=cat.get("motif_is_category", False),
            not_forms=tuple(c.words(cat, "not_forms", w)),
            made_of=made_of,
            hedged_factor=c.number(cat, "hedged_factor", w, low=0, allow_none=True),
            motifs=_weights(c, cat, "motifs", w),
        )
    groups = {}
    if not isinstance(groups_raw, dict):
        raise c.fail(c.line(doc, "groups"), "groups harus pemetaan")
    for name, g in groups_raw.items():
        w = f"groups.{name}"
        c.keys(g, w, ("aliases", "default"), ("by_form", "by_technique", "motif_is_category", "motifs"))
        motif_is_category = g.get("motif_is_category", False)
        if not isinstance(motif_is_category, bool):
            raise c.fail(c.line(g, "motif_is_category"), f"{w}.motif_is_category harus true/false")
        by_form = g.get("by_form") or {}
        by_tech = g.get("by_technique") or {}
        for mapping, label, known in ((by_form, "by_form", forms), (by_tech, "by_technique", techniques)):
            if not isinstance(mapping, dict):
                raise c.fail(c.line(g, label), f"{w}.{label} harus pemetaan")
            for k, v in mapping.items():
                if k not in known:
                    raise c.fail(c.line(mapping, k), f"{w}.{label}: {k!r} tidak dikenal")
                if v not in categories:
                    raise c.fail(c.line(mapping, k), f"{w}.{label}: kategori {v!r} tidak ada")
        default = g.get("default")
        if default not in categories:
            raise c.fail(c.line(g, "default"), f"{w}.default: kategori {default!r} tidak ada")
        groups[str(name)] = Group(
            str(name),
            _weights(c, g, "aliases", w),
            dict(by_form),
            dict(by_tech),
            default,
            motif_is_category,
            _weights(c, g, "motifs", w),
        )
    dist = doc["distractors"]
    c.keys(dist, "distractors", ("weight", "terms"), ("materials", "heads"))
    return {
        "min_score": c.number(doc, "min_score", "", low=0),
        "description_weight": c.number(doc, "description_weight", "", low=0),
        "first_word_bonus": c.number(doc, "first_word_bonus", "", low=1),
        "hedged_alias_factor": c.number(doc, "hedged_alias_factor", "", low=0),
        "forms": forms,
        "techniques": techniques,
        "cues": cues,
        "groups": groups,
        "categories": categories,
        "distractor_weight": c.number(dist, "weight", "distractors", low=0),
        "distractors": tuple(c.words(dist, "terms", "distractors", allow_missing=False)),
        "material_distractors": tuple(c.words(dist, "materials", "distractors")),
        "head_distractors": tuple(c.words(dist, "heads", "distractors")),
        "motif_products": tuple(c.words(doc, "motif_products", "", allow_missing=False)),
    }


def load_signals(path: Path) -> dict[str, Any]:
    doc = read_yaml(path)
    c = _Check(path)
    c.keys(
        doc,
        "signals.yaml",
        (
            "threshold",
            "strong",
            "sources",
            "overseas_locations",
            "wholesale_hubs",
            "positive_list_terms",
            "signals",
            "rules",
        ),
        ("reviewed",),
    )
    sources = _sources(c, doc)
    raw = doc["signals"]
    if not isinstance(raw, list) or not raw:
        raise c.fail(c.line(doc, "signals"), "signals harus daftar yang tidak kosong")
    signals, seen = [], set()
    for i, s in enumerate(raw):
        w = f"signals[{i}]"
        c.keys(
            s,
            w,
            ("id", "weight", "label_id", "label_en", "sources"),
            ("group", "terms", "patterns", "detector", "field"),
        )
        field_name = s.get("field", "text")
        if field_name not in ("text", "seller_name"):
            raise c.fail(
                c.line(s, "field"), f"{w}.field harus 'text' atau 'seller_name', bukan {field_name!r}"
            )
        sid = c.text(s, "id", w)
        if sid in seen:
            raise c.fail(c.line(s, "id"), f"{w}: id {sid!r} dipakai dua kali")
        seen.add(sid)
        detector = s.get("detector")
        if detector is not None and detector not in DETECTORS:
            raise c.fail(c.line(s, "detector"), f"{w}.detector harus salah satu dari {', '.join(DETECTORS)}")
        pats = c.words(s, "patterns", w)
        lines = getattr(s.get("patterns"), "lines", None) or [c.line(s, "patterns")] * len(pats)
        terms = tuple(c.words(s, "terms", w))
        compiled = tuple(c.pattern(p, ln, w) for p, ln in zip(pats, lines, strict=False))
        if not detector and not terms and not compiled:
            raise c.fail(c.line(s), f"{w} ({sid}): perlu terms, patterns atau detector")
        signals.append(
            Signal(
                id=sid,
                weight=c.number(s, "weight", w),
                group=s.get("group"),
                terms=terms,
                patterns=compiled,
                detector=detector,
                label_id=c.text(s, "label_id", w),
                label_en=c.text(s, "label_en", w),
                sources=_refs(c, s, "sources", w, sources),
                field=field_name,
            )
        )
    rules_raw = doc["rules"]
    if not isinstance(rules_raw, dict):
        raise c.fail(c.line(doc, "rules"), "rules harus pemetaan id aturan: pengaturan")
    rules = {}
    for rid, r in rules_raw.items():
        w = f"rules.{rid}"
        if rid not in RULE_IDS:
            raise c.fail(
                c.line(rules_raw, rid), f"{w}: id aturan tidak dikenal (boleh: {', '.join(RULE_IDS)})"
            )
        if not isinstance(r, dict):
            raise c.fail(c.line(rules_raw, rid), f"{w} harus pemetaan")
        for key in ("severity", "legal_basis", "sources"):
            if key not in r:
                raise c.fail(c.line(r), f"{w}: kunci wajib {key!r} tidak ada")
        params = {}
        for key, value in r.items():
            if key in ("severity", "legal_basis", "sources"):
                continue
            if key.startswith("severity_"):
                c.choice(r, key, w, SEVERITIES)
            elif not isinstance(value, int | float) or isinstance(value, bool):
                raise c.fail(c.line(r, key), f"{w}.{key} harus angka, bukan {value!r}")
            params[str(key)] = value
        rules[str(rid)] = RuleSettings(
            id=str(rid),
            severity=c.choice(r, "severity", w, SEVERITIES),
            legal_basis=c.text(r, "legal_basis", w),
            sources=_refs(c, r, "sources", w, sources),
            params=params,
        )
    missing = [rid for rid in RULE_IDS if rid not in rules]
    if missing:
        raise c.fail(c.line(doc, "rules"), f"rules: pengaturan untuk {', '.join(missing)} tidak ada")
    return {
        "import_threshold": c.number(doc, "threshold", "", low=0.1),
        "import_strong": c.number(doc, "strong", "", low=0.1),
        "signals": tuple(signals),
        "overseas_locations": tuple(c.words(doc, "overseas_locations", "")),
        "wholesale_hubs": tuple(c.words(doc, "wholesale_hubs", "")),
        "positive_list_terms": tuple(c.words(doc, "positive_list_terms", "")),
        "rules": rules,
    }


def load_rates(path: Path) -> dict[str, Rate]:
    doc = read_yaml(path)
    c = _Check(path)
    c.keys(doc, "rates.yaml", ("sources", "rates"), ("reviewed",))
    sources = _sources(c, doc)
    raw = doc["rates"]
    if not isinstance(raw, dict) or "USD" not in raw:
        raise c.fail(c.line(doc, "rates"), "rates harus memuat setidaknya USD")
    out = {}
    for cur, r in raw.items():
        w = f"rates.{cur}"
        if not re.fullmatch(r"[A-Z]{3}", str(cur)):
            raise c.fail(c.line(raw, cur), f"{w}: kode mata uang harus 3 huruf ISO 4217")
        c.keys(r, w, ("idr", "date", "source"))
        key = c.text(r, "source", w)
        if key not in sources:
            raise c.fail(c.line(r, "source"), f"{w}.source: sumber {key!r} tidak ada di bagian sources")
        out[str(cur)] = Rate(str(cur), c.number(r, "idr", w, low=1), c.date(r, "date", w), sources[key])
    return out


def load_watchlist(path: Path, categories: dict[str, Category]) -> tuple[WatchEntry, ...]:
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise DataError(path, None, "berkas tidak ada (file missing)") from None
    entries, seen = [], set()
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise DataError(path, 1, "berkas kosong: baris judul kolom tidak ada")
            header = [h.strip() for h in header]
            if tuple(header) != WATCHLIST_COLUMNS:
                raise DataError(path, 1, f"kolom harus tepat: {','.join(WATCHLIST_COLUMNS)}")
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(WATCHLIST_COLUMNS):
                    raise DataError(path, line, f"harus {len(WATCHLIST_COLUMNS)} kolom, ada {len(row)}")
                rec = dict(zip(WATCHLIST_COLUMNS, (cell.strip() for cell in row), strict=True))
                if not rec["id"]:
                    raise DataError(path, line, "kolom id kosong")
                if rec["id"] in seen:
                    raise DataError(path, line, f"id {rec['id']!r} dipakai dua kali")
                seen.add(rec["id"])
                if not (rec["title"] or rec["url"] or (rec["marketplace"] and rec["listing_id"])):
                    raise DataError(path, line, "perlu title, url, atau marketplace + listing_id")
                if rec["category"] and rec["category"] not in categories and rec["category"] != "other":
                    raise DataError(path, line, f"kategori {rec['category']!r} tidak dikenal")
                if not (rec["reported_on"] == "n.d." or _DATE.match(rec["reported_on"])):
                    raise DataError(
                        path, line, f"reported_on harus tanggal YYYY[-MM[-DD]], bukan {rec['reported_on']!r}"
                    )
                if not rec["source"]:
                    raise DataError(path, line, "kolom source (sumber laporan) kosong")
                entries.append(WatchEntry(**rec, line=line))
        except csv.Error as exc:
            raise DataError(path, reader.line_num, f"CSV tidak valid: {exc}") from None
        except UnicodeDecodeError as exc:
            raise DataError(path, None, f"bukan UTF-8: {exc}") from None
    return tuple(entries)


def load_reference(data_dir: str | Path) -> Reference:
    data_dir = Path(data_dir)
    digest = hashlib.sha256()
    for name in FILES:
        path = data_dir / name
        try:
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        except FileNotFoundError:
            raise DataError(path, None, "berkas tidak ada (file missing)") from None
    text = load_text(data_dir / "text.yaml")
    cats = load_categories(data_dir / "categories.yaml")
    sigs = load_signals(data_dir / "signals.yaml")
    rates = load_rates(data_dir / "rates.yaml")
    watchlist = load_watchlist(data_dir / "watchlist.csv", cats["categories"])
    return Reference(
        data_dir=data_dir,
        digest=digest.hexdigest()[:12],
        text=text,
        rates=rates,
        watchlist=watchlist,
        **cats,
        **sigs,
    )
