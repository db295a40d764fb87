# ruff: noqa: E501  (article text in the fixtures)
"""`brief topic`, `brief topics` and `brief quotes` in the terminal (issues 4 and 5)."""

from __future__ import annotations

import json

import pytest

from bot.__main__ import main
from tests.conftest import SETTING_NAMES


def article(title: str, body: str, date: str) -> str:
    return f"---\ntitle: {title}\nsource: Harbour Gazette\ndate: {date}\n---\n{title}\n\n{body.strip()}\n"


ARTICLES = {
    "treaty.txt": article("Coastal Nations Sign Fishing Treaty", """
Norway and Iceland signed a fishing treaty on Friday in Kessel Bay that sets shared quotas for cod and herring.

"This treaty gives our fishing towns the certainty they have asked for," said Élodie Marchand, the mediator who chaired the talks.

Fishing crews in Kessel Bay welcomed the fishing treaty, though some boat owners said the cod quota was too low.
""", "2026-01-10"),
    "dredging.txt": article("Port Authority Plans Harbour Dredging", """
The port authority will dredge the main shipping channel in Kessel Bay this summer so that larger ships can dock.

"The channel has silted up faster than anyone predicted," said harbour master Tomas Lindqvist.

Fishermen in Kessel Bay worried that the work could disturb grounds protected under the fishing treaty. "We will monitor the water every week," Lindqvist said.
""", "2026-02-15"),
    "quotas.txt": article("Cod Quotas Questioned by Boat Owners", """
Boat owners in Kessel Bay say the new fishing treaty leaves them with too little cod to stay in business.

The mediator, Elodie Marchand, defended the treaty. "The stocks need time to recover," Marchand said.
""", "2026-03-02"),
    "library.txt": article("Bramley Library Adds Evening Hours", """
Bramley Library will stay open until nine in the evening on weekdays from next month.

Librarians at Bramley Library said students had asked for a quiet place to study after school.
""", "2026-03-04"),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A loaded database shared by the module's tests (they only read it); the CLI arguments for it."""
    tmp = tmp_path_factory.mktemp("cli-topics")
    seeds = tmp / "seeds"
    seeds.mkdir()
    for name, text in ARTICLES.items():
        (seeds / name).write_text(text, encoding="utf-8")
    args = ["--env-file", str(tmp / "no-such.env"), "--database", str(tmp / "db" / "brief.sqlite3"),
            "--seeds", str(seeds)]
    with pytest.MonkeyPatch.context() as mp:
        for name in SETTING_NAMES:
            mp.delenv(name, raising=False)
        mp.setenv("WORKERS", "1")
        assert main([*args, "reload"]) == 0
    return args


@pytest.fixture
def brief(corpus: list[str], clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    clean_env.setenv("WORKERS", "1")
    capsys.readouterr()

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([*corpus, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


# -- brief topic ------------------------------------------------------------------------------


def test_topic_lists_ranked_titles_with_highlighted_words(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = brief("topic", "dredging")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "1. Port Authority Plans Harbour Dredging  [dredging]"
    assert "2026-02-15 · Harbour Gazette" in lines[1]
    assert "**dredge**" in out or "**dredging**" in out
    assert "\x02" not in out and "\x03" not in out and "\x00" not in out and "\x01" not in out


def test_topic_ranks_every_matching_article(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = brief("topic", "Kessel Bay")
    assert code == 0
    numbered = [ln for ln in out.splitlines() if ln[:1].isdigit()]
    assert len(numbered) == 3
    assert "**Kessel**" in out and "**Bay**" in out


def test_topic_json_shape(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = brief("topic", "fishing treaty", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"query", "results"}
    assert data["query"] == "fishing treaty"
    assert {r["id"] for r in data["results"]} == {"treaty", "dredging", "quotas"}
    for r in data["results"]:
        assert set(r) == {"id", "title", "score", "snippet"}
        assert isinstance(r["score"], float) and isinstance(r["title"], str)
        assert "**" in r["snippet"]
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True)


def test_topic_limit(brief) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = brief("topic", "Kessel Bay", "--json", "--limit", "2")
    assert len(json.loads(out)["results"]) == 2


def test_topic_brief_lines_each_with_its_article(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = brief("topic", "fishing treaty", "--brief")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "What the articles say about 'fishing treaty':"
    bullets = [ln for ln in lines if ln.startswith("  • ")]
    sources = [ln.strip() for ln in lines if ln.startswith("    (")]
    assert len(bullets) >= 2 and len(sources) == len(bullets)
    assert all(s.endswith(")") and ", 2026-" in s for s in sources)


def test_topic_brief_json_has_brief_lines(brief) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = brief("topic", "fishing treaty", "--brief", "--json")
    data = json.loads(out)
    assert data["results"]
    dates = [ln["article"]["date"] for ln in data["brief"]]
    assert dates and dates == sorted(dates)
    assert {ln["article"]["id"] for ln in data["brief"]} <= {r["id"] for r in data["results"]}


def test_topic_no_match_says_so_with_close_topics(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = brief("topic", "kesel bey")
    assert code == 0
    assert out.startswith("Nothing in the corpus matches 'kesel bey'.")
    assert "Close topics: Kessel Bay" in out


def test_topic_no_match_json_has_empty_results_and_suggestions(brief) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = brief("topic", "kesel bey", "--json")
    data = json.loads(out)
    assert data["results"] == [] and data["suggestions"][0] == "Kessel Bay"


@pytest.mark.parametrize("query", ["", "()*:^", "🙂"])
def test_topic_without_words_exits_1_with_a_message(brief, query: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = brief("topic", query)
    assert code == 1 and out == ""
    assert err.startswith("brief: ") and "words to search for" in err


def test_topic_fts_syntax_is_searched_safely(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, err = brief("topic", 'title:"fishing treaty" OR (NOT cod* ^', "--json")
    assert code == 0, err
    assert json.loads(out)["results"]


# -- brief topics -----------------------------------------------------------------------------


def test_topics_lists_topics_with_counts(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = brief("topics")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Kessel Bay") and lines[0].endswith(" 2 articles")
    assert any(ln.startswith("Bramley Library") and ln.endswith(" 1 article") for ln in lines)
    _, js, _ = brief("topics", "--json")
    expected = json.loads(js)["topics"]
    assert [ln.rsplit(None, 2)[0].rstrip() for ln in lines] == [t["topic"] for t in expected]
    assert [int(ln.split()[-2]) for ln in lines] == [t["articles"] for t in expected]


def test_topics_json(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = brief("topics", "--json", "--limit", "3")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"total", "topics"}
    assert len(data["topics"]) == 3 and data["total"] >= 3
    counts = [t["articles"] for t in data["topics"]]
    assert counts == sorted(counts, reverse=True)
    assert data["topics"][0] == {"topic": "Kessel Bay", "articles": 2}
    assert all(set(t) == {"topic", "articles"} for t in data["topics"])


# -- brief quotes -----------------------------------------------------------------------------


def test_quotes_of_an_article(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = brief("quotes", "dredging")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Port Authority Plans Harbour Dredging  [dredging]"
    assert lines[1] == "  “The channel has silted up faster than anyone predicted,” — Tomas Lindqvist"
    assert lines[2] == "  “We will monitor the water every week,” — Tomas Lindqvist"


def test_quotes_by_speaker_surname_lowercase_across_articles(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = brief("quotes", "--speaker", "marchand")
    assert code == 0
    titles = [ln for ln in out.splitlines() if not ln.startswith(" ")]
    assert titles == ["Cod Quotas Questioned by Boat Owners  [quotas]",
                      "Coastal Nations Sign Fishing Treaty  [treaty]"]
    assert "— Elodie Marchand" in out and "— Élodie Marchand" in out


def test_quotes_by_speaker_json(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = brief("quotes", "--speaker", "ELODIE MARCHAND", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 2
    assert [q["article"]["id"] for q in data["quotes"]] == ["quotas", "treaty"]
    assert set(data["quotes"][0]) == {"quote", "speaker", "paragraph", "article"}
    assert data["quotes"][0]["quote"] == "The stocks need time to recover,"


def test_quotes_article_and_speaker_together_filter(brief) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = brief("quotes", "treaty", "--speaker", "Lindqvist", "--json")
    assert json.loads(out) == {"total": 0, "quotes": []}
    _, out, _ = brief("quotes", "dredging", "--speaker", "lindqvist", "--json")
    assert json.loads(out)["total"] == 2


def test_quotes_unknown_speaker(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = brief("quotes", "--speaker", "Nobody Atall")
    assert code == 0 and out.strip() == "No quotes by Nobody Atall found."


def test_quotes_with_neither_article_nor_speaker_exits_1(brief) -> None:  # type: ignore[no-untyped-def]
    code, out, err = brief("quotes")
    assert code == 1 and out == ""
    assert err.strip() == "brief: Give an ARTICLE, or --speaker NAME, or both."


def test_quotes_unknown_article_exits_1(brief) -> None:  # type: ignore[no-untyped-def]
    code, _, err = brief("quotes", "volcano eruption")
    assert code == 1 and "No article matches" in err
