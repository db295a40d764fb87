"""What a user typed into a search box -> safe SQLite FTS5 queries.

Any text is safe: FTS5 syntax (``AND``/``OR``/``NOT``/``NEAR``, ``*``, ``:``,
``^``, ``-``, parentheses, unbalanced quotes) is never passed through; every
word and phrase goes to FTS5 as a double-quoted string, which FTS5 tokenizes
like the indexed text (stemming, accents folded). Text in balanced double
quotes still searches as a phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .article import ArticleEntry
from .words import stop_words

MAX_TERMS = 12
MAX_WORD = 40
_PHRASE = re.compile(r"[\"“”„]([^\"“”„]+)[\"“”„]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Words and phrases to search for; each phrase a tuple of words."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    def _parts(self) -> list[str]:
        return [f'"{w}"' for w in self.words] + [f'"{" ".join(p)}"' for p in self.phrases]

    def terms(self) -> list[str]:
        """Each word and phrase as one FTS5 query (a double-quoted string)."""
        return self._parts()

    def match_all(self) -> str:
        """Every word and phrase (FTS5 implicit AND)."""
        return " ".join(self._parts())

    def match_any(self) -> str:
        """Any word or phrase."""
        return " OR ".join(self._parts())

    @property
    def all_words(self) -> tuple[str, ...]:
        return self.words + tuple(w for p in self.phrases for w in p)

    def __str__(self) -> str:
        return " ".join([*self.words, *(f'"{" ".join(p)}"' for p in self.phrases)])


def _words(text: str) -> list[str]:
    return [w[:MAX_WORD].lower() for w in _WORD.findall(text)]


def parse_query(text: str) -> SearchQuery:
    """The words and quoted phrases of ``text``; stop words dropped unless nothing else is left."""
    text = text[:2000]
    phrases: list[tuple[str, ...]] = []
    for m in _PHRASE.finditer(text):
        phrase = tuple(_words(m[1]))[:MAX_TERMS]
        if len(phrase) > 1 and phrase not in phrases:
            phrases.append(phrase)
        elif len(phrase) == 1:
            text = text.replace(m[0], f" {phrase[0]} ", 1)
    rest = _PHRASE.sub(" ", text)
    words: list[str] = []
    for w in _words(rest) + [w for p in phrases if len(p) == 1 for w in p]:
        if w not in words:
            words.append(w)
    common = stop_words()
    content = [w for w in words if w not in common]
    if content or phrases:
        words = content
    budget = MAX_TERMS - len(phrases)
    return SearchQuery(tuple(words[: max(budget, 0)]), tuple(phrases[:MAX_TERMS]))


# Marks around highlighted words in a snippet; front ends turn them into bold.
MARK_START = "\x02"
MARK_END = "\x03"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One article found by a search: higher ``score`` is more relevant."""

    entry: ArticleEntry
    score: float
    snippet: str  # body text around the matches, matches between MARK_START and MARK_END

    def snippet_with(self, start: str, end: str) -> str:
        return self.snippet.replace(MARK_START, start).replace(MARK_END, end)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.entry.id,
            "title": self.entry.title,
            "score": round(self.score, 4),
            "snippet": self.snippet_with("**", "**"),
        }
