"""Ingest work for one article: read, parse, rank takeaways. Runs in worker processes.

Each function here is top level and takes and returns picklable values, so a
``ProcessPoolExecutor`` can run it. A failure comes back as a :class:`Failed`
with a reason instead of an exception, so one bad input never stops a batch.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from .article import Analysis, Article, Takeaway
from .parse import ParseError, article_from_record, parse_bytes, parse_text, sha256_hex
from .quotes import extract_quotes
from .topics import extract_topics
from .words import MAX_SENTENCES

log = logging.getLogger(__name__)

# Bump when parsing or ranking changes, so that a reload re-analyses stored articles.
ANALYSIS_VERSION = 3
WORKER_NICENESS = 10  # added to the worker processes' nice value (see worker_init)


def analysis_key(algorithm: str) -> str:
    return f"{algorithm}/v{ANALYSIS_VERSION}"


@dataclass(frozen=True, slots=True)
class Failed:
    """Why one input could not be loaded: ``name`` is a path or ``line N``."""

    name: str
    reason: str
    article_id: str | None = None  # when known: a stored version of it is kept, not removed

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class FileTask:
    """One corpus file to analyse."""

    path: str  # absolute path to read
    name: str  # path inside the corpus, for reports
    article_id: str


@dataclass(frozen=True, slots=True)
class TextTask:
    """One article given as text (a JSON line turned into the file format)."""

    name: str
    article_id: str
    text: str
    sha256: str


def analyze_article(article: Article, algorithm: str) -> Analysis:
    """Everything ingest computes for one parsed article: ranked takeaways, quotes, topics."""
    from .summarize import rank  # sumy and NumPy: imported in the workers only (see summarize_article)

    return Analysis(
        article,
        rank(article, algorithm, MAX_SENTENCES),
        extract_quotes(article),
        extract_topics(article),
    )


def summarize_article(article: Article, algorithm: str, count: int) -> tuple[Takeaway, ...]:
    """:func:`bot.news.summarize.summarize`, for the worker pool.

    The bot process imports this module for its task types and hands this
    function to the pool; sumy, NLTK and NumPy are then imported by the workers
    only, and the bot starts about half a second sooner.
    """
    from .summarize import summarize

    return summarize(article, algorithm, count)


def analyze(article_text: str, article_id: str, algorithm: str) -> Analysis:
    """Parse and analyse one article given as text. Raises ``ParseError``."""
    return analyze_article(parse_text(article_text, article_id), algorithm)


def analyze_file(task: FileTask, algorithm: str, max_bytes: int) -> Analysis | Failed:
    """Read, parse and rank one corpus file."""
    try:
        with open(task.path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return Failed(task.name, f"cannot be read ({exc.strerror or exc})", task.article_id)
    if len(data) > max_bytes:
        return Failed(
            task.name,
            f"is larger than the {max_bytes:,}-byte limit (MAX_ARTICLE_BYTES)",
            task.article_id,
        )
    try:
        article = parse_bytes(data, task.article_id)
    except ParseError as exc:
        return Failed(task.name, str(exc), task.article_id)
    return analyze_article(article, algorithm)


def analyze_text(task: TextTask, algorithm: str) -> Analysis | Failed:
    try:
        article = parse_text(task.text, task.article_id, task.sha256)
    except ParseError as exc:
        return Failed(task.name, str(exc), task.article_id)
    return analyze_article(article, algorithm)


def _guarded(fn: Callable[[], Analysis | Failed], name: str, article_id: str) -> Analysis | Failed:
    """One input's analysis; an unexpected error fails that input only, not its whole batch."""
    try:
        return fn()
    except (MemoryError, RecursionError, ValueError, TypeError, IndexError, KeyError, ZeroDivisionError,
            ArithmeticError, UnicodeError, AttributeError, AssertionError, OSError) as exc:
        log.exception("analysing %s failed", name)
        return Failed(name, f"could not be analysed ({type(exc).__name__}); see the log", article_id)


def analyze_files(tasks: Sequence[FileTask], algorithm: str, max_bytes: int) -> list[Analysis | Failed]:
    """A batch of :func:`analyze_file`, one round trip to a worker."""
    return [
        _guarded(partial(analyze_file, t, algorithm, max_bytes), t.name, t.article_id) for t in tasks
    ]


def analyze_texts(tasks: Sequence[TextTask], algorithm: str) -> list[Analysis | Failed]:
    """A batch of :func:`analyze_text`, one round trip to a worker."""
    return [_guarded(partial(analyze_text, t, algorithm), t.name, t.article_id) for t in tasks]


def prepare_record(line: str, line_no: int, max_bytes: int) -> TextTask | Failed | None:
    """Turn one JSON line ``{"id", "article", "title"?, ...}`` into a :class:`TextTask`.

    Blank lines give ``None``. Cheap enough for the main process (no ranking).
    """
    name = f"line {line_no}"
    if not line.strip():
        return None
    if len(line) > max_bytes:
        return Failed(name, f"is larger than the {max_bytes:,}-byte limit (MAX_ARTICLE_BYTES)")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Failed(name, f"is not valid JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(record, dict):
        return Failed(name, "is not a JSON object")
    try:
        text, article_id = article_from_record(record)
        data = text.encode("utf-8")
    except ParseError as exc:
        return Failed(name, str(exc))
    except UnicodeEncodeError:
        return Failed(name, "holds text that is not valid Unicode (a lone surrogate escape)")
    if len(article_id) > 100:
        return Failed(name, "has an id longer than 100 characters")
    return TextTask(f"{name} ({article_id})", article_id, text, sha256_hex(data))


def analyze_line(line: str, line_no: int, algorithm: str, max_bytes: int) -> dict[str, object] | None:
    """``brief analyze --jsonl``: one input line to one output object (or an error object)."""
    task = prepare_record(line, line_no, max_bytes)
    if task is None:
        return None
    if isinstance(task, Failed):
        return {"id": None, "line": line_no, "error": task.reason}
    result = analyze_text(task, algorithm)
    if isinstance(result, Failed):
        return {"id": task.article_id, "line": line_no, "error": result.reason}
    return result.as_dict()


def worker_init() -> None:
    """Lower the worker's priority, then warm it: build what every task needs, once per process.

    While a reload keeps every worker busy, the bot's event loop (at normal
    priority) still gets a core at once: measured at 100,000 articles, a
    10,000-file reload beside equal-priority workers stretched 20 ms of work on
    the loop to 200-500 ms. On an otherwise idle machine a lower priority costs
    the workers nothing.
    """
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: no os.nice (Windows)
        os.nice(WORKER_NICENESS)
    from .summarize import stop_words, summarizer

    stop_words()
    summarizer("brief")  # the default ranker; others are built on first use
