"""Domain objects of the news core: frozen, plain Python, no Discord."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Dateline:
    """The place and date an article opens with, e.g. ``Moscow, July 15 (NationPress)``."""

    place: str
    date: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"place": self.place, "date": self.date}

    def __str__(self) -> str:
        return f"{self.place}, {self.date}" if self.date else self.place


@dataclass(frozen=True, slots=True)
class Article:
    """One parsed article.

    ``paragraphs`` holds the body only (no title, no publisher takeaways, no
    dateline), each paragraph as a tuple of sentences. Positions in the body
    (paragraph, sentence) count from 0.
    """

    id: str
    title: str
    paragraphs: tuple[tuple[str, ...], ...]
    sha256: str
    source: str | None = None
    dateline: Dateline | None = None
    date: str | None = None
    url: str | None = None
    publisher_takeaways: tuple[str, ...] = ()
    synopsis: str | None = None

    @property
    def body(self) -> str:
        """The body as text: paragraphs separated by blank lines."""
        return "\n\n".join(" ".join(p) for p in self.paragraphs)

    @property
    def sentence_count(self) -> int:
        return sum(len(p) for p in self.paragraphs)

    def sentences(self) -> list[tuple[int, int, str]]:
        """Every sentence of the body with its (paragraph, sentence) position."""
        return [(p, s, text) for p, para in enumerate(self.paragraphs) for s, text in enumerate(para)]


@dataclass(frozen=True, slots=True)
class Takeaway:
    """A sentence of the body chosen as a takeaway, with where it stands."""

    text: str
    paragraph: int
    sentence: int

    def as_dict(self) -> dict[str, str | int]:
        return {"text": self.text, "paragraph": self.paragraph, "sentence": self.sentence}


@dataclass(frozen=True, slots=True)
class Analysis:
    """What ingest computes once per article version."""

    article: Article
    takeaways: tuple[Takeaway, ...] = field(default_factory=tuple)
    quotes: tuple[Quote, ...] = field(default_factory=tuple)
    topics: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of one analysed article (``analyze --json`` and ``--jsonl``)."""
        a = self.article
        return {
            **takeaways_json(a.id, a.title, a.source, a.dateline, a.publisher_takeaways, self.takeaways),
            "quotes": [q.as_dict() for q in self.quotes],
            "topics": list(self.topics),
        }


def takeaways_json(
    article_id: str,
    title: str,
    source: str | None,
    dateline: Dateline | None,
    publisher_takeaways: Sequence[str],
    takeaways: Sequence[Takeaway],
) -> dict[str, object]:
    """The JSON shape of an article's takeaways, shared by ``takeaways --json`` and ``analyze --json``."""
    return {
        "id": article_id,
        "title": title,
        "source": source,
        "dateline": dateline.as_dict() if dateline else None,
        "publisher_takeaways": list(publisher_takeaways),
        "takeaways": [t.as_dict() for t in takeaways],
    }


@dataclass(frozen=True, slots=True)
class ArticleEntry:
    """An article as the corpus lists it: what a listing or a lookup needs, without the body."""

    id: str
    title: str
    source: str | None
    date: str | None
    dateline: Dateline | None
    added_at: str  # UTC ISO-8601
    path: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "dateline": self.dateline.as_dict() if self.dateline else None,
            "added_at": self.added_at,
        }


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One article of a digest with the takeaways shown for it."""

    entry: ArticleEntry
    takeaways: tuple[Takeaway, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """What a server's digest posts: the newest new articles and how many more there are."""

    items: tuple[DigestItem, ...]
    more: int
    cutoff: str | None  # added_at of the newest article covered: the next digest starts after it

    @property
    def empty(self) -> bool:
        return not self.items


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation in the body and who said it.

    ``paragraph`` counts from 0 in the body (``Article.paragraphs``); ``start``
    and ``end`` are character offsets of ``text`` (the words between the marks)
    inside that paragraph's text ``" ".join(article.paragraphs[paragraph])``.
    ``speaker`` is the fullest name the article gives, or ``None`` when the
    quote is unattributed.
    """

    text: str
    speaker: str | None
    paragraph: int
    start: int
    end: int

    def as_dict(self) -> dict[str, str | int | None]:
        return {"quote": self.text, "speaker": self.speaker, "paragraph": self.paragraph}


@dataclass(frozen=True, slots=True)
class TopicCount:
    """A topic of the corpus and how many articles cover it."""

    topic: str
    key: str
    articles: int

    def as_dict(self) -> dict[str, str | int]:
        return {"topic": self.topic, "articles": self.articles}


@dataclass(frozen=True, slots=True)
class QuoteInArticle:
    """A quote with the article it comes from."""

    entry: ArticleEntry
    quote: Quote

    def as_dict(self) -> dict[str, object]:
        return {**self.quote.as_dict(), "article": {"id": self.entry.id, "title": self.entry.title}}


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    speaker: str
    quotes: int


@dataclass(frozen=True, slots=True)
class BriefLine:
    """One sentence of a cross-article brief, with where it comes from."""

    entry: ArticleEntry
    paragraph: int
    sentence: int
    text: str

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "article": {"id": self.entry.id, "title": self.entry.title, "date": self.entry.date},
            "paragraph": self.paragraph,
            "sentence": self.sentence,
        }
