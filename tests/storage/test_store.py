"""The SQLite store (bot.storage.store): schema, FTS, transactions, refusals."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.news.article import Analysis, Takeaway
from bot.news.parse import parse_bytes, parse_text
from bot.storage.store import Store, StoreError
from tests.conftest import FIXTURES, SEED

MIGRATIONS = Path(__file__).resolve().parents[2] / "bot" / "storage" / "migrations"
LATEST = max(int(p.name[:3]) for p in MIGRATIONS.glob("[0-9][0-9][0-9]*.sql"))


def analysis(text: str, article_id: str, takeaways=()) -> Analysis:
    return Analysis(parse_text(text, article_id), tuple(takeaways))


def sql(path: Path, query: str, params=()) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


@pytest.fixture
async def store(tmp_path):
    s = await Store.open(tmp_path / "sub" / "brief.sqlite3")
    yield s
    await s.close()


async def put(store: Store, *items: Analysis) -> None:
    async with store.transaction() as w:
        for item in items:
            await w.upsert(item, origin="seeds", path=f"{item.article.id}.txt", analysis_key="k/v1")


HARBOR = (FIXTURES / "harbor_ferry.txt").read_text(encoding="utf-8")
LIBRARY = (FIXTURES / "town_library.txt").read_text(encoding="utf-8")


# -- schema ------------------------------------------------------------------------------


async def test_open_creates_the_folder_and_migrates_to_the_latest_version(store):
    assert store.path.is_file()
    assert sql(store.path, "PRAGMA user_version") == [(LATEST,)]


async def test_database_is_in_wal_mode(store):
    assert sql(store.path, "PRAGMA journal_mode") == [("wal",)]


async def test_fts5_table_exists(store):
    rows = sql(store.path, "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'")
    assert rows and "fts5" in rows[0][0].lower()


async def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path):
    path = tmp_path / "brief.sqlite3"
    s = await Store.open(path)
    await put(s, analysis(LIBRARY, "lib"))
    await s.close()
    s = await Store.open(path)
    try:
        assert await s.count_articles() == 1
        assert sql(path, "PRAGMA user_version") == [(LATEST,)]
    finally:
        await s.close()


async def test_foreign_keys_are_on_deleting_an_article_deletes_its_rows(store):
    a = analysis(HARBOR, "harbor", [Takeaway("x", 0, 0)])
    await put(store, a)
    await store.save_summary("harbor", "luhn", 2, [])
    assert sql(store.path, "SELECT count(*) FROM sentences WHERE article_id='harbor'")[0][0] > 0
    async with store.transaction() as w:
        await w.delete(["harbor"])
    for table in ("sentences", "publisher_takeaways", "takeaways", "summaries"):
        assert sql(store.path, f"SELECT count(*) FROM {table}") == [(0,)], table


# -- FTS kept in line --------------------------------------------------------------------


async def test_fts_index_follows_insert_update_and_delete(store):
    await put(store, analysis("Ferry news\n\nThe ferry sails at dawn.", "a"))
    assert [e.id for e in await store.search_titles('"dawn"', 5)] == ["a"]
    await put(store, analysis("Ferry news\n\nThe ferry sails at dusk.", "a"))
    assert await store.search_titles('"dawn"', 5) == []
    assert [e.id for e in await store.search_titles('"dusk"', 5)] == ["a"]
    async with store.transaction() as w:
        await w.delete(["a"])
    assert await store.search_titles('"dusk"', 5) == []
    con = sqlite3.connect(store.path)
    try:  # the external-content index is consistent with its table
        con.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    finally:
        con.close()


async def test_malformed_fts_query_gives_no_results_not_an_error(store):
    await put(store, analysis(LIBRARY, "lib"))
    assert await store.search_titles('"unbalanced', 5) == []


async def test_search_titles_ranks_the_best_match_first(store):
    await put(
        store,
        analysis("Weather for the week\n\nRain is expected. Farmers mention the harvest once.", "weather"),
        analysis(
            "Harvest festival draws crowds\n\nThe harvest festival opened. The harvest was large.",
            "harvest",
        ),
    )
    assert [e.id for e in await store.search_titles('"harvest"', 5)] == ["harvest", "weather"]


# -- round trips -------------------------------------------------------------------------


async def test_an_article_comes_back_equal_to_what_was_stored(store):
    seed = parse_bytes(SEED.read_bytes(), "seed")
    md = parse_bytes((FIXTURES / "river_footbridge.md").read_bytes(), "river")
    await put(store, Analysis(seed), Analysis(md))
    assert await store.article("seed") == seed
    assert await store.article("river") == md
    assert await store.publisher_takeaways("seed") == seed.publisher_takeaways
    assert await store.paragraph_count("seed") == len(seed.paragraphs)
    assert await store.article("missing") is None


async def test_takeaways_come_back_best_first_and_limited_to_count(store):
    a = parse_text(LIBRARY, "lib")
    ranked = (Takeaway(a.paragraphs[2][1], 2, 1), Takeaway(a.paragraphs[0][0], 0, 0),
              Takeaway(a.paragraphs[1][0], 1, 0))
    await put(store, Analysis(a, ranked))
    assert await store.takeaways("lib", 2) == ranked[:2]
    assert await store.takeaways("lib", 10) == ranked


async def test_cached_summary_round_trip_and_cleared_when_the_article_changes(store):
    a = parse_text(LIBRARY, "lib")
    await put(store, Analysis(a))
    chosen = (Takeaway(a.paragraphs[0][0], 0, 0), Takeaway(a.paragraphs[3][1], 3, 1))
    await store.save_summary("lib", "luhn", 2, chosen)
    assert await store.cached_summary("lib", "luhn", 2) == chosen
    assert await store.cached_summary("lib", "luhn", 3) is None
    assert await store.cached_summary("lib", "kl", 2) is None
    await put(store, Analysis(a))  # a new version: old summaries no longer apply
    assert await store.cached_summary("lib", "luhn", 2) is None


async def test_save_summary_for_an_unknown_article_stores_nothing(store):
    await store.save_summary("ghost", "luhn", 2, [])
    assert await store.cached_summary("ghost", "luhn", 2) is None


async def test_find_by_title_matches_any_case_and_escapes_like_wildcards(store):
    await put(
        store,
        analysis("100% Renewable Town\n\nThe town runs on wind.", "renewable"),
        analysis("Town Library Extends Hours\n\nThe library stays open later.", "library"),
    )
    assert [e.id for e in await store.find_by_title("%", 10)] == ["renewable"]
    assert [e.id for e in await store.find_by_title("_", 10)] == []
    assert {e.id for e in await store.find_by_title("TOWN", 10)} == {"renewable", "library"}
    # titles that start with the fragment come first
    assert [e.id for e in await store.find_by_title("town", 10)] == ["library", "renewable"]


async def test_meta_values_round_trip(store):
    assert await store.get_meta("k") is None
    await store.set_meta("k", "v1")
    await store.set_meta("k", "v2")
    assert await store.get_meta("k") == "v2"


# -- transactions ------------------------------------------------------------------------


async def test_an_exception_in_a_transaction_rolls_everything_back(store):
    await put(store, analysis(LIBRARY, "lib"))
    before = await store.article("lib")
    with pytest.raises(RuntimeError, match="boom"):
        async with store.transaction() as w:
            await w.upsert(analysis(HARBOR, "harbor"), origin="seeds", path=None, analysis_key="k")
            await w.upsert(
                analysis("Changed\n\nA different body.", "lib"), origin="seeds", path=None,
                analysis_key="k",
            )
            await w.delete(["lib"])
            raise RuntimeError("boom")
    assert await store.count_articles() == 1
    assert await store.article("lib") == before
    assert await store.article("harbor") is None
    await put(store, analysis(HARBOR, "harbor"))  # the store is usable afterwards
    assert await store.count_articles() == 2


async def test_reads_during_an_open_write_transaction_see_the_last_commit(store):
    await put(store, analysis(LIBRARY, "lib"))
    async with store.transaction() as w:
        await w.upsert(analysis(HARBOR, "harbor"), origin="seeds", path=None, analysis_key="k")
        assert await asyncio.wait_for(store.count_articles(), 5) == 1
    assert await store.count_articles() == 2


# -- refusals ----------------------------------------------------------------------------


def _newer_database(tmp_path: Path) -> Path:
    path = tmp_path / "future.sqlite3"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {LATEST + 1}")
    con.close()
    return path


def _sqlite_threads() -> list[threading.Thread]:
    return [
        t for t in threading.enumerate()
        if "_connection_worker_thread" in repr(getattr(t, "_target", None))
    ]


async def _collect_leaked_connections() -> None:
    """Let a leaked connection's __del__ stop its thread while the loop still runs."""
    gc.collect()
    for _ in range(100):
        if not _sqlite_threads():
            return
        await asyncio.sleep(0.01)


async def test_a_database_newer_than_the_code_is_refused(tmp_path):
    path = _newer_database(tmp_path)
    try:
        with pytest.raises(StoreError, match="newer") as info:
            await Store.open(path)
        assert "upgrade" in str(info.value).lower()
        assert sql(path, "PRAGMA user_version") == [(LATEST + 1,)]  # left as it was
    finally:
        del info
        await _collect_leaked_connections()


async def test_refusing_a_newer_database_leaves_no_connection_thread_running(tmp_path):
    path = _newer_database(tmp_path)
    before = len(_sqlite_threads())
    try:
        with pytest.raises(StoreError) as info:
            await Store.open(path)
        await asyncio.sleep(0.05)
        assert len(_sqlite_threads()) == before, info.value
    finally:
        del info
        await _collect_leaked_connections()


async def test_a_corrupt_database_file_gives_a_clear_store_error(tmp_path):
    path = tmp_path / "brief.sqlite3"
    path.write_bytes(b"this is not a database, just some text\n" * 200)
    with pytest.raises(StoreError) as info:
        await Store.open(path)
    message = str(info.value)
    assert str(path) in message
    assert "not a database" in message
    assert "brief reload" in message


async def test_a_database_path_that_cannot_be_created_gives_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        await Store.open(blocker / "sub" / "brief.sqlite3")
