from crawler.items import RawListing
from spiders.base import merge_detail


def test_detail_enriches_but_never_changes_identity():
    search = RawListing(
        "tokopedia",
        "100",
        "https://www.tokopedia.com/toko/kain-100",
        "Kain",
        price="Rp10.000",
        seller_location="Kab. Rembang",
        keyword="batik",
    )
    detail = RawListing(
        "tokopedia",
        "101",
        "https://www.tokopedia.com/toko/kain-101?variant=1",
        "Kain Batik Tulis Lasem",
        price="Rp12.000",
        description="Tulis tangan, PO 14 hari",
        seller_location="",
    )
    merged = merge_detail(search, detail)
    assert (merged.listing_id, merged.url, merged.keyword) == (
        "100",
        "https://www.tokopedia.com/toko/kain-100",
        "batik",
    )
    assert (merged.title, merged.price, merged.description) == (
        "Kain Batik Tulis Lasem",
        "Rp12.000",
        "Tulis tangan, PO 14 hari",
    )
    assert merged.seller_location == "Kab. Rembang"  # an empty value on the product page does not erase
    assert merge_detail(search, None) is search
