"""Hostile text: empty, 10,000 characters, emoji only, CJK only, markup. Scraped text stays data."""

from __future__ import annotations

import pytest

from crawler.items import Listing
from matchers import load_matcher


@pytest.fixture(scope="module")
def matcher():
    return load_matcher()


def make(title, desc=None, price=50_000, loc=None) -> Listing:
    return Listing(
        "tokopedia",
        "H1",
        "https://www.tokopedia.com/x/y",
        title,
        price,
        description=desc,
        seller_location=loc,
    )


def test_empty_everything(matcher):
    a = matcher.assess(Listing("tokopedia", "H0", "", "", None))
    assert (a.category, a.risk, a.flags, a.unit_price_idr) == ("other", 0, [], None)
    assert not (a.likely_imported or a.below_local_cost or a.mislabelled_technique)


def test_ten_thousand_characters(matcher):
    title = ("Kain Batik Tulis Lasem " * 500)[:10_000]
    a = matcher.assess(make(title, desc="x" * 10_000, price=150_000))
    assert len(title) == 10_000
    assert a.category == "batik_tulis" and a.below_local_cost is True


def test_emoji_only(matcher):
    a = matcher.assess(make("🔥🔥🔥😍😍✨✨👍", desc="🎉" * 50))
    assert (a.category, a.flags, a.risk) == ("other", [], 0)


def test_cjk_only_is_import_evidence_and_nothing_else(matcher):
    a = matcher.assess(make("男士衬衫蜡染布料", desc="牛奶棉"))
    assert a.category == "other"
    assert [f.rule for f in a.flags] == ["IMPORT_SIGNALS"]
    assert a.flags[0].evidence["signals"][0]["words"] == ["男士衬衫蜡染布料牛奶棉"]


def test_markup_and_formula_are_plain_words(matcher):
    a = matcher.assess(
        make('<script>alert("x")</script> =HYPERLINK("http://x") Kain Batik Tulis', price=150_000)
    )
    assert a.category == "batik_tulis"
    assert all("<script>" not in f.reason_id for f in a.flags)


def test_control_characters_and_zero_or_negative_price(matcher):
    a = matcher.assess(make("Kain\x00Batik\x1bTulis", price=0))
    b = matcher.assess(make("Kain Batik Tulis", price=-5))
    assert a.unit_price_idr is None and b.unit_price_idr is None
    assert not a.below_local_cost and not b.below_local_cost


def test_absurd_pack_and_length_numbers(matcher):
    a = matcher.assess(make("Kemeja Batik isi 99999999999999999999 pcs 1 roll 0 yard", price=60_000))
    assert (a.unit_price_idr, a.units, a.below_local_cost) == (60_000, 1.0, False)


def test_hostile_rows_in_a_cluster_pass(matcher):
    rows = [make(""), make("🔥"), make("男士衬衫"), make("a" * 10_000)]
    assert len(matcher.assess_all(rows)) == 4
