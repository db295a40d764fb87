# ruff: noqa: E501  (article text in the fixtures)
"""Two-stage search (Store._ranked): bounded work, same ranking as BM25 over every match.

The thresholds are made small so that a corpus of a few dozen handwritten
articles has "common" and "rare" words; the reference is the plain FTS5 BM25
of the OR of the terms (``Store.search`` given one FTS5 string).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.news.article import Analysis
from bot.news.parse import parse_text
from bot.news.query import parse_query
from bot.storage import store as store_module
from bot.storage.store import Store

WEIGHTS = (2.0, 2.0, 2.0, 1.0)

# Every article says "said"; "police" and "council" are in many; the places and names in few.
STORIES = [
    ("Police close the harbour road", "Police said the harbour road in Kessel Bay would close for repairs. The council said buses would take the hill road."),
    ("Council votes on ferry fares", "The council said ferry fares would rise in Kessel Bay. Police said nothing about the vote."),
    ("Lighthouse keeper retires", "The lighthouse keeper of Brannock Point said he would retire after forty years on the rock."),
    ("Police search for missing hiker", "Police said a hiker was missing on Brannock Point. Police and volunteers searched the cliffs until dark."),
    ("Fishing treaty signed", "Norway and Iceland said they signed a fishing treaty that sets cod quotas in the North Atlantic."),
    ("Council budget approved", "The council said the budget for Kessel Bay schools was approved. The council will meet again in May."),
    ("Storm damages pier", "A storm damaged the pier at Kessel Bay, the harbour master said. Police closed the pier."),
    ("Painter returns home", "The painter Ana Kovac said she was glad to be home in Brannock after forty years in Paris."),
    ("Police chief resigns", "The police chief of Kessel Bay said he would resign. The council thanked the police chief."),
    ("Library adds evening hours", "The library said it would stay open until nine. The council paid for the longer hours."),
    ("School wins robotics prize", "Pupils from Kessel Bay school said they won a robotics prize in the capital."),
    ("Harbour dredging plan", "The port said dredging of the harbour channel would start in June. Fishermen said it could harm cod."),
]


def analysis(article_id: str, title: str, body: str) -> Analysis:
    return Analysis(parse_text(f"---\ntitle: {title}\n---\n{title}\n\n{body}\n", article_id), ())


@pytest.fixture
async def store(tmp_path: Path):
    s = await Store.open(tmp_path / "brief.sqlite3")
    async with s.transaction() as w:
        for i in range(3):  # three copies, so that a "rare" word still has several articles
            for n, (title, body) in enumerate(STORIES):
                a = analysis(f"s{i}-{n:02d}", title, body + " Filed by the desk." * i)
                await w.upsert(a, origin="seeds", path=None, analysis_key="k/v1")
    yield s
    await s.close()


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thresholds scaled to a 36-article corpus: a word in 10 articles or more is common."""
    monkeypatch.setattr(store_module, "SEARCH_PROBE", 10)
    monkeypatch.setattr(store_module, "SEARCH_BUDGET", 12)
    monkeypatch.setattr(store_module, "SEARCH_CANDIDATES", 10)


async def two_stage(store: Store, text: str, limit: int = 5) -> list[tuple[str, float]]:
    hits = await store.search(parse_query(text).terms(), limit, weights=WEIGHTS)
    return [(h.entry.id, round(h.score, 9)) for h in hits]


async def full_bm25(store: Store, text: str, limit: int = 5) -> list[tuple[str, float]]:
    hits = await store.search(parse_query(text).match_any(), limit, weights=WEIGHTS)
    return [(h.entry.id, round(h.score, 9)) for h in hits]


def df(store: Store, term: str) -> int:
    con = sqlite3.connect(store.path)
    try:
        return con.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (f'"{term}"',)).fetchone()[0]
    finally:
        con.close()


async def test_the_corpus_has_rare_and_common_words(store: Store) -> None:
    assert df(store, "said") == 36
    assert df(store, "police") > 5 and df(store, "council") > 5
    assert df(store, "police") == df(store, "council") == 15 and df(store, "library") == 3
    assert df(store, "brannock") == 9 and df(store, "kovac") == 3 and df(store, "iceland") == 3


@pytest.mark.parametrize("text", [
    "police brannock",             # a rare anchor (9 articles) and a common word: rescored with both
    "brannock council lighthouse",
])
async def test_rare_and_common_words_rank_as_full_bm25(store: Store, small: None, text: str) -> None:
    assert await two_stage(store, text) == await full_bm25(store, text)


@pytest.mark.parametrize("text", [
    "kovac police council",        # rare name (3 articles), two common words
    "iceland police",              # 3 articles have the rare word
    "hiker police cliffs",
])
async def test_fewer_rare_matches_than_asked_are_completed_by_common_ones(
    store: Store, small: None, text: str
) -> None:
    found, reference = await two_stage(store, text), await full_bm25(store, text)
    assert len(found) == len(reference) == 5
    # Every article with a rare word is there, in the same order and with the same score;
    # the rest are articles with only common words, each with its exact BM25.
    rare = [hit for hit in reference if hit[1] > reference[-1][1]][:3]
    assert found[: len(rare)] == rare
    everything = dict(await full_bm25(store, text, limit=36))
    assert all(everything[i] == s for i, s in found)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)


async def test_rare_words_only_rank_as_full_bm25(store: Store, small: None) -> None:
    assert await two_stage(store, "kovac iceland") == await full_bm25(store, "kovac iceland")


async def test_a_word_in_most_articles_is_left_out_without_changing_scores(store: Store, small: None) -> None:
    # "said" is in every article: FTS5 gives it an IDF of 1e-6, so leaving it out moves no score
    # by more than that, while it would cost scoring every article.
    with_said = await two_stage(store, "kovac said")
    assert with_said[0][0].endswith("-07")
    assert [i for i, _ in with_said] == [i for i, _ in await full_bm25(store, "kovac said")][: len(with_said)]
    for (_, a), (_, b) in zip(with_said, await full_bm25(store, "kovac said"), strict=False):
        assert abs(a - b) < 1e-5


async def test_only_common_words_still_find_the_articles_with_all_of_them(store: Store, small: None) -> None:
    found = await two_stage(store, "police council")
    assert found, "a query of common words must still answer"
    ids = {i for i, _ in found}
    # The candidates have both words; scores are the exact BM25 of the query for them.
    reference = dict(await full_bm25(store, "police council", limit=36))
    assert all(reference[i] == s for i, s in found)
    both = {i for i, _ in await full_bm25(store, '"police" "council"', limit=36)}
    assert ids <= both


async def test_a_single_common_word_answers(store: Store, small: None) -> None:
    found = await two_stage(store, "police")
    assert len(found) == 5
    reference = dict(await full_bm25(store, "police", limit=36))
    assert all(reference[i] == s for i, s in found)


async def test_common_words_that_never_meet_fall_back_to_any_of_them(store: Store, small: None) -> None:
    # "police" and "library" are never in one article.
    assert await store.search('"police" "library"', 36) == []
    found = await two_stage(store, "police council library", limit=5)
    assert len(found) == 5
    everything = dict(await full_bm25(store, "police council library", limit=36))
    assert all(everything[i] == s for i, s in found)


async def test_a_rare_word_that_matches_nothing_leaves_the_common_ones(store: Store, small: None) -> None:
    found = await two_stage(store, "zanzibar police")
    assert found and all(s > 0 for _, s in found)


async def test_nothing_found(store: Store, small: None) -> None:
    assert await two_stage(store, "zanzibar quokka") == []


async def test_default_thresholds_on_a_small_corpus_are_plain_bm25(store: Store) -> None:
    for text in ("police brannock", "kovac police council", "said", "police council"):
        assert await two_stage(store, text) == await full_bm25(store, text)


async def test_rescoring_does_not_hand_the_rowids_to_fts5(store: Store) -> None:
    # "+rowid IN (...)": one pass of the match, the rowids tested by SQLite. Without the "+",
    # FTS5 would start the query again for each rowid, counting every term's articles again.
    con = sqlite3.connect(store.path)
    try:
        plan = " | ".join(r[3] for r in con.execute(
            "EXPLAIN QUERY PLAN SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND +rowid IN (1, 2)",
            ('"police"',),
        ))
        direct = " | ".join(r[3] for r in con.execute(
            "EXPLAIN QUERY PLAN SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN (1, 2)",
            ('"police"',),
        ))
    finally:
        con.close()
    assert "VIRTUAL TABLE INDEX 0:M" in plan and "=" not in plan.split("INDEX")[1]
    assert plan != direct


async def test_common_words_never_together_are_ranked_over_any_of_them(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a probe of 2, "kovac" and "iceland" (3 articles each, never in one) are both common.
    monkeypatch.setattr(store_module, "SEARCH_PROBE", 2)
    monkeypatch.setattr(store_module, "SEARCH_BUDGET", 2)
    assert await store.search('"kovac" "iceland"', 36) == []
    found = await two_stage(store, "kovac iceland", limit=10)
    assert sorted(found) == sorted(await full_bm25(store, "kovac iceland", limit=10))
