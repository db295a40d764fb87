"""parse_query: what a user typed -> safe FTS5 queries (issue 5)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.news.query import MAX_TERMS, MAX_WORD, SearchQuery, parse_query


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (title, body, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    db.execute(
        "INSERT INTO t (title, body) "
        "VALUES ('Peace treaty talks', 'The Kuril Islands dispute and the émigré')"
    )
    yield db
    db.close()


def _parts_are_quoted_strings(match: str, joiner: str) -> bool:
    parts = match.split(joiner)
    return all(p.startswith('"') and p.endswith('"') and '"' not in p[1:-1] for p in parts)


def test_plain_words_are_lowercased_words() -> None:
    q = parse_query("Kuril Islands")
    assert q.words == ("kuril", "islands")
    assert q.phrases == ()
    assert q.match_all() == '"kuril" "islands"'
    assert q.match_any() == '"kuril" OR "islands"'


def test_stop_words_dropped_when_content_words_remain() -> None:
    assert parse_query("the islands of Japan").words == ("islands", "japan")


def test_stop_words_kept_when_nothing_else() -> None:
    q = parse_query("what about it")
    assert not q.empty
    assert set(q.words) == {"what", "about", "it"}


def test_repeated_words_appear_once() -> None:
    assert parse_query("treaty Treaty TREATY").words == ("treaty",)


def test_straight_double_quotes_make_a_phrase() -> None:
    q = parse_query('"peace treaty" talks')
    assert q.phrases == (("peace", "treaty"),)
    assert q.words == ("talks",)
    assert '"peace treaty"' in q.match_all()


def test_curly_quotes_make_a_phrase() -> None:
    q = parse_query("“Northern Territories” dispute")
    assert q.phrases == (("northern", "territories"),)
    assert q.words == ("dispute",)


def test_phrase_keeps_its_stop_words() -> None:
    q = parse_query('"state of emergency"')
    assert q.phrases == (("state", "of", "emergency"),)


def test_lone_quoted_word_is_a_word() -> None:
    q = parse_query('"treaty"')
    assert q.words == ("treaty",)
    assert q.phrases == ()


def test_fts_operators_become_plain_terms() -> None:
    q = parse_query("kuril AND islands OR NOT japan NEAR(russia)")
    assert "kuril" in q.words and "islands" in q.words and "japan" in q.words and "russia" in q.words
    for op in ("AND", "OR", "NOT", "NEAR"):
        assert f" {op} " not in f" {q.match_all()} "
    assert _parts_are_quoted_strings(q.match_all(), " ")


@pytest.mark.parametrize(
    "text",
    ["title:kuril*", "^kuril -japan", "(kuril OR) islands)", "kuril* + japan^2", "body : kuril - -"],
)
def test_fts_syntax_characters_are_dropped(text: str) -> None:
    q = parse_query(text)
    assert "kuril" in q.words or "japan" in q.words
    for ch in "*:^-()+":
        assert ch not in q.match_all()
    assert _parts_are_quoted_strings(q.match_all(), " ")


def test_unbalanced_quote_gives_words_not_a_phrase() -> None:
    q = parse_query('"peace treaty')
    assert q.phrases == ()
    assert q.words == ("peace", "treaty")


def test_emoji_are_dropped() -> None:
    q = parse_query("🇯🇵 japan 🎌🔥")
    assert q.words == ("japan",)


def test_only_punctuation_is_empty() -> None:
    assert parse_query("*** ::: ^^^ ()\"\"").empty
    assert parse_query("").empty
    assert parse_query("🙂🙂").empty


def test_ten_thousand_characters_are_cut_to_term_limits() -> None:
    words = [f"word{n}" for n in range(2000)]
    q = parse_query(" ".join(words)[:10_000])
    assert len(q.words) + len(q.phrases) <= MAX_TERMS
    assert q.words[:3] == ("word0", "word1", "word2")


def test_one_huge_word_is_cut() -> None:
    q = parse_query("x" * 10_000)
    assert q.words == ("x" * MAX_WORD,)


def test_phrases_count_toward_the_term_limit() -> None:
    phrases = " ".join(f'"alpha{n} beta{n}"' for n in range(4))
    words = " ".join(f"gamma{n}" for n in range(20))
    q = parse_query(f"{phrases} {words}")
    assert len(q.phrases) == 4
    assert len(q.words) + len(q.phrases) == MAX_TERMS


def test_long_phrase_is_cut_to_the_term_limit() -> None:
    q = parse_query('"' + " ".join(f"w{n}" for n in range(40)) + '"')
    assert len(q.phrases) == 1 and len(q.phrases[0]) <= MAX_TERMS


def test_accents_kept_in_words_for_fts_to_fold() -> None:
    assert parse_query("émigré").words == ("émigré",)


def test_all_words_includes_phrase_words() -> None:
    q = parse_query('"peace treaty" kuril')
    assert set(q.all_words) == {"peace", "treaty", "kuril"}


def test_empty_search_query_is_empty() -> None:
    assert SearchQuery().empty
    assert not SearchQuery(words=("x",)).empty


def test_queries_match_the_indexed_text(fts: sqlite3.Connection) -> None:
    q = parse_query('"peace treaty" emigre')
    assert fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (q.match_all(),)).fetchone()[0] == 1
    q = parse_query('"treaty peace"')
    assert fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (q.match_all(),)).fetchone()[0] == 0


FTS_FRAGMENTS = [
    '"', "“", "”", "„", "'", "(", ")", "*", ":", "^", "-", "+", "AND", "OR", "NOT", "NEAR",
    "NEAR(", "title:", "{title body}:", "\x00", "\x02", "\x03", "\n", "\t", "\\", ";", "--",
    "'; DROP TABLE t; --", "🇯🇵", "🔥", "émigré", "ǅ", "²", "٣", "ß", "İ", "ﬁ", "\u0301", "\u200b",
    "peace", "treaty", " ", "_", "%", "NEAR/3", "^title", "@everyone", "<@123>",
]

query_text = st.one_of(
    st.text(),
    st.lists(st.one_of(st.text(max_size=8), st.sampled_from(FTS_FRAGMENTS)), max_size=30).map("".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=query_text)
def test_any_text_parses_and_is_accepted_by_fts5(text: str) -> None:
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE VIRTUAL TABLE t USING fts5 (title, body, "
                   "tokenize = 'porter unicode61 remove_diacritics 2')")
        db.execute("INSERT INTO t VALUES ('Peace treaty', 'émigré news from the Kuril Islands')")
        q = parse_query(text)
        assert len(q.words) + len(q.phrases) <= MAX_TERMS
        if q.empty:
            return
        terms = q.terms()
        assert " OR ".join(terms) == q.match_any() and " ".join(terms) == q.match_all()
        # The expressions the two-stage search (Store._ranked) builds from the terms.
        combined = [
            f"({' OR '.join(terms[:1])}) AND ({' OR '.join(terms[1:] or terms)})",
            "{title body} : (" + " AND ".join(terms) + ")",
            *terms,
        ]
        for match in (q.match_all(), q.match_any(), *combined):
            db.execute("SELECT rowid FROM t WHERE t MATCH ?", (match,)).fetchall()
    finally:
        db.close()
