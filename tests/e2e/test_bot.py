"""The real Brief bot, end to end, over the local Discord API emulator."""

from __future__ import annotations

import asyncio
import gc
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.client import FULL_COLLECTION_EVERY, BriefBot, NotAllowed
from bot.errors import ArticleNotFound, InvalidInput
from bot.service import Service
from bot.storage.store import Store
from tests.e2e.emulator import DiscordEmulator
from tests.e2e.helpers import (
    MANAGE_GUILD,
    Clock,
    RunBot,
    build_template,
    copy_template,
    expected_errors,
    make_settings,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "e2e"
SEED = Path(__file__).parents[2] / "seeds" / "000_fbe23b38341c844e.txt"
SEED_ID = "000-fbe23b38341c844e"


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus database loaded once for the module (the seed and three fixture articles)."""
    files = {SEED.name: SEED, **{f.name: f for f in FIXTURES.iterdir()}}
    return build_template(tmp_path_factory.mktemp("template"), files)


@pytest.fixture
def workdir(tmp_path: Path, template_db: Path) -> Path:
    return copy_template(template_db, tmp_path)


@pytest.fixture
def guild(emulator: DiscordEmulator) -> Any:
    return emulator.add_guild("Newsroom", channels=["general", "digest"])


@pytest.fixture
async def brief(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot
) -> AsyncIterator[BriefBot]:
    # A fixed early-morning clock: no digest falls due by itself during a test.
    bot = BriefBot(make_settings(workdir), clock=Clock(datetime(2026, 3, 10, 6, 0, tzinfo=UTC)))
    bot.test_runner = await run_bot(bot)  # type: ignore[attr-defined]
    yield bot


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}


# -- start-up and sync --------------------------------------------------------------


async def test_login_syncs_commands_globally_once_per_change(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot
) -> None:
    bot = BriefBot(make_settings(workdir))
    runner = await run_bot(bot)
    names = {c["name"] for c in emulator.global_commands}
    assert names == {"takeaways", "summary", "articles", "quotes", "topic", "topics", "digest", "admin"}
    admin = next(c for c in emulator.global_commands if c["name"] == "admin")
    assert admin["default_member_permissions"] == str(MANAGE_GUILD)
    assert {o["name"] for o in admin["options"]} == {
        "reload", "sync", "digest-set", "digest-off", "digest-now"
    }
    assert emulator.global_sync_count == 1
    await runner.stop()

    # A restart with the same commands does not sync again.
    again = BriefBot(make_settings(workdir))
    await run_bot(again)
    assert emulator.global_sync_count == 1


async def test_dev_guild_gets_commands_at_start(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot
) -> None:
    bot = BriefBot(make_settings(workdir, DEV_GUILD_ID=str(guild.id)))
    await run_bot(bot)
    assert emulator.guild_sync_counts == {guild.id: 1}
    assert {c["name"] for c in emulator.commands_for(guild.id)} >= {"takeaways", "admin"}
    assert emulator.global_sync_count == 0


async def test_empty_database_loads_seeds_at_start(
    emulator: DiscordEmulator, guild: Any, tmp_path: Path, run_bot: RunBot
) -> None:
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED, tmp_path / "seeds")
    bot = BriefBot(make_settings(tmp_path))
    await run_bot(bot)
    assert bot.startup_load is not None
    await asyncio.wait_for(bot.startup_load, 30)
    assert await bot.store.count_articles() == 1


async def test_start_freezes_the_long_lived_heap(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot
) -> None:
    # Objects alive at the end of setup_hook (modules, the store, the cogs) leave the
    # collector's generations, so later full collections do not walk them again.
    gc.unfreeze()
    thresholds = gc.get_threshold()  # earlier bots in this process may have changed them
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    bot = BriefBot(make_settings(workdir))
    await run_bot(bot)
    assert gc.get_freeze_count() > 10_000
    tracked = {id(o) for o in gc.get_objects()}
    assert id(bot.tree) not in tracked and id(bot.service) not in tracked
    # and full collections come after 100 middle-generation ones, not CPython's 10
    assert gc.get_threshold() == (700, 10, FULL_COLLECTION_EVERY)
    gc.unfreeze()
    gc.set_threshold(*thresholds)


async def test_handled_interactions_leave_no_cyclic_garbage(
    emulator: DiscordEmulator, brief: BriefBot
) -> None:
    # Commands, deferred commands, errors and autocomplete: each Interaction is freed by
    # reference counting once handled, instead of waiting for a full garbage collection.
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(3):
            h = await emulator.invoke("takeaways", {"article": SEED_ID})
            (button,) = (await h.response()).custom_ids()
            await (await emulator.click(h, button)).response()  # a view's button, too
            deferred = await emulator.invoke("summary", {"article": "library", "algorithm": "luhn"})
            await deferred.followup(timeout=30)
            await (await emulator.invoke("takeaways", {"article": "no such story at all"})).response()
            await emulator.autocomplete("takeaways", {"article": "orch"}, focused="article")
        await asyncio.sleep(0.1)  # let the invoker tasks finish
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, discord.Interaction | discord.InteractionResponse)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []
    expected_errors(brief, *[ArticleNotFound] * 3)


def test_invite_url_has_scopes_and_only_needed_permissions(workdir: Path) -> None:
    bot = BriefBot(make_settings(workdir), application_id=123456789012345678)
    url = bot.invite_url()
    assert "client_id=123456789012345678" in url
    assert "scope=bot+applications.commands" in url
    perms = discord.Permissions(int(url.split("permissions=")[1].split("&")[0]))
    assert perms.send_messages and perms.embed_links and perms.view_channel
    assert not perms.administrator and not perms.manage_guild and not perms.mention_everyone


# -- reading commands -----------------------------------------------------------------


async def test_takeaways_embed_with_publisher_takeaways_and_where_button(
    emulator: DiscordEmulator, brief: BriefBot
) -> None:
    h = await emulator.invoke("takeaways", {"article": SEED_ID})
    resp = await h.response()
    assert resp.type == 4 and not resp.ephemeral
    embed = resp.embeds[0]
    assert embed["title"] == "Is Japan Ready to Resume Peace Talks with Russia?"
    assert embed["description"].startswith("**Key takeaways**\n• ")
    assert embed["description"].count("\n• ") == 3
    publisher = fields(embed)["Publisher's takeaways"]
    assert "Japan is open to restarting peace talks with Russia." in publisher
    assert "NationPress" in embed["footer"]["text"] and "Moscow, July 15" in embed["footer"]["text"]

    (button,) = resp.custom_ids()
    where = await emulator.click(h, button)
    shown = await where.response()
    assert shown.type == 4 and shown.ephemeral
    assert "paragraph" in shown.content and "█" in shown.content


async def test_article_option_accepts_a_title_fragment(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("takeaways", {"article": "ferry route"})
    resp = await h.response()
    assert resp.embeds[0]["title"] == "Harbour Council Approves New Ferry Route"


async def test_unknown_article_gets_ephemeral_suggestions(emulator: DiscordEmulator, brief: BriefBot) -> None:
    h = await emulator.invoke("takeaways", {"article": "frost warnings for apple blossoms"})
    resp = await h.response()
    assert resp.ephemeral
    assert "no article matching" in resp.content
    assert "Orchard Growers Brace for a Late Frost" in resp.content
    assert "Peace Talks" not in resp.content
    expected_errors(brief, ArticleNotFound)


async def test_article_autocomplete_best_first_at_most_25(emulator: DiscordEmulator, brief: BriefBot) -> None:
    choices = await emulator.autocomplete("takeaways", {"article": "orch"}, focused="article")
    assert choices[0] == {"name": "Orchard Growers Brace for a Late Frost", "value": "orchard"}
    everything = await emulator.autocomplete("summary", {"article": ""}, focused="article")
    assert 1 <= len(everything) <= 25
    assert {c["value"] for c in everything} == {SEED_ID, "harbour", "orchard", "library"}


async def test_summary_defers_then_follows_up_with_the_algorithm(
    emulator: DiscordEmulator, brief: BriefBot
) -> None:
    h = await emulator.invoke("summary", {"article": "library", "algorithm": "luhn", "sentences": 2})
    assert (await h.response()).type == 5
    follow = await h.followup(timeout=30)
    embed = follow.embeds[0]
    assert embed["title"] == "City Library Extends Weekend Hours"
    assert embed["footer"]["text"].startswith("luhn summary, 2 sentences")


async def test_summary_sentences_out_of_range_is_refused_by_discord_types(
    emulator: DiscordEmulator, brief: BriefBot
) -> None:
    summary = next(c for c in emulator.global_commands if c["name"] == "summary")
    sentences = next(o for o in summary["options"] if o["name"] == "sentences")
    assert (sentences["min_value"], sentences["max_value"]) == (1, 10)
    algorithm = next(o for o in summary["options"] if o["name"] == "algorithm")
    assert {c["value"] for c in algorithm["choices"]} == {
        "brief", "lexrank", "lsa", "textrank", "luhn", "edmundson", "kl", "sumbasic", "reduction"
    }


async def test_articles_lists_newest_first_and_pages_with_buttons(
    emulator: DiscordEmulator, workdir: Path, guild: Any, run_bot: RunBot
) -> None:
    seeds = workdir / "seeds"
    for n in range(12):
        (seeds / f"extra-{n:02d}.txt").write_text(
            f"Extra Story Number {n}\n\nThis is the body of extra story {n}. It has two sentences.\n",
            encoding="utf-8",
        )
    settings = make_settings(workdir)
    store = await Store.open(settings.database_path)
    service = Service(store, settings)
    await service.reload()
    await service.close()
    await store.close()

    await run_bot(BriefBot(settings))
    h = await emulator.invoke("articles")
    first = await h.response()
    embed = first.embeds[0]
    assert embed["footer"]["text"] == "Page 1 of 2 · 16 articles"
    # dated article first, then the most recently added
    assert embed["description"].startswith("**Orchard Growers Brace for a Late Frost**")
    older = next(c for c in first.custom_ids())
    ids = first.custom_ids()
    turned = await emulator.click(h, ids[1])
    update = await turned.response()
    assert update.type == 7
    assert update.embeds[0]["footer"]["text"] == "Page 2 of 2 · 16 articles"
    assert older


# -- digest -----------------------------------------------------------------------------


async def test_digest_preview_is_ephemeral(emulator: DiscordEmulator, guild: Any, brief: BriefBot) -> None:
    h = await emulator.invoke("digest")
    resp = await h.response()
    assert resp.ephemeral and "no daily digest" in resp.content

    channel = guild.channel_id("digest")
    await brief.service.set_digest(guild.id, channel, "08:30", "Europe/Paris")
    h = await emulator.invoke("digest")
    resp = await h.response()
    assert resp.ephemeral and f"<#{channel}>" in resp.content and "08:30 Europe/Paris" in resp.content
    assert resp.embeds[0]["title"] == "Preview of the next digest"
    assert len(resp.embeds[0]["fields"]) == 4


async def test_digest_posted_once_per_day_even_across_restart(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot
) -> None:
    channel = guild.channel_id("digest")
    settings = make_settings(workdir, DIGEST_CHANNEL_ID=str(channel), DIGEST_TIME="09:00")
    clock = Clock(datetime(2026, 3, 10, 8, 59, tzinfo=UTC))
    bot = BriefBot(settings, clock=clock)
    runner = await run_bot(bot)
    cog = bot.get_cog("Digest")
    assert cog is not None
    assert await cog.run_due() == 0  # type: ignore[attr-defined]
    clock.now = datetime(2026, 3, 10, 9, 1, tzinfo=UTC)
    assert await cog.run_due() == 1  # type: ignore[attr-defined]
    posts = emulator.posts_to(channel)
    assert len(posts) == 1
    assert posts[0].body["allowed_mentions"] == {"parse": []}
    titles = [f["name"] for f in posts[0].body["embeds"][0]["fields"]]
    assert "Harbour Council Approves New Ferry Route" in titles
    await runner.stop()

    clock.now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    bot2 = BriefBot(settings, clock=clock)
    await run_bot(bot2)
    cog2 = bot2.get_cog("Digest")
    assert await cog2.run_due() == 0  # type: ignore[union-attr]
    assert len(emulator.posts_to(channel)) == 1


async def test_digest_post_rate_limited_is_retried_and_posted_once(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot
) -> None:
    channel = guild.channel_id("digest")
    bot = BriefBot(make_settings(workdir, DIGEST_CHANNEL_ID=str(channel)),
                   clock=Clock(datetime(2026, 3, 10, 8, 0, tzinfo=UTC)))
    await run_bot(bot)
    fault = emulator.inject_fault("POST", f"/channels/{channel}/messages", 429, retry_after=0.05)
    bot.clock.now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    cog = bot.get_cog("Digest")
    assert await cog.run_due() == 1  # type: ignore[union-attr]
    assert fault.hits == 1
    assert len(emulator.posts_to(channel)) == 1


async def test_article_mentions_never_ping(emulator: DiscordEmulator, guild: Any, brief: BriefBot) -> None:
    channel = guild.channel_id("digest")
    await brief.service.set_digest(guild.id, channel, None, None)
    h = await emulator.invoke(("admin", "digest-now"), permissions=MANAGE_GUILD)
    await h.response()
    done = await h.followup(timeout=10)
    assert "Digest posted" in done.content
    (post,) = emulator.posts_to(channel)
    assert post.body["allowed_mentions"] == {"parse": []}
    text = str(post.body["embeds"])
    assert "@everyone" not in text.replace("@\u200beveryone", "")
    # interaction answers carry no pings either
    t = await emulator.invoke("takeaways", {"article": "harbour"})
    answer = await t.response()
    assert answer.body["data"]["allowed_mentions"] == {"parse": []}


# -- admin ------------------------------------------------------------------------------


async def test_admin_reload_by_owner_reports_changes(
    emulator: DiscordEmulator, workdir: Path, brief: BriefBot
) -> None:
    (workdir / "seeds" / "new-story.txt").write_text(
        "A New Story Arrives\n\nIt is short. It is new.\n", encoding="utf-8"
    )
    (workdir / "seeds" / "broken.txt").write_bytes(b"\x00\x01binary")
    h = await emulator.invoke(("admin", "reload"), user=emulator.owner, permissions=MANAGE_GUILD)
    assert (await h.response()).type == 5
    final = None
    for _ in range(100):
        await asyncio.sleep(0.1)
        if h.edits and "Reload" in (h.edits[-1].content or ""):
            final = h.edits[-1]
            break
    assert final is not None
    assert "1 added" in final.content and "1 failed" in final.content
    assert "broken.txt" in final.content and "binary" in final.content
    assert await brief.store.entry("new-story") is not None


async def test_admin_reload_refused_for_non_owner_and_nothing_reloaded(
    emulator: DiscordEmulator, workdir: Path, brief: BriefBot
) -> None:
    (workdir / "seeds" / "sneaky.txt").write_text("Sneaky\n\nShould not load.\n", encoding="utf-8")
    h = await emulator.invoke(("admin", "reload"), permissions=MANAGE_GUILD)  # a server admin, not owner
    resp = await h.response()
    assert resp.ephemeral and "Only the bot's owner" in resp.content
    assert await brief.store.entry("sneaky") is None
    expected_errors(brief, NotAllowed)


async def test_admin_digest_set_needs_manage_server(
    emulator: DiscordEmulator, guild: Any, brief: BriefBot
) -> None:
    channel = guild.channel_id("digest")
    h = await emulator.invoke(("admin", "digest-set"), {"channel": channel}, permissions=0)
    resp = await h.response()
    assert resp.ephemeral and "Manage Server" in resp.content
    assert await brief.store.digest_config(guild.id) is None
    expected_errors(brief, NotAllowed)

    h = await emulator.invoke(
        ("admin", "digest-set"), {"channel": channel, "time": "07:45", "timezone": "Asia/Tokyo"},
        permissions=MANAGE_GUILD,
    )
    resp = await h.response()
    assert resp.type == 5 and resp.ephemeral  # deferred: the write may wait behind a reload
    done = await h.followup()
    assert done.ephemeral and "07:45 (Asia/Tokyo)" in done.content
    config = await brief.store.digest_config(guild.id)
    assert config is not None and (config.channel_id, config.post_time) == (channel, "07:45")

    bad = await emulator.invoke(
        ("admin", "digest-set"), {"channel": channel, "time": "25:99"}, permissions=MANAGE_GUILD
    )
    await bad.response()
    assert "HH:MM" in (await bad.followup()).content
    expected_errors(brief, InvalidInput)

    off = await emulator.invoke(("admin", "digest-off"), permissions=MANAGE_GUILD)
    await off.response()
    assert "off" in (await off.followup()).content
    config = await brief.store.digest_config(guild.id)
    assert config is not None and config.channel_id is None


async def test_timezone_autocomplete(emulator: DiscordEmulator, brief: BriefBot) -> None:
    choices = await emulator.autocomplete(
        ("admin", "digest-set"), {"timezone": "europe/par"}, focused="timezone",
        permissions=MANAGE_GUILD,
    )
    assert choices[0]["value"] == "Europe/Paris"


# -- gateway ----------------------------------------------------------------------------


async def test_command_answered_after_reconnect_and_resume(
    emulator: DiscordEmulator, brief: BriefBot
) -> None:
    await emulator.send_reconnect()
    assert emulator.resume_count == 1
    h = await emulator.invoke("takeaways", {"article": "orchard"})
    assert (await h.response()).embeds[0]["title"] == "Orchard Growers Brace for a Late Frost"


async def test_deleted_digest_channel_is_logged_and_reported_to_the_next_admin(
    emulator: DiscordEmulator, guild: Any, workdir: Path, run_bot: RunBot, caplog: pytest.LogCaptureFixture
) -> None:
    channel = guild.channel_id("digest")
    clock = Clock(datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    bot = BriefBot(make_settings(workdir), clock=clock)
    bot.test_runner = await run_bot(bot)  # type: ignore[attr-defined]
    await bot.service.set_digest(guild.id, channel, "09:00", "UTC")
    emulator.delete_channel(channel)
    await emulator.wait_for(lambda: bot.get_channel(channel) is None, what="channel deleted")
    cog = bot.get_cog("Digest")
    clock.now = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert await cog.run_due() == 0  # type: ignore[union-attr]
    assert "not posted" in caplog.text
    assert cog.tick.is_running()  # type: ignore[union-attr]
    # not retried every minute once the channel is known to be gone
    clock.now = datetime(2026, 3, 10, 9, 31, tzinfo=UTC)
    assert await cog.run_due() == 0  # type: ignore[union-attr]
    assert caplog.text.count("not posted") == 1

    h = await emulator.invoke(("admin", "digest-off"), permissions=MANAGE_GUILD)
    await h.response()
    h = await emulator.invoke(("admin", "sync"), user=emulator.owner, permissions=MANAGE_GUILD)
    await h.response()
    note = await h.followup(timeout=10)
    assert "Last digest" in note.content and "gone" in note.content
    # told once, then cleared
    h = await emulator.invoke(("admin", "sync"), user=emulator.owner, permissions=MANAGE_GUILD)
    await h.response()
    assert "Last digest" not in (await h.followup(timeout=10)).content
