"""/quotes: what was said, and by whom."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.news.article import QuoteInArticle

from . import _render
from ._views import send_pages
from .articles import article_autocomplete

if TYPE_CHECKING:
    from bot.client import BriefBot

PER_PAGE = 5


async def speaker_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Speakers in the corpus, most quoted first."""
    bot: BriefBot = interaction.client  # type: ignore[assignment]
    speakers = await bot.service.suggest_speakers(current, _render.CHOICES_MAX)
    return [
        app_commands.Choice(name=_render.truncate(f"{s.speaker} ({s.quotes})", 100), value=s.speaker[:100])
        for s in speakers
    ]


class Quotes(commands.Cog):
    """Quotes and their speakers."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot

    @app_commands.command(name="quotes")
    @app_commands.describe(
        article="An article: its quotes in order",
        speaker="A speaker: their quotes across the corpus (full name or surname)",
    )
    @app_commands.autocomplete(article=article_autocomplete, speaker=speaker_autocomplete)
    async def quotes(
        self, interaction: discord.Interaction[Any], article: str | None = None, speaker: str | None = None
    ) -> None:
        """Direct quotations and who said them: of an article, or of a speaker."""
        service = self.bot.service
        if not article and not speaker:
            raise InvalidInput("Pick an article, a speaker, or both.")
        if article:
            entry, found = await service.article_quotes(article, speaker)
            items = [QuoteInArticle(entry, q) for q in found]
            title = f"Quotes in “{_render.plain(entry.title)}”"
            if speaker:
                title += f" by {_render.plain(speaker)}"
            total = len(items)

            async def render(page: int) -> tuple[discord.Embed, int]:
                pages = max(math.ceil(total / PER_PAGE), 1)
                chunk = items[page * PER_PAGE : (page + 1) * PER_PAGE]
                return _render.quotes_embed(title, chunk, page, pages, total, by_article=True), pages
        else:
            assert speaker is not None
            who = speaker
            first, total = await service.speaker_quotes(who, 0, PER_PAGE)
            if total:
                names = {i.quote.speaker for i in first if i.quote.speaker}
                who = names.pop() if len(names) == 1 else speaker
            title = f"What {_render.plain(who)} said"

            async def render(page: int) -> tuple[discord.Embed, int]:
                chunk, count = await service.speaker_quotes(speaker, page, PER_PAGE)
                pages = max(math.ceil(count / PER_PAGE), 1)
                return _render.quotes_embed(title, chunk, page, pages, count, by_article=False), pages

        await send_pages(interaction, render)


async def setup(bot: BriefBot) -> None:
    await bot.add_cog(Quotes(bot))
