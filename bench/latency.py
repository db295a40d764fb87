"""Interaction latency and event-loop lag of the real bot, over the tests' Discord emulator.

    python bench/latency.py --database PATH [--interactions 2000] [--in-flight 100]
                            [--rate 50] [--paced-interactions 1000] [--reload 10000]
                            [--naive-interactions 300] [--seed 7] [--slow-ms N]

PATH is a Brief database (e.g. one kept by ``bench/ingest.py --synthetic N --keep PATH``);
it is copied to a temporary folder first and never written.

1. The real bot runs in its own process (``bench/_bot_runner.py``, which runs
   it as ``brief run`` does, pointed at the emulator); the emulator
   (tests/e2e/emulator.py) and this driver run in this process, so the
   bot's figures are its own (CPU from ``/proc``). The bot syncs its
   commands at start; then a warm-up of 100 interactions (not counted).
2. The mix: ``--interactions`` interactions, ``--in-flight`` at a time, each
   picked at random (fixed seed) from the database's real ids, titles,
   topics and speakers: /takeaways, /summary (the default algorithm, and
   lsa), /quotes speaker, /topic, and article/topic/speaker autocomplete.
   Latency: from sending INTERACTION_CREATE to the emulator receiving the
   interaction's first callback (a message, a defer or autocomplete
   choices): p50, p99 and max, per command and overall. An interaction
   stays in flight until its final answer (the followup after a defer).
   With a fixed number in flight, latency is that number divided by the
   throughput (Little's law), so the same mix is also sent at a steady
   ``--rate`` per second, which shows the latency of an answer that does not
   queue behind 99 others.
3. Reload: ``--reload`` new article files are written to the bot's
   SEEDS_DIR, then the bot process starts ``service.reload()`` (on SIGUSR1)
   while the mix runs again and again until the reload ends. A 10 ms ticker
   on the bot's event loop measures its lag (how much later than asked a
   10 ms sleep wakes) in every phase.
4. Yardstick: a naive bot (``bench/_naive_bot.py``, the same commands) that
   reads the article from the same database with ``sqlite3`` and runs sumy
   (LexRank, or the algorithm asked) on the event loop for each request,
   over ``--naive-interactions`` interactions of the same mix, also in its
   own process.

The emulator does not enforce Discord's 3 s interaction deadline here (so
that slow answers are measured, not failed); answers later than 3 s are
counted. The emulator's own work (HTTP server, gateway frames) runs in this
process, on the same 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _emulated_bot import BotProcess, Sent, TimedEmulator, cpu_seconds, runner_env, send, vm_hwm_mb

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
    loop_cpu: float  # CPU seconds of the bot's main thread (its event loop)
    process_cpu: float  # CPU seconds of the bot process (the loop and the database threads)
    driver_cpu: float  # CPU seconds of this process (the emulator and the driver)


async def run_mix(
    emu: TimedEmulator,
    bot: BotProcess,
    ops: Iterator[Op],
    users: list[dict[str, Any]],
    *,
    count: int | None,
    in_flight: int,
    until: asyncio.Future[Any] | None = None,
    rate: float | None = None,
) -> MixResult:
    """Send ``count`` ops (or until ``until`` is done), ``in_flight`` at a time.

    With ``rate``, send one every ``1 / rate`` seconds instead, however many are in flight.
    """
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

    async def one(op: Op) -> None:
        user = users[sent_count % len(users)]
        try:
            sent = await send(emu, op.kind, op.command, op.options, focused=op.focused, user=user)
            await asyncio.wait_for(asyncio.shield(sent.finished), ANSWER_TIMEOUT)
        except Exception as exc:
            failed.append(f"{op.kind}: {exc!r}")
            return
        done.append(sent)

    async def worker() -> None:
        while (op := next_op()) is not None:
            await one(op)

    async def paced(rate: float) -> None:
        tasks: list[asyncio.Task[None]] = []
        start = time.monotonic()
        while (op := next_op()) is not None:
            await asyncio.sleep(max(0.0, start + (sent_count - 1) / rate - time.monotonic()))
            tasks.append(asyncio.create_task(one(op)))
        await asyncio.gather(*tasks)

    started = time.monotonic()
    thread0, process0, driver0 = cpu_seconds(bot.pid, bot.pid), cpu_seconds(bot.pid), time.process_time()
    if rate:
        await paced(rate)
    else:
        await asyncio.gather(*(worker() for _ in range(in_flight)))
    return MixResult(
        done, failed, time.monotonic() - started,
        cpu_seconds(bot.pid, bot.pid) - thread0, cpu_seconds(bot.pid) - process0,
        time.process_time() - driver0,
    )


def read_rows(path: Path) -> list[tuple[float, float, float]]:
    """Rows of three numbers written by bench/_bot_runner.py: ticks (asked at, woke at, lag)
    or garbage collections (started at, generation, seconds)."""
    if not path.exists():
        return []
    rows = (line.split() for line in path.read_text().splitlines())
    return [(float(a), float(b), float(lag)) for a, b, lag in rows]


def lags(ticks: list[tuple[float, float, float]], start: float, end: float) -> list[tuple[float, float]]:
    """(seconds since ``start``, lag) of the sleeps that started and ended between ``start`` and ``end``."""
    return [(before - start, lag) for before, after, lag in ticks if start <= before and after <= end]


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
        f"bot process CPU per interaction: event-loop thread {ms(result.loop_cpu / n)} ms, "
        f"whole process {ms(result.process_cpu / n)} ms "
        f"(event loop busy {result.loop_cpu / result.wall:.0%} of the wall time); "
        f"the emulator and driver: {ms(result.driver_cpu / n)} ms"
    )
    for f in result.failed[:5]:
        lines.append(f"  no answer: {f}")
    return lines


def lag_line(ticks: list[tuple[float, float]]) -> str:
    if not ticks:
        return "no ticks"
    values = [lag for _, lag in ticks]
    worst = sorted(ticks, key=lambda t: -t[1])[:3]
    at = ", ".join(f"{ms(lag)} ms at {when:,.1f} s" for when, lag in worst)
    return (
        f"bot event-loop lag (10 ms ticker, {len(values):,} ticks): p50 {ms(pct(values, 0.5))} ms, "
        f"p99 {ms(pct(values, 0.99))} ms, worst {ms(max(values))} ms (worst three: {at})"
    )


# -- the naive bot (the yardstick) -----------------------------------------------------------


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


def print_mix(title: str, mix: MixResult, ticks: list[tuple[float, float, float]] | None,
              t0: float, t1: float, out: Callable[[str], None]) -> None:
    out("")
    out(f"### {title}")
    out("")
    for line in latency_table(mix):
        out(line)
    if ticks is not None:
        out(lag_line(lags(ticks, t0, t1)))


async def bench_brief(
    args: argparse.Namespace, corpus: Corpus, tmp: Path, out: Callable[[str], None]
) -> None:
    db = copy_database(args.database, tmp)
    seeds = tmp / "seeds"
    seeds.mkdir()
    ticks_file = tmp / "ticks.txt"
    rng = random.Random(args.seed)
    ops = make_ops(corpus, rng)
    windows: list[tuple[str, MixResult, float, float]] = []

    async with TimedEmulator(interaction_timeout=None) as emu:
        users = add_users(emu, USERS)
        emu.add_guild("Newsroom", channels=["general"], members=users)
        env = runner_env(emu, DATABASE_PATH=str(db), SEEDS_DIR=str(seeds), BRIEF_BENCH_TICKS=str(ticks_file))
        if args.slow_ms:
            env["BRIEF_BENCH_SLOW_MS"] = str(args.slow_ms)
        bot = BotProcess(env)
        await bot.start(emu)
        try:
            out(f"bot: BriefBot in its own process (bench/_bot_runner.py, as `brief run`), "
                f"{os.cpu_count()} worker processes (WORKERS unset: one per core)")
            await run_mix(emu, bot, ops, users, count=WARM_UP, in_flight=args.in_flight)
            emu.forget()

            t0 = time.monotonic()
            mix = await run_mix(emu, bot, ops, users, count=args.interactions, in_flight=args.in_flight)
            windows.append((f"Brief: {args.interactions:,} interactions, {args.in_flight} in flight",
                            mix, t0, time.monotonic()))
            emu.forget()

            if args.rate:
                t0 = time.monotonic()
                mix = await run_mix(emu, bot, ops, users, count=args.paced_interactions, in_flight=0,
                                    rate=args.rate)
                windows.append((f"Brief: {args.paced_interactions:,} interactions sent at "
                                f"{args.rate:g} a second", mix, t0, time.monotonic()))
                emu.forget()

            if args.reload:
                write_seed_files(db, seeds, args.reload, rng)
                bot.signal(signal.SIGUSR1)
                r0 = await bot.wait_event(emu, "reload_start", within=60)
                loop = asyncio.get_running_loop()
                reload_done = loop.create_task(bot.wait_event(emu, "reload_done", within=3600))
                during = await run_mix(
                    emu, bot, ops, users, count=None, in_flight=args.in_flight, until=reload_done,
                    rate=args.rate or None,
                )
                r1 = await reload_done
                report = next((line[7:] for line in bot.log if line.startswith("REPORT ")), "?")
                windows.append((
                    f"Brief during a full reload of {args.reload:,} new article files: {r1 - r0:,.1f} s "
                    f"({report}); {args.reload / (r1 - r0):,.0f} articles/s while serving the mix "
                    + (f"at {args.rate:g} a second" if args.rate else f"with {args.in_flight} in flight"),
                    during, r0, r1,
                ))
                emu.forget()
        finally:
            peak = vm_hwm_mb(bot.pid)
            status = await bot.stop()
    ticks = read_rows(ticks_file)
    collections = read_rows(Path(f"{ticks_file}.gc"))
    for title, mix, t0, t1 in windows:
        print_mix(title, mix, ticks, t0, t1, out)
        inside = [(g, d) for at, g, d in collections if t0 <= at <= t1]
        if inside:
            slowest = max(inside, key=lambda c: c[1])
            total = sum(d for _, d in inside)
            per = ", ".join(
                f"{sum(1 for g, _ in inside if g == gen)} of generation {gen}" for gen in (0, 1, 2)
            )
            out(f"garbage collections in the bot: {len(inside):,} ({per}), {ms(total)} ms in all, "
                f"slowest {ms(slowest[1])} ms (generation {slowest[0]:.0f})")
    out("")
    out(f"peak resident memory of the bot process: {peak:,.0f} MB" if peak else "peak memory: not read")
    problems = [line for line in bot.log if "ERROR" in line or "Traceback" in line]
    if status != 0:
        problems.append(f"bot process exit status {status}")
    for line in problems[:10]:
        out(f"bot problem: {line}")
    if args.slow_ms:
        for line in bot.log:
            if "Executing" in line or "took" in line:
                out(f"slow callback: {line[:120]} ... {line[-60:]}")


async def bench_naive(args: argparse.Namespace, corpus: Corpus, out: Callable[[str], None]) -> None:
    rng = random.Random(args.seed)
    ops = make_ops(corpus, rng)
    async with TimedEmulator(interaction_timeout=None) as emu:
        users = add_users(emu, USERS)
        emu.add_guild("Newsroom", channels=["general"], members=users)
        with tempfile.TemporaryDirectory(prefix="brief-naive-") as tmp:
            ticks_file = Path(tmp) / "ticks.txt"
            bot = BotProcess(runner_env(
                emu, DATABASE_PATH=str(Path(tmp) / "unused.sqlite3"), SEEDS_DIR=tmp,
                BRIEF_BENCH_NAIVE=str(args.database), BRIEF_BENCH_TICKS=str(ticks_file),
            ))
            await bot.start(emu)
            try:
                await run_mix(emu, bot, ops, users, count=min(WARM_UP, args.naive_interactions), in_flight=10)
                emu.forget()
                t0 = time.monotonic()
                mix = await run_mix(emu, bot, ops, users, count=args.naive_interactions,
                                    in_flight=args.in_flight)
                t1 = time.monotonic()
            finally:
                await bot.stop()
            ticks = read_rows(ticks_file)
    print_mix(f"Yardstick: naive bot (sumy on the event loop), {args.naive_interactions:,} interactions, "
              f"{args.in_flight} in flight", mix, ticks, t0, t1, out)


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
    parser.add_argument("--rate", type=float, default=50.0,
                        help="also send interactions at this steady rate per second (0: skip)")
    parser.add_argument("--paced-interactions", type=int, default=1000)
    parser.add_argument("--slow-ms", type=int, default=0,
                        help="diagnosis: log callbacks holding the bot's loop longer (asyncio debug)")
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
    out("the bot runs in its own process; the emulator and this driver in this one; "
        "latency = INTERACTION_CREATE sent -> first callback received by the emulator")
    mix = ", ".join(f"{k} {v}%" for k, v in MIX.items())
    out(f"mix: {mix}")
    with tempfile.TemporaryDirectory(prefix="brief-latency-") as tmp:
        asyncio.run(bench_brief(args, corpus, Path(tmp), out))
    if args.naive_interactions:
        asyncio.run(bench_naive(args, corpus, out))


if __name__ == "__main__":
    main()
