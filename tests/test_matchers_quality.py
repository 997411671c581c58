"""The labelled sets: issue 4's goals hold on ../shared/labelled/dev.jsonl (the set the rules were
tuned on) and on tests/data/labelled_extra.jsonl (200 listings written from the labelling conventions
alone, kept in the repo), and the verdicts do not move when only the surface of a listing changes
(case, emoji, promo noise)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from matchers import load_matcher
from matchers.jsonl import read_rows

LABELLED = Path(__file__).resolve().parent.parent.parent / "shared" / "labelled"
EXTRA = Path(__file__).resolve().parent / "data" / "labelled_extra.jsonl"

GOALS = {  # verdict: (precision, recall), issue 4
    "likely_imported": (0.90, 0.80),
    "below_local_cost": (0.95, 0.95),
    "mislabelled_technique": (0.85, 0.75),
}


@pytest.fixture(scope="module")
def scored():
    path = LABELLED / "dev.jsonl"
    if not path.exists():
        pytest.skip("../shared/labelled/dev.jsonl ada di CI, tidak di klon ini (labelled set absent)")
    with path.open(encoding="utf-8") as handle:
        rows = [r for r in read_rows(handle) if not isinstance(r, tuple)]
    matcher = load_matcher()
    return matcher, rows, matcher.assess_all([r.listing for r in rows])


def test_dev_set_reads_completely(scored):
    _, rows, assessments = scored
    assert len(rows) == 250 and len(assessments) == 250


@pytest.mark.parametrize("verdict", sorted(GOALS))
def test_dev_goals(scored, verdict):
    _, rows, assessments = scored
    tp = sum(
        1 for r, a in zip(rows, assessments, strict=True) if getattr(a, verdict) and r.raw["labels"][verdict]
    )
    predicted = sum(1 for a in assessments if getattr(a, verdict))
    actual = sum(1 for r in rows if r.raw["labels"][verdict])
    precision, recall = tp / predicted, tp / actual
    goal_p, goal_r = GOALS[verdict]
    assert precision >= goal_p and recall >= goal_r, (verdict, precision, recall)


def test_dev_category_accuracy(scored):
    _, rows, assessments = scored
    right = sum(
        1 for r, a in zip(rows, assessments, strict=True) if r.raw["labels"]["category"] == a.category
    )
    assert right / len(rows) >= 0.90


def precision_recall(rows, assessments, verdict):
    tp = sum(
        1 for r, a in zip(rows, assessments, strict=True) if getattr(a, verdict) and r.raw["labels"][verdict]
    )
    predicted = sum(1 for a in assessments if getattr(a, verdict))
    actual = sum(1 for r in rows if r.raw["labels"][verdict])
    return tp / predicted, tp / actual


@pytest.fixture(scope="module")
def extra():
    with EXTRA.open(encoding="utf-8") as handle:
        rows = [r for r in read_rows(handle) if not isinstance(r, tuple)]
    return rows, load_matcher().assess_all([r.listing for r in rows])


def test_extra_set_reads_completely(extra):
    rows, assessments = extra
    assert len(rows) == 200 and len(assessments) == 200


@pytest.mark.parametrize("verdict", sorted(GOALS))
def test_extra_set_goals(extra, verdict):
    precision, recall = precision_recall(*extra, verdict)
    goal_p, goal_r = GOALS[verdict]
    assert precision >= goal_p and recall >= goal_r, (verdict, precision, recall)


def test_extra_set_category_accuracy(extra):
    rows, assessments = extra
    right = sum(
        1 for r, a in zip(rows, assessments, strict=True) if r.raw["labels"]["category"] == a.category
    )
    assert right / len(rows) >= 0.90


def surface(listing, how: str):
    if how == "upper":
        return dataclasses.replace(
            listing, title=listing.title.upper(), description=(listing.description or "").upper()
        )
    if how == "promo":
        return dataclasses.replace(listing, title=f"🔥[PROMO] {listing.title} !!! BISA COD 🔥")
    return dataclasses.replace(listing, seller_location=(listing.seller_location or "").upper() or None)


@pytest.mark.parametrize("how", ["upper", "promo", "location"])
def test_verdicts_ignore_the_surface(scored, how):
    matcher, rows, assessments = scored
    changed = matcher.assess_all([surface(r.listing, how) for r in rows])

    def key(a):
        return (a.category, a.likely_imported, a.below_local_cost, a.mislabelled_technique)

    assert [key(a) for a in changed] == [key(a) for a in assessments]


@pytest.mark.parametrize("how", ["upper", "promo", "location"])
def test_extra_set_verdicts_ignore_the_surface(extra, how):
    rows, assessments = extra
    changed = load_matcher().assess_all([surface(r.listing, how) for r in rows])

    def key(a):
        return (a.category, a.likely_imported, a.below_local_cost, a.mislabelled_technique)

    assert [key(a) for a in changed] == [key(a) for a in assessments]
