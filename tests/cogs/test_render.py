"""The renderer keeps every answer within Discord's limits and never cuts a word without a mark."""

from __future__ import annotations

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.news.analyze import Failed
from bot.news.article import ArticleEntry, Dateline, Digest, DigestItem, Takeaway
from bot.service import ReloadReport, TakeawaysView
from cogs import _render

LONG = "word " * 3000


def entry(title: str = "A title", **kw: object) -> ArticleEntry:
    base: dict[str, object] = {
        "id": "a-title", "title": title, "source": "Wire", "date": None,
        "dateline": Dateline("Paris", "May 1"), "added_at": "2026-05-01T00:00:00+00:00",
    }
    base.update(kw)
    return ArticleEntry(**base)  # type: ignore[arg-type]


def test_truncate_cuts_at_a_word_with_a_mark() -> None:
    text = "alpha beta gamma delta"
    assert _render.truncate(text, 100) == text
    cut = _render.truncate(text, 13)
    assert cut == "alpha beta…" and len(cut) <= 13


def test_takeaways_embed_fits_limits_with_huge_article() -> None:
    view = TakeawaysView(
        entry(LONG, source=LONG[:300]),
        tuple(Takeaway(LONG, i, 0) for i in range(10)),
        tuple(LONG for _ in range(30)),
        "lexrank",
        paragraph_count=10,
    )
    embed = _render.takeaways_embed(view)
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25 and all(len(f.value or "") <= 1024 for f in embed.fields)
    assert len(embed) <= 6000
    assert "…" in (embed.description or "")


def test_mentions_in_article_text_are_neutralised() -> None:
    takeaway = Takeaway("Ping @here and <@123>", 0, 0)
    view = TakeawaysView(entry("@everyone look"), (takeaway,), (), "lexrank", 1)
    embed = _render.takeaways_embed(view)
    assert "@everyone" not in (embed.title or "")
    assert "@here" not in (embed.description or "")


def test_digest_embed_counts_the_rest_and_fits() -> None:
    items = tuple(
        DigestItem(entry(f"Story {i} " + LONG[:400]), (Takeaway(LONG[:2000], 0, 0),)) for i in range(10)
    )
    embed = _render.digest_embed(Digest(items, more=7, cutoff="x"))
    assert len(embed) <= 6000
    assert "7 more" in (embed.footer.text or "")


def test_report_text_fits_message_content() -> None:
    report = ReloadReport(
        added=[f"id-{i}" for i in range(500)],
        failed=[Failed(f"file-{i}.txt", "is not valid UTF-8 " * 10) for i in range(200)],
    )
    text = _render.report_text(report)
    assert len(text) <= 2000
    assert "500 added" in text and "200 failed" in text


def test_positions_text_shows_where_each_takeaway_stands() -> None:
    view = TakeawaysView(entry(), (Takeaway("First.", 0, 0), Takeaway("Last.", 9, 2)), (), "lexrank", 10)
    text = _render.positions_text(view)
    assert "paragraph 1, sentence 1" in text and "paragraph 10, sentence 3" in text
    assert len(text) <= 2000


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=5000), st.integers(min_value=1, max_value=6000))
def test_truncate_never_exceeds_the_limit(text: str, limit: int) -> None:
    out = _render.truncate(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert out.endswith("…")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=800), max_size=40), st.integers(min_value=60, max_value=4096))
def test_bullets_fit_their_limit(lines: list[str], limit: int) -> None:
    assert len(_render.bullets(lines, limit)) <= limit


def test_article_choice_fits_autocomplete_limits() -> None:
    name, value = _render.choice(entry("T" * 300, id="x" * 100))
    assert len(name) <= 100 and len(value) <= 100
    assert isinstance(discord.app_commands.Choice(name=name, value=value), discord.app_commands.Choice)
