"""Check topic extraction (bot.news.topics) on a JSON-lines file of articles.

Usage (from the repository root)::

    python bench/topics.py /path/to/cnndm_cased_dev.jsonl --limit 300
    python bench/topics.py /path/to/cnndm_dev.jsonl --limit 300 --quiet

Each line is ``{"id", "article", "highlights"?: [...], "title"?: ...}``. Every
article goes through Brief's own parser (as ``brief import`` does), then
``extract_topics``. The script prints each article's topics (unless
``--quiet``), then:

* the average number of topics per article;
* a rough quality proxy: the share of articles (with highlights) whose top-3
  topics contain a word that also occurs in the article's highlights (stop
  words left out). It is only a sanity check, not a target: a topic can be
  right without the highlights naming it;
* extraction speed: articles per second and milliseconds per article (one
  core, parsing excluded; wall clock and CPU time), for a first pass with cold
  caches (every new word is stemmed once) and a second pass with warm caches,
  as at steady state during a large ingest.

Nothing here is pass/fail. The data set path is an argument on purpose: the
benchmark data is never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.news.article import Article  # noqa: E402
from bot.news.parse import ParseError, article_from_record, parse_text  # noqa: E402
from bot.news.sentences import split_words  # noqa: E402
from bot.news.summarize import stop_words  # noqa: E402
from bot.news.topics import extract_topics, topic_key  # noqa: E402


def load(path: Path, limit: int) -> list[tuple[Article, list[str]]]:
    out: list[tuple[Article, list[str]]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if len(out) >= limit:
                break
            if not line.strip():
                continue
            record = json.loads(line)
            try:
                text, rid = article_from_record(record)
                article = parse_text(text, rid)
            except ParseError as err:
                print(f"skipped {record.get('id')!r}: {err}", file=sys.stderr)
                continue
            highlights = record.get("highlights") or []
            out.append((article, [h for h in highlights if isinstance(h, str)]))
    return out


def highlight_hit(topics: tuple[str, ...], highlights: list[str]) -> bool:
    """Whether one of ``topics`` has a content word that the highlights use."""
    stop = stop_words()
    words = {topic_key(w) for h in highlights for w in split_words(h)} - stop
    return any(w in words for t in topics for w in topic_key(t).split() if w not in stop)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="JSON-lines file of articles")
    parser.add_argument("--limit", type=int, default=300, help="articles to read (default 300)")
    parser.add_argument("--topics", type=int, default=8, help="topics per article (default 8)")
    parser.add_argument("--quiet", action="store_true", help="print only the figures")
    args = parser.parse_args(argv)

    articles = load(args.path, args.limit)
    if not articles:
        print("no articles", file=sys.stderr)
        return 1
    # First pass: cold caches (each new word is stemmed once). Second pass: warm
    # caches, as at steady state when ingesting many articles.
    timings = []
    for _ in range(2):
        results = []
        start, start_cpu = time.perf_counter(), time.process_time()
        for article, _ in articles:
            results.append(extract_topics(article, args.topics))
        timings.append((time.perf_counter() - start, time.process_time() - start_cpu))

    if not args.quiet:
        for (article, _), topics in zip(articles, results, strict=True):
            print(f"{article.id}\t{' | '.join(topics)}")
        print()

    n = len(articles)
    words = sum(len(a.body.split()) for a, _ in articles) / n
    judged = [(t, h) for t, (_, h) in zip(results, articles, strict=True) if h]
    print(f"file: {args.path.name}")
    print(f"articles: {n} (average {words:.0f} words in the body)")
    print(f"topics per article: {sum(len(t) for t in results) / n:.2f} (limit {args.topics})")
    print(f"articles with no topic: {sum(1 for t in results if not t)}")
    if judged:
        hits = sum(1 for t, h in judged if highlight_hit(t[:3], h))
        print(f"top-3 topics share a word with the highlights: {hits / len(judged):.1%} of {len(judged)}")
    for label, (wall, cpu) in zip(("cold caches", "warm caches"), timings, strict=True):
        print(
            f"speed, {label}: {n / wall:,.0f} articles/s, {wall / n * 1000:.2f} ms/article wall, "
            f"{cpu / n * 1000:.2f} ms/article CPU (one core)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
