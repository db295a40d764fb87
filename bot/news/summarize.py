"""The sumy pipeline: any sumy algorithm over an article's body, fully offline.

sumy's stock ``Tokenizer`` loads NLTK's punkt data, which NLTK downloads at
run time. Brief builds sumy's document model directly from the sentences the
parser found (:mod:`bot.news.sentences`), with a tokenizer object that has the
two methods sumy calls, so nothing is ever downloaded.

sumy work is synchronous and CPU-bound: callers run it in worker processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from .article import Article, Takeaway
from .ranker import BriefSummarizer
from .sentences import split_sentences, split_words
from .words import LANGUAGE, MAX_SENTENCES, in_article_order, stem, stop_words

MAX_RANKED_SENTENCES = 400  # a bound on the work for a pathological article (see build_document)

_CLASSES: dict[str, type[Any]] = {
    "brief": BriefSummarizer,
    "lexrank": LexRankSummarizer,
    "lsa": LsaSummarizer,
    "textrank": TextRankSummarizer,
    "luhn": LuhnSummarizer,
    "edmundson": EdmundsonSummarizer,
    "kl": KLSummarizer,
    "sumbasic": SumBasicSummarizer,
    "reduction": ReductionSummarizer,
}
ALGORITHMS: tuple[str, ...] = tuple(_CLASSES)

# Words that mark a sentence as less central in news (Edmundson's "stigma" words).
_STIGMA_WORDS = ("click", "subscribe", "advertisement", "copyright", "photo", "video", "newsletter")
# Words that mark a sentence as a conclusion or a finding (Edmundson's "bonus" words).
_BONUS_WORDS = ("said", "announced", "agreed", "decided", "found", "concluded", "important", "key")


class UnknownAlgorithm(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown algorithm {name!r}; choose one of {', '.join(ALGORITHMS)}")


class OfflineTokenizer:
    """The two methods sumy calls on a tokenizer, with no NLTK data behind them."""

    language = LANGUAGE

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(split_words(sentence))


TOKENIZER = OfflineTokenizer()


@cache
def summarizer(name: str) -> Callable[..., Any]:
    """One sumy summarizer per algorithm and process, built once."""
    try:
        cls = _CLASSES[name]
    except KeyError:
        raise UnknownAlgorithm(name) from None
    instance = cls(stem)
    instance.stop_words = stop_words()
    if name == "edmundson":
        instance.null_words = stop_words()
        instance.bonus_words = _BONUS_WORDS
        instance.stigma_words = _STIGMA_WORDS
    return instance  # type: ignore[no-any-return]


def build_document(
    article: Article, *, with_title: bool = False
) -> tuple[ObjectDocumentModel, dict[int, tuple[int, int]]]:
    """sumy's document model of the body, and each sentence's (paragraph, sentence) by ``id``.

    Only the first MAX_RANKED_SENTENCES sentences: several rankers are quadratic
    in the number of sentences, and takeaways come from the body's first part.
    """
    positions: dict[int, tuple[int, int]] = {}
    paragraphs = []
    for p, para in enumerate(article.paragraphs):
        if len(positions) >= MAX_RANKED_SENTENCES:
            break
        sentences = []
        if with_title and p == 0:
            sentences.append(Sentence(article.title, TOKENIZER, is_heading=True))
        for s, text in enumerate(para[: MAX_RANKED_SENTENCES - len(positions)]):
            sentence = Sentence(text, TOKENIZER)
            positions[id(sentence)] = (p, s)
            sentences.append(sentence)
        paragraphs.append(Paragraph(sentences))
    return ObjectDocumentModel(paragraphs), positions


class _RankCapture:
    """A sumy ``sentences_count`` callable that keeps the rating order sumy computed."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.ranked: list[Any] = []

    def __call__(self, infos: Sequence[Any]) -> Sequence[Any]:
        self.ranked = list(infos[: self.count])
        return self.ranked


def rank(article: Article, algorithm: str, count: int) -> tuple[Takeaway, ...]:
    """The ``count`` best sentences of the body by ``algorithm``, best first."""
    if not 1 <= count <= MAX_SENTENCES:
        raise ValueError(f"count must be from 1 to {MAX_SENTENCES}")
    summarize_fn = summarizer(algorithm)
    document, positions = build_document(article, with_title=algorithm == "edmundson")
    if not document.sentences:
        return ()
    capture = _RankCapture(count)
    with np.errstate(divide="ignore", invalid="ignore"):  # tiny or stop-word-only articles
        summarize_fn(document, capture)
    out = []
    for info in capture.ranked:
        p, s = positions[id(info.sentence)]
        out.append(Takeaway(article.paragraphs[p][s], p, s))
    return tuple(out)


def summarize(article: Article, algorithm: str, count: int) -> tuple[Takeaway, ...]:
    """A summary: the ``count`` best sentences by ``algorithm``, in article order."""
    return in_article_order(rank(article, algorithm, count))
