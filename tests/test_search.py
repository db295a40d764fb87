# ruff: noqa: E501  (article text in the fixtures)
"""Ranked search, snippets, corpus topics and the cross-article brief, over a real store (issue 5)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.config import Settings
from bot.errors import InvalidInput
from bot.news.query import MARK_END, MARK_START
from bot.news.topics import topic_key
from bot.service import SearchResult, Service
from bot.storage.store import Store

Write = Callable[[str, str], Path]


def article(title: str, body: str, *, date: str | None = None, source: str = "Harbour Gazette") -> str:
    front = [f"title: {title}", f"source: {source}"] + ([f"date: {date}"] if date else [])
    return "---\n" + "\n".join(front) + "\n---\n" + title + "\n\n" + body.strip() + "\n"


CORPUS = {
    "treaty.txt": article(
        "Coastal Nations Sign Fishing Treaty",
        """
Norway and Iceland signed a fishing treaty on Friday in Kessel Bay that sets shared quotas for cod and herring in the North Atlantic for the next decade.

"This treaty gives our fishing towns the certainty they have asked for," said Élodie Marchand, the mediator who chaired the final round of talks.

Marchand said the quotas would be reviewed every three years. "Nobody gets everything they wanted, but everybody gets a future," she added.

Fishing crews in Kessel Bay welcomed the fishing treaty, though some boat owners said the cod quota was too low.
""",
        date="2026-01-10",
    ),
    "dredging.txt": article(
        "Port Authority Plans Harbour Dredging",
        """
The port authority will dredge the main shipping channel in Kessel Bay this summer so that larger container ships can dock at the harbour.

"The channel has silted up faster than anyone predicted," said harbour master Tomas Lindqvist. He said dredging would start in June and last about ten weeks.

Local fishermen in Kessel Bay worried that the work could disturb spawning grounds protected under the fishing treaty signed earlier this year. "We will monitor the water every week," Lindqvist said.
""",
        date="2026-02-15",
    ),
    "quotas.txt": article(
        "Cod Quotas Questioned by Boat Owners",
        """
Boat owners in Kessel Bay say the new fishing treaty leaves them with too little cod to stay in business.

"We cannot pay our crews on these numbers," said skipper Ingrid Halvorsen, who fishes out of Kessel Bay.

The mediator, Elodie Marchand, defended the treaties signed this winter. "The stocks need time to recover, and the quotas will rise when they do," Marchand said.
""",
        date="2026-03-02",
        source="North Sea Weekly",
    ),
    "emigre.txt": article(
        "Painter Returns to Her Village After Forty Years",
        """
The émigré painter Ana Kovač returned to her home village on Sunday, forty years after she left for Paris.

Kovač opened an exhibition of her landscapes in the old school hall. Villagers queued in the rain to see the paintings.
""",
        date="2026-01-20",
        source="Valley Times",
    ),
    "lighthouse.txt": article(
        "Old Lighthouse Reopens to Visitors",
        """
Visitors can climb the restored tower again from Saturday after two years of repairs to its stairs and lamp room.

The lighthouse keeper's cottage now houses a small museum about shipwrecks on the coast.
""",
        date="2026-02-01",
        source="Valley Times",
    ),
    "ferry.txt": article(
        "Ferry Timetable Changes for the Winter",
        """
The island ferry will sail four times a day instead of six from November. Operators blamed rising fuel costs for the cut. Commuters said the early boat was the one they needed most. The council asked the operator to keep the first sailing. A decision is expected next month.

Passengers waiting at the pier said the view of the lighthouse was the only thing they would miss about the later boats, since the lighthouse beam lights the harbour at dusk.
""",
        date="2026-02-03",
        source="Valley Times",
    ),
    "library.txt": article(
        "Bramley Library Adds Evening Hours",
        """
Bramley Library will stay open until nine in the evening on weekdays from next month.

Librarians at Bramley Library said students had asked for a quiet place to study after school. The Bramley Library board approved the longer hours on Monday.
""",
        source="Valley Times",
    ),
}


async def loaded(write_article: Write, service: Service, names: list[str] | None = None) -> Service:
    for name in names or list(CORPUS):
        write_article(name, CORPUS[name])
    report = await service.reload()
    assert not report.failed, report.failed
    return service


@pytest.fixture
async def corpus(write_article: Write, service: Service) -> Service:
    return await loaded(write_article, service)


def ids(result: SearchResult) -> list[str]:
    return [h.entry.id for h in result.hits]


# -- ranking, stemming, accents, phrases --------------------------------------------------


async def test_title_match_ranks_above_body_only_match(corpus: Service) -> None:
    result = await corpus.search("lighthouse")
    assert ids(result) == ["lighthouse", "ferry"]
    assert result.hits[0].score > result.hits[1].score


async def test_stemming_finds_singular_from_plural(corpus: Service) -> None:
    found = ids(await corpus.search("treaties"))
    assert {"treaty", "dredging", "quotas"} <= set(found)
    assert "treaty" in found  # the article says only "treaty", never "treaties"


async def test_accents_folded_in_query_and_text(corpus: Service) -> None:
    assert ids(await corpus.search("emigre")) == ["emigre"]
    assert ids(await corpus.search("ÉMIGRÉ")) == ["emigre"]
    assert ids(await corpus.search("kovac")) == ["emigre"]


async def test_phrase_in_double_quotes_matches_the_phrase_only(corpus: Service) -> None:
    # "rising fuel" is a phrase in one article; "rise" alone is in another
    assert set(ids(await corpus.search("rising fuel"))) == {"ferry", "quotas"}
    assert ids(await corpus.search('"rising fuel"')) == ["ferry"]
    assert ids(await corpus.search("“fuel rising”")) == []


async def test_results_carry_entry_fields(corpus: Service) -> None:
    hit = (await corpus.search("dredging")).hits[0]
    assert hit.entry.id == "dredging"
    assert hit.entry.title == "Port Authority Plans Harbour Dredging"
    assert hit.entry.date == "2026-02-15" and hit.entry.source == "Harbour Gazette"


# -- snippets ----------------------------------------------------------------------------


async def test_snippets_mark_the_matched_words(corpus: Service) -> None:
    result = await corpus.search("Kovač paintings")
    snippet = result.hits[0].snippet
    assert f"{MARK_START}Kovač{MARK_END}" in snippet
    marked = [part.split(MARK_END)[0] for part in snippet.split(MARK_START)[1:]]
    assert marked and all(w.lower() in {"kovač", "paintings"} for w in marked)
    assert result.hits[0].snippet_with("**", "**").count("**") == 2 * len(marked)


async def test_snippets_mark_stemmed_forms(corpus: Service) -> None:
    result = await corpus.search("treaties")
    hit = next(h for h in result.hits if h.entry.id == "treaty")
    assert f"{MARK_START}treaty{MARK_END}" in hit.snippet


async def test_with_snippets_fills_later_pages(corpus: Service) -> None:
    result = await corpus.search("kessel bay fishing treaty lighthouse", snippets=1)
    assert len(result.hits) >= 4
    assert result.hits[0].snippet and not any(h.snippet for h in result.hits[1:])
    later = await corpus.with_snippets(result, 2, 4)
    assert [h.entry.id for h in later.hits] == ids(result)
    assert all(MARK_START in h.snippet for h in later.hits[2:4])
    assert not later.hits[1].snippet
    assert later.hits[0].snippet == result.hits[0].snippet


async def test_search_page_from_the_kept_ranking_equals_the_full_result(corpus: Service) -> None:
    # /topic keeps only ids and scores between page turns; a page read back from them
    # is the same hits, entries and snippets as the full result's.
    result = await corpus.search("kessel bay fishing treaty lighthouse", snippets=1)
    ranking = result.ranking()
    assert ranking.ids == tuple(ids(result)) and all(isinstance(s, float) for s in ranking.scores)
    full = await corpus.with_snippets(result, 0, len(result.hits))
    assert await corpus.search_page(ranking, 2, 4) == full.hits[2:4]
    assert await corpus.search_page(ranking, 0, len(result.hits)) == full.hits
    assert await corpus.search_page(ranking, len(result.hits), len(result.hits) + 5) == ()


async def test_search_page_leaves_out_articles_removed_since(corpus: Service) -> None:
    result = await corpus.search("kessel bay fishing treaty lighthouse")
    ranking = result.ranking()
    gone = ranking.ids[1]
    async with corpus.store.transaction() as writer:
        await writer.delete([gone])
    page = await corpus.search_page(ranking, 0, len(ranking.ids))
    assert [h.entry.id for h in page] == [i for i in ranking.ids if i != gone]


async def test_as_dict_shape_and_bold_snippet(corpus: Service) -> None:
    data = (await corpus.search("lighthouse")).as_dict()
    assert set(data) == {"query", "results"}
    assert data["query"] == "lighthouse"
    first = data["results"][0]
    assert set(first) == {"id", "title", "score", "snippet"}
    assert "**lighthouse**" in first["snippet"]
    assert MARK_START not in first["snippet"] and MARK_END not in first["snippet"]


# -- nothing found, bad input -------------------------------------------------------------


async def test_no_match_returns_no_hits_and_close_topics_suggests_a_near_topic(corpus: Service) -> None:
    result = await corpus.search("kesel bey")
    assert result.hits == ()
    close = await corpus.close_topics("kesel bey")
    assert close and close[0].key == "kessel bay"


@pytest.mark.parametrize("text", ["", "   ", "*** ()", "🙂 🎉", '""', "-:^"])
async def test_empty_or_punctuation_only_query_raises_invalid_input(corpus: Service, text: str) -> None:
    with pytest.raises(InvalidInput, match="words to search for"):
        await corpus.search(text)


async def test_stop_word_only_query_searches_the_stop_words(corpus: Service) -> None:
    # nothing else is left, so the stop words are searched rather than refused
    result = await corpus.search("the of")
    assert isinstance(result, SearchResult) and result.hits


# -- property: any text is safe -------------------------------------------------------------

NASTY = [
    "'; DROP TABLE articles; --", "\"; DELETE FROM articles; --", "' OR 1=1 --", "articles_fts",
    "title:", "NEAR(", ")", "(", "*", "^", "-", '"', "“", "”", "AND", "OR", "NOT", "@everyone",
    "<@123456>", "<#42>", "\x00", "\x02", "\x03", "treaty", "Kessel Bay", "émigré", "🇯🇵", "\\", "%", "_",
]


def test_search_on_any_text_returns_a_result_or_invalid_input_and_changes_nothing(
    settings: Settings, write_article: Write, process_pool: ProcessPoolExecutor
) -> None:
    loop = asyncio.new_event_loop()
    run = loop.run_until_complete
    store = run(Store.open(settings.database_path))
    service = Service(store, settings, executor=process_pool)
    try:
        run(loaded(write_article, service, ["treaty.txt", "quotas.txt", "lighthouse.txt"]))
        before = run(store.count_articles())

        @hsettings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.one_of(
            st.text(max_size=300),
            st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=5)), max_size=25).map(" ".join),
        ))
        def check(text: str) -> None:
            try:
                result = run(service.search(text))
            except InvalidInput:
                return
            assert isinstance(result, SearchResult)
            run(service.with_snippets(result, 0, len(result.hits)))

        check()
        assert run(store.count_articles()) == before
        assert ids(run(service.search("treaty"))) != []
    finally:
        run(service.close())
        run(store.close())
        loop.close()


# -- topics -----------------------------------------------------------------------------------


async def test_top_topics_count_articles_per_topic_key(corpus: Service) -> None:
    topics, total = await corpus.topics()
    counts = {t.key: t.articles for t in topics}
    assert total == len(counts)
    assert counts["kessel bay"] == 3
    # "Élodie Marchand" in one article and "Elodie Marchand" in another: one topic key
    assert counts["elodie marchand"] == 2
    assert counts["tomas lindqvist"] == 1
    articles = [t.articles for t in topics]
    assert articles == sorted(articles, reverse=True)
    assert all(t.key == topic_key(t.topic) for t in topics)


async def test_top_topics_update_after_reload_that_edits_and_removes(
    corpus: Service, seeds_dir: Path, write_article: Write
) -> None:
    write_article("quotas.txt", article(
        "Cod Quotas Questioned by Boat Owners",
        "Boat owners in the northern ports want a larger cod quota.\n\n"
        "Skipper Ingrid Halvorsen said the crews could not be paid on these numbers.",
        date="2026-03-02",
    ))
    (seeds_dir / "dredging.txt").unlink()
    report = await corpus.reload()
    assert report.updated == ["quotas"] and report.removed == ["dredging"]
    counts = {t.key: t.articles for t in (await corpus.topics())[0]}
    assert counts["kessel bay"] == 1
    assert counts["elodie marchand"] == 1
    assert "tomas lindqvist" not in counts
    assert ids(await corpus.search("Lindqvist")) == []


async def test_suggest_topics_most_covered_first_when_empty(corpus: Service) -> None:
    topics = await corpus.suggest_topics("")
    assert topics[0].key == "kessel bay"
    assert [t.articles for t in topics] == sorted((t.articles for t in topics), reverse=True)


async def test_suggest_topics_prefix_first_then_most_covered(corpus: Service) -> None:
    found = [t.key for t in await corpus.suggest_topics("B")]
    # "bramley library" starts with b (one article); "kessel bay" has a word starting with b (three)
    assert found.index("bramley library") < found.index("kessel bay")
    assert (await corpus.suggest_topics("kessel"))[0].key == "kessel bay"
    assert [t.key for t in await corpus.suggest_topics("LINDQ")] == ["tomas lindqvist"]
    assert await corpus.suggest_topics("zzzz") == []


async def test_suggest_topics_limit(corpus: Service) -> None:
    assert len(await corpus.suggest_topics("", limit=2)) == 2


# -- the brief across articles ------------------------------------------------------------------


async def test_topic_brief_from_several_articles_in_date_order(corpus: Service) -> None:
    result, lines = await corpus.topic_brief("fishing treaty")
    assert result.hits
    articles = [ln.entry.id for ln in lines]
    assert len(set(articles)) >= 2
    assert all(articles.count(a) <= 2 for a in set(articles))
    dates = [ln.entry.date for ln in lines]
    assert all(dates) and dates == sorted(dates)
    hit_ids = set(ids(result))
    for ln in lines:
        assert ln.entry.id in hit_ids
        assert ln.entry.title
        assert "fish" in ln.text.lower() or "treat" in ln.text.lower()


async def test_topic_brief_has_no_near_duplicate_lines(write_article: Write, service: Service) -> None:
    same = "The river festival drew thousands of visitors to the old bridge on Saturday night."
    for n, day in enumerate(("05", "06", "07")):
        write_article(f"festival{n}.txt", article(
            f"Festival Report {n}",
            f"{same}\n\nOrganisers said report number {n} would follow.",
            date=f"2026-05-{day}",
        ))
    await service.reload()
    _, lines = await service.topic_brief("river festival")
    texts = [ln.text for ln in lines]
    assert texts.count(same) == 1


async def test_topic_brief_keeps_relevance_order_when_a_date_is_missing(
    write_article: Write, service: Service
) -> None:
    write_article("a.txt", article("Bramley Library Opens Late", "Bramley Library opens late on Fridays now "
                                   "for the reading club and its many new members."))
    write_article("b.txt", article("Reading Club Grows", "The reading club at Bramley Library has doubled "
                                   "in size since spring according to the volunteers.", date="2026-01-01"))
    await service.reload()
    _, lines = await service.topic_brief("Bramley Library reading club")
    assert lines and any(ln.entry.date is None for ln in lines)


async def test_topic_brief_of_nothing_is_empty(corpus: Service) -> None:
    result, lines = await corpus.topic_brief("volcano eruption")
    assert result.hits == () and lines == ()


async def test_topic_brief_rejects_empty_query(corpus: Service) -> None:
    with pytest.raises(InvalidInput):
        await corpus.topic_brief("  ")
