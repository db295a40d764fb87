"""Brief's own takeaway ranker: a sumy summarizer made for news.

sumy's general-purpose summarizers lose to the simplest news baseline, the
first three sentences ("Lead-3"), because news puts what matters first. This
summarizer keeps sumy's model (its document model, stemmer, stop words,
``_get_best_sentences`` and LexRank's power method) and scores each sentence
of the body with a few news features:

* **position**: ``exp(-index / position_decay)``, the lead bias of news, and a
  bonus for the first sentence;
* **centrality**: tf-idf cosine of the sentence to the rest of the article
  (the article's centroid without the sentence itself), and the sentence's
  LexRank score (sumy's power method over the same cosine graph);
* **length**: a penalty ``|log(words / length_target)|`` for sentences far
  from a takeaway's usual length; fragments shorter than a clause
  (``min_words``) and run-ons longer than ``max_words`` are only taken when
  nothing else is left;
* **form**: a penalty for questions, for sentences that open with a
  quotation or start inside one (the second sentence of a quoted passage),
  and for sentences that end in an attribution ("..., police said.") or a
  colon;

and then picks takeaways greedily with maximal marginal relevance: each next
pick is the best score minus ``redundancy`` times its highest cosine to what
is already picked, and a sentence whose cosine to a pick reaches
``duplicate`` is never picked while another is left. Leading datelines are
removed by the parser (:func:`bot.news.parse.split_dateline`) before the
ranker sees the body.

The weights are a handful of numbers in ``ranker_params.json``, fitted by
``bench/fit_ranker.py`` on part of a news benchmark (see ``docs/takeaways.md``).
Everything runs offline and in pure Python plus NumPy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
from sumy.nlp.stemmers import null_stemmer
from sumy.summarizers._summarizer import AbstractSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer

PARAMS_PATH = Path(__file__).with_name("ranker_params.json")

# Words that carry no topic in news copy beyond sumy's stop words: reporting verbs and bylines.
NEWS_STOP_WORDS = frozenset(
    """
    said says say told tell tells according added adds also would could one two new year years
    mr mrs ms cnn daily mail reporter reporters published updated pictured picture photo video
    """.split()
)
_QUOTE_OPEN = re.compile(r"^\s*[\"“‘']")
_ATTRIBUTION_END = re.compile(
    r"(?:,|\"|”|')\s*(?:\S+\s+){0,4}?(?:said|says|told|added|adds|stated|explained|according to\b.*)"
    r"\s*(?:\S+\s*){0,3}[.!]?[\"”’']?\s*$",
    re.IGNORECASE,
)
_LETTERS = re.compile(r"[^\W\d_]")
_CURLY_QUOTES = re.compile("[“”]")


def inside_quotation(paragraphs: Iterable[Sequence[str]]) -> list[bool]:
    """For each sentence, whether it starts inside a quotation opened by an earlier sentence.

    Curly quotes are followed open and closed; straight double quotes by their
    parity within the paragraph (a multi-sentence quotation: ``"A. B. C," she said.``).
    """
    out: list[bool] = []
    for sentences in paragraphs:
        curly = straight = 0
        for text in sentences:
            out.append(curly > 0 or straight % 2 == 1)
            straight += text.count('"')
            if "”" not in text:
                curly += text.count("“")
            elif "“" not in text:
                curly = max(0, curly - text.count("”"))
            else:  # both: the order matters (a closing mark never takes the count below 0)
                for mark in _CURLY_QUOTES.findall(text):
                    curly = curly + 1 if mark == "“" else max(0, curly - 1)
    return out


@dataclass(frozen=True, slots=True)
class RankerParams:
    """The weights of :class:`BriefSummarizer`; ``ranker_params.json`` holds the fitted ones."""

    position: float = 1.0  # weight of exp(-index / position_decay)
    position_decay: float = 4.0  # in sentences
    lead: float = 0.0  # bonus for the first sentence of the body
    centroid: float = 0.5  # weight of the cosine to the rest of the article
    lexrank: float = 0.0  # weight of the LexRank score (scaled so that the mean is 1)
    length: float = 0.1  # weight of |log(words / length_target)|
    length_target: float = 25.0  # in words
    question: float = 0.3  # penalty for a question
    quote: float = 0.1  # penalty for a sentence that opens with a quotation
    attribution: float = 0.0  # penalty for a sentence that ends in "..., he said."
    redundancy: float = 0.5  # MMR: weight of the highest cosine to a picked sentence
    duplicate: float = 0.6  # cosine from which two sentences say the same thing
    min_words: int = 6  # a clause at least
    max_words: int = 80  # longer is a run-on or a list

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RankerParams:
        known = {f.name: f.type for f in fields(cls)}
        unknown = set(data) - set(known) - {"_comment", "_fit"}
        if unknown:
            raise ValueError(f"unknown ranker parameters: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {
            k: int(v) if known[k] in ("int", int) else float(v) for k, v in data.items() if k in known
        }
        return cls(**values)

    def with_(self, **changes: float) -> RankerParams:
        return replace(self, **changes)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@lru_cache(maxsize=1)
def default_params() -> RankerParams:
    """The fitted parameters shipped in ``ranker_params.json`` (defaults when the file is absent)."""
    try:
        data = json.loads(PARAMS_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return RankerParams()
    return RankerParams.from_mapping(data)


@dataclass(slots=True)
class Features:
    """What the ranker knows of each sentence of one document, independent of the weights."""

    words: np.ndarray  # word tokens per sentence
    centroid: np.ndarray  # cosine to the rest of the article
    lexrank: np.ndarray  # LexRank score, mean 1
    question: np.ndarray  # 1.0 for a question
    quote: np.ndarray  # 1.0 when the sentence opens with a quotation mark
    attribution: np.ndarray  # 1.0 when it ends in an attribution clause or a colon
    similarity: np.ndarray  # n x n cosine between sentences

    def __len__(self) -> int:
        return len(self.words)


_NOT_A_WORD = "\x00"  # a token without letters: not counted as a word
# Term ids: 0 for a token without letters, 1 for a stop word, from 2 on one id per stemmed term.
_NO_WORD_ID, _STOP_ID = 0, 1
_MAX_CACHED_WORDS = 200_000


class _TermIds:
    """Token -> term id, per stemmer and stop list, kept for the life of the process."""

    __slots__ = ("terms", "words")

    def __init__(self) -> None:
        self.words: dict[str, int] = {}  # token -> term id
        self.terms: dict[str, int] = {}  # stemmed term -> term id (from 2)

    def ids(self, words: Sequence[str], stem: Callable[[str], str], ignore: frozenset[str]) -> np.ndarray:
        """The term id of each token of ``words``, as an array."""
        known = self.words
        if len(known) > _MAX_CACHED_WORDS:
            known.clear()
            self.terms.clear()
        missing = set(words).difference(known)
        if missing:
            terms = self.terms
            for word in missing:
                term = _term(word, stem, ignore)
                if term == _NOT_A_WORD:
                    known[word] = _NO_WORD_ID
                elif not term:
                    known[word] = _STOP_ID
                else:
                    tid = terms.get(term)
                    if tid is None:
                        tid = terms[term] = len(terms) + 2
                    known[word] = tid
        return np.fromiter(map(known.__getitem__, words), dtype=np.int64, count=len(words))


@lru_cache(maxsize=8)
def _term_cache(stem: Callable[[str], str], ignore: frozenset[str]) -> _TermIds:
    """The token -> term id cache of one stemmer and stop list."""
    return _TermIds()


def _term(word: str, stem: Callable[[str], str], ignore: frozenset[str]) -> str:
    if not _LETTERS.search(word):
        return _NOT_A_WORD
    w = word.lower()
    if w in ignore or len(w) < 2:
        return ""
    return stem(w)


@lru_cache(maxsize=8)
def _ignored(stop_words: frozenset[str]) -> frozenset[str]:
    return stop_words | NEWS_STOP_WORDS


def sentence_features(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    stem: Callable[[str], str] = null_stemmer,
    stop_words: Iterable[str] = (),
    quoted: Sequence[bool] | None = None,
) -> Features:
    """Features of the sentences ``texts`` (tokenized as ``tokens``) of one document.

    ``quoted`` tells, per sentence, whether it starts inside a quotation (see
    :func:`inside_quotation`).
    """
    n = len(texts)
    ignore = _ignored(stop_words if isinstance(stop_words, frozenset) else frozenset(stop_words))
    lengths = [len(words) for words in tokens]
    ids = _term_cache(stem, ignore).ids(list(chain.from_iterable(tokens)), stem, ignore)
    sentence = np.repeat(np.arange(n, dtype=np.int64), lengths)
    # words per sentence: every token with a letter, stop words included
    counts = np.bincount(sentence[ids != _NO_WORD_ID], minlength=n).astype(float)
    content = ids > _STOP_ID
    term_ids, rows = ids[content], sentence[content]
    if term_ids.size:
        # columns numbered by first occurrence in the document
        unique, first, inverse = np.unique(term_ids, return_index=True, return_inverse=True)
        column = np.empty(len(unique), dtype=np.int64)
        column[np.argsort(first)] = np.arange(len(unique), dtype=np.int64)
        columns = column[inverse.reshape(-1)]
        vocab_size = len(unique)
    else:
        columns = term_ids
        vocab_size = 0

    v = max(1, vocab_size)
    tf = np.bincount(rows * v + columns, minlength=n * v).reshape(n, v).astype(float)
    df = (tf > 0).sum(axis=0)
    idf = np.log((n + 1.0) / (df + 0.5))
    m = np.where(tf > 0, 1.0 + np.log(np.maximum(tf, 1.0)), 0.0) * idf
    norms = np.linalg.norm(m, axis=1)
    unit = m / np.where(norms > 0, norms, 1.0)[:, None]
    # einsum, not @, on small matrices: OpenBLAS threads cost more than they give there
    similarity = np.einsum("ik,jk->ij", unit, unit) if n * n * v < 4_000_000 else unit @ unit.T
    np.fill_diagonal(similarity, 1.0)

    rest = m.sum(axis=0)[None, :] - m  # the article without each sentence
    rest_norms = np.linalg.norm(rest, axis=1)
    centroid = (unit * rest).sum(axis=1) / np.where(rest_norms > 0, rest_norms, 1.0)

    if n > 1:
        adjacency = (similarity > LexRankSummarizer.threshold).astype(float)
        adjacency /= adjacency.sum(axis=1, keepdims=True)
        scores = LexRankSummarizer.power_method(adjacency, LexRankSummarizer.epsilon)
        lexrank = scores / max(float(scores.mean()), 1e-9)
    else:
        lexrank = np.ones(n)

    question = np.array([1.0 if t.rstrip("\"'”’) ").endswith("?") else 0.0 for t in texts])
    inside = list(quoted) if quoted is not None else [False] * n
    quote = np.array([1.0 if _QUOTE_OPEN.match(t) or q else 0.0 for t, q in zip(texts, inside, strict=True)])
    attribution = np.array(
        [1.0 if t.rstrip().endswith(":") or _ATTRIBUTION_END.search(t[-80:]) else 0.0 for t in texts]
    )
    return Features(counts, centroid, lexrank, question, quote, attribution, similarity)


def scores(features: Features, params: RankerParams) -> np.ndarray:
    """Each sentence's score before redundancy: higher is better."""
    n = len(features)
    index = np.arange(n, dtype=float)
    words = np.maximum(features.words, 1.0)
    return (
        params.position * np.exp(-index / max(params.position_decay, 1e-6))
        + params.lead * (index == 0)
        + params.centroid * features.centroid
        + params.lexrank * features.lexrank
        - params.length * np.abs(np.log(words / max(params.length_target, 1.0)))
        - params.question * features.question
        - params.quote * features.quote
        - params.attribution * features.attribution
    )


def select(features: Features, params: RankerParams, count: int) -> list[int]:
    """Indices of the ``count`` best sentences, best first, by greedy maximal marginal relevance.

    Sentences outside the length limits, and near-duplicates of a pick, come
    only after every other sentence (in the same greedy order among themselves).
    """
    n = len(features)
    count = min(count, n)
    if count <= 0:
        return []
    base = scores(features, params)
    fits = (features.words >= params.min_words) & (features.words <= params.max_words)
    picked: list[int] = []
    available = np.ones(n, dtype=bool)
    max_sim = np.zeros(n)
    while len(picked) < count:
        value = base - params.redundancy * max_sim
        # tiers: a fitting non-duplicate, then a fitting duplicate, then anything
        tier = np.where(fits & (max_sim < params.duplicate), 2.0, np.where(fits, 1.0, 0.0))
        key = np.where(available, tier * 1e6 + value, -np.inf)
        best = int(np.argmax(key))
        picked.append(best)
        available[best] = False
        max_sim = np.maximum(max_sim, features.similarity[best])
    return picked


class BriefSummarizer(AbstractSummarizer):
    """sumy summarizer: news takeaways by position, centrality, length and form, without repeats."""

    _stop_words: frozenset[str] = frozenset()

    def __init__(self, stemmer: Callable[[str], str] = null_stemmer, params: RankerParams | None = None):
        super().__init__(stemmer)
        self.params = params if params is not None else default_params()
        self.max_ranked = 10  # greedy picks made when sumy's count is a callable

    @property
    def stop_words(self) -> frozenset[str]:
        return self._stop_words

    @stop_words.setter
    def stop_words(self, words: Iterable[str]) -> None:
        self._stop_words = frozenset(map(self.normalize_word, words))

    def features(self, document: Any) -> Features:
        """Features of the sentences of a sumy document, in document order."""
        sentences = document.sentences
        quoted = inside_quotation([str(s) for s in p.sentences] for p in document.paragraphs)
        return sentence_features(
            [str(s) for s in sentences], [s.words for s in sentences], self._stemmer, self._stop_words, quoted
        )

    def __call__(self, document: Any, sentences_count: Any) -> tuple[Any, ...]:
        sentences = list(document.sentences)
        if not sentences:
            return ()
        feats = self.features(document)
        want = sentences_count if isinstance(sentences_count, int) else self.max_ranked
        order = select(feats, self.params, max(want, 1))
        n = len(sentences)
        ratings = {id(s): -1.0 - i for i, s in enumerate(sentences)}  # unpicked: document order
        for rank, i in enumerate(order):
            ratings[id(sentences[i])] = float(n - rank)
        return self._get_best_sentences(sentences, sentences_count, lambda s: ratings[id(s)])
