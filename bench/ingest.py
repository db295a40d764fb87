"""Ingest benchmark: full `brief import` (parse, takeaways, quotes, topics, index, commit).

    python bench/ingest.py DATA.jsonl [--limit N] [--synthetic N] [--workers W] [--yardstick N]
                                      [--keep PATH]

Imports the articles of DATA.jsonl (``{"id", "article", ...}``; e.g.
../shared/bench/cnndm_dev.jsonl) into a fresh temporary database through
Brief's own import, and prints articles per second, wall time, peak memory
(the main process and the worker processes) and the database size.

``--synthetic N`` builds N articles on the fly by recombining the sentences of
DATA (each synthetic article takes runs of sentences from three source
articles), written to a temporary file that is deleted afterwards: nothing of
the data is kept.

``--keep PATH`` keeps the imported database at PATH (a consistent copy made
with SQLite's backup API), e.g. for bench/latency.py and bench/restart.py.

In the same run, the yardstick: sumy's LexRank alone (a naive bot: sumy's
plaintext parser and LexRank, three sentences, one core) over the first
``--yardstick`` articles (default 300), as articles per second.

The machine is often shared, so the run also prints the CPU time per article
of the main process and of the worker processes (``getrusage``; the workers'
start-up included), the rate those CPU times would allow on idle cores, and
the load average before and after the import.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from _data import read_records
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer

from bot.config import load_settings
from bot.news.sentences import split_sentences
from bot.news.summarize import TOKENIZER
from bot.service import Service
from bot.storage.store import Store


def synthesize(records: list[dict[str, object]], n: int, target: Path) -> None:
    """N articles made of runs of sentences from three source articles each."""
    rng = random.Random(7)
    sentences = [split_sentences(str(r["article"])) for r in records]
    sentences = [s for s in sentences if len(s) >= 6]
    with open(target, "w", encoding="utf-8") as fh:
        for i in range(n):
            parts = []
            for source in rng.sample(sentences, 3):
                start = rng.randrange(0, max(len(source) - 5, 1))
                parts.append(" ".join(source[start : start + rng.randint(4, 10)]))
            fh.write(json.dumps({"id": f"syn-{i:06d}", "article": "\n\n".join(parts)}) + "\n")


def lexrank_yardstick(records: list[dict[str, object]]) -> tuple[float, float]:
    """Articles per second for sumy LexRank alone, one core (a naive bot's cost per article).

    Two rates: by wall time, and by the CPU time of the process (steadier on a shared machine).
    """
    summarizer = LexRankSummarizer()
    started, cpu = time.perf_counter(), time.process_time()
    for r in records:
        parser = PlaintextParser.from_string(str(r["article"]), TOKENIZER)
        summarizer(parser.document, 3)
    n = max(len(records), 1)
    return n / (time.perf_counter() - started), n / max(time.process_time() - cpu, 1e-9)


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


async def ingest(source: Path, db_path: Path, workers: int) -> tuple[float, int]:
    env = {"DATABASE_PATH": str(db_path), "SEEDS_DIR": str(db_path.parent), "WORKERS": str(workers)}
    settings = load_settings(None, environ=env)
    store = await Store.open(db_path)
    service = Service(store, settings)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 2 or done >= total:
            last[0] = now
            print(f"\r  {done:,}/{total:,}", end="", file=sys.stderr, flush=True)

    try:
        started = time.perf_counter()
        report = await service.import_jsonl(source, progress=progress)
        wall = time.perf_counter() - started
    finally:
        await service.close()
        await store.close()
    print(file=sys.stderr)
    if report.failed:
        print(f"  {len(report.failed)} failed, e.g. {report.failed[0]}", file=sys.stderr)
    return wall, len(report.added) + len(report.updated)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path)
    parser.add_argument("--limit", type=int, help="only the first N articles of DATA")
    parser.add_argument("--synthetic", type=int, help="import N articles recombined from DATA instead")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--yardstick", type=int, default=300, help="articles for the LexRank yardstick")
    parser.add_argument("--keep", type=Path, help="keep the imported database at PATH")
    args = parser.parse_args()

    records = read_records(args.data, args.limit)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.data
        if args.synthetic:
            source = Path(tmp) / "synthetic.jsonl"
            synthesize(records, args.synthetic, source)
        elif args.limit:
            source = Path(tmp) / "subset.jsonl"
            source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        db_path = Path(tmp) / "ingest.sqlite3"
        load_before = load_average()
        main_cpu, workers_cpu = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
        wall, loaded = asyncio.run(ingest(source, db_path, args.workers))
        # the workers have exited (the pool is shut down), so RUSAGE_CHILDREN holds all their time
        main_cpu = cpu_seconds(resource.RUSAGE_SELF) - main_cpu
        workers_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - workers_cpu
        load_after = load_average()
        size = sum(p.stat().st_size for p in Path(tmp).glob("ingest.sqlite3*"))
        if args.keep:
            src, dst = sqlite3.connect(db_path), sqlite3.connect(args.keep)
            src.backup(dst)
            dst.close()
            src.close()
            print(f"database kept at {args.keep}", file=sys.stderr)
        yard, yard_cpu = lexrank_yardstick(records[: args.yardstick])

    rate = loaded / wall
    print(f"ingest of {loaded:,} articles ({'synthetic' if args.synthetic else args.data.name}), "
          f"{args.workers} worker processes, {os.cpu_count()} cores")
    print("| measure | value |")
    print("|---|---|")
    print(f"| articles per second, end to end | {rate:,.0f} |")
    print(f"| wall time | {wall:,.1f} s |")
    print(f"| peak memory, main process | {peak_mb(resource.RUSAGE_SELF):,.0f} MB |")
    print(f"| peak memory, largest worker | {peak_mb(resource.RUSAGE_CHILDREN):,.0f} MB |")
    print(f"| database size | {size / 1e6:,.1f} MB ({size / max(loaded, 1) / 1e3:,.1f} kB per article) |")
    per = 1000 / max(loaded, 1)
    print(f"| CPU per article, main process | {main_cpu * per:,.2f} ms |")
    print(f"| CPU per article, worker processes (start-up included) | {workers_cpu * per:,.2f} ms |")
    cores = min(os.cpu_count() or 1, args.workers + 1)
    ceiling = cores * 1000 / max((main_cpu + workers_cpu) * per, 1e-9)
    print(f"| CPU-bound ceiling on {cores} idle cores (that CPU time, nothing else running) | "
          f"{ceiling:,.0f} articles/s |")
    sample = min(args.yardstick, len(records))
    print(f"| sumy LexRank alone, one core ({sample} articles) | {yard:,.0f} articles/s "
          f"({yard_cpu:,.0f} by CPU time) |")
    print(f"| Brief ingest / LexRank alone | {rate / yard:,.1f}x |")
    print(f"| load average (1, 5, 15 min) before / after the import | {load_before} / {load_after} |")


if __name__ == "__main__":
    main()
