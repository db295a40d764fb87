"""/admin: reload the corpus, sync commands, and set this server's digest.

Who may: reload and sync only the application's owner (or team members) and
ADMIN_USER_IDS; digest settings only members with Manage Server. The group is
hidden from others with ``default_member_permissions``, and every command
checks again inside, since a server can override the visibility.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NotAllowed

from . import _render

if TYPE_CHECKING:
    from bot.client import BriefBot

log = logging.getLogger(__name__)

PROGRESS_EVERY = 2.0  # seconds between progress edits of a long reload
_ZONES = sorted(available_timezones())


async def is_bot_admin(interaction: discord.Interaction[Any]) -> bool:
    """The application's owner or team, or a user in ADMIN_USER_IDS."""
    bot: BriefBot = interaction.client  # type: ignore[assignment]
    if interaction.user.id in bot.settings.admin_user_ids or await bot.is_owner(interaction.user):
        return True
    raise NotAllowed("Only the bot's owner and the users in ADMIN_USER_IDS may do this. Nothing was changed.")


async def can_manage_server(interaction: discord.Interaction[Any]) -> bool:
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage("Use this in a server.")
    if interaction.permissions.manage_guild:
        return True
    raise NotAllowed(
        "Only members with the Manage Server permission may change the digest. Nothing was changed."
    )


async def timezone_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    needle = current.strip().lower().replace(" ", "_")
    if not needle:
        picks = ["UTC", "Europe/London", "Europe/Paris", "America/New_York", "America/Los_Angeles",
                 "Asia/Tokyo", "Australia/Sydney"]
    else:
        starts = [z for z in _ZONES if z.lower().startswith(needle)]
        inside = [z for z in _ZONES if needle in z.lower() and z not in starts]
        picks = (starts + inside)[: _render.CHOICES_MAX]
    return [app_commands.Choice(name=z, value=z) for z in picks]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Admin(commands.GroupCog, group_name="admin", group_description="Brief's admin commands"):
    """Corpus and digest administration."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        super().__init__()

    async def _pending_problem(self, interaction: discord.Interaction[Any]) -> str:
        """A digest problem to tell this admin about (then cleared), as a line to append."""
        if interaction.guild_id is None:
            return ""
        config = await self.bot.store.digest_config(interaction.guild_id)
        if config is None or not config.last_error:
            return ""
        await self.bot.store.set_digest_error(interaction.guild_id, None)
        return f"\n⚠️ Last digest: {config.last_error}."

    @app_commands.command(name="reload")
    @app_commands.describe(dry_run="Only report what would change; write nothing")
    @app_commands.check(is_bot_admin)
    @app_commands.checks.cooldown(1, 30.0, key=lambda i: i.user.id)
    async def reload(self, interaction: discord.Interaction[Any], dry_run: bool = False) -> None:
        """Reload the corpus from SEEDS_DIR and report what changed."""
        await interaction.response.defer(thinking=True)
        last_edit = time.monotonic()

        async def progress(done: int, total: int) -> None:
            nonlocal last_edit
            if time.monotonic() - last_edit < PROGRESS_EVERY or done >= total:
                return
            last_edit = time.monotonic()
            try:
                await interaction.edit_original_response(content=_render.progress_text(done, total))
            except discord.HTTPException:
                log.debug("progress edit failed", exc_info=True)

        report = await self.bot.service.reload(dry_run=dry_run, progress=progress)
        text = _render.report_text(report) + await self._pending_problem(interaction)
        await interaction.edit_original_response(content=_render.truncate(text, _render.CONTENT_MAX))

    @app_commands.command(name="sync")
    @app_commands.check(is_bot_admin)
    async def sync(self, interaction: discord.Interaction[Any]) -> None:
        """Sync Brief's slash commands with Discord."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        message = await self.bot.sync_commands(force=True)
        await interaction.followup.send(message + await self._pending_problem(interaction), ephemeral=True)

    @app_commands.command(name="digest-set")
    @app_commands.describe(
        channel="The text channel to post the digest in",
        time="Local time of day, HH:MM (24-hour); default from DIGEST_TIME",
        timezone="IANA time zone, e.g. Europe/Paris; default from DIGEST_TIMEZONE",
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @app_commands.check(can_manage_server)
    async def digest_set(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel,
        time: str | None = None,
        timezone: str | None = None,
    ) -> None:
        """Post this server's daily digest in a channel, at a local time."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True)  # the write may wait behind a reload
        config = await self.bot.service.set_digest(interaction.guild_id, channel.id, time, timezone)
        perms = channel.permissions_for(channel.guild.me) if channel.guild.me else None
        warning = ""
        if perms is not None and not (perms.send_messages and perms.embed_links and perms.view_channel):
            warning = (f"\n⚠️ I can't post embeds in {channel.mention} yet: give me View Channel, "
                       "Send Messages and Embed Links there.")
        await interaction.followup.send(
            f"The daily digest will be posted in {channel.mention} at {config.post_time} "
            f"({config.timezone}).{warning}{await self._pending_problem(interaction)}",
            ephemeral=True,
        )

    @app_commands.command(name="digest-off")
    @app_commands.check(can_manage_server)
    async def digest_off(self, interaction: discord.Interaction[Any]) -> None:
        """Stop this server's daily digest."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True)  # the write may wait behind a reload
        await self.bot.service.digest_off(interaction.guild_id)
        await interaction.followup.send("The daily digest is off for this server.", ephemeral=True)

    @app_commands.command(name="digest-now")
    @app_commands.check(can_manage_server)
    async def digest_now(self, interaction: discord.Interaction[Any]) -> None:
        """Post the digest now, with what is new since the last one."""
        assert interaction.guild is not None
        digest_cog = self.bot.get_cog("Digest")
        config = await digest_cog.config_for(interaction.guild)  # type: ignore[union-attr]
        if config is None or config.channel_id is None:
            await interaction.response.send_message(
                "This server has no digest channel; set one with `/admin digest-set`.", ephemeral=True
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        posted = await digest_cog.post(interaction.guild, config, None)  # type: ignore[union-attr]
        problem = await self._pending_problem(interaction)
        if posted:
            text = f"Digest posted in <#{config.channel_id}>.{problem}"
        else:
            text = "Nothing was posted." + (problem or " Nothing is new since the last digest.")
        await interaction.followup.send(text, ephemeral=True)


async def setup(bot: BriefBot) -> None:
    await bot.add_cog(Admin(bot))
