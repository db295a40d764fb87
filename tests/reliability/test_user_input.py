"""Bad user input, property-based: every command's options through the code paths the cogs use.

Each test drives the service methods a cog calls and renders the answer with the cog's ``_render``
functions, for arbitrary Unicode, control characters, very long strings, FTS5 operators, SQL
fragments and mentions. The properties: no exception other than a ``BriefError`` (which the bot's one
handler renders) comes out; every answer fits Discord's limits; no mention survives unescaped; and
nothing is written to the database. The search query parser itself is covered by tests/test_search.py
and tests/news/test_query.py.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import discord
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.config import load_settings
from bot.errors import BriefError
from bot.news.article import QuoteInArticle
from bot.service import Service
from bot.storage.store import Store
from cogs import _render
from cogs.admin import timezone_autocomplete
from tests.conftest import FIXTURES, SEED

T = TypeVar("T")

# An article whose own text tries to ping: it must not, wherever it is shown.
HOSTILE_ARTICLE = """@everyone Breaking: <@123456789012345678> and <@&456789012345678901> Meet @here

The council of <@123456789012345678> met on Monday with @everyone in the room, and
<@&456789012345678901> voted for the plan.

"@here is the plan, and it is final," said Mayor Ada Ping at the meeting in the town hall on Monday.

Residents said the plan would cost **a lot** of money and `code` and ||spoilers|| were everywhere.
"""

HOSTILE = [
    "@everyone", "@here", "<@123456789012345678>", "<@!123456789012345678>", "<@&456789012345678901>",
    "<#789012345678901234>", "@everyone <@&456789012345678901> @here",
    '"', '""', '"unclosed', "*", "peace*", "NEAR(peace treaty, 5)", "peace AND OR NOT", "^title",
    "title:peace",
    "-peace", "+", "(", ")", "{title body}: x", "'; DROP TABLE articles; --", "%", "_", "\\", "%_\\%",
    "1 OR 1=1", "' OR ''='", "\x00", "\x1b[31m", "\u202e", "\ufeff", "\u200b", "𝕿𝖊𝖘𝖙", "🙂" * 50,
    "Ⅻ", "ﬁ", "İ", "ß", "\r\n", "\t", " ", "",
]
WORDS = ["peace", "talks", "Japan", "Russia", "ferry", "library", "frost", "Putin", "the", "a"]

user_text = st.one_of(
    st.text(max_size=120),
    st.text(st.characters(max_codepoint=0x1F), max_size=40),  # control characters
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE + WORDS), max_size=12).map(" ".join),
    st.tuples(st.sampled_from(HOSTILE + WORDS), st.integers(200, 3000)).map(lambda t: (t[0] + " ") * t[1]),
)
SETTINGS = hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
PING = re.compile(r"@(everyone|here)|<@[!&]?\d{17,20}>")


class World:
    """One loaded corpus for the module, with its own event loop (hypothesis tests are sync)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.loop = asyncio.new_event_loop()
        seeds = tmp / "seeds"
        seeds.mkdir()
        shutil.copy(SEED, seeds)
        for f in FIXTURES.iterdir():
            shutil.copy(f, seeds)
        (seeds / "hostile.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
        self.settings = load_settings(None, environ={
            "SEEDS_DIR": str(seeds), "DATABASE_PATH": str(tmp / "brief.sqlite3"), "WORKERS": "1",
        })
        self.pool = ThreadPoolExecutor(1)
        self.store: Store = self.run(Store.open(self.settings.database_path))
        self.service = Service(self.store, self.settings, executor=self.pool)
        report = self.run(self.service.reload())
        assert not report.failed and len(report.added) == 6, report
        self.watcher = sqlite3.connect(self.settings.database_path)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def version(self) -> tuple[int, int]:
        """Changes by any other connection, and the number of stored rows."""
        (data_version,) = self.watcher.execute("PRAGMA data_version").fetchone()
        rows = sum(
            self.watcher.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("articles", "sentences", "summaries", "guild_digests", "meta", "quotes")
        )
        return data_version, rows

    def close(self) -> None:
        self.watcher.close()
        self.run(self.store.close())
        self.pool.shutdown()
        self.loop.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = World(tmp_path_factory.mktemp("user-input"))
    yield w
    w.close()


# -- checks ------------------------------------------------------------------------------------------


def no_ping(text: str | None) -> None:
    assert not PING.search(text or ""), text


def fits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for f in embed.fields:
        assert 0 < len(f.name or "") <= 256 and 0 < len(f.value or "") <= 1024
        no_ping(f.name)
        no_ping(f.value)
    assert len(embed.footer.text or "") <= 2048
    assert len(embed) <= 6000
    no_ping(embed.title)
    no_ping(embed.description)
    no_ping(embed.footer.text)


def content(text: str) -> None:
    assert 0 < len(text) <= 2000
    no_ping(text)


def choices(items: list[tuple[str, str]]) -> None:
    assert len(items) <= 25
    for name, value in items:
        assert 1 <= len(name) <= 100 and 1 <= len(value) <= 100


def answer(world: World, coro: Coroutine[Any, Any, T]) -> T | None:
    """Run a command's service call: a BriefError is the user's message (rendered and checked)."""
    before = world.version()
    try:
        return world.run(coro)
    except BriefError as exc:
        content(_render.error_message(_render.brief_error_text(exc)))
        return None
    finally:
        assert world.version() == before, "a read-only command wrote to the database"


# -- /takeaways, /summary ------------------------------------------------------------------------------


@SETTINGS
@given(article=user_text)
def test_takeaways_any_article_option(world: World, article: str) -> None:
    view = answer(world, world.service.takeaways(article))
    if view is not None:
        fits(_render.takeaways_embed(view))
        content(_render.positions_text(view))


@SETTINGS
@given(article=user_text, sentences=st.integers(1, 10))
def test_summary_any_article_option(world: World, article: str, sentences: int) -> None:
    async def summary() -> Any:
        entry = await world.service.resolve(article)  # as the cog: resolve first, then summarize
        return await world.service.summary(entry.id, None, sentences)

    view = answer(world, summary())
    if view is not None:
        fits(_render.summary_embed(view))


@SETTINGS
@given(current=user_text)
def test_article_autocomplete_any_text(world: World, current: str) -> None:
    entries = answer(world, world.service.suggest(current, _render.CHOICES_MAX))
    assert entries is not None
    choices([_render.choice(e) for e in entries])


# -- /quotes -------------------------------------------------------------------------------------------


@SETTINGS
@given(article=st.one_of(st.none(), user_text), speaker=st.one_of(st.none(), user_text))
def test_quotes_any_article_and_speaker(world: World, article: str | None, speaker: str | None) -> None:
    service = world.service

    async def quotes() -> Any:  # cogs/quotes.py, page 0
        if not article and not speaker:
            return None
        if article:
            entry, found = await service.article_quotes(article, speaker)
            items = [QuoteInArticle(entry, q) for q in found]
            title = f"Quotes in “{_render.plain(entry.title)}”"
            if speaker:
                title += f" by {_render.plain(speaker)}"
            return _render.quotes_embed(title, items[:5], 0, 1, len(items), by_article=True)
        assert speaker is not None
        first, total = await service.speaker_quotes(speaker, 0, 5)
        return _render.quotes_embed(f"What {_render.plain(speaker)} said", first, 0, 1, total,
                                    by_article=False)

    embed = answer(world, quotes())
    if embed is not None:
        fits(embed)


@SETTINGS
@given(current=user_text)
def test_speaker_autocomplete_any_text(world: World, current: str) -> None:
    speakers = answer(world, world.service.suggest_speakers(current, _render.CHOICES_MAX))
    assert speakers is not None
    choices([(_render.truncate(f"{s.speaker} ({s.quotes})", 100), s.speaker[:100]) for s in speakers])


# -- /topic (rendering of what the user typed), /topics -----------------------------------------------


@SETTINGS
@given(query=user_text)
def test_topic_any_query_renders_within_limits(world: World, query: str) -> None:
    async def topic() -> Any:
        result = await world.service.search(query, limit=50, snippets=5)
        if not result.hits:
            return _render.no_match_text(query, await world.service.close_topics(query))
        return _render.search_embed(query, result.hits[:5], 0, 10, 5)

    shown = answer(world, topic())
    if isinstance(shown, str):
        content(shown)
    elif shown is not None:
        fits(shown)


@hsettings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=user_text)
def test_topic_brief_any_query(world: World, query: str) -> None:
    found = answer(world, world.service.topic_brief(query))
    if found is not None:
        fits(_render.brief_embed(query, found[1]))


@SETTINGS
@given(current=user_text)
def test_topic_autocomplete_any_text(world: World, current: str) -> None:
    topics = answer(world, world.service.suggest_topics(current, _render.CHOICES_MAX))
    assert topics is not None
    choices([(_render.truncate(f"{t.topic} ({t.articles})", 100), t.topic[:100]) for t in topics])


def test_topics_and_articles_pages_fit(world: World) -> None:
    topics, total = world.run(world.service.topics(0, 20))
    fits(_render.topics_embed(topics, 0, 1, total))
    entries, total = world.run(world.service.articles(0, 8))
    fits(_render.articles_embed(entries, 0, 1, total))


# -- /admin digest-set (time, timezone), timezone autocomplete -----------------------------------------


@SETTINGS
@given(time=st.one_of(st.none(), user_text), zone=st.one_of(st.none(), user_text))
def test_digest_set_any_time_and_zone_is_stored_valid_or_refused_with_nothing_written(
    world: World, time: str | None, zone: str | None
) -> None:
    guild = 1_000_000_000_000_000 + abs(hash((time, zone))) % 1_000_000
    before = world.version()
    try:
        config = world.run(world.service.set_digest(guild, 42, time, zone))
    except BriefError as exc:
        content(_render.error_message(_render.brief_error_text(exc)))
        assert world.version() == before
        assert world.run(world.store.digest_config(guild)) is None
        return
    assert re.fullmatch(r"\d\d:\d\d", config.post_time)
    world.run(world.store.save_digest_config(config))  # idempotent: the stored value is normalised


@SETTINGS
@given(current=user_text)
def test_timezone_autocomplete_any_text(world: World, current: str) -> None:
    found = asyncio.run(timezone_autocomplete(None, current))  # type: ignore[arg-type]
    choices([(c.name, c.value) for c in found])


# -- the digest, from hostile article text --------------------------------------------------------------


def test_digest_of_the_corpus_fits_and_pings_no_one(world: World) -> None:
    digest = world.run(world.service.build_digest(None))
    assert any("Breaking" in i.entry.title for i in digest.items)
    fits(_render.digest_embed(digest))
    fits(_render.digest_embed(digest, preview=True))
