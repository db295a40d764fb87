"""/takeaways, /summary and /articles: thin adapters over the service."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.news.words import MAX_SENTENCES

from . import _render
from ._views import WhereButton, send_pages

if TYPE_CHECKING:
    from bot.client import BriefBot

PER_PAGE = 8
Algorithm = Literal["brief", "lexrank", "lsa", "textrank", "luhn", "edmundson", "kl", "sumbasic", "reduction"]


async def article_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Titles that match what the user typed, best first (at most 25)."""
    bot: BriefBot = interaction.client  # type: ignore[assignment]
    entries = await bot.service.suggest(current, _render.CHOICES_MAX)
    return [app_commands.Choice(name=n, value=v) for n, v in map(_render.choice, entries)]


class Articles(commands.Cog):
    """Reading the corpus: takeaways, summaries, the list of articles."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot

    @app_commands.command(name="takeaways")
    @app_commands.describe(article="The article: pick from the list, or type an id or part of its title")
    @app_commands.autocomplete(article=article_autocomplete)
    async def takeaways(self, interaction: discord.Interaction[Any], article: str) -> None:
        """The key takeaways of an article."""
        view = await self.bot.service.takeaways(article)
        await interaction.response.send_message(
            embed=_render.takeaways_embed(view), view=WhereButton(_render.positions_text(view))
        )

    @app_commands.command(name="summary")
    @app_commands.describe(
        article="The article: pick from the list, or type an id or part of its title",
        algorithm="The sumy summarizer (default: the server's takeaway algorithm)",
        sentences=f"How many sentences, 1 to {MAX_SENTENCES} (default 3)",
    )
    @app_commands.autocomplete(article=article_autocomplete)
    async def summary(
        self,
        interaction: discord.Interaction[Any],
        article: str,
        algorithm: Algorithm | None = None,
        sentences: app_commands.Range[int, 1, MAX_SENTENCES] = 3,
    ) -> None:
        """A summary of an article by one of sumy's algorithms."""
        entry = await self.bot.service.resolve(article)  # fast: a clear error before deferring
        await interaction.response.defer(thinking=True)
        view = await self.bot.service.summary(entry.id, algorithm, sentences)
        await interaction.followup.send(embed=_render.summary_embed(view))

    @app_commands.command(name="articles")
    async def articles(self, interaction: discord.Interaction[Any]) -> None:
        """The corpus, newest first."""
        service = self.bot.service

        async def render(page: int) -> tuple[discord.Embed, int]:
            entries, total = await service.articles(page, PER_PAGE)
            pages = max(math.ceil(total / PER_PAGE), 1)
            return _render.articles_embed(entries, page, pages, total), pages

        await send_pages(interaction, render)


async def setup(bot: BriefBot) -> None:
    await bot.add_cog(Articles(bot))
