"""/topic and /topics: search the corpus, and what it covers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from . import _render
from ._views import send_pages

if TYPE_CHECKING:
    from bot.client import BriefBot

PER_PAGE = 5
TOPICS_PER_PAGE = 20
MAX_RESULTS = 50
BRIEF_COOLDOWN = 15.0
BRIEF_ARTICLES = 8


async def topic_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """The corpus's topics that match what is typed, most covered first."""
    bot: BriefBot = interaction.client  # type: ignore[assignment]
    topics = await bot.service.suggest_topics(current, _render.CHOICES_MAX)
    return [
        app_commands.Choice(name=_render.truncate(f"{t.topic} ({t.articles})", 100), value=t.topic[:100])
        for t in topics
    ]


class Topics(commands.Cog):
    """Search by topic."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        self._brief_cooldowns: dict[int, app_commands.Cooldown] = {}

    def _check_brief_cooldown(self, user_id: int) -> None:
        """A brief reads many articles: one per user per BRIEF_COOLDOWN seconds."""
        cooldown = self._brief_cooldowns.setdefault(user_id, app_commands.Cooldown(1, BRIEF_COOLDOWN))
        retry_after = cooldown.update_rate_limit()
        if retry_after:
            raise app_commands.CommandOnCooldown(cooldown, retry_after)
        if len(self._brief_cooldowns) > 10_000:  # forget idle users
            self._brief_cooldowns = {user_id: cooldown}

    @app_commands.command(name="topic")
    @app_commands.describe(
        query="Words to look for; put a phrase in double quotes",
        brief="Instead of a list, a short brief of what the articles say about it",
    )
    @app_commands.autocomplete(query=topic_autocomplete)
    @app_commands.checks.cooldown(1, 1.0, key=lambda i: i.user.id)
    async def topic(self, interaction: discord.Interaction[Any], query: str, brief: bool = False) -> None:
        """Articles about a topic, best first, with the matching words highlighted."""
        service = self.bot.service
        if brief:
            self._check_brief_cooldown(interaction.user.id)
        result = await service.search(
            query, limit=BRIEF_ARTICLES if brief else MAX_RESULTS, snippets=0 if brief else PER_PAGE
        )
        if not result.hits:
            close = await service.close_topics(query)
            await interaction.response.send_message(_render.no_match_text(query, close), ephemeral=True)
            return
        if brief:
            await interaction.response.defer(thinking=True)
            lines = await service.brief_for(result)
            await interaction.followup.send(embed=_render.brief_embed(query, lines))
            return
        pages = math.ceil(len(result.hits) / PER_PAGE)
        # Kept while the page buttons live: the first page, and only ids and scores after it.
        first, ranking = result.hits[:PER_PAGE], result.ranking()
        del result

        async def render(page: int) -> tuple[discord.Embed, int]:
            start = page * PER_PAGE
            chunk = first if page == 0 else await service.search_page(ranking, start, start + PER_PAGE)
            return _render.search_embed(query, chunk, page, pages, PER_PAGE), pages

        await send_pages(interaction, render)

    @app_commands.command(name="topics")
    async def topics(self, interaction: discord.Interaction[Any]) -> None:
        """The topics the corpus covers most, with how many articles each."""
        service = self.bot.service

        async def render(page: int) -> tuple[discord.Embed, int]:
            topics, total = await service.topics(page, TOPICS_PER_PAGE)
            pages = max(math.ceil(total / TOPICS_PER_PAGE), 1)
            return _render.topics_embed(topics, page, pages, total), pages

        await send_pages(interaction, render)


async def setup(bot: BriefBot) -> None:
    await bot.add_cog(Topics(bot))
