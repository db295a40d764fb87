"""The queries a command runs use an index, so they stay fast as the corpus grows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage.store import Store


async def _plan(path: Path, sql: str, params: tuple[object, ...] = ()) -> str:
    con = sqlite3.connect(path)
    try:
        return " | ".join(row[3] for row in con.execute("EXPLAIN QUERY PLAN " + sql, params))
    finally:
        con.close()


async def test_newest_first_listing_reads_an_index_not_a_sort(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "brief.sqlite3")
    await store.close()
    plan = await _plan(
        tmp_path / "brief.sqlite3",
        "SELECT id FROM articles ORDER BY published IS NULL, published DESC, added_at DESC, id LIMIT 8",
    )
    assert "INDEX articles_newest" in plan and "TEMP B-TREE" not in plan


async def test_title_lookup_uses_the_trigram_index(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "brief.sqlite3")
    await store.close()
    plan = await _plan(
        tmp_path / "brief.sqlite3",
        "SELECT rowid FROM titles_fts WHERE titles_fts MATCH ?", ('"ferry"',),
    )
    assert "VIRTUAL TABLE INDEX" in plan and "SCAN articles" not in plan


async def test_speaker_autocomplete_reads_the_counts_by_key_range(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "brief.sqlite3")
    await store.close()
    plan = await _plan(
        tmp_path / "brief.sqlite3",
        "SELECT speaker FROM speaker_counts WHERE speaker_key >= ? AND speaker_key < ? "
        "UNION SELECT speaker FROM speaker_counts WHERE surname_key >= ? AND surname_key < ?",
        ("put", "put\U0010ffff", "put", "put\U0010ffff"),
    )
    assert "SEARCH speaker_counts USING PRIMARY KEY" in plan
    assert "SEARCH speaker_counts USING INDEX speaker_counts_surname" in plan
    assert "SCAN" not in plan.replace("SCAN CONSTANT", "")
