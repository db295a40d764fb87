"""A short extractive brief of what several articles say about a query.

The sentences most about the query, from several articles, without repeats,
each with its article; in date order when every article's date is known,
else in order of relevance. Pure and CPU-bound: callers run it in a worker.
"""

from __future__ import annotations

from collections.abc import Sequence

from .article import ArticleEntry, BriefLine
from .sentences import split_words
from .words import stem, stop_words

MAX_LINES = 5
PER_ARTICLE = 2
MIN_WORDS, MAX_WORDS = 6, 70
SAME_THRESHOLD = 0.5  # word overlap (Jaccard) above which two sentences say the same thing


def _stems(text: str) -> set[str]:
    common = stop_words()
    return {stem(w.lower()) for w in split_words(text) if w.lower() not in common}


def cross_brief(
    query_words: Sequence[str],
    articles: Sequence[tuple[ArticleEntry, Sequence[tuple[int, int, str]]]],
    max_lines: int = MAX_LINES,
) -> tuple[BriefLine, ...]:
    """``articles``: (entry, its sentences as (paragraph, sentence, text)), best match first."""
    wanted = _stems(" ".join(query_words))
    if not wanted:
        return ()
    scored: list[tuple[float, int, BriefLine, set[str]]] = []
    for rank, (entry, sentences) in enumerate(articles):
        for p, s, text in sentences:
            words = split_words(text)
            if not MIN_WORDS <= len(words) <= MAX_WORDS:
                continue
            stems = _stems(text)
            hits = len(wanted & stems)
            if not hits:
                continue
            # share of the query covered, a little for early sentences and better-ranked articles
            score = hits / len(wanted) + 0.15 / (1 + p) + 0.1 / (1 + rank)
            scored.append((score, rank, BriefLine(entry, p, s, text), stems))
    scored.sort(key=lambda item: -item[0])
    chosen: list[tuple[int, BriefLine, set[str]]] = []
    per_article: dict[str, int] = {}
    for _, rank, line, stems in scored:
        if per_article.get(line.entry.id, 0) >= PER_ARTICLE:
            continue
        if any(len(stems & other) / max(len(stems | other), 1) > SAME_THRESHOLD for _, _, other in chosen):
            continue
        chosen.append((rank, line, stems))
        per_article[line.entry.id] = per_article.get(line.entry.id, 0) + 1
        if len(chosen) >= max_lines:
            break
    lines = [line for _, line, _ in chosen]
    if lines and all(line.entry.date for line in lines):
        lines.sort(key=lambda ln: (ln.entry.date or "", ln.entry.id, ln.paragraph, ln.sentence))
    return tuple(lines)
