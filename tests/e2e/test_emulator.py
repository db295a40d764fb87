"""Tests of the Discord emulator itself, driven by a small discord.py bot
defined here (the Brief bot has its own e2e tests)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.e2e.emulator import (
    ClientCrashed,
    DiscordEmulator,
    InteractionHandle,
    point_discord_at,
    snowflake,
    start_bot,
)

GUILD_ID = 900000000000000001
TOPICS = ["science", "sports", "space", "politics", "economy"]


class Voting(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)
        self.votes = 0

    @discord.ui.button(label="Upvote", custom_id="vote:up", style=discord.ButtonStyle.success)
    async def up(self, interaction: discord.Interaction, button: discord.ui.Button[Voting]) -> None:
        self.votes += 1
        await interaction.response.edit_message(content=f"votes: {self.votes}", view=self)

    @discord.ui.button(label="Details", custom_id="vote:details")
    async def details(self, interaction: discord.Interaction, button: discord.ui.Button[Voting]) -> None:
        await interaction.response.send_message(f"{interaction.user.name} asked", ephemeral=True)


def make_bot() -> commands.Bot:
    """A small bot exercising what the Brief bot uses: app commands, groups,
    autocomplete, embeds, defer + followup + edit, views, channel posts."""
    bot = commands.Bot(
        command_prefix="!",
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
        allowed_mentions=discord.AllowedMentions.none(),
    )

    @bot.tree.command(description="Answer with an embed")
    async def ping(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Pong", description=f"hi {interaction.user.name}")
        embed.add_field(name="guild", value=str(interaction.guild_id))
        await interaction.response.send_message(embed=embed)

    @bot.tree.command(description="Look up a topic")
    @app_commands.describe(name="topic name")
    async def topic(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"topic {name}")

    @topic.autocomplete("name")
    async def topic_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t.title(), value=t) for t in TOPICS if t.startswith(current)]

    @bot.tree.command(description="Deferred answer")
    async def slow(interaction: discord.Interaction, count: int = 2) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.01)
        await interaction.followup.send(f"part 1 of {count}")
        await interaction.edit_original_response(content=f"done: {count} parts")

    @bot.tree.command(description="Vote with buttons")
    async def vote(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("votes: 0", view=Voting())

    @bot.tree.command(description="Post in a channel")
    async def post(interaction: discord.Interaction, channel: discord.TextChannel, text: str) -> None:
        await interaction.response.defer(ephemeral=True)
        await channel.send(text)
        await interaction.followup.send(f"posted in {channel.name}", ephemeral=True)

    @bot.tree.command(description="Reply, read it back, delete it")
    async def flash(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("now you see me")
        original = await interaction.original_response()
        await interaction.followup.send(f"original was {original.content!r}", ephemeral=True)
        await interaction.delete_original_response()

    @bot.tree.command(description="Deferred menu with buttons")
    async def menu(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await interaction.followup.send("votes: 0", view=Voting())

    admin = app_commands.Group(
        name="admin", description="Admin tools", default_permissions=discord.Permissions(manage_guild=True)
    )

    @admin.command(name="reload", description="Reload a module")
    async def reload(
        interaction: discord.Interaction, module: str, force: bool = False, level: int = 1
    ) -> None:
        if not interaction.permissions.manage_guild:
            await interaction.response.send_message("no permission", ephemeral=True)
            return
        await interaction.response.send_message(
            f"reloaded {module} force={force} level={level}", ephemeral=True
        )

    sources = app_commands.Group(name="sources", description="Sources", parent=admin)

    @sources.command(name="add", description="Add a source")
    async def sources_add(interaction: discord.Interaction, url: str, channel: discord.TextChannel) -> None:
        await interaction.response.send_message(f"added {url} to {channel.mention}")

    bot.tree.add_command(admin, guild=discord.Object(GUILD_ID))
    return bot


@pytest.fixture
def guild(emulator: DiscordEmulator) -> Any:
    return emulator.add_guild(
        "Test Guild", id=GUILD_ID, channels=["general", "news", {"name": "Voice", "type": 2}], roles=["Mods"]
    )


@pytest.fixture
async def bot(emulator: DiscordEmulator, guild: Any, run_bot: Any) -> commands.Bot:
    bot = make_bot()
    await run_bot(bot)
    await bot.tree.sync()
    await bot.tree.sync(guild=discord.Object(GUILD_ID))
    return bot


async def test_login_ready_and_sync(emulator: DiscordEmulator, guild: Any, run_bot: Any) -> None:
    bot = make_bot()
    started = time.monotonic()
    await run_bot(bot)
    assert time.monotonic() - started < 1.0
    assert bot.user is not None and bot.user.id == emulator.application_id
    assert bot.application_id == emulator.application_id
    g = bot.get_guild(GUILD_ID)
    assert g is not None and g.name == "Test Guild"
    assert {c.name for c in g.text_channels} == {"general", "news"}
    assert g.get_role(guild.role_id("Mods")) is not None
    assert g.me is not None
    assert await bot.is_owner(discord.Object(emulator.owner_id))  # type: ignore[arg-type]

    synced = await bot.tree.sync()
    assert {c.name for c in synced} == {"ping", "topic", "slow", "vote", "post", "flash", "menu"}
    await bot.tree.sync(guild=discord.Object(GUILD_ID))
    await bot.tree.sync()
    assert emulator.global_sync_count == 2
    assert emulator.guild_sync_counts == {GUILD_ID: 1}
    assert [c["name"] for c in emulator.commands_for(GUILD_ID)] == ["admin"]
    assert emulator.commands_for(GUILD_ID)[0]["default_member_permissions"] == str(
        discord.Permissions(manage_guild=True).value
    )
    fetched = await bot.tree.fetch_commands()
    assert {c.id for c in fetched} == {c.id for c in synced}

    # login REST traffic and a real zlib-stream gateway with heartbeats
    assert [r.path for r in emulator.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert emulator.connections[0].compressor is not None
    assert emulator.identify_count == 1 and emulator.heartbeat_count >= 1


async def test_slash_command_answered_with_embed(emulator: DiscordEmulator, bot: commands.Bot) -> None:
    h = await emulator.invoke("ping")
    resp = await h.response()
    assert resp.type == 4
    assert resp.embeds[0]["title"] == "Pong"
    assert resp.embeds[0]["description"] == "hi tester"
    assert resp.embeds[0]["fields"] == [{"name": "guild", "value": str(GUILD_ID), "inline": True}]
    assert h.message is not None and h.message["embeds"][0]["title"] == "Pong"


async def test_group_subcommand_with_options(
    emulator: DiscordEmulator, guild: Any, bot: commands.Bot
) -> None:
    perms = discord.Permissions(manage_guild=True).value
    h = await emulator.invoke(
        ("admin", "reload"), {"module": "news", "force": True, "level": 3}, permissions=perms
    )
    resp = await h.response()
    assert resp.content == "reloaded news force=True level=3" and resp.ephemeral
    sent = h.payload["data"]
    assert sent["guild_id"] == str(GUILD_ID)
    assert sent["options"][0]["type"] == 1 and sent["options"][0]["name"] == "reload"

    denied = await emulator.invoke("admin reload", {"module": "news"}, permissions=0)
    assert (await denied.response()).content == "no permission"

    # subcommand group -> subcommand, with a resolved channel option
    news = guild.channel_id("news")
    h2 = await emulator.invoke(("admin", "sources", "add"), {"url": "https://x.test", "channel": news})
    assert (await h2.response()).content == f"added https://x.test to <#{news}>"
    opts = h2.payload["data"]["options"][0]
    assert opts["type"] == 2 and opts["options"][0]["type"] == 1
    assert h2.payload["data"]["resolved"]["channels"][str(news)]["name"] == "news"

    with pytest.raises(LookupError):
        await emulator.invoke("nope")
    with pytest.raises(ValueError):
        await emulator.invoke(("admin", "reload"), {})  # required option missing


async def test_autocomplete(emulator: DiscordEmulator, bot: commands.Bot) -> None:
    choices = await emulator.autocomplete("topic", {"name": "s"}, focused="name")
    assert choices == [
        {"name": "Science", "value": "science"},
        {"name": "Sports", "value": "sports"},
        {"name": "Space", "value": "space"},
    ]
    assert await emulator.autocomplete("topic", {"name": "zz"}, focused="name") == []


async def test_defer_followup_and_edit_original(emulator: DiscordEmulator, bot: commands.Bot) -> None:
    h = await emulator.invoke("slow", {"count": 4})
    assert (await h.response()).type == 5
    follow = await h.followup()
    assert follow.content == "part 1 of 4"
    edit = await h.edit()
    assert edit.content == "done: 4 parts"
    assert h.message is not None and h.message["content"] == "done: 4 parts"
    assert [e.kind for e in h.events] == ["callback", "followup", "edit"]


async def test_button_click(emulator: DiscordEmulator, bot: commands.Bot) -> None:
    h = await emulator.invoke("vote")
    resp = await h.response()
    assert resp.custom_ids() == ["vote:up", "vote:details"]

    click = await emulator.click(h, "vote:up")
    update = await click.response()
    assert update.type == 7 and update.content == "votes: 1"
    assert h.message is not None and h.message["content"] == "votes: 1"

    with pytest.raises(ValueError):  # bob is not a member of the guild
        await emulator.click(h, "vote:up", user=emulator.add_user("bob"))
    bob = emulator.add_user("bob2")
    emulator.add_member(GUILD_ID, bob)
    await asyncio.sleep(0.05)
    click3 = await emulator.click(h, "vote:details", user=bob)
    detail = await click3.response()
    assert detail.type == 4 and detail.content == "bob2 asked" and detail.ephemeral


async def test_channel_send_records_allowed_mentions(
    emulator: DiscordEmulator, guild: Any, bot: commands.Bot
) -> None:
    news = guild.channel_id("news")
    h = await emulator.invoke("post", {"channel": news, "text": "hello @everyone"})
    done = await h.followup()
    assert done.content == "posted in news" and done.ephemeral
    posts = emulator.posts_to(news)
    assert len(posts) == 1
    assert posts[0].body["content"] == "hello @everyone"
    assert posts[0].body["allowed_mentions"] == {"parse": []}  # the bot's default: AllowedMentions.none()
    # the bot can also post directly
    channel = bot.get_channel(news)
    assert isinstance(channel, discord.TextChannel)
    msg = await channel.send("direct", allowed_mentions=discord.AllowedMentions(users=True))
    assert msg.content == "direct" and msg.author.id == emulator.application_id
    assert emulator.posts_to(news)[1].body["allowed_mentions"]["parse"] == ["users"]


async def test_rate_limited_post_is_retried_once(
    emulator: DiscordEmulator, guild: Any, bot: commands.Bot
) -> None:
    news = guild.channel_id("news")
    fault = emulator.inject_fault("POST", "/channels/*/messages", 429, retry_after=0.05)
    channel = bot.get_channel(news)
    assert isinstance(channel, discord.TextChannel)
    started = time.monotonic()
    await channel.send("after a rate limit")
    assert time.monotonic() - started >= 0.05
    assert fault.hits == 1
    attempts = emulator.requests_to("POST", f"/channels/{news}/messages")
    assert [r.status for r in attempts] == [429, 200]
    assert [p.body["content"] for p in emulator.posts_to(news)] == ["after a rate limit"]


async def test_server_error_is_retried(emulator: DiscordEmulator, guild: Any, bot: commands.Bot) -> None:
    """discord.py retries a 500 after 1 s: the slowest test of this file."""
    news = guild.channel_id("news")
    emulator.inject_fault("POST", f"/channels/{news}/messages", 500)
    channel = bot.get_channel(news)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("after a 500")
    assert [r.status for r in emulator.requests_to("POST", f"/channels/{news}/messages")] == [500, 200]
    assert len(emulator.posts_to(news)) == 1


async def test_forbidden_and_deleted_channel(
    emulator: DiscordEmulator, guild: Any, bot: commands.Bot
) -> None:
    news = guild.channel_id("news")
    channel = bot.get_channel(news)
    assert isinstance(channel, discord.TextChannel)
    emulator.inject_fault("POST", f"/channels/{news}/messages", 403)
    with pytest.raises(discord.Forbidden):
        await channel.send("nope")
    emulator.delete_channel(news)
    with pytest.raises(discord.NotFound):
        await bot.fetch_channel(news)
    with pytest.raises(discord.NotFound):
        await channel.send("gone")
    await emulator.wait_for(lambda: bot.get_channel(news) is None, what="CHANNEL_DELETE processed")
    assert emulator.posts_to(news) == []


async def test_reconnect_then_resume(emulator: DiscordEmulator, bot: commands.Bot) -> None:
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    bot.add_listener(on_resumed)
    seq_before = emulator.session.seq  # type: ignore[union-attr]
    await emulator.send_reconnect()
    assert emulator.identify_count == 1 and emulator.resume_count == 1
    assert emulator.connections[-1].path == "/resume"
    resume = next(p for p in emulator.connections[-1].received if p["op"] == 6)
    assert resume["d"]["seq"] == seq_before
    await asyncio.wait_for(resumed.wait(), 1)
    h = await emulator.invoke("ping")
    assert (await h.response()).embeds[0]["title"] == "Pong"


async def test_abrupt_close_resumes_and_replays_missed_events(
    emulator: DiscordEmulator, guild: Any, bot: commands.Bot
) -> None:
    await emulator.close_gateway(4000)
    # dispatched while the client is away: replayed on RESUME
    ch = emulator.add_channel(GUILD_ID, "late-news")
    await emulator.wait_for(lambda: emulator.resume_count == 1 and emulator.connected, timeout=5)
    await emulator.wait_for(
        lambda: bot.get_channel(int(ch["id"])) is not None, what="replayed CHANNEL_CREATE"
    )
    h = await emulator.invoke("ping")
    await h.response()


async def test_unknown_route_is_recorded(emulator: DiscordEmulator, bot: commands.Bot) -> None:
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/stickers/{sticker_id}", sticker_id=1))
    assert [(r.method, r.path) for r in emulator.unknown_routes] == [("GET", "/stickers/1")]
    emulator.unknown_routes.clear()  # else the fixture fails the test


async def test_double_acknowledge_and_errors_are_reported(
    emulator: DiscordEmulator, guild: Any, run_bot: Any
) -> None:
    bot = make_bot()

    @bot.tree.command(description="Answers twice")
    async def twice(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("one")
        await interaction.response.send_message("two")

    runner = await run_bot(bot)
    await bot.tree.sync()
    h = await emulator.invoke("twice")
    assert (await h.response()).content == "one"
    await emulator.wait_for(lambda: bool(runner.app_command_errors), what="app command error")
    errors = runner.take_errors()
    assert any(isinstance(e, app_commands.CommandInvokeError) for e in errors)


async def test_interaction_timeout(emulator: DiscordEmulator, guild: Any, run_bot: Any) -> None:
    emulator.interaction_timeout = 0.05
    bot = make_bot()

    @bot.tree.command(description="Too slow")
    async def late(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.1)
        await interaction.response.send_message("late")

    runner = await run_bot(bot)
    await bot.tree.sync()
    h = await emulator.invoke("late")
    await emulator.wait_for(lambda: bool(runner.app_command_errors), what="app command error")
    assert not h.acknowledged
    errors = runner.take_errors()
    assert isinstance(errors[0], app_commands.CommandInvokeError)
    assert isinstance(errors[0].__cause__, discord.NotFound) and errors[0].__cause__.code == 10062


async def test_team_owned_application(run_bot: Any) -> None:
    alice, bob = snowflake(), snowflake()
    async with DiscordEmulator(team_member_ids=[alice, bob]) as emu:
        with point_discord_at(emu):
            emu.add_guild()
            bot = make_bot()
            runner = await start_bot(emu, bot)
            try:
                assert await bot.is_owner(discord.Object(bob))  # type: ignore[arg-type]
                assert not await bot.is_owner(discord.Object(emu.default_user["id"]))  # type: ignore[arg-type]
                app = await bot.application_info()
                assert app.team is not None and app.team.owner_id == alice
            finally:
                await runner.stop()


async def test_connect_crash_fails_waits(emulator: DiscordEmulator, guild: Any) -> None:
    bot = make_bot()
    runner = await start_bot(emulator, bot, reconnect=False)
    await emulator.close_gateway(4004)  # authentication failed: not resumable
    with pytest.raises(ClientCrashed):
        await emulator.wait_for(lambda: False, timeout=2)
    with pytest.raises(discord.ConnectionClosed):
        await runner.stop()
    runner.take_errors()


async def test_dm_invoke_and_user_message(emulator: DiscordEmulator, guild: Any, bot: commands.Bot) -> None:
    h = await emulator.invoke("ping", dm=True)
    resp = await h.response()
    assert resp.embeds[0]["fields"][0]["value"] == "None"
    assert "member" not in h.payload and h.payload["user"]["id"] == emulator.default_user["id"]

    seen: list[discord.Message] = []

    async def on_message(message: discord.Message) -> None:
        seen.append(message)

    bot.add_listener(on_message)
    await emulator.send_user_message(guild.channel_id("general"), "hi bot")
    await emulator.wait_for(lambda: bool(seen), what="on_message")
    assert seen[0].author.id == int(emulator.default_user["id"])
    assert seen[0].content == ""  # no message_content intent
    await emulator.send_user_message(guild.channel_id("general"), f"<@{bot.user.id}> hi")  # type: ignore[union-attr]
    await emulator.wait_for(lambda: len(seen) == 2, what="on_message")
    assert seen[1].content.endswith(" hi")


async def test_original_response_fetch_and_delete(emulator: DiscordEmulator, bot: commands.Bot) -> None:
    h = await emulator.invoke("flash")
    follow = await h.followup()
    assert follow.content == "original was 'now you see me'" and follow.ephemeral
    deleted = await h.deleted()
    assert deleted.message is not None and deleted.message["content"] == "now you see me"
    assert [e.kind for e in h.events] == ["callback", "get", "followup", "delete"]
    assert h.message is None


async def test_click_on_followup_of_deferred_interaction(
    emulator: DiscordEmulator, bot: commands.Bot
) -> None:
    h: InteractionHandle = await emulator.invoke("menu")
    assert (await h.response()).type == 5
    menu = await h.followup()
    assert menu.custom_ids() == ["vote:up", "vote:details"]
    click = await emulator.click(h, "vote:up")
    assert (await click.response()).content == "votes: 1"
    assert click.payload["message"]["id"] == menu.message["id"]  # type: ignore[index]
    click2 = await emulator.click(menu, "vote:up")
    assert (await click2.response()).content == "votes: 2"


async def test_rate_limited_interaction_callback_is_retried(
    emulator: DiscordEmulator, bot: commands.Bot
) -> None:
    fault = emulator.inject_fault("POST", "/interactions/*/*/callback", 429, retry_after=0.02)
    h = await emulator.invoke("ping")
    assert (await h.response()).embeds[0]["title"] == "Pong"
    assert fault.hits == 1 and len(h.callbacks) == 1


async def test_dispatch_arbitrary_event(emulator: DiscordEmulator, guild: Any, bot: commands.Bot) -> None:
    guild.name = "Renamed"
    await emulator.dispatch("GUILD_UPDATE", guild.to_gateway())
    await emulator.wait_for(lambda: bot.get_guild(GUILD_ID).name == "Renamed")  # type: ignore[union-attr]


class TestFastHeartbeat:
    @pytest.fixture
    def emulator_options(self) -> dict[str, Any]:
        return {"heartbeat_interval": 30}

    async def test_heartbeats_are_acked(self, emulator: DiscordEmulator, bot: commands.Bot) -> None:
        await emulator.wait_for(lambda: emulator.heartbeat_count >= 4, what="heartbeats")
        assert bot.latency < 1.0
        assert emulator.identify_count == 1 and emulator.resume_count == 0
