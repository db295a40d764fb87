"""Restart time: a fresh bot process to a ready bot, with an unchanged database.

    python bench/restart.py --database PATH [--runs 5]

PATH is a Brief database (e.g. kept by ``bench/ingest.py --synthetic N --keep PATH``);
it is copied to a temporary folder first and never written.

The tests' Discord emulator (tests/e2e/emulator.py) runs in this process. Each
run starts ``python bench/_bot_runner.py``, a new process that points
discord.py at the emulator (from environment variables) and runs the bot as
``brief run`` does. Times are from just before the process is started to:

* ``imported``: discord.py and Brief imported in the new process;
* ``setup_hook``: database opened, cogs loaded, command set checked;
* ``IDENTIFY``: the bot's gateway IDENTIFY reached the emulator;
* ``first answer``: the first /takeaways, sent as soon as the emulator has
  sent READY and the server's GUILD_CREATE, answered (its callback received);
* ``on_ready``: discord.py's on_ready (it waits ``guild_ready_timeout``, 2 s by
  default, after the last GUILD_CREATE before firing it).

The first start on the copied database syncs the slash commands (the database
has not seen them yet); it is shown apart. Then ``--runs`` restarts: same
database, same commands. After all runs the bench checks that no article was
re-analysed: every article's ``updated_at``, ``analysis`` and ``sha256`` are
the same as before the first start.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _emulated_bot import ROOT, RUNNER, TimedEmulator, read_events, runner_env, send, vm_hwm_mb

STEPS = ("imported", "setup_hook", "IDENTIFY", "first answer", "on_ready")


def fingerprint(db: Path) -> tuple[int, str]:
    """The number of articles and a hash of every (id, sha256, analysis, updated_at)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    digest = hashlib.sha256()
    count = 0
    try:
        for row in conn.execute("SELECT id, sha256, analysis, updated_at FROM articles ORDER BY id"):
            digest.update("\x1f".join(row).encode() + b"\x1e")
            count += 1
    finally:
        conn.close()
    return count, digest.hexdigest()


async def one_start(
    emu: TimedEmulator, env: dict[str, str], article_ids: list[str], rng: random.Random
) -> tuple[dict[str, float], float | None, list[str]]:
    """Start the bot process, measure, stop it cleanly; times in seconds from the start."""
    events: dict[str, float] = {}
    log: list[str] = []
    identified = emu.identify_count
    guilds = len(emu.guilds)
    t0 = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(RUNNER), env=env, cwd=str(ROOT),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    readers = [
        asyncio.create_task(read_events(proc.stdout, events, log)),
        asyncio.create_task(read_events(proc.stderr, events, log)),
    ]
    peak = None
    try:
        def greeted() -> bool:
            s = emu.session
            return emu.identify_count > identified and s is not None and s.seq >= 1 + guilds

        await emu.wait_for(greeted, timeout=120, what="IDENTIFY, READY and GUILD_CREATE")
        events["IDENTIFY"] = time.monotonic()
        sent = await send(emu, "/takeaways", "takeaways", {"article": rng.choice(article_ids)})
        events["first answer"] = await asyncio.wait_for(asyncio.shield(sent.answered), 60)
        if sent.callback_type != 4 or sent.ephemeral:
            log.append(f"unexpected first answer: type {sent.callback_type}, {sent.content!r}")
        await emu.wait_for(lambda: "on_ready" in events, timeout=60, what="on_ready")
        peak = vm_hwm_mb(proc.pid)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 60)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        await asyncio.gather(*readers)
    if proc.returncode != 0:
        log.append(f"bot process exit status {proc.returncode}")
    return {k: v - t0 for k, v in events.items()}, peak, log


async def run(args: argparse.Namespace, db: Path, seeds: Path) -> None:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    article_ids = [r[0] for r in conn.execute("SELECT id FROM articles")]
    conn.close()
    rng = random.Random(args.seed)
    async with TimedEmulator() as emu:
        emu.add_guild("Newsroom", channels=["general"])
        env = runner_env(emu, DATABASE_PATH=str(db), SEEDS_DIR=str(seeds), LOG_LEVEL="INFO")
        runs: list[dict[str, float]] = []
        peaks: list[float] = []
        problems: list[str] = []
        for i in range(args.runs + 1):
            times, peak, log = await one_start(emu, env, article_ids, rng)
            problems += [f"run {i}: {line}" for line in log if "ERROR" in line or "exit status" in line
                         or "unexpected" in line or "reload" in line]
            label = "first start (syncs commands)" if i == 0 else f"restart {i}"
            shown = ", ".join(f"{s} {times[s]:.2f} s" for s in STEPS if s in times)
            print(f"  {label}: {shown}", flush=True)
            if i > 0:
                runs.append(times)
                if peak is not None:
                    peaks.append(peak)
        print()
        print(f"### Restart: {args.runs} restarts, unchanged database")
        print()
        print("| from process start to | median s | min s | max s |")
        print("|---|---:|---:|---:|")
        for step in STEPS:
            values = [r[step] for r in runs if step in r]
            if values:
                print(f"| {step} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |")
        if peaks:
            peak = statistics.median(peaks)
            print(f"\npeak resident memory of the bot process at on_ready: {peak:,.0f} MB "
                  f"(median of {len(peaks)})")
        print(f"command syncs: {emu.global_sync_count} (the first start only, expected 1)")
        for p in problems:
            print(f"problem: {p}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", type=Path, required=True, help="a Brief database (copied, not changed)")
    parser.add_argument("--runs", type=int, default=5, help="restarts to measure (after a first start)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not args.database.is_file():
        sys.exit(f"no database at {args.database}")

    with tempfile.TemporaryDirectory(prefix="brief-restart-") as tmp:
        db = Path(tmp) / "db" / "brief.sqlite3"
        db.parent.mkdir()
        shutil.copyfile(args.database, db)
        seeds = Path(tmp) / "seeds"
        seeds.mkdir()
        before = fingerprint(db)
        size = db.stat().st_size
        print(f"## bench/restart.py: {before[0]:,} articles ({args.database.name}, {size / 1e6:,.0f} MB)")
        print(f"machine: {os.cpu_count()} cores, {platform.python_implementation()} "
              f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} at start")
        print("bot: a new `python bench/_bot_runner.py` process per run (runs the bot as `brief run` "
              "does); the emulator runs in this process")
        asyncio.run(run(args, db, seeds))
        after = fingerprint(db)
        same = "yes" if after == before else f"NO ({before[0]:,} -> {after[0]:,} articles, hash changed)"
        print(f"no article re-analysed (id, sha256, analysis, updated_at of every article unchanged): {same}")


if __name__ == "__main__":
    main()
