"""schema.org Product reading shared by the shop and Lazada parsers."""

from __future__ import annotations

import parsel
import pytest

from spiders.pages import schemaorg


def test_lazada_capture_jsonld_through_the_shared_path(fixture_path):
    html = fixture_path("lazada/search_diapers_watson_PH.html").read_text(encoding="utf-8")
    blocks = schemaorg.jsonld_blocks(parsel.Selector(text=html))
    assert [sorted(schemaorg.type_names(b)) for b in blocks] == [
        ["product"],
        ["breadcrumblist"],
        ["itemlist"],
    ]
    (node,) = schemaorg.find_typed(blocks, "Product")
    product = schemaorg.read_product(node)
    assert product.name == "WATSONS Soft & Clean Round Puffs 100pcs"
    assert product.sku == "265078143_PH"
    assert product.brand == "Watsons"
    assert (product.rating, product.review_count) == ("5.0", "2057")
    assert product.image == "https://ph-live-01.slatic.net/p/5584ee1b19044987e7b4064c658cad4b.png"
    assert (product.price, product.currency) == (None, None)  # this block states no offer
    (items,) = schemaorg.find_typed(blocks, "ItemList")
    assert len(items["itemListElement"]) == 10
    # A breadcrumb with only the home link names no category.
    assert schemaorg.breadcrumb_path(blocks) is None


@pytest.mark.parametrize(
    "offers, expected",
    [
        ({"@type": "Offer", "price": 150000, "priceCurrency": "idr"}, ("150000", None, "IDR")),
        (
            {"@type": "Offer", "price": "150000.50", "priceCurrency": "IDR"},
            ("150000.50", None, "IDR"),
        ),
        (
            {"@type": "AggregateOffer", "lowPrice": "90000", "highPrice": "90000"},
            ("90000", None, None),
        ),
        (
            {"priceSpecification": [{"price": "75000", "priceCurrency": "IDR"}]},
            ("75000", None, "IDR"),
        ),
        (
            [{"price": "350.000", "priceCurrency": "IDR"}, {"price": "1.250.000"}, {"price": "0"}],
            ("350.000", "1.250.000", "IDR"),
        ),
        ([], (None, None, None)),
        ("free", (None, None, None)),
    ],
)
def test_offers(offers, expected):
    product = schemaorg.read_product({"@type": "Product", "name": "x", "offers": offers})
    assert (product.price, product.price_max, product.currency) == expected


def test_types_in_graph_and_as_urls():
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "name": "p"},
            {"@type": ["http://schema.org/Product", "Thing"], "name": "Tenun"},
        ],
    }
    (node,) = schemaorg.find_typed(data, "Product")
    assert node["name"] == "Tenun"


def test_deep_nesting_is_bounded():
    data: list = []
    inner = data
    for _ in range(500):
        inner.append([])
        inner = inner[0]
    inner.append({"@type": "Product", "name": "deep"})
    assert schemaorg.find_typed(data, "Product") == []


def test_html_text():
    assert schemaorg.html_text("<div><p>Satu</p><p>Dua &amp; <b>tiga</b></p><ul><li>a</li></ul></div>") == (
        "Satu\nDua & tiga\na"
    )
    assert schemaorg.html_text("polos saja ") == "polos saja"
    assert schemaorg.html_text("<script>alert(1)</script><p>isi</p>") == "isi"
    assert schemaorg.html_text("") is None
