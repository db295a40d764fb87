"""Fit the handful of weights of Brief's ranker (``bot/news/ranker_params.json``).

Usage (from the repository root)::

    python bench/fit_ranker.py /path/to/cnndm_dev.jsonl --limit 1000            # prints the fit
    python bench/fit_ranker.py /path/to/cnndm_dev.jsonl --limit 1000 --write     # and writes the file

Only the first ``--limit`` articles are read (the fit part); report the rest
with ``python bench/rouge.py DATA --start 1000``. Each article is parsed as
``brief import`` parses it, the ranker's features are computed once
(:func:`bot.news.ranker.sentence_features`), and the weights are searched by
coordinate descent over a fixed grid of values per weight, maximising the mean
of ROUGE-1 + ROUGE-2 F1 of 3 takeaways against the highlights (counts of
unigrams and bigrams of the ``rouge-score`` tokenizer, Porter stemming on:
the same figures as ``bench/rouge.py``, computed from cached tokens). Only
weights move; no article is looked at on its own. The search is
deterministic.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.news.parse import ParseError, article_from_record, parse_text  # noqa: E402
from bot.news.ranker import PARAMS_PATH, Features, RankerParams, default_params, select  # noqa: E402

COUNT = 3

# The grid each weight is searched over.
GRID: dict[str, tuple[float, ...]] = {
    "position": (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0),
    "position_decay": (1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0),
    "lead": (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0),
    "centroid": (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0),
    "lexrank": (0.0, 0.05, 0.1, 0.2, 0.3, 0.5),
    "length": (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75),
    "length_target": (4.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0, 25.0, 30.0, 40.0),
    "question": (0.0, 0.1, 0.2, 0.4, 0.8),
    "quote": (0.0, 0.05, 0.1, 0.2, 0.4),
    "attribution": (-0.1, 0.0, 0.05, 0.1, 0.2, 0.4),
    "redundancy": (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0),
    "duplicate": (0.3, 0.4, 0.5, 0.6, 0.8),
    "min_words": (0, 4, 6, 8, 10, 12),
    "max_words": (40, 50, 60, 80, 120),
}


@dataclass(slots=True)
class Item:
    features: Features
    sentence_tokens: list[list[str]]  # rouge-score tokens (stemmed) per sentence
    ref_uni: Counter[str]
    ref_bi: Counter[tuple[str, str]]


_STATE: dict[str, Any] = {}


def _init() -> None:
    from rouge_score import tokenizers

    from bot.news import summarize
    from bot.news.ranker import BriefSummarizer

    _STATE["tok"] = tokenizers.DefaultTokenizer(use_stemmer=True)
    ranker = BriefSummarizer(summarize.summarizer("lexrank")._stemmer)
    ranker.stop_words = summarize.stop_words()
    _STATE["ranker"] = ranker


def _bigrams(tokens: Sequence[str]) -> Counter[tuple[str, str]]:
    return Counter(pairwise(tokens))


def _prepare(line: str) -> Item | None:
    from bot.news import summarize

    record = json.loads(line)
    highlights = record.get("highlights")
    if isinstance(highlights, str):
        highlights = highlights.split("\n")
    try:
        text, rid = article_from_record(record)
        article = parse_text(text, rid)
    except ParseError:
        return None
    document, _ = summarize.build_document(article)
    sentences = list(document.sentences)
    if not sentences:
        return None
    tok = _STATE["tok"]
    ref = tok.tokenize(" ".join(highlights or []))
    return Item(
        _STATE["ranker"].features(document),
        [tok.tokenize(str(s)) for s in sentences],
        Counter(ref),
        _bigrams(ref),
    )


def _f1(overlap: int, pred: int, ref: int) -> float:
    if not overlap:
        return 0.0
    p, r = overlap / pred, overlap / ref
    return 2 * p * r / (p + r)


def evaluate(items: Sequence[Item], params: RankerParams) -> tuple[float, float]:
    """Mean ROUGE-1 and ROUGE-2 F1 (x 100) of the ranker's 3 takeaways with ``params``."""
    r1 = r2 = 0.0
    for it in items:
        tokens: list[str] = []
        for i in select(it.features, params, COUNT):
            tokens += it.sentence_tokens[i]
        uni, bigrams = Counter(tokens), _bigrams(tokens)
        r1 += _f1(sum((uni & it.ref_uni).values()), len(tokens), sum(it.ref_uni.values()))
        r2 += _f1(sum((bigrams & it.ref_bi).values()), sum(bigrams.values()), sum(it.ref_bi.values()))
    return 100 * r1 / len(items), 100 * r2 / len(items)


def fit(items: Sequence[Item], start: RankerParams, rounds: int, log: bool = True) -> RankerParams:
    def objective(p: RankerParams) -> float:
        a, b = evaluate(items, p)
        return a + b

    best, best_value = start, objective(start)
    for rnd in range(rounds):
        improved = False
        for name, grid in GRID.items():
            for value in grid:
                if getattr(best, name) == value:
                    continue
                candidate = best.with_(**{name: value})
                v = objective(candidate)
                if v > best_value + 1e-9:
                    best, best_value, improved = candidate, v, True
            if log:
                print(f"round {rnd + 1}: {name} = {getattr(best, name)}  (R-1 + R-2 = {best_value:.3f})",
                      file=sys.stderr)
        if not improved:
            break
    return best


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="JSON lines {id, article, highlights}")
    ap.add_argument("--limit", type=int, default=1000, help="fit on the first N articles (default 1000)")
    ap.add_argument("--rounds", type=int, default=4, help="coordinate-descent rounds at most (default 4)")
    ap.add_argument("--from-defaults", action="store_true",
                    help="start from RankerParams() rather than the shipped file")
    ap.add_argument("--write", action="store_true", help=f"write the fit to {PARAMS_PATH.relative_to(ROOT)}")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)

    with args.data.open(encoding="utf-8") as fh:
        lines = [line for _, line in zip(range(args.limit), fh, strict=False) if line.strip()]
    t0 = time.perf_counter()
    ctx = mp.get_context("spawn")
    with ctx.Pool(args.workers, initializer=_init) as pool:
        items = [it for it in pool.map(_prepare, lines, chunksize=16) if it is not None]
    print(f"features of {len(items)} articles in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    start = RankerParams() if args.from_defaults else default_params()
    r1, r2 = evaluate(items, start)
    print(f"start: R-1 {r1:.2f}  R-2 {r2:.2f}", file=sys.stderr)
    best = fit(items, start, args.rounds)
    r1, r2 = evaluate(items, best)
    print(f"fit:   R-1 {r1:.2f}  R-2 {r2:.2f}", file=sys.stderr)

    data: dict[str, object] = {
        "_comment": "Weights of bot/news/ranker.py, written by bench/fit_ranker.py; see docs/takeaways.md",
        "_fit": f"{args.data.name}, first {len(items)} articles, R-1 {r1:.2f} R-2 {r2:.2f} (fast counts)",
        **best.as_dict(),
    }
    text = json.dumps(data, indent=1) + "\n"
    print(text, end="")
    if args.write:
        PARAMS_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {PARAMS_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
