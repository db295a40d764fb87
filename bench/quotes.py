"""Quote extraction and attribution: precision, recall, F1 and exact speaker.

Usage (from the repository root)::

    python bench/quotes.py ../shared/quotes/quotes_dev.jsonl
    python bench/quotes.py ../shared/quotes/quotes_dev.jsonl --errors
    python bench/quotes.py --own                  # the passages written for tests/news/test_quotes.py
    python bench/quotes.py --speed ../shared/bench/cnndm_cased_dev.jsonl --limit 500
    python bench/quotes.py --show ../shared/bench/cnndm_cased_dev.jsonl --limit 20

A gold file has one JSON object a line: ``{"id", "text", "quotes": [{"quote",
"speaker"}], "non_speech_quoted": [...]}``; paragraphs of ``text`` are separated
by blank lines. A predicted quote matches a gold quote when it holds at least
half of the gold quote's words (one-to-one, in order). Precision and recall
count quotes; "exact speaker" is the share of matched quotes whose speaker
equals the gold speaker (``None`` equal to ``null``).

``--speed`` and ``--show`` take any JSONL file with an ``"article"`` field (no
gold): the first reports milliseconds per article, the second prints what was
found, to read errors on real text.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _data import read_records  # noqa: E402

from bot.news.quotes import extract_quotes_from_paragraphs  # noqa: E402

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _match(pred: str, gold: str) -> bool:
    g = Counter(_words(gold))
    p = Counter(_words(pred))
    total = sum(g.values())
    return total > 0 and sum((g & p).values()) * 2 >= total


def evaluate(records: list[dict], show_errors: bool = False) -> dict[str, float]:
    tp = fp = fn = exact = 0
    for rec in records:
        found = extract_quotes_from_paragraphs(_paragraphs(rec["text"]))
        gold = rec["quotes"]
        used: set[int] = set()
        for q in found:
            hit = next((i for i, g in enumerate(gold) if i not in used and _match(q.text, g["quote"])), None)
            if hit is None:
                fp += 1
                if show_errors:
                    print(f"{rec['id']}  FALSE QUOTE  {q.text!r} ({q.speaker})")
                continue
            used.add(hit)
            tp += 1
            if q.speaker == gold[hit]["speaker"]:
                exact += 1
            elif show_errors:
                print(f"{rec['id']}  SPEAKER  {q.text[:60]!r}: {q.speaker!r}, gold {gold[hit]['speaker']!r}")
        for i, g in enumerate(gold):
            if i not in used:
                fn += 1
                if show_errors:
                    print(f"{rec['id']}  MISSED  {g['quote']!r} ({g['speaker']})")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "passages": len(records),
        "gold": tp + fn,
        "predicted": tp + fp,
        "precision": p,
        "recall": r,
        "f1": f,
        "exact_speaker": exact / tp if tp else 0.0,
    }


def _print(name: str, res: dict[str, float]) -> None:
    print(
        f"{name}: {res['passages']} passages, {res['gold']} gold quotes, {res['predicted']} predicted\n"
        f"  precision {res['precision']:.3f}  recall {res['recall']:.3f}  F1 {res['f1']:.3f}  "
        f"exact speaker {res['exact_speaker']:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="?", type=Path, help="gold JSONL (id, text, quotes)")
    ap.add_argument("--errors", action="store_true", help="print every error")
    ap.add_argument("--own", action="store_true", help="score the passages of tests/news/test_quotes.py")
    ap.add_argument("--speed", type=Path, help="JSONL with an 'article' field: time extraction")
    ap.add_argument("--show", type=Path, help="JSONL with an 'article' field: print the quotes found")
    ap.add_argument("--limit", type=int, default=500)
    args = ap.parse_args(argv)
    if args.path:
        _print(str(args.path), evaluate(read_records(args.path), args.errors))
    if args.own:
        from tests.news.test_quotes import OWN_PASSAGES

        _print("own passages (tests/news/test_quotes.py)", evaluate(OWN_PASSAGES, args.errors))
    if args.speed:
        rows = read_records(args.speed, args.limit)
        docs = [_paragraphs(r["article"].replace("\n", "\n\n")) for r in rows]
        extract_quotes_from_paragraphs(['"warm up," he said.'])
        t0 = time.perf_counter()
        n = sum(len(extract_quotes_from_paragraphs(d)) for d in docs)
        dt = time.perf_counter() - t0
        chars = sum(len(r["article"]) for r in rows)
        print(
            f"{args.speed}: {len(docs)} articles ({chars / len(docs):.0f} chars each), {n} quotes, "
            f"{1000 * dt / len(docs):.2f} ms per article, one core"
        )
    if args.show:
        for r in read_records(args.show, args.limit):
            print(f"== {r.get('id')}")
            for q in extract_quotes_from_paragraphs(_paragraphs(r["article"].replace("\n", "\n\n"))):
                print(f"  [{q.speaker}] {q.text[:110]}")
    if not (args.path or args.own or args.speed or args.show):
        ap.print_help()
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
