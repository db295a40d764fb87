"""The Discord bot: a ``commands.Bot`` that builds the store and service in ``setup_hook``.

Owns: start-up (store, service, cogs, first corpus load, command sync), the
one app-command error handler, and a clean shutdown (gateway, worker
processes, database). :func:`make_bot` picks :class:`BriefBot` or, when
SHARD_COUNT is set, :class:`ShardedBriefBot` (see docs/scaling.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from .config import Settings
from .errors import BriefError
from .service import Service
from .storage.store import Store

log = logging.getLogger(__name__)

COGS = ("cogs.articles", "cogs.quotes", "cogs.topics", "cogs.digest", "cogs.admin")
COMMAND_HASH_KEY = "command_hash"
# Seconds to wait after the last server arrives before on_ready (discord.py's default is 2 s):
# commands are answered before that anyway; the digest loop starts at on_ready.
GUILD_READY_TIMEOUT = 0.5

# What the bot needs in a channel: to see it, post the digest there, with embeds.
INVITE_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)


class NotAllowed(app_commands.CheckFailure):
    """A user tried a command they may not run; the message says who may."""


FULL_COLLECTION_EVERY = 100  # middle-generation collections between full ones (CPython: 10)


def settle_heap() -> None:
    """Collect once, then move every object alive now out of the garbage collector's sight.

    The modules, discord.py's state and the sentence splitter's tables (about 80,000
    objects) live as long as the process; each full collection walked them again:
    about 90 ms of CPU, holding the event loop, every few seconds while a reload
    allocates. Frozen, a full collection only walks what was made since. Called at
    the end of setup_hook, before the gateway connects, when a pause costs nothing.

    Full collections are also made rarer (after 100 collections of the middle
    generation instead of 10): with the heap frozen, what they walk is small, so
    CPython's rule (a full pass once a quarter more objects have survived) fired
    every 20 seconds during a reload, each pass holding the loop 130-280 ms, and
    finding nothing to free: handled interactions leave no cycles (BriefTree).
    """
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


class BriefTree(app_commands.CommandTree[Any]):
    """discord.py's command tree, letting go of each interaction once it is handled.

    An ``Interaction`` and its cached ``InteractionResponse`` (and its original
    message) point at each other, so reference counting never frees them: about a
    dozen objects per command or autocomplete were left for the garbage collector,
    whose full passes then held the event loop for hundreds of milliseconds under
    load. Dropping those caches after the handler and any error handler have run
    breaks the cycle; nothing reads them afterwards (a view's later clicks and
    edits of the original message come with, or build, their own objects).
    """

    def _from_interaction(self, interaction: discord.Interaction[Any]) -> None:
        # Mirrors CommandTree._from_interaction (discord.py 2.x), plus the release.
        async def wrapper() -> None:
            try:
                await self._call(interaction)
            except app_commands.AppCommandError as error:
                await self._dispatch_error(interaction, error)
            finally:
                release_interaction(interaction)

        self.client.loop.create_task(wrapper(), name="CommandTree-invoker")


def release_interaction(interaction: discord.Interaction[Any]) -> None:
    """Break the interaction <-> response cycle (see :class:`BriefTree`)."""
    with contextlib.suppress(AttributeError):
        del interaction._cs_response  # type: ignore[attr-defined]
    interaction._original_response = None


class BriefBot(commands.Bot):
    """Brief on Discord. Create with settings; ``store`` and ``service`` exist after ``setup_hook``."""

    store: Store
    service: Service

    def __init__(
        self, settings: Settings, *, clock: Callable[[], datetime] | None = None, **options: Any
    ) -> None:
        if settings.sharded and not isinstance(self, discord.AutoShardedClient):
            raise TypeError("SHARD_COUNT is set: create the bot with make_bot(settings)")
        intents = discord.Intents.none()
        intents.guilds = True  # channels and roles of the servers; nothing privileged
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=BriefTree,
            **{"guild_ready_timeout": GUILD_READY_TIMEOUT, **options},
        )
        self.settings = settings
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.tree.error(self.on_app_command_error)  # the one error handler of every app command
        self.startup_load: asyncio.Task[None] | None = None
        self._resources_closed = False

    # -- start and stop ---------------------------------------------------------------

    async def setup_hook(self) -> None:
        self.store = await Store.open(self.settings.database_path)
        self.service = Service(self.store, self.settings)
        for name in COGS:
            await self.load_extension(name)
        if not await self.store.count_articles():
            # First start: load SEEDS_DIR in the background, so the gateway connects at once.
            self.startup_load = asyncio.create_task(self._first_load(), name="brief-first-load")
        await self.sync_commands(force=False)
        if self.application_id:
            log.info("Invite Brief to a server with: %s", self.invite_url())
        settle_heap()


    async def _first_load(self) -> None:
        try:
            report = await self.service.ensure_loaded()
            if report is not None:
                log.info("loaded the corpus from %s: %s", self.settings.seeds_dir, report.counts())
        except Exception:
            log.exception("loading the corpus at start-up failed")

    def invite_url(self) -> str:
        assert self.application_id is not None
        return discord.utils.oauth_url(
            self.application_id,
            permissions=INVITE_PERMISSIONS,
            scopes=("bot", "applications.commands"),
        )

    async def close(self) -> None:
        """Close the gateway, then the worker processes and the database (once)."""
        if self.startup_load is not None and not self.startup_load.done():
            self.startup_load.cancel()
        await super().close()
        if not self._resources_closed:
            self._resources_closed = True
            if hasattr(self, "service"):
                await self.service.close()
            if hasattr(self, "store"):
                await self.store.close()
            log.info("closed the worker processes and the database")

    # -- command sync -------------------------------------------------------------------

    def command_hash(self) -> str:
        payload = [c.to_dict(self.tree) for c in self.tree.get_commands()]
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    async def sync_commands(self, *, force: bool) -> str:
        """Sync slash commands: to DEV_GUILD_ID at once when set; else globally when changed."""
        guild_id = self.settings.dev_guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to the development server %d", len(synced), guild_id)
            return f"Synced {len(synced)} commands to the development server."
        digest = self.command_hash()
        if not force and await self.store.get_meta(COMMAND_HASH_KEY) == digest:
            log.info("slash commands unchanged since the last sync; not syncing")
            return "Commands are unchanged since the last sync."
        synced = await self.tree.sync()
        await self.store.set_meta(COMMAND_HASH_KEY, digest)
        log.info("synced %d commands globally", len(synced))
        return f"Synced {len(synced)} commands globally (Discord may take a while to show changes)."

    # -- errors ----------------------------------------------------------------------------

    async def on_app_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """The one error path: expected errors become a friendly ephemeral message."""
        from cogs._render import brief_error_text, error_message

        original = getattr(error, "original", error)
        if isinstance(original, BriefError):
            text = brief_error_text(original)
        elif isinstance(error, app_commands.CommandOnCooldown):
            text = f"Easy there: try again in {error.retry_after:.0f} s."
        elif isinstance(error, NotAllowed | app_commands.MissingPermissions | app_commands.NoPrivateMessage):
            text = str(error)
        elif isinstance(error, app_commands.CheckFailure):
            text = "You can't use this command here."
        else:
            error_id = secrets.token_hex(4)
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error(
                "error %s in /%s (user %s, guild %s)", error_id, command,
                interaction.user.id, interaction.guild_id, exc_info=original,
            )
            text = f"Something went wrong on my side (error id `{error_id}`). It has been logged."
        await send_ephemeral(interaction, error_message(text))


class ShardedBriefBot(BriefBot, commands.AutoShardedBot):
    """Brief as discord.py's ``AutoShardedBot``: SHARD_COUNT shards (or Discord's
    recommended count for ``auto``), of which this process runs SHARD_IDS (default: all).

    Everything else is :class:`BriefBot`. A process sees only the guilds of its own
    shards: ``self.guilds``, and so the digest loop (``cogs/digest.py`` iterates
    ``bot.guilds``) posts only its own servers' digests, and Discord sends it only
    their interactions. That is the split: no two processes post the same digest.
    """

    def __init__(
        self, settings: Settings, *, clock: Callable[[], datetime] | None = None, **options: Any
    ) -> None:
        count = settings.shard_count
        options.setdefault("shard_count", None if count == "auto" else count)  # None: ask Discord
        if settings.shard_ids is not None:
            options.setdefault("shard_ids", list(settings.shard_ids))
        super().__init__(settings, clock=clock, **options)

    async def setup_hook(self) -> None:
        if self.shard_count is None:
            log.info("sharded: SHARD_COUNT=auto, running every shard Discord recommends")
        else:
            ids = self.shard_ids if self.shard_ids is not None else range(self.shard_count)
            shown = ", ".join(map(str, ids))
            log.info("sharded: this process runs shard(s) %s of %d", shown, self.shard_count)
        await super().setup_hook()

    async def on_shard_ready(self, shard_id: int) -> None:
        servers = sum(1 for g in self.guilds if g.shard_id == shard_id)
        log.info("shard %d of %s ready: %d servers", shard_id, self.shard_count, servers)


def make_bot(settings: Settings, **options: Any) -> BriefBot:
    """The bot the settings ask for: a :class:`ShardedBriefBot` when SHARD_COUNT is set,
    else a plain :class:`BriefBot`. ``options`` go to the constructor (e.g. ``clock``)."""
    cls = ShardedBriefBot if settings.sharded else BriefBot
    return cls(settings, **options)


async def send_ephemeral(interaction: discord.Interaction[Any], content: str) -> None:
    """Answer ephemerally: as the response, or as a followup when already answered."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True)
        else:
            await interaction.response.send_message(content, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell user %s about an error", interaction.user.id, exc_info=True)
