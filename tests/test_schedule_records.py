"""Every run on the record: the job_runs view (what each run found new since the previous run of the
same job), through the store and through Datasette."""

from __future__ import annotations

import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from crawler.datasette_app import make_datasette
from crawler.items import Assessment, Flag, Listing, ScoredListing
from crawler.store import RunRecords, Store


def scored(lid: str, high: bool = False) -> ScoredListing:
    flags = [Flag("tokopedia", lid, "BELOW_FLOOR", "high", 1.0, "murah", "cheap")] if high else []
    low = [Flag("tokopedia", lid, "IMPORT_WORDS", "low", 0.2, "impor?", "import?")]
    return ScoredListing(
        Listing("tokopedia", lid, f"https://t/{lid}", f"batik {lid}"),
        Assessment("tokopedia", lid, risk=90 if high else 10, flags=flags + low),
    )


def run(store: Store, job: str, items: list[ScoredListing], status: str = "finished") -> int:
    crawl_id = store.start_crawl(["tokopedia"], ["batik"], job=job)
    store.save_batch(crawl_id, items)
    store.finish_crawl(crawl_id, status=status)
    return crawl_id


def history(tmp_path) -> tuple[Store, list[int]]:
    store = Store(tmp_path / "patroli.db")
    records = RunRecords(store)
    first = run(store, "malam", [scored("A"), scored("B", high=True)])
    other = run(store, "lain", [scored("C")])  # another job in between
    skipped = records.record_skipped(
        "malam",
        ["tokopedia"],
        ["batik"],
        scheduled_for="2024-05-02T18:00:00Z",
        trigger="jadwal",
        reason="masih",
    )
    failed = run(store, "malam", [], status="failed")
    third = run(store, "malam", [scored("A", high=True), scored("C", high=True), scored("D", high=True)])
    return store, [first, other, skipped, failed, third]


def test_job_runs_compare_each_run_with_the_previous_run_of_its_job(tmp_path):
    store, (first, other, skipped, failed, third) = history(tmp_path)
    runs = {r["id"]: r for r in RunRecords(store).runs()}
    assert [r["id"] for r in RunRecords(store).runs("malam")] == [third, failed, skipped, first]
    assert (runs[first]["previous_run"], runs[first]["new_since_previous"], runs[first]["new_high_risk"]) == (
        None,
        2,
        1,
    )
    # The third run is compared with the first (the failed and skipped runs do not count, nor the
    # other job's run): C and D are new to this job, both high-risk; A was seen, so it is not new.
    assert runs[third]["previous_run"] == first
    assert (runs[third]["new_since_previous"], runs[third]["new_high_risk"]) == (2, 2)
    assert (runs[third]["listings_new"], runs[third]["listings_seen"]) == (1, 3)  # C was seen by 'lain'
    assert runs[skipped]["status"] == "skipped" and runs[skipped]["reason"] == "masih"
    assert runs[failed]["previous_run"] == first and runs[failed]["new_since_previous"] == 0
    assert runs[other]["previous_run"] is None


@pytest_twisted.ensureDeferred
async def test_datasette_shows_job_runs_with_its_labels(tmp_path):
    store, ids = history(tmp_path)
    store.close()
    ds = make_datasette(tmp_path / "patroli.db")

    async def fetch():
        rows = await ds.client.get("/patroli/job_runs.json?_shape=array&job=malam")
        page = await ds.client.get("/patroli/job_runs")
        return rows, page

    rows, page = await deferred_from_coro(fetch())
    assert rows.status_code == 200
    data = rows.json()
    assert [r["id"] for r in data] == [ids[4], ids[3], ids[2], ids[0]]
    assert data[0]["new_since_previous"] == 2 and data[0]["new_high_risk"] == 2
    assert "Riwayat jadwal - apa yang baru di setiap patroli" in page.text
