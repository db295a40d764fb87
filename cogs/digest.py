"""The daily digest: a once-a-minute check that posts each server's digest when due, and /digest."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import digest as schedule
from bot.storage.store import DigestConfig

from . import _render

if TYPE_CHECKING:
    from bot.client import BriefBot

log = logging.getLogger(__name__)


class Digest(commands.Cog):
    """Posts each server's digest once per local day, at its time, in its channel."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot

    def clock(self) -> datetime:
        """Now, as an aware datetime (the bot's clock, replaceable in tests)."""
        return self.bot.clock()

    async def cog_load(self) -> None:
        self.tick.start()

    async def cog_unload(self) -> None:
        self.tick.cancel()

    def channel_ids(self, guild: discord.Guild) -> set[int]:
        return {c.id for c in guild.channels}

    async def config_for(self, guild: discord.Guild) -> DigestConfig | None:
        return await self.bot.service.digest_config(guild.id, self.channel_ids(guild))

    @tasks.loop(minutes=1)
    async def tick(self) -> None:
        await self.run_due()

    @tick.before_loop
    async def _before_tick(self) -> None:
        await self.bot.wait_until_ready()

    @tick.error
    async def _tick_error(self, error: BaseException) -> None:  # pragma: no cover - last resort
        log.exception("the digest loop failed; restarting it", exc_info=error)
        self.tick.restart()

    async def run_due(self) -> int:
        """Post every digest that is due now. Returns how many were posted."""
        now = self.clock()
        posted = 0
        for guild in list(self.bot.guilds):
            try:
                config = await self.config_for(guild)
                if config is None:
                    continue
                day = schedule.due_date(config, now)
                if day is not None and await self.post(guild, config, day):
                    posted += 1
            except Exception:
                log.exception("digest for server %s failed", guild.id)
        return posted

    async def post(self, guild: discord.Guild, config: DigestConfig, day: str | None) -> bool:
        """Post the digest now. ``day``: the local date to claim (None: an admin's digest-now).

        At most once per local day: the day is recorded before the message is
        sent, and given back only when Discord refused the message.
        """
        store = self.bot.store
        if day is not None and not await store.claim_digest(config, day):
            return False
        digest = await self.bot.service.build_digest(config.last_cutoff)
        if digest.empty:
            await store.finish_digest(guild.id, None)
            log.info("digest for server %s: nothing new", guild.id)
            return False
        channel = guild.get_channel(config.channel_id) if config.channel_id else None
        problem = None
        retry = False
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            problem = f"the digest channel <#{config.channel_id}> is gone or is not a text channel"
        else:
            try:
                await channel.send(
                    embed=_render.digest_embed(digest, self.clock()),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            except discord.Forbidden:
                problem = f"I may not post in <#{config.channel_id}> (missing permissions)"
            except discord.NotFound:
                problem = f"the digest channel <#{config.channel_id}> is gone"
            except discord.HTTPException as exc:
                problem = f"Discord refused the digest post (HTTP {exc.status}); I will try again"
                retry = True
        if problem is not None:
            log.warning("digest for server %s not posted: %s", guild.id, problem)
            if day is not None and retry:
                await store.release_digest(guild.id, config.last_date, problem)
            else:  # a lasting problem: an admin must act; no retry every minute today
                await store.set_digest_error(guild.id, problem)
            return False
        await store.finish_digest(guild.id, digest.cutoff)
        log.info("digest for server %s posted: %d articles", guild.id, len(digest.items))
        return True

    @app_commands.command(name="digest")
    @app_commands.guild_only()
    async def preview(self, interaction: discord.Interaction[Any]) -> None:
        """Preview what this server's next digest would post (only you see it)."""
        assert interaction.guild is not None
        config = await self.config_for(interaction.guild)
        if config is None or config.channel_id is None:
            await interaction.response.send_message(
                "This server has no daily digest. A member with Manage Server can turn it on with "
                "`/admin digest-set`.",
                ephemeral=True,
            )
            return
        digest = await self.bot.service.build_digest(config.last_cutoff)
        when = schedule.next_run(config, self.clock())
        text = (
            f"Next digest: <t:{int(when.timestamp())}:F> in <#{config.channel_id}> "
            f"({config.post_time} {config.timezone})."
        )
        await interaction.response.send_message(
            text, embed=_render.digest_embed(digest, preview=True), ephemeral=True
        )


async def setup(bot: BriefBot) -> None:
    await bot.add_cog(Digest(bot))
