# ruff: noqa: E501  (article text in the fixtures)
"""/topic, /topics and /quotes with the real Brief bot over the Discord emulator (issues 4 and 5)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.client import BriefBot
from bot.errors import InvalidInput
from tests.e2e.emulator import DiscordEmulator
from tests.e2e.helpers import Clock, RunBot, build_template, copy_template, expected_errors, make_settings


def article(title: str, body: str, date: str) -> str:
    return f"---\ntitle: {title}\nsource: Harbour Gazette\ndate: {date}\n---\n{title}\n\n{body.strip()}\n"


ARTICLES = {
    "treaty.txt": article("Coastal Nations Sign Fishing Treaty", """
Norway and Iceland signed a fishing treaty on Friday in Kessel Bay that sets shared quotas for cod and herring.

"This treaty gives our fishing towns the certainty they have asked for," said Élodie Marchand, the mediator who chaired the talks.

Marchand said the quotas would be reviewed every three years. "Nobody gets everything they wanted, but everybody gets a future," she added.
""", "2026-01-10"),
    "quotas.txt": article("Cod Quotas Questioned by Boat Owners", """
Boat owners in Kessel Bay say the new fishing treaty leaves them with too little cod to stay in business.

"We cannot pay our crews on these numbers," said skipper Ingrid Halvorsen.

The mediator, Elodie Marchand, defended the treaty. "The stocks need time to recover," Marchand said.
""", "2026-03-02"),
    **{
        f"bay-{n}.txt": article(f"Kessel Bay Notes {n}", f"""
Residents of Kessel Bay met on day {n} of the month to discuss the harbour wall and the ferry pier.

The Kessel Bay council said repairs number {n} would be finished before the autumn storms arrive.
""", f"2026-02-{n + 1:02d}")
        for n in range(1, 6)
    },
}


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("search-template"), ARTICLES)


@pytest.fixture
async def brief(
    emulator: DiscordEmulator, tmp_path: Path, template_db: Path, run_bot: RunBot
) -> AsyncIterator[BriefBot]:
    copy_template(template_db, tmp_path)
    emulator.add_guild("Newsroom", channels=["general"])
    bot = BriefBot(make_settings(tmp_path), clock=Clock(datetime(2026, 3, 10, 6, 0, tzinfo=UTC)))
    bot.test_runner = await run_bot(bot)  # type: ignore[attr-defined]
    yield bot


def no_pings(event: Any) -> None:
    assert event.data.get("allowed_mentions") == {"parse": []}, event.data


# -- /topic ---------------------------------------------------------------------------------


async def test_topic_answers_titles_with_bold_matches_and_pages(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("topic", {"query": "Kessel Bay"})
    resp = await h.response()
    assert resp.type == 4 and not resp.ephemeral
    no_pings(resp)
    embed = resp.embeds[0]
    assert embed["title"] == "Articles about “Kessel Bay”"
    names = [f["name"] for f in embed["fields"]]
    assert len(names) == 5 and names[0].startswith("1. ")
    assert all("**Kessel**" in f["value"] and "**Bay**" in f["value"] for f in embed["fields"])
    assert embed["footer"]["text"] == "Page 1 of 2"
    ids = resp.custom_ids()
    assert len(ids) == 2
    turned = await emulator.click(h, ids[1])
    update = await turned.response()
    assert update.type == 7
    page2 = update.embeds[0]
    assert page2["footer"]["text"] == "Page 2 of 2"
    assert [f["name"][:3] for f in page2["fields"]] == ["6. ", "7. "]
    assert all("**Kessel**" in f["value"] for f in page2["fields"])
    shown = {f["name"].split(". ", 1)[1] for f in embed["fields"] + page2["fields"]}
    assert len(shown) == 7


async def test_topic_single_page_has_no_buttons(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("topic", {"query": '"fishing treaty"'})
    resp = await h.response()
    titles = [f["name"].split(". ", 1) for f in resp.embeds[0]["fields"]]
    assert [n for n, _ in titles] == ["1", "2"]
    assert {t for _, t in titles} == {"Coastal Nations Sign Fishing Treaty", "Cod Quotas Questioned by Boat Owners"}
    assert "**fishing treaty**" in resp.embeds[0]["fields"][0]["value"].lower()
    assert resp.custom_ids() == []


async def test_topic_brief_defers_then_follows_up_with_a_brief(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("topic", {"query": "fishing treaty", "brief": True})
    assert (await h.response()).type == 5
    follow = await h.followup(timeout=30)
    no_pings(follow)
    embed = follow.embeds[0]
    assert embed["title"] == "Brief: “fishing treaty”"
    assert embed["description"].startswith("• ")
    assert "*Coastal Nations Sign Fishing Treaty*, 2026-01-10" in embed["description"]
    assert "*Cod Quotas Questioned by Boat Owners*, 2026-03-02" in embed["description"]
    assert embed["footer"]["text"] == "From 2 article(s)"


async def test_topic_no_match_is_ephemeral_with_suggestions(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("topic", {"query": "kesel bey"})
    resp = await h.response()
    assert resp.type == 4 and resp.ephemeral
    assert resp.content.startswith("Nothing in the corpus matches **kesel bey**.")
    assert "Close topics: **Kessel Bay**" in resp.content
    no_pings(resp)


async def test_topic_without_words_gets_friendly_error(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("topic", {"query": "()*^"})
    resp = await h.response()
    assert resp.ephemeral and "words to search for" in resp.content
    expected_errors(brief, InvalidInput)


async def test_topic_query_with_mentions_never_pings(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("topic", {"query": "@everyone Kessel"})
    resp = await h.response()
    no_pings(resp)
    assert "@everyone" not in resp.embeds[0]["title"].replace("@\u200beveryone", "")


async def test_topic_autocomplete_returns_topics_with_counts(emulator: DiscordEmulator, brief: BriefBot) -> None:
    choices = await emulator.autocomplete("topic", {"query": "kes"}, focused="query")
    assert choices[0]["value"] == "Kessel Bay"
    assert choices[0]["name"].startswith("Kessel Bay (") and choices[0]["name"].endswith(")")
    assert int(choices[0]["name"].rsplit("(", 1)[1].rstrip(")")) >= 5
    everything = await emulator.autocomplete("topic", {"query": ""}, focused="query")
    assert 1 <= len(everything) <= 25 and everything[0]["value"] == "Kessel Bay"


# -- /topics --------------------------------------------------------------------------------


async def test_topics_lists_topics_with_counts(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("topics")
    resp = await h.response()
    no_pings(resp)
    embed = resp.embeds[0]
    assert embed["title"] == "What the corpus covers"
    first = embed["description"].splitlines()[0]
    assert first.startswith("**Kessel Bay** · ") and first.endswith(" articles")
    assert "topics · /topic to search" in embed["footer"]["text"]


# -- /quotes --------------------------------------------------------------------------------


async def test_quotes_of_an_article_with_speakers(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("quotes", {"article": "treaty"})
    resp = await h.response()
    no_pings(resp)
    embed = resp.embeds[0]
    assert embed["title"] == "Quotes in “Coastal Nations Sign Fishing Treaty”"
    assert [(f["name"], f["value"]) for f in embed["fields"]] == [
        ("Élodie Marchand", "“This treaty gives our fishing towns the certainty they have asked for,”"),
        ("Élodie Marchand", "“Nobody gets everything they wanted, but everybody gets a future,”"),
    ]
    assert embed["footer"]["text"] == "Page 1 of 1 · 2 quotes"


async def test_quotes_by_speaker_surname_lowercase_across_articles(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("quotes", {"speaker": "marchand"})
    resp = await h.response()
    embed = resp.embeds[0]
    names = [f["name"] for f in embed["fields"]]
    assert len(names) == 3
    assert names[0].endswith(" · Cod Quotas Questioned by Boat Owners")  # newest article first
    assert names[1].endswith(" · Coastal Nations Sign Fishing Treaty")
    assert embed["footer"]["text"].endswith("3 quotes")


async def test_quotes_with_no_option_gets_friendly_ephemeral_error(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("quotes")
    resp = await h.response()
    assert resp.ephemeral and "Pick an article, a speaker, or both." in resp.content
    no_pings(resp)
    expected_errors(brief, InvalidInput)


async def test_speaker_autocomplete_most_quoted_first(emulator: DiscordEmulator, brief: BriefBot) -> None:
    choices = await emulator.autocomplete("quotes", {"speaker": ""}, focused="speaker")
    assert [c["name"] for c in choices] == [f"{choices[0]['value']} (3)", "Ingrid Halvorsen (1)"]
    assert choices[0]["value"] in {"Élodie Marchand", "Elodie Marchand"}
    assert await emulator.autocomplete("quotes", {"speaker": "halv"}, focused="speaker") == [
        {"name": "Ingrid Halvorsen (1)", "value": "Ingrid Halvorsen"}
    ]
