"""Topic and speaker counts, recounted only for what a reload touched, equal a full recount."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bot.storage import store as store_module


def _story(title: str, body: str) -> str:
    return f"{title}\n\n{body}\n"


HARBOUR = _story(
    "Harbour Council Backs Ferry Plan",
    'The Kessel Bay harbour council backed the ferry plan on Monday. "The ferry will run by spring," '
    "said Ingrid Halvorsen, the council leader. Halvorsen said the harbour wall would be repaired first.",
)
FERRY = _story(
    "Ferry Operators Bid for Kessel Bay Route",
    'Three operators bid for the Kessel Bay ferry route. "We can start in March," said Tomas Berg. '
    "The harbour council will choose an operator next month.",
)
LIBRARY = _story(
    "Library Opens Reading Room",
    'The town library opened a new reading room on Friday. "Students asked for it," said Ingrid Halvorsen. '
    "The reading room will stay open until nine in the evening.",
)


def _tables(db: Path) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    con = sqlite3.connect(db)
    try:
        stored_topics = con.execute("SELECT topic_key, articles FROM topic_counts ORDER BY 1").fetchall()
        full_topics = con.execute(
            "SELECT topic_key, count(DISTINCT article_id) FROM article_topics GROUP BY 1 ORDER BY 1"
        ).fetchall()
        stored_speakers = con.execute("SELECT speaker_key, quotes FROM speaker_counts ORDER BY 1").fetchall()
        full_speakers = con.execute(
            "SELECT speaker_key, count(*) FROM quotes WHERE speaker_key IS NOT NULL GROUP BY 1 ORDER BY 1"
        ).fetchall()
        return stored_topics, full_topics, stored_speakers, full_speakers
    finally:
        con.close()


async def test_counts_after_edits_and_removals_equal_a_full_recount(
    service: Any, write_article: Any, settings: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(store_module, "FULL_RECOUNT_KEYS", 10_000)  # the per-key path
    write_article("harbour.txt", HARBOUR)
    write_article("ferry.txt", FERRY)
    lib = write_article("library.txt", LIBRARY)
    await service.reload()
    topics, full_topics, speakers, full_speakers = _tables(settings.database_path)
    assert topics == full_topics and speakers == full_speakers
    assert ("ingrid halvorsen", 2) in speakers

    lib.write_text(LIBRARY.replace("Ingrid Halvorsen", "Mona Dahl"), encoding="utf-8")  # a speaker goes
    (settings.seeds_dir / "ferry.txt").unlink()  # topics and a speaker go
    await service.reload()
    topics, full_topics, speakers, full_speakers = _tables(settings.database_path)
    assert topics == full_topics and speakers == full_speakers
    assert ("ingrid halvorsen", 1) in speakers
    assert not any(key == "tomas berg" for key, _ in speakers)


async def test_a_large_change_recounts_everything_in_one_pass(
    service: Any, write_article: Any, settings: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(store_module, "FULL_RECOUNT_KEYS", 0)  # the one-pass path
    write_article("harbour.txt", HARBOUR)
    write_article("ferry.txt", FERRY)
    await service.reload()
    topics, full_topics, speakers, full_speakers = _tables(settings.database_path)
    assert topics == full_topics and speakers == full_speakers and speakers
