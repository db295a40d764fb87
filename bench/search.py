"""Known-item search benchmark: Brief's search against a plain FTS5 BM25 baseline.

    python bench/search.py DATA.jsonl [--limit N] [--database PATH] [--results N]

Imports the articles (``{"id", "article", "highlights", ...}``) into a fresh
database through Brief's own import, then, for each article, searches with a
short query made from its first highlight: the first three words that are not
in sumy's English stop-word list, as a user would type a topic. It finds the
rank of that article and prints MRR@10, recall@1, recall@10, and p50/p99 query
latency (Brief asks for the first 10 results, or ``--results N``: ``/topic`` asks
for 50), for Brief's search and, in the same run, for a plain FTS5 ``bm25()``
ranking over the body with the three words OR-ed (the baseline).

The data is read from the path given (e.g. ../shared/bench/cnndm_dev.jsonl);
nothing of it is stored in the project.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _data import read_records

from bot.config import load_settings
from bot.news.summarize import stop_words
from bot.service import Service
from bot.storage.store import Store


def query_for(highlight: str) -> list[str]:
    common = stop_words()
    words = [w for w in re.findall(r"[^\W_]+", highlight.lower()) if w not in common]
    return words[:3]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def score(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "MRR@10": sum(1 / r for r in ranks if r and r <= 10) / n,
        "R@1": sum(1 for r in ranks if r == 1) / n,
        "R@10": sum(1 for r in ranks if r and r <= 10) / n,
    }


def baseline_index(records: list[dict[str, object]]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body)")
    db.executemany("INSERT INTO docs (id, body) VALUES (?, ?)", [(r["id"], r["article"]) for r in records])
    return db


async def run(path: Path, limit: int | None, database: Path | None, results: int = 10) -> None:
    records = read_records(path, limit)
    tmp = tempfile.TemporaryDirectory()
    db_path = database or Path(tmp.name) / "search.sqlite3"
    subset = Path(tmp.name) / "subset.jsonl"
    subset.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    settings = load_settings(None, environ={"DATABASE_PATH": str(db_path), "SEEDS_DIR": tmp.name})
    store = await Store.open(db_path)
    service = Service(store, settings)
    try:
        started = time.perf_counter()
        report = await service.import_jsonl(subset, progress=None)
        print(f"imported {len(report.added) + len(report.updated) + len(report.unchanged)} articles "
              f"in {time.perf_counter() - started:.1f} s ({len(report.failed)} failed)", file=sys.stderr)
        baseline = baseline_index(records)
        ranks: dict[str, list[int | None]] = {"brief": [], "baseline": []}
        times: dict[str, list[float]] = {"brief": [], "baseline": []}
        for n, record in enumerate(records, 1):
            highlights = record.get("highlights") or []
            first = highlights[0] if isinstance(highlights, list) and highlights else str(highlights)
            words = query_for(first)
            if not words:
                continue
            target = str(record["id"])

            t = time.perf_counter()
            result = await service.search(" ".join(words), limit=results)
            times["brief"].append(time.perf_counter() - t)
            ids = [h.entry.id for h in result.hits][:10]
            ranks["brief"].append(ids.index(target) + 1 if target in ids else None)

            t = time.perf_counter()
            rows = baseline.execute(
                "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10",
                (" OR ".join(f'"{w}"' for w in words),),
            ).fetchall()
            times["baseline"].append(time.perf_counter() - t)
            ids = [r[0] for r in rows]
            ranks["baseline"].append(ids.index(target) + 1 if target in ids else None)
            if n % 200 == 0:
                print(f"searched {n}/{len(records)}", file=sys.stderr)
        corpus = await store.count_articles()
        print(f"\n{len(ranks['brief'])} known-item queries ({path.name}); Brief searched {corpus:,} "
              f"articles, the baseline {len(records):,}\n")
        print("| search | MRR@10 | recall@1 | recall@10 | p50 ms | p99 ms |")
        print("|---|---|---|---|---|---|")
        for name, label in (("baseline", "plain FTS5 bm25, body, words OR-ed"), ("brief", "Brief")):
            s = score(ranks[name])
            p50, p99 = statistics.median(times[name]), percentile(times[name], 0.99)
            print(f"| {label} | {s['MRR@10']:.3f} | {s['R@1']:.3f} | {s['R@10']:.3f} | "
                  f"{1000 * p50:.2f} | {1000 * p99:.2f} |")
    finally:
        await service.close()
        await store.close()
        tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, help="JSON lines with id, article, highlights")
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--database", type=Path, help="keep the imported database here")
    parser.add_argument("--results", type=int, default=10, help="results Brief is asked for (default 10)")
    args = parser.parse_args()
    asyncio.run(run(args.data, args.limit, args.database, args.results))


if __name__ == "__main__":
    main()
