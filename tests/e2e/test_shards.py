"""Sharding end to end: SHARD_COUNT / SHARD_IDS run the real bot as an AutoShardedBot over
the emulator, which gives each shard its own session with only that shard's guilds."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.client import BriefBot, ShardedBriefBot, make_bot
from tests.e2e import test_bot as base
from tests.e2e.emulator import DiscordEmulator, EmulatedGuild, snowflake
from tests.e2e.helpers import Clock, make_settings

# The corpus database of test_bot (built once for this module), copied per test.
template_db = base.template_db
workdir = base.workdir
SEED_ID = base.SEED_ID
EARLY = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)  # no digest falls due by itself during a test


def guild_id_on(shard: int, count: int) -> int:
    """A fresh snowflake whose shard is ``shard`` of ``count`` (Discord: (id >> 22) % count)."""
    gid = snowflake()
    while (gid >> 22) % count != shard:
        gid += 1 << 22
    return gid


def add_guild(emulator: DiscordEmulator, name: str, shard: int, count: int = 2) -> EmulatedGuild:
    return emulator.add_guild(name, id=guild_id_on(shard, count), channels=["general", "digest"])


async def _no_identify_wait(shard_id: int | None, *, initial: bool = False) -> None:
    """discord.py waits 5 s before each IDENTIFY after the first (Discord's identify
    rate limit); the emulator has none."""


def sharded(workdir: Path, clock: Any = None, **env: str) -> BriefBot:
    bot = make_bot(make_settings(workdir, **env), clock=clock or Clock(EARLY))
    bot.before_identify_hook = _no_identify_wait  # type: ignore[method-assign]
    return bot


def identified_shards(emulator: DiscordEmulator) -> list[list[int]]:
    return [p["d"].get("shard") for p in emulator.gateway_received if p.get("op") == 2]


def sent_to(emulator: DiscordEmulator, shard: int, event: str) -> list[dict[str, Any]]:
    """The payloads of ``event`` the emulator sent on ``shard``'s session."""
    session = emulator.shard_sessions[shard]
    return [p["d"] for p in session.history if p["t"] == event]


async def answered(emulator: DiscordEmulator, guild: EmulatedGuild) -> str:
    h = await emulator.invoke("takeaways", {"article": SEED_ID}, guild_id=guild.id)
    resp = await h.response()
    assert resp.type == 4
    return str(resp.embeds[0]["title"])


# -- choosing the bot class ---------------------------------------------------------


def test_make_bot_is_a_plain_bot_without_shard_count(tmp_path: Path) -> None:
    assert type(make_bot(make_settings(tmp_path))) is BriefBot
    bot = make_bot(make_settings(tmp_path, SHARD_COUNT="4", SHARD_IDS="1,3"))
    assert isinstance(bot, ShardedBriefBot) and isinstance(bot, BriefBot)
    assert (bot.shard_count, bot.shard_ids) == (4, [1, 3])
    with pytest.raises(TypeError, match="make_bot"):
        BriefBot(make_settings(tmp_path, SHARD_COUNT="2"))


# -- one process, every shard -------------------------------------------------------


async def test_two_shards_in_one_process_each_get_their_guilds_and_commands(
    emulator: DiscordEmulator, workdir: Path, run_bot: Any
) -> None:
    g0, g1 = add_guild(emulator, "Zero", 0), add_guild(emulator, "One", 1)
    bot = sharded(workdir, SHARD_COUNT="2")
    await run_bot(bot)

    assert identified_shards(emulator) == [[0, 2], [1, 2]]
    assert sorted(bot.shards) == [0, 1]
    assert [g["id"] for g in sent_to(emulator, 0, "GUILD_CREATE")] == [str(g0.id)]
    assert [g["id"] for g in sent_to(emulator, 1, "GUILD_CREATE")] == [str(g1.id)]
    assert {g.id: g.shard_id for g in bot.guilds} == {g0.id: 0, g1.id: 1}

    title = "Is Japan Ready to Resume Peace Talks with Russia?"
    assert await answered(emulator, g0) == title
    assert await answered(emulator, g1) == title
    assert [i["guild_id"] for i in sent_to(emulator, 0, "INTERACTION_CREATE")] == [str(g0.id)]
    assert [i["guild_id"] for i in sent_to(emulator, 1, "INTERACTION_CREATE")] == [str(g1.id)]

    # A server joining later arrives on its shard; a shard resumes on its own.
    g2 = add_guild(emulator, "Two", 1)
    await emulator.wait_for(lambda: bot.get_guild(g2.id) is not None, what="GUILD_CREATE on shard 1")
    assert bot.get_guild(g2.id).shard_id == 1  # type: ignore[union-attr]
    await emulator.send_reconnect(shard=1)
    assert await answered(emulator, g2) == title
    assert emulator.identify_count == 2 and emulator.resume_count == 1


# -- one process, some shards -------------------------------------------------------


async def test_shard_ids_connects_only_those_shards_and_sees_only_their_guilds(
    emulator: DiscordEmulator, workdir: Path, run_bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.client")
    g0, g1 = add_guild(emulator, "Zero", 0), add_guild(emulator, "One", 1)
    bot = sharded(workdir, SHARD_COUNT="2", SHARD_IDS="1")
    await run_bot(bot)
    assert "this process runs shard(s) 1 of 2" in caplog.text
    await emulator.wait_for(lambda: "shard 1 of 2 ready: 1 servers" in caplog.text, what="shard log")

    assert identified_shards(emulator) == [[1, 2]]
    assert sorted(bot.shards) == [1]
    assert [g.id for g in bot.guilds] == [g1.id]
    assert bot.get_guild(g0.id) is None
    assert await answered(emulator, g1)
    with pytest.raises(RuntimeError, match="no connected shard"):
        await emulator.invoke("takeaways", {"article": SEED_ID}, guild_id=g0.id)


async def test_two_processes_split_the_shards_and_the_digests(
    emulator: DiscordEmulator, workdir: Path, run_bot: Any
) -> None:
    """Two bots over one database, SHARD_IDS=0 and SHARD_IDS=1: each answers and posts the
    digest for its own servers only."""
    g0, g1 = add_guild(emulator, "Zero", 0), add_guild(emulator, "One", 1)
    clock = Clock(EARLY)
    first = sharded(workdir, clock, SHARD_COUNT="2", SHARD_IDS="0")
    second = sharded(workdir, clock, SHARD_COUNT="2", SHARD_IDS="1")
    await run_bot(first)
    await run_bot(second)
    assert identified_shards(emulator) == [[0, 2], [1, 2]]
    assert [g.id for g in first.guilds] == [g0.id] and [g.id for g in second.guilds] == [g1.id]
    assert await answered(emulator, g0) and await answered(emulator, g1)
    assert emulator.global_sync_count == 1  # the second process found the commands synced

    for guild in (g0, g1):
        await first.service.set_digest(guild.id, guild.channel_id("digest"), "09:00", "UTC")
    clock.now = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert await first.get_cog("Digest").run_due() == 1  # type: ignore[union-attr]
    assert await second.get_cog("Digest").run_due() == 1  # type: ignore[union-attr]
    assert await first.get_cog("Digest").run_due() == 0  # type: ignore[union-attr]
    assert len(emulator.posts_to(g0.channel_id("digest"))) == 1
    assert len(emulator.posts_to(g1.channel_id("digest"))) == 1


# -- SHARD_COUNT=auto ---------------------------------------------------------------


@pytest.mark.parametrize("emulator_options", [{"recommended_shards": 3}])
async def test_auto_uses_the_count_gateway_bot_recommends(
    emulator: DiscordEmulator, workdir: Path, run_bot: Any
) -> None:
    guilds = [add_guild(emulator, f"G{i}", i, count=3) for i in range(3)]
    bot = sharded(workdir, SHARD_COUNT="auto")
    await run_bot(bot)

    assert len(emulator.requests_to("GET", "/gateway/bot")) == 1
    assert bot.shard_count == 3
    assert identified_shards(emulator) == [[0, 3], [1, 3], [2, 3]]
    assert {g.id: g.shard_id for g in bot.guilds} == {g.id: i for i, g in enumerate(guilds)}
    assert await answered(emulator, guilds[2])
