"""Words shared by the bot process and the workers: stop words, stems, the summary length bound.

Kept apart from :mod:`bot.news.summarize` so that the bot process, which never
summarizes itself (that runs in the worker processes), does not import sumy,
NLTK and NumPy: about half a second of every start. The stemmer is NLTK's,
loaded on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from .article import Takeaway

LANGUAGE = "english"
MAX_SENTENCES = 10  # the most sentences a summary may ask for


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """sumy's English stop-word list (read from sumy's data as ``sumy.utils.get_stop_words`` does)."""
    data = (resources.files("sumy") / "data" / "stopwords" / f"{LANGUAGE}.txt").read_bytes()
    return frozenset(w.rstrip() for w in data.decode("utf-8").splitlines() if w)


@lru_cache(maxsize=1)
def _english_stemmer() -> Any:
    from sumy.nlp.stemmers import Stemmer  # NLTK's Snowball: loaded where stems are needed

    return Stemmer(LANGUAGE)


@lru_cache(maxsize=300_000)
def stem(word: str) -> str:
    """sumy's English stemmer (NLTK's Snowball), memoised: one cache for the ranker and topics."""
    return str(_english_stemmer()(word))


def in_article_order(takeaways: Sequence[Takeaway]) -> tuple[Takeaway, ...]:
    return tuple(sorted(takeaways, key=lambda t: (t.paragraph, t.sentence)))
