"""Interaction latency and event-loop lag of the real bot, over the tests' Discord emulator.

    python bench/latency.py --database PATH [--interactions 2000] [--in-flight 100]
                            [--reload 10000] [--naive-interactions 300] [--seed 7]

PATH is a Brief database (e.g. one kept by ``bench/ingest.py --synthetic N --keep PATH``);
it is copied to a temporary folder first and never written.

1. The emulator (tests/e2e/emulator.py) and the real ``BriefBot`` run on the
   same asyncio event loop in this process, as in the end-to-end tests; the
   commands are synced, then a warm-up of 100 interactions (not counted).
2. The mix: ``--interactions`` interactions, ``--in-flight`` at a time, each
   picked at random (fixed seed) from the database's real ids, titles,
   topics and speakers: /takeaways, /summary (the default algorithm, and
   lsa), /quotes speaker, /topic, and article/topic/speaker autocomplete.
   Latency: from sending INTERACTION_CREATE to the emulator receiving the
   interaction's first callback (a message, a defer or autocomplete
   choices): p50, p99 and max, per command and overall. An interaction
   stays in flight until its final answer (the followup after a defer).
3. Reload: ``--reload`` new article files are written to the bot's
   SEEDS_DIR, then ``bot.service.reload()`` runs while the same mix runs
   again and again until the reload ends; a 10 ms ticker measures the
   event loop's worst lag (how much later than asked a 10 ms sleep wakes).
4. Yardstick: a naive bot (a minimal ``commands.Bot`` defined here, with the
   same commands) that reads the article from the same database with
   ``sqlite3`` and runs sumy (LexRank, or the algorithm asked) on the event
   loop for each request, over ``--naive-interactions`` interactions of the
   same mix, on a new emulator.

The emulator does not enforce Discord's 3 s interaction deadline here (so
that slow answers are measured, not failed); answers later than 3 s are
counted. Figures include the emulator's own work (it shares the loop and
the cores), so they are an upper bound on the bot's own latency.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import discord
from _emulated_bot import Sent, TimedEmulator, send
from discord import app_commands
from discord.ext import commands
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer

from bot.client import BriefBot
from bot.config import load_settings
from bot.news.summarize import TOKENIZER
from tests.e2e.emulator import point_discord_at, start_bot

OTHER_ALGORITHM = "lsa"
USERS = 1000  # /topic has a per-user cooldown of 1 s: spread the mix over many users
WARM_UP = 100
ANSWER_TIMEOUT = 60.0

# command kind -> weight in the mix
MIX: dict[str, int] = {
    "/takeaways": 25,
    "/summary (default)": 10,
    f"/summary {OTHER_ALGORITHM}": 10,
    "/quotes speaker": 10,
    "/topic": 15,
    "autocomplete article": 15,
    "autocomplete topic": 10,
    "autocomplete speaker": 5,
}


# -- what to ask: real values from the database ----------------------------------------


@dataclass
class Corpus:
    ids: list[str]
    titles: list[str]
    topics: list[str]
    speakers: list[str]
    articles: int


def read_corpus(db: Path) -> Corpus:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT id, title FROM articles ORDER BY id").fetchall()
        topics = [r[0] for r in conn.execute(
            "SELECT topic FROM topic_counts WHERE articles >= 2 ORDER BY articles DESC, topic_key LIMIT 5000"
        )]
        speakers = [r[0] for r in conn.execute(
            "SELECT min(speaker) FROM quotes WHERE speaker_key IS NOT NULL "
            "GROUP BY speaker_key ORDER BY count(*) DESC, speaker_key LIMIT 5000"
        )]
    finally:
        conn.close()
    if not rows or not topics:
        sys.exit(f"{db}: needs articles and topics (in 2+ articles)")
    return Corpus([r[0] for r in rows], [r[1] for r in rows], topics, speakers, len(rows))


@dataclass(frozen=True)
class Op:
    kind: str
    command: str
    options: dict[str, Any]
    focused: str | None = None


def typed(text: str, rng: random.Random) -> str:
    """What a user has typed so far of ``text``: its first 3 to 12 characters."""
    return text[: rng.randint(3, 12)].strip() or text


def make_ops(corpus: Corpus, rng: random.Random) -> Iterator[Op]:
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    while True:
        kind = rng.choices(kinds, weights)[0]
        i = rng.randrange(corpus.articles)
        if kind == "/takeaways":
            yield Op(kind, "takeaways", {"article": corpus.ids[i]})
        elif kind == "/summary (default)":
            yield Op(kind, "summary", {"article": corpus.ids[i]})
        elif kind.startswith("/summary"):
            yield Op(kind, "summary", {"article": corpus.ids[i], "algorithm": OTHER_ALGORITHM})
        elif kind == "/quotes speaker":
            yield Op(kind, "quotes", {"speaker": rng.choice(corpus.speakers)})
        elif kind == "/topic":
            yield Op(kind, "topic", {"query": rng.choice(corpus.topics)})
        elif kind == "autocomplete article":
            yield Op(kind, "takeaways", {"article": typed(corpus.titles[i], rng)}, "article")
        elif kind == "autocomplete topic":
            yield Op(kind, "topic", {"query": typed(rng.choice(corpus.topics), rng)}, "query")
        else:
            yield Op(kind, "quotes", {"speaker": typed(rng.choice(corpus.speakers), rng)}, "speaker")


# -- driving a mix --------------------------------------------------------------------------


@dataclass
class MixResult:
    done: list[Sent]
    failed: list[str]
    wall: float
    loop_cpu: float  # CPU seconds of this thread (the event loop: emulator, bot and driver)
    process_cpu: float  # CPU seconds of this process (the loop and the database threads)


async def run_mix(
    emu: TimedEmulator,
    ops: Iterator[Op],
    users: list[dict[str, Any]],
    *,
    count: int | None,
    in_flight: int,
    until: asyncio.Future[Any] | None = None,
) -> MixResult:
    """Send ``count`` ops (or until ``until`` is done), ``in_flight`` at a time."""
    done: list[Sent] = []
    failed: list[str] = []
    sent_count = 0

    def next_op() -> Op | None:
        nonlocal sent_count
        if count is not None and sent_count >= count:
            return None
        if until is not None and until.done():
            return None
        sent_count += 1
        return next(ops)

    async def worker() -> None:
        while (op := next_op()) is not None:
            user = users[sent_count % len(users)]
            try:
                sent = await send(emu, op.kind, op.command, op.options, focused=op.focused, user=user)
                await asyncio.wait_for(asyncio.shield(sent.finished), ANSWER_TIMEOUT)
            except Exception as exc:
                failed.append(f"{op.kind}: {exc!r}")
                continue
            done.append(sent)

    started, thread0, process0 = time.monotonic(), time.thread_time(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return MixResult(
        done, failed, time.monotonic() - started,
        time.thread_time() - thread0, time.process_time() - process0,
    )


class Ticker:
    """Sleeps 10 ms in a loop and records how much later than asked it woke."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float, float]] = []  # (asked at, woke at, lag in seconds)
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.010)
            after = time.monotonic()
            self.samples.append((before, after, after - before - 0.010))

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    def lags(self, start: float, end: float) -> list[float]:
        """The lags of the sleeps that started and ended between ``start`` and ``end``."""
        return [lag for before, after, lag in self.samples if start <= before and after <= end]


# -- reporting ------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def latency_table(result: MixResult) -> list[str]:
    by_kind: dict[str, list[Sent]] = defaultdict(list)
    for s in result.done:
        by_kind[s.kind].append(s)
    lines = [
        "| command | n | p50 ms | p99 ms | max ms | answers |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for kind in [*MIX, "all"]:
        group = result.done if kind == "all" else by_kind.get(kind, [])
        if not group:
            continue
        lat = [s.latency for s in group]
        types: dict[str, int] = defaultdict(int)
        for s in group:
            name = {4: "message", 5: "defer", 8: "choices"}.get(s.callback_type or 0, str(s.callback_type))
            types[name + (" (ephemeral)" if s.ephemeral else "")] += 1
        shown = ", ".join(f"{n} {t}" for t, n in sorted(types.items()))
        label = f"**{kind}**" if kind == "all" else kind
        lines.append(
            f"| {label} | {len(group):,} | {ms(pct(lat, 0.5))} | {ms(pct(lat, 0.99))} | "
            f"{ms(max(lat))} | {shown} |"
        )
    late = sum(1 for s in result.done if s.latency > 3.0)
    lines.append("")
    lines.append(
        f"{len(result.done):,} answered in {result.wall:,.1f} s "
        f"({len(result.done) / result.wall:,.0f} interactions/s); "
        f"{len(result.failed)} without an answer; {late} answered later than 3 s"
    )
    n = max(len(result.done), 1)
    lines.append(
        f"CPU per interaction: event-loop thread {ms(result.loop_cpu / n)} ms, whole process "
        f"{ms(result.process_cpu / n)} ms (loop busy {result.loop_cpu / result.wall:.0%} of the wall time)"
    )
    for f in result.failed[:5]:
        lines.append(f"  no answer: {f}")
    return lines


def lag_line(lags: list[float]) -> str:
    if not lags:
        return "no ticks"
    return (
        f"event-loop lag (10 ms ticker, {len(lags):,} ticks): p50 {ms(pct(lags, 0.5))} ms, "
        f"p99 {ms(pct(lags, 0.99))} ms, worst {ms(max(lags))} ms"
    )


# -- the naive bot (the yardstick) -----------------------------------------------------------


class NaiveBot(commands.Bot):
    """A bot that does everything on the event loop: sqlite3 reads and sumy per request."""

    def __init__(self, db: Path) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.none(), help_command=None)
        self.db = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        self.lexrank = LexRankSummarizer()
        self.lsa = LsaSummarizer()
        naive_commands(self)

    def summarize(self, article_id: str, algorithm: str, count: int = 3) -> tuple[str, list[str]]:
        row = self.db.execute("SELECT title, body FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return "not found", []
        parser = PlaintextParser.from_string(row[1], TOKENIZER)
        summarizer = self.lsa if algorithm == "lsa" else self.lexrank
        return row[0], [str(s) for s in summarizer(parser.document, count)]

    def titles(self, typed_text: str) -> list[app_commands.Choice[str]]:
        rows = self.db.execute(
            "SELECT id, title FROM articles WHERE title LIKE ? LIMIT 25", (f"%{typed_text}%",)
        ).fetchall()
        return [app_commands.Choice(name=t[:100], value=i[:100]) for i, t in rows]


def naive_commands(bot: NaiveBot) -> None:
    tree = bot.tree

    async def article_ac(interaction: discord.Interaction[Any], current: str) -> list[Any]:
        return bot.titles(current)

    async def topic_ac(interaction: discord.Interaction[Any], current: str) -> list[Any]:
        rows = bot.db.execute(
            "SELECT topic FROM topic_counts WHERE topic_key LIKE ? ORDER BY articles DESC LIMIT 25",
            (f"{current.lower()}%",),
        ).fetchall()
        return [app_commands.Choice(name=r[0][:100], value=r[0][:100]) for r in rows]

    async def speaker_ac(interaction: discord.Interaction[Any], current: str) -> list[Any]:
        rows = bot.db.execute(
            "SELECT DISTINCT speaker FROM quotes WHERE speaker LIKE ? LIMIT 25", (f"{current}%",)
        ).fetchall()
        return [app_commands.Choice(name=r[0][:100], value=r[0][:100]) for r in rows]

    @tree.command(name="takeaways")
    @app_commands.autocomplete(article=article_ac)
    async def takeaways(interaction: discord.Interaction[Any], article: str) -> None:
        """LexRank on the event loop."""
        title, sentences = bot.summarize(article, "lexrank")
        await interaction.response.send_message(
            embed=discord.Embed(title=title[:256], description="\n".join(f"• {s}" for s in sentences)[:4000])
        )

    @tree.command(name="summary")
    @app_commands.autocomplete(article=article_ac)
    async def summary(
        interaction: discord.Interaction[Any],
        article: str,
        algorithm: Literal["lexrank", "lsa"] | None = None,
    ) -> None:
        """sumy on the event loop."""
        title, sentences = bot.summarize(article, algorithm or "lexrank")
        await interaction.response.send_message(
            embed=discord.Embed(title=title[:256], description=" ".join(sentences)[:4000])
        )

    @tree.command(name="quotes")
    @app_commands.autocomplete(speaker=speaker_ac, article=article_ac)
    async def quotes(
        interaction: discord.Interaction[Any], article: str | None = None, speaker: str | None = None
    ) -> None:
        """A speaker's quotes (the same database table, read on the event loop)."""
        rows = bot.db.execute(
            "SELECT text FROM quotes WHERE speaker = ? LIMIT 5", (speaker or "",)
        ).fetchall()
        await interaction.response.send_message("\n".join(f"> {r[0][:300]}" for r in rows) or "none")

    @tree.command(name="topic")
    @app_commands.autocomplete(query=topic_ac)
    async def topic(interaction: discord.Interaction[Any], query: str) -> None:
        """Full-text search (the same FTS5 index, read on the event loop)."""
        words = " OR ".join(f'"{w}"' for w in query.replace('"', " ").split()) or '""'
        rows = bot.db.execute(
            "SELECT a.title FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
            "WHERE articles_fts MATCH ? ORDER BY rank LIMIT 5",
            (words,),
        ).fetchall()
        await interaction.response.send_message("\n".join(r[0] for r in rows) or "none")


# -- the run ---------------------------------------------------------------------------------


def copy_database(src: Path, folder: Path) -> Path:
    (folder / "db").mkdir()
    target = folder / "db" / "brief.sqlite3"
    shutil.copyfile(src, target)
    for suffix in ("-wal", "-shm"):
        if Path(str(src) + suffix).exists():
            shutil.copyfile(str(src) + suffix, str(target) + suffix)
    return target


def write_seed_files(db: Path, folder: Path, n: int, rng: random.Random) -> None:
    """``n`` new article files: a title and three paragraphs of sentences drawn from the database."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")]
        picked = rng.sample(ids, min(len(ids), 5000))
        sentences: list[str] = []
        for start in range(0, len(picked), 500):
            chunk = picked[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sentences += [r[0] for r in conn.execute(
                f"SELECT text FROM sentences WHERE article_id IN ({marks})", chunk
            )]
    finally:
        conn.close()
    sentences = [s for s in sentences if 40 <= len(s) <= 400]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        title = rng.choice(sentences)[:90].rstrip(" ,.;:") or f"Article {i}"
        paragraphs = [" ".join(rng.sample(sentences, rng.randint(3, 7))) for _ in range(3)]
        text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / f"bench-{i:06d}.txt").write_text(text, encoding="utf-8")


def add_users(emu: TimedEmulator, n: int) -> list[dict[str, Any]]:
    return [emu.add_user(f"user{i}") for i in range(n)]


async def bench_brief(
    args: argparse.Namespace, corpus: Corpus, tmp: Path, out: Callable[[str], None]
) -> None:
    db = copy_database(args.database, tmp)
    seeds = tmp / "seeds"
    seeds.mkdir()
    env = {"DISCORD_TOKEN": "emulator-bot-token", "DATABASE_PATH": str(db), "SEEDS_DIR": str(seeds)}
    settings = load_settings(None, environ=env)
    rng = random.Random(args.seed)
    ops = make_ops(corpus, rng)

    async with TimedEmulator(interaction_timeout=None) as emu:
        users = add_users(emu, USERS)
        emu.add_guild("Newsroom", channels=["general"], members=users)
        with point_discord_at(emu):
            bot = BriefBot(settings)
            runner = await start_bot(emu, bot, ready_timeout=60)
            try:
                await bot.tree.sync()
                out(f"bot: BriefBot, {settings.worker_count} worker processes (WORKERS unset: one per core)")
                await run_mix(emu, ops, users, count=WARM_UP, in_flight=args.in_flight)
                emu.forget()

                ticker = Ticker()
                ticker.start()
                t0 = time.monotonic()
                mix = await run_mix(emu, ops, users, count=args.interactions, in_flight=args.in_flight)
                t1 = time.monotonic()
                emu.forget()
                out("")
                out(f"### Brief: {args.interactions:,} interactions, {args.in_flight} in flight")
                out("")
                for line in latency_table(mix):
                    out(line)
                out(lag_line(ticker.lags(t0, t1)))

                if args.reload:
                    write_seed_files(db, seeds, args.reload, rng)
                    loop = asyncio.get_running_loop()
                    r0 = time.monotonic()
                    reload_task = loop.create_task(bot.service.reload())
                    during = await run_mix(
                        emu, ops, users, count=None, in_flight=args.in_flight, until=reload_task
                    )
                    report = await reload_task
                    r1 = time.monotonic()
                    emu.forget()
                    out("")
                    out(f"### Brief during a full reload of {args.reload:,} new article files")
                    out("")
                    out(f"reload: {r1 - r0:,.1f} s ({report.counts()}); "
                        f"{args.reload / (r1 - r0):,.0f} articles/s while serving the mix")
                    out(lag_line(ticker.lags(r0, r1)))
                    out("")
                    for line in latency_table(during):
                        out(line)
                await ticker.stop()
            finally:
                errors = runner.take_errors()
                await runner.stop(timeout=60)
    if errors:
        out(f"bot errors: {len(errors)}, e.g. {errors[:3]!r}")


async def bench_naive(args: argparse.Namespace, corpus: Corpus, out: Callable[[str], None]) -> None:
    rng = random.Random(args.seed)
    ops = make_ops(corpus, rng)
    async with TimedEmulator(interaction_timeout=None) as emu:
        users = add_users(emu, USERS)
        emu.add_guild("Newsroom", channels=["general"], members=users)
        with point_discord_at(emu):
            bot = NaiveBot(args.database)
            runner = await start_bot(emu, bot, ready_timeout=60)
            try:
                await bot.tree.sync()
                await run_mix(emu, ops, users, count=min(WARM_UP, args.naive_interactions), in_flight=10)
                emu.forget()
                ticker = Ticker()
                ticker.start()
                t0 = time.monotonic()
                mix = await run_mix(emu, ops, users, count=args.naive_interactions, in_flight=args.in_flight)
                t1 = time.monotonic()
                await ticker.stop()
            finally:
                errors = runner.take_errors()
                await runner.stop(timeout=60)
                bot.db.close()
    out("")
    out(f"### Yardstick: naive bot (sumy on the event loop), {args.naive_interactions:,} interactions, "
        f"{args.in_flight} in flight")
    out("")
    for line in latency_table(mix):
        out(line)
    out(lag_line(ticker.lags(t0, t1)))
    if errors:
        out(f"naive bot errors: {len(errors)}, e.g. {errors[:3]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", type=Path, required=True, help="a Brief database (copied, not changed)")
    parser.add_argument("--interactions", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=100)
    parser.add_argument("--reload", type=int, default=10_000, help="new article files to reload (0: skip)")
    parser.add_argument("--naive-interactions", type=int, default=300,
                        help="interactions for the naive-bot yardstick (0: skip)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not args.database.is_file():
        sys.exit(f"no database at {args.database}")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    def out(line: str) -> None:
        print(line, flush=True)

    corpus = read_corpus(args.database)
    if not corpus.speakers:  # e.g. built from lowercased text: no names found
        corpus.speakers = [t.split()[-1].title() for t in corpus.topics]
        out("NOTE: no quoted speaker in this database: /quotes speaker and its autocomplete ask for "
            "words of topics instead (mostly 'no quotes' answers, same queries)")
    out(f"## bench/latency.py: {corpus.articles:,} articles ({args.database.name}), "
        f"{len(corpus.topics):,} topics and {len(corpus.speakers):,} speakers to pick from, seed {args.seed}")
    out(f"machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at start")
    out("the emulator, the bot and this driver share one asyncio event loop (as in the e2e tests); "
        "latency = INTERACTION_CREATE sent -> first callback received by the emulator")
    mix = ", ".join(f"{k} {v}%" for k, v in MIX.items())
    out(f"mix: {mix}")
    with tempfile.TemporaryDirectory(prefix="brief-latency-") as tmp:
        asyncio.run(bench_brief(args, corpus, Path(tmp), out))
    if args.naive_interactions:
        asyncio.run(bench_naive(args, corpus, out))


if __name__ == "__main__":
    main()
