"""Faults and abuse, end to end over the Discord emulator: the bot keeps running and says what happened.

Shares the loaded template database and fixtures of tests/e2e/test_bot.py. Cases already covered
there (a deleted digest channel, a 429 on the digest post, reload by a non-owner, digest-set without
Manage Server, RESUME after op 7) are listed in docs/reliability.md, not repeated here.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot import launcher
from bot.client import BriefBot, NotAllowed
from bot.service import Service
from bot.storage.store import Store
from tests.e2e import test_bot
from tests.e2e.emulator import DiscordEmulator
from tests.e2e.helpers import MANAGE_GUILD, Clock, RunBot, expected_errors, make_settings

# The loaded template database and the bot fixtures of test_bot.py, shared.
template_db = test_bot.template_db
workdir = test_bot.workdir
guild = test_bot.guild
brief = test_bot.brief

TOKEN = "emulator-bot-token"


class Crash(BaseException):
    """A crash of the process (not an error the digest loop would catch and log)."""


async def digest_bot(emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot,
                     now: datetime) -> tuple[BriefBot, Any, int]:
    """A bot whose digest (09:00 UTC) is due at ``now``; it starts at 06:00 that day so that the
    loop's first tick posts nothing, then its clock is set to ``now``."""
    channel = guild.channel_id("digest")
    clock = Clock(now.replace(hour=6, minute=0))
    bot = BriefBot(make_settings(workdir, DIGEST_CHANNEL_ID=str(channel)), clock=clock)
    bot.test_runner = await run_bot(bot)  # type: ignore[attr-defined]
    clock.now = now
    return bot, bot.get_cog("Digest"), channel


# -- the gateway ---------------------------------------------------------------------------------------


async def test_gateway_closed_mid_command_resumes_and_the_command_is_answered(
    emulator: DiscordEmulator, brief: BriefBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    real = brief.service.takeaways

    async def slow_takeaways(query: str) -> Any:
        started.set()
        await release.wait()
        return await real(query)

    monkeypatch.setattr(brief.service, "takeaways", slow_takeaways)
    h = await emulator.invoke("takeaways", {"article": "orchard"})
    await asyncio.wait_for(started.wait(), 2)
    await emulator.close_gateway(4000, wait_resume=True)  # the connection drops mid-command
    release.set()
    resp = await h.response()
    assert resp.embeds[0]["title"] == "Orchard Growers Brace for a Late Frost"
    assert emulator.resume_count == 1 and emulator.identify_count == 1


async def test_a_command_sent_while_the_gateway_is_down_is_answered_after_resume(
    emulator: DiscordEmulator, brief: BriefBot
) -> None:
    await emulator.close_gateway(4000, wait_resume=True)
    await emulator.send_reconnect()
    h = await emulator.invoke("takeaways", {"article": "library"})
    assert (await h.response()).embeds[0]["title"] == "City Library Extends Weekend Hours"


# -- posting the digest: 500, 403, a crash between the claim and the post --------------------------------


async def test_digest_post_500_once_is_retried_by_discord_py_and_posted_once(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot
) -> None:
    _, cog, channel = await digest_bot(emulator, guild, workdir, run_bot, datetime(2026, 3, 10, 12, 0,
                                                                                   tzinfo=UTC))
    fault = emulator.inject_fault("POST", f"/channels/{channel}/messages", 500)
    assert await cog.run_due() == 1  # discord.py waits 1 s and retries a 5xx
    assert fault.hits == 1
    assert len(emulator.posts_to(channel)) == 1


async def test_digest_post_failing_for_good_gives_the_day_back_and_the_next_minute_posts_once(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clock_now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    bot, cog, channel = await digest_bot(emulator, guild, workdir, run_bot, clock_now)

    class Response:
        status, reason = 503, "Service Unavailable"

    real_send = discord.TextChannel.send

    async def refused(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise discord.HTTPException(Response(), {"message": "upstream gone", "code": 0})  # type: ignore[arg-type]

    monkeypatch.setattr(discord.TextChannel, "send", refused)  # after discord.py's own retries
    assert await cog.run_due() == 0
    assert "HTTP 503" in caplog.text
    config = await bot.store.digest_config(guild.id)
    assert config is not None and config.last_date is None and "503" in (config.last_error or "")
    monkeypatch.setattr(discord.TextChannel, "send", real_send)
    bot.clock.now = clock_now.replace(minute=1)  # type: ignore[attr-defined]
    assert await cog.run_due() == 1
    assert await cog.run_due() == 0
    assert len(emulator.posts_to(channel)) == 1
    assert cog.tick.is_running()


async def test_digest_post_forbidden_is_logged_not_retried_and_reported_to_the_next_admin(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot, cog, channel = await digest_bot(emulator, guild, workdir, run_bot, datetime(2026, 3, 10, 12, 0,
                                                                                     tzinfo=UTC))
    fault = emulator.inject_fault("POST", f"/channels/{channel}/messages", 403, count=5,
                                  body={"message": "Missing Permissions", "code": 50013})
    assert await cog.run_due() == 0
    assert "missing permissions" in caplog.text
    bot.clock.now = datetime(2026, 3, 10, 12, 5, tzinfo=UTC)  # type: ignore[attr-defined]
    assert await cog.run_due() == 0
    assert fault.hits == 1  # a lasting problem: not retried every minute
    assert cog.tick.is_running()
    h = await emulator.invoke(("admin", "sync"), user=emulator.owner, permissions=MANAGE_GUILD)
    await h.response()
    note = await h.followup(timeout=10)
    assert note.ephemeral and "Last digest" in note.content and "missing permissions" in note.content
    assert emulator.posts_to(channel) == []


async def test_a_crash_between_the_claim_and_the_post_never_posts_twice_that_day(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guarantee: at most one digest per server per local day (the day is claimed first)."""
    noon = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    bot, cog, channel = await digest_bot(emulator, guild, workdir, run_bot, noon)

    async def crash(cutoff: str | None) -> Any:
        raise Crash("the process dies after the claim, before the post")

    monkeypatch.setattr(bot.service, "build_digest", crash)
    with pytest.raises(Crash):
        await cog.run_due()
    await bot.test_runner.stop()  # type: ignore[attr-defined]

    again, cog2, _ = await digest_bot(emulator, guild, workdir, run_bot, noon.replace(hour=15))
    assert await cog2.run_due() == 0  # that day's digest is lost, not doubled
    assert emulator.posts_to(channel) == []
    again.clock.now = datetime(2026, 3, 11, 9, 1, tzinfo=UTC)  # type: ignore[attr-defined]
    assert await cog2.run_due() == 1  # the next day posts, with everything since the last one
    assert len(emulator.posts_to(channel)) == 1


async def test_two_digest_runs_at_once_post_once(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot
) -> None:
    _, cog, channel = await digest_bot(emulator, guild, workdir, run_bot, datetime(2026, 3, 10, 12, 0,
                                                                                   tzinfo=UTC))
    assert sorted(await asyncio.gather(cog.run_due(), cog.run_due(), cog.run_due())) == [0, 0, 1]
    assert len(emulator.posts_to(channel)) == 1


# -- abuse: /admin without the right, even when the server shows it ---------------------------------------


@pytest.mark.parametrize(
    ("command", "options", "who", "permissions", "says"),
    [
        (("admin", "digest-now"), {}, "member", 0, "Manage Server"),
        (("admin", "digest-off"), {}, "member", 0, "Manage Server"),
        (("admin", "digest-set"), {"channel": "digest"}, "owner", 0, "Manage Server"),
        (("admin", "sync"), {}, "member", MANAGE_GUILD, "Only the bot's owner"),
        (("admin", "sync"), {}, "member", 0, "Only the bot's owner"),
        (("admin", "reload"), {}, "member", 0, "Only the bot's owner"),
        (("admin", "reload"), {"dry_run": True}, "member", MANAGE_GUILD, "Only the bot's owner"),
    ],
)
async def test_admin_commands_are_refused_without_the_right_and_change_nothing(
    emulator: DiscordEmulator, guild: Any, brief: BriefBot, workdir: Path,
    command: tuple[str, str], options: dict[str, Any], who: str, permissions: int, says: str
) -> None:
    channel = guild.channel_id("digest")
    await brief.service.set_digest(guild.id, channel, "09:00", "UTC")
    before = await brief.store.digest_config(guild.id)
    syncs = emulator.global_sync_count
    (workdir / "seeds" / "sneaky.txt").write_text("Sneaky\n\nShould not load.\n", encoding="utf-8")
    opts = {k: (channel if v == "digest" else v) for k, v in options.items()}
    user = emulator.owner if who == "owner" else None
    h = await emulator.invoke(command, opts, user=user, permissions=permissions)
    resp = await h.response()
    assert resp.ephemeral and says in resp.content and "Nothing was changed" in resp.content
    assert await brief.store.digest_config(guild.id) == before
    assert emulator.global_sync_count == syncs
    assert await brief.store.entry("sneaky") is None
    assert emulator.posts_to(channel) == []
    expected_errors(brief, NotAllowed)


async def test_admin_in_a_dm_is_refused_for_others_and_digest_commands_need_a_server(
    emulator: DiscordEmulator, brief: BriefBot
) -> None:
    # Discord hides guild-only commands in DMs, but discord.py does not check it when one arrives.
    h = await emulator.invoke(("admin", "reload"), dm=True)
    resp = await h.response()
    assert resp.ephemeral and "Only the bot's owner" in resp.content
    h = await emulator.invoke(("admin", "digest-now"), user=emulator.owner, dm=True)
    resp = await h.response()
    assert resp.ephemeral and "server" in resp.content
    expected_errors(brief, NotAllowed, app_commands.NoPrivateMessage)


# -- abuse: cooldowns on the heavy commands -----------------------------------------------------------------


async def test_topic_brief_has_a_per_user_cooldown_with_a_friendly_wait(
    emulator: DiscordEmulator, brief: BriefBot
) -> None:
    first = await emulator.invoke("topic", {"query": "ferry", "brief": True})
    assert (await first.response()).type == 5
    await first.followup(timeout=20)
    await asyncio.sleep(1.05)  # past the 1 s cooldown of every /topic
    second = await emulator.invoke("topic", {"query": "frost", "brief": True})
    resp = await second.response()
    assert resp.ephemeral and "try again in" in resp.content and "Easy there" in resp.content
    other = emulator.add_user("someone-else")
    emulator.add_member(emulator._sole_guild().id, other)
    third = await emulator.invoke("topic", {"query": "frost", "brief": True}, user=other)
    assert (await third.response()).type == 5  # per user: someone else may
    await third.followup(timeout=20)
    expected_errors(brief, app_commands.CommandOnCooldown)


async def test_admin_reload_has_a_per_user_cooldown_with_a_friendly_wait(
    emulator: DiscordEmulator, brief: BriefBot
) -> None:
    first = await emulator.invoke(("admin", "reload"), {"dry_run": True}, user=emulator.owner,
                                  permissions=MANAGE_GUILD)
    assert (await first.response()).type == 5
    await emulator.wait_for(lambda: any("Reload" in (e.content or "") for e in first.edits), timeout=20,
                            what="the reload report")
    second = await emulator.invoke(("admin", "reload"), user=emulator.owner, permissions=MANAGE_GUILD)
    resp = await second.response()
    assert resp.ephemeral and "Easy there: try again in" in resp.content
    assert int(resp.content.split("try again in ")[1].split(" ")[0]) > 20
    expected_errors(brief, app_commands.CommandOnCooldown)


# -- abuse: no ping anywhere, and the token nowhere ---------------------------------------------------------


async def test_no_message_the_bot_sends_can_ping_and_the_token_appears_nowhere(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot, caplog: pytest.LogCaptureFixture,
    process_pool: Any,
) -> None:
    caplog.set_level(logging.DEBUG)
    (workdir / "seeds" / "ping.txt").write_text(
        "@everyone Ping <@123456789012345678> and <@&456789012345678901>\n\n"
        '"@here listen," said Mayor Ada Ping on Monday. The council met @everyone in town.\n',
        encoding="utf-8",
    )
    settings = make_settings(workdir)
    store = await Store.open(settings.database_path)
    service = Service(store, settings, executor=process_pool)
    await service.reload()
    await store.close()
    channel = guild.channel_id("digest")
    bot = BriefBot(settings, clock=Clock(datetime(2026, 3, 10, 6, 0, tzinfo=UTC)))
    bot.test_runner = await run_bot(bot)  # type: ignore[attr-defined]
    await bot.service.set_digest(guild.id, channel, None, None)

    hostile = "@everyone <@123456789012345678> <@&456789012345678901> @here"
    handles = [
        await emulator.invoke("takeaways", {"article": "ping"}),
        await emulator.invoke("takeaways", {"article": hostile}),
        await emulator.invoke("quotes", {"speaker": hostile}),
        await emulator.invoke("quotes", {"article": "ping"}),
        await emulator.invoke("topic", {"query": hostile}),
        await emulator.invoke("articles"),
        await emulator.invoke("digest"),
        await emulator.invoke(("admin", "digest-set"), {"channel": channel, "time": hostile},
                              permissions=MANAGE_GUILD),
        await emulator.invoke(("admin", "digest-now"), permissions=MANAGE_GUILD),
        await emulator.invoke(("admin", "reload"), {"dry_run": True}, user=emulator.owner,
                              permissions=MANAGE_GUILD),
    ]
    for h in handles:
        await h.response()
    await handles[-2].followup(timeout=10)
    await emulator.wait_for(lambda: any("Reload" in (e.content or "") for e in handles[-1].edits),
                            timeout=20, what="the reload report")
    bot.test_runner.take_errors()  # type: ignore[attr-defined]  # the refused inputs, on purpose

    sent = 0
    for rec in emulator.requests:
        body = rec.json if isinstance(rec.json, dict) else {}
        message = body.get("data") if isinstance(body.get("data"), dict) else body
        if not isinstance(message, dict) or not ({"content", "embeds"} & message.keys()):
            continue
        sent += 1
        assert message.get("allowed_mentions") == {"parse": []}, (rec.method, rec.path, message)
    assert sent >= len(handles) + 1  # every answer, the followups, edits and the digest post
    assert emulator.posts_to(channel)

    everything = caplog.text + json.dumps([r.json for r in emulator.requests], default=str)
    assert TOKEN not in everything
    assert all(TOKEN not in v for r in emulator.requests for k, v in r.headers.items()
               if k.lower() != "authorization")


def test_brief_run_with_an_unusable_database_exits_1_with_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`brief run` stops before connecting: the database is opened first (StoreError -> exit 1)."""
    (tmp_path / "seeds").mkdir()
    db = tmp_path / "brief.sqlite3"
    db.write_bytes(b"not a database at all " * 500)
    settings = make_settings(tmp_path, DATABASE_PATH=str(db), DISCORD_TOKEN="MTIz.secret-token.xyz")

    async def login_then_open(self: BriefBot, token: str) -> None:  # no Discord here: only the hook
        await self.setup_hook()

    monkeypatch.setattr(BriefBot, "login", login_then_open)
    monkeypatch.setattr(launcher, "setup_logging", lambda settings: None)
    assert launcher.run(settings) == 1
    err = capsys.readouterr().err
    assert err.startswith("brief: cannot use the database") and str(db) in err
    assert "Traceback" not in err and "secret-token" not in err
