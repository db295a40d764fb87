"""ROUGE of Brief's takeaways, Lead-3 and sumy's summarizers against reference highlights.

Usage (from the repository root)::

    python bench/rouge.py /path/to/cnndm_dev.jsonl
    python bench/rouge.py /path/to/cnndm_dev.jsonl --split 1000          # and the fit part, the rest
    python bench/rouge.py /path/to/cnndm_dev.jsonl --limit 200 --methods brief lead3
    python bench/rouge.py /path/to/cnndm_dev.jsonl --ablation            # one row per part of the ranker
    python bench/rouge.py --publisher seeds/*.txt   # against the publisher's takeaways in the files

Input: JSON lines ``{"id", "article", "highlights": [...]}`` (a highlights
string with one highlight a line also works). Each article goes through
Brief's own parser and sentence splitter exactly as ``brief import`` would
(``article_from_record`` then ``parse_text``), then each method picks 3
sentences of the body. Each pick is scored against the highlights with the
``rouge-score`` package: ROUGE-1, ROUGE-2 and ROUGE-Lsum F1 (x 100), Porter
stemming on, the sentences joined by newlines for ROUGE-Lsum.

Methods: ``brief`` (Brief's ranker, the default), ``lead3`` (the first three
sentences of the body) and sumy's ``lexrank``, ``textrank``, ``lsa``,
``luhn``, ``kl``, ``sumbasic`` and ``reduction``, each through
:func:`bot.news.summarize.rank` as Brief runs them. ``articles/s`` is per
core: articles divided by the CPU time (``time.process_time``) a worker spent
parsing and ranking them, so that other jobs on a shared machine do not count
(ROUGE scoring excluded). The work is spread over every core; progress goes to
stderr. The data is read from the path given and never copied.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.news.article import Article  # noqa: E402
from bot.news.parse import ParseError, article_from_record, parse_text  # noqa: E402

COUNT = 3
SUMY_METHODS = ("lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic", "reduction")
METHODS = ("brief", "lead3", *SUMY_METHODS)
LABELS = {
    "brief": "**Brief** (`brief`)",
    "lead3": "Lead-3 (first three sentences)",
    **{m: f"sumy {name}" for m, name in zip(SUMY_METHODS, (
        "LexRank", "TextRank", "LSA", "Luhn", "KL", "SumBasic", "Reduction"), strict=True)},
}
# Ablations: Brief's ranker with one part switched off (parameter overrides).
ABLATIONS: dict[str, dict[str, float]] = {
    "brief-no-position": {"position": 0.0, "lead": 0.0},
    "brief-no-centrality": {"centroid": 0.0, "lexrank": 0.0},
    "brief-no-length": {"length": 0.0, "min_words": 0, "max_words": 10_000},
    "brief-no-form": {"question": 0.0, "quote": 0.0, "attribution": 0.0},
    "brief-no-redundancy": {"redundancy": 0.0, "duplicate": 2.0},
    "brief-position-only": {
        "lead": 0.0, "centroid": 0.0, "lexrank": 0.0, "length": 0.0, "question": 0.0, "quote": 0.0,
        "attribution": 0.0, "redundancy": 0.0, "duplicate": 2.0, "min_words": 0, "max_words": 10_000,
    },
}


@dataclass(slots=True)
class Row:
    """One article's figures: per method (R-1, R-2, R-Lsum, seconds); parse seconds; sentences."""

    scores: dict[str, tuple[float, float, float, float]]
    parse_seconds: float
    sentences: int


# --------------------------------------------------------------------------- worker side

_STATE: dict[str, Any] = {}


def _init(methods: Sequence[str]) -> None:
    from rouge_score import rouge_scorer

    from bot.news import summarize
    from bot.news.ranker import BriefSummarizer, default_params

    _STATE["scorer"] = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    _STATE["methods"] = tuple(methods)
    rankers = {}
    for m in methods:
        if m == "brief" or m in ABLATIONS:
            params = default_params().with_(**ABLATIONS.get(m, {}))
            r = BriefSummarizer(summarize.summarizer("lexrank")._stemmer, params)
            r.stop_words = summarize.stop_words()
            rankers[m] = r
        elif m in SUMY_METHODS:
            summarize.summarizer(m)
    _STATE["rankers"] = rankers


def _pick(article: Article, method: str) -> list[str]:
    from bot.news import summarize

    if method == "lead3":
        return [text for _, _, text in article.sentences()[:COUNT]]
    ranker = _STATE["rankers"].get(method)
    if ranker is None:
        return [t.text for t in summarize.rank(article, method, COUNT)]
    # exactly what summarize.rank does, with this ranker instance
    document, positions = summarize.build_document(article)
    if not document.sentences:
        return []
    capture = summarize._RankCapture(COUNT)
    ranker(document, capture)
    out = []
    for info in capture.ranked:
        p, s = positions[id(info.sentence)]
        out.append(article.paragraphs[p][s])
    return out


def _work(line: str) -> Row | None:
    """One JSON line: Brief's parse of the record, scored against its highlights."""
    record = json.loads(line)
    highlights = record.get("highlights")
    if isinstance(highlights, str):
        highlights = [h for h in highlights.split("\n") if h.strip()]
    t0 = time.process_time()
    try:
        text, rid = article_from_record(record)
        article = parse_text(text, rid)
    except ParseError:
        return None
    return _score(article, "\n".join(highlights or []), time.process_time() - t0)


def _work_file(path: str) -> Row | None:
    """One corpus file: parsed as ``brief reload`` does, scored against the publisher's takeaways."""
    from bot.news.parse import article_id_for_path, parse_bytes

    t0 = time.process_time()
    try:
        article = parse_bytes(Path(path).read_bytes(), article_id_for_path(Path(path).name))
    except ParseError:
        return None
    if not article.publisher_takeaways:
        return None
    return _score(article, "\n".join(article.publisher_takeaways), time.process_time() - t0)


def _score(article: Article, reference: str, parse_seconds: float) -> Row:
    scorer = _STATE["scorer"]
    out: dict[str, tuple[float, float, float, float]] = {}
    for method in _STATE["methods"]:
        t0 = time.process_time()
        picked = _pick(article, method)
        seconds = time.process_time() - t0
        s = scorer.score(reference, "\n".join(picked))
        out[method] = (
            100 * s["rouge1"].fmeasure,
            100 * s["rouge2"].fmeasure,
            100 * s["rougeLsum"].fmeasure,
            seconds,
        )
    return Row(out, parse_seconds, article.sentence_count)


# --------------------------------------------------------------------------- driver


def read_lines(path: Path, start: int, limit: int | None) -> list[str]:
    lines = []
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i < start or not line.strip():
                continue
            if limit is not None and len(lines) >= limit:
                break
            lines.append(line)
    return lines


def run(
    lines: Sequence[str], methods: Sequence[str], workers: int, work: Callable[[str], Row | None] = _work
) -> Iterator[Row | None]:
    if workers <= 1:
        _init(methods)
        yield from map(work, lines)
        return
    ctx = mp.get_context("spawn")
    with ctx.Pool(workers, initializer=_init, initargs=(tuple(methods),)) as pool:
        yield from pool.imap(work, lines, chunksize=8)


def summarize_rows(rows: Sequence[Row], methods: Sequence[str]) -> dict[str, dict[str, float]]:
    n = len(rows)
    parse = sum(r.parse_seconds for r in rows)
    table = {}
    for m in methods:
        seconds = parse + sum(r.scores[m][3] for r in rows)
        table[m] = {
            "rouge1": sum(r.scores[m][0] for r in rows) / n,
            "rouge2": sum(r.scores[m][1] for r in rows) / n,
            "rougeLsum": sum(r.scores[m][2] for r in rows) / n,
            "articles_per_second": n / seconds if seconds else float("inf"),
        }
    return table


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, nargs="?", help="JSON lines {id, article, highlights}")
    ap.add_argument("--publisher", nargs="+", metavar="FILE", default=None,
                    help="instead: corpus files, scored against their publisher's takeaways")
    ap.add_argument("--start", type=int, default=0, help="skip the first N lines (default 0)")
    ap.add_argument("--limit", type=int, default=None, help="at most N articles (default all)")
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=[*METHODS, *ABLATIONS])
    ap.add_argument("--ablation", action="store_true", help="add one row per part of Brief's ranker")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (default: cores)")
    ap.add_argument("--split", type=int, default=None,
                    help="also report the lines before line N and from line N on (the fit part, the rest)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    methods = list(dict.fromkeys(args.methods))
    if args.ablation:
        methods += [m for m in ABLATIONS if m not in methods]
    work: Callable[[str], Row | None] = _work
    if args.publisher:
        lines, work, args.data = list(args.publisher), _work_file, Path(args.publisher[0])
    elif args.data is None:
        ap.error("give DATA.jsonl or --publisher FILE...")
    else:
        lines = read_lines(args.data, args.start, args.limit)
    if not lines:
        ap.error("no articles in the selected range")

    rows: list[tuple[int, Row]] = []
    skipped = 0
    t0 = time.perf_counter()
    for i, row in enumerate(run(lines, methods, min(args.workers, len(lines)), work), 1):
        if row is None:
            skipped += 1
        else:
            rows.append((args.start + i - 1, row))  # 0-based line number
        if i % 25 == 0 or i == len(lines):
            rate = i / (time.perf_counter() - t0)
            print(f"\r{i}/{len(lines)} articles, {rate:.1f}/s", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if not rows:
        print("no article could be parsed", file=sys.stderr)
        return 1

    parts = [("all", [r for _, r in rows])]
    if args.split is not None:
        parts += [
            (f"lines 1 to {args.split}", [r for n, r in rows if n < args.split]),
            (f"lines {args.split + 1} on", [r for n, r in rows if n >= args.split]),
        ]
    parts = [(name, part) for name, part in parts if part]
    out = {name: summarize_rows(part, methods) for name, part in parts}
    if args.json:
        print(json.dumps({"articles": len(rows), "skipped": skipped, "start": args.start,
                          "parts": {name: {"articles": len(p), "methods": out[name]} for name, p in parts}},
                         indent=1))
        return 0
    sentences = sum(r.sentences for _, r in rows) / len(rows)
    print(f"{args.data.name}: {len(rows)} articles (lines {args.start + 1} to {args.start + len(lines)}), "
          f"{skipped} unparsable, {sentences:.1f} sentences per article, {COUNT} sentences per method")
    for name, part in parts:
        table = out[name]
        print()
        print(f"{name}: {len(part)} articles")
        print()
        print("| method | R-1 | R-2 | R-Lsum | articles/s, one core |")
        print("|---|---|---|---|---|")
        for m in methods:
            t = table[m]
            print(f"| {LABELS.get(m, m)} | {t['rouge1']:.2f} | {t['rouge2']:.2f} | {t['rougeLsum']:.2f} | "
                  f"{t['articles_per_second']:.0f} |")
        if "brief" in table and "lead3" in table:
            b, lead = table["brief"], table["lead3"]
            print()
            d1, d2, dl = (b[k] - lead[k] for k in ("rouge1", "rouge2", "rougeLsum"))
            print(f"brief - lead3: R-1 {d1:+.2f}, R-2 {d2:+.2f}, R-Lsum {dl:+.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
