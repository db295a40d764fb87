"""Reusable message components: pagination buttons and the takeaways "where" button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.client import release_interaction

from . import _render

PageRenderer = Callable[[int], Awaitable[tuple[discord.Embed, int]]]


class Paginator(discord.ui.View):
    """◀ / ▶ buttons over pages rendered on demand; only the user who asked may turn them."""

    def __init__(self, render: PageRenderer, pages: int, owner_id: int, *, timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        self.render = render
        self.pages = max(pages, 1)
        self.page = 0
        self.owner_id = owner_id
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= self.pages - 1

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                _render.error_message("These buttons belong to whoever ran the command; run it yourself."),
                ephemeral=True,
            )
            release_interaction(interaction)
            return False
        return True

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.page = min(max(self.page + step, 0), self.pages - 1)
        embed, self.pages = await self.render(self.page)
        self.pages = max(self.pages, 1)
        self.page = min(self.page, self.pages - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=embed, view=self)
        release_interaction(interaction)  # a click's Interaction is freed at once, as a command's is

    @discord.ui.button(label="◀ Newer", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Older ▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, +1)


class WhereButton(discord.ui.View):
    """A button that shows, to whoever presses it, where each takeaway stands in the article."""

    def __init__(self, text: str, *, timeout: float = 900) -> None:
        super().__init__(timeout=timeout)
        self.text = text

    @discord.ui.button(label="Where in the article?", emoji="📍", style=discord.ButtonStyle.secondary)
    async def where(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_message(self.text, ephemeral=True)
        release_interaction(interaction)


async def send_pages(interaction: discord.Interaction[Any], render: PageRenderer) -> None:
    """Answer with page 1, and ◀ ▶ buttons when there are more pages."""
    embed, pages = await render(0)
    if pages > 1:
        await interaction.response.send_message(
            embed=embed, view=Paginator(render, pages, interaction.user.id)
        )
    else:
        await interaction.response.send_message(embed=embed)
