"""The use cases both front ends share: reload, import, look-ups, takeaways, summaries.

Takes a :class:`~bot.storage.store.Store`; knows nothing of Discord. CPU-bound
work (parsing, sumy) runs in a process pool, never on the event loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import multiprocessing
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Container, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import corpus
from .config import SUMMARY_ALGORITHMS, Settings
from .errors import AmbiguousArticle, ArticleNotFound, InvalidInput, ReloadInProgress
from .news.analyze import (
    Failed,
    FileTask,
    TextTask,
    analysis_key,
    analyze_files,
    analyze_texts,
    prepare_record,
    summarize_article,
    worker_init,
)
from .news.article import (
    Analysis,
    ArticleEntry,
    BriefLine,
    Digest,
    DigestItem,
    Quote,
    QuoteInArticle,
    SpeakerCount,
    Takeaway,
    TopicCount,
    takeaways_json,
)
from .news.crossbrief import cross_brief
from .news.query import SearchHit, SearchQuery, parse_query
from .news.quotes import said_by, speaker_key
from .news.topics import topic_key
from .news.words import MAX_SENTENCES, in_article_order, stop_words
from .storage.store import DigestConfig, Store, StoreBusy, Writer

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[int, int], Awaitable[None] | None]

MAX_QUERY = 200
# BM25 weights of a match in the title, the topics, the lead (first sentences) and the body.
SEARCH_WEIGHTS = (2.0, 2.0, 2.0, 1.0)
_BATCH = 16  # articles per round trip to a worker
_BUSY = ("Another program is writing the database (a `brief reload` or `brief import` beside the bot?); "
         "nothing was changed. Try again when it has finished.")


@dataclass(slots=True)
class ReloadReport:
    """What a reload or an import did (or, for a dry run, would do)."""

    dry_run: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def counts(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed, "
            f"{len(self.failed)} failed"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "added": self.added,
            "updated": self.updated,
            "unchanged": len(self.unchanged),
            "removed": self.removed,
            "failed": [f.as_dict() for f in self.failed],
        }


@dataclass(frozen=True, slots=True)
class TakeawaysView:
    """An article's generated takeaways (in article order) and its publisher's, if any."""

    entry: ArticleEntry
    takeaways: tuple[Takeaway, ...]
    publisher_takeaways: tuple[str, ...]
    algorithm: str
    paragraph_count: int

    def as_dict(self) -> dict[str, Any]:
        e = self.entry
        return takeaways_json(e.id, e.title, e.source, e.dateline, self.publisher_takeaways, self.takeaways)


@dataclass(frozen=True, slots=True)
class SummaryView:
    entry: ArticleEntry
    algorithm: str
    sentences: tuple[Takeaway, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.entry.id,
            "title": self.entry.title,
            "algorithm": self.algorithm,
            "sentences": [t.as_dict() for t in self.sentences],
        }


def make_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes for ingest and summaries (spawned: safe beside an event loop)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker_init,
    )


def fts_words_query(text: str) -> str | None:
    """A safe FTS5 query that ORs the content words of ``text``; None when it has none."""
    common = stop_words()
    words = [w for w in re.findall(r"[^\W_]{2,}", text) if w.lower() not in common][:12]
    return " OR ".join(f'"{w}"' for w in words) or None


class Service:
    """Brief's features over one store. ``close()`` stops the worker processes."""

    def __init__(self, store: Store, settings: Settings, executor: Executor | None = None):
        self.store = store
        self.settings = settings
        self._executor = executor
        self._owns_executor = executor is None
        self._reload_lock = asyncio.Lock()

    @property
    def analysis(self) -> str:
        return analysis_key(self.settings.summary_algorithm)

    @property
    def reloading(self) -> bool:
        return self._reload_lock.locked()

    def executor(self) -> Executor:
        if self._owns_executor and getattr(self._executor, "_broken", False):
            # A worker died (killed, out of memory): that pool refuses all work from now on.
            log.warning("a worker process died; starting new worker processes")
            broken, self._executor = self._executor, None
            assert broken is not None
            broken.shutdown(wait=False, cancel_futures=True)
        if self._executor is None:
            self._executor = make_pool(self.settings.worker_count)
        return self._executor

    async def close(self) -> None:
        if self._executor is not None and self._owns_executor:
            executor, self._executor = self._executor, None
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    # -- running work in the pool -------------------------------------------------

    async def _in_pool(
        self,
        fn: Callable[[Sequence[T]], list[R]],
        items: Iterable[T] | AsyncIterator[T],
        batch: int = _BATCH,
    ) -> AsyncIterator[list[R]]:
        """Run ``fn`` over batches of ``items`` in the pool, a bounded number in flight.

        ``items`` may be an async iterator, so that reading the input and
        analysing it overlap; results come back as they complete.
        """
        loop = asyncio.get_running_loop()
        executor = self.executor()
        limit = max(2, self.settings.worker_count * 2)
        pending: set[asyncio.Future[list[R]]] = set()
        buffer: list[T] = []

        async def source() -> AsyncIterator[T]:
            if isinstance(items, AsyncIterator):
                async for item in items:
                    yield item
            else:
                for item in items:
                    yield item

        try:
            async for item in source():
                buffer.append(item)
                if len(buffer) < batch:
                    continue
                pending.add(loop.run_in_executor(executor, fn, buffer))
                buffer = []
                if len(pending) >= limit:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for fut in done:
                        yield fut.result()
            if buffer:
                pending.add(loop.run_in_executor(executor, fn, buffer))
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
        finally:
            for fut in pending:
                fut.cancel()

    # -- loading the corpus -------------------------------------------------------

    async def ensure_loaded(self, progress: Progress | None = None) -> ReloadReport | None:
        """Load SEEDS_DIR when the database holds no article; else do nothing."""
        if await self.store.count_articles():
            return None
        if not self.settings.seeds_dir.is_dir():
            return None
        return await self.reload(progress=progress)

    async def reload(
        self, *, dry_run: bool = False, progress: Progress | None = None
    ) -> ReloadReport:
        """Bring the database in line with SEEDS_DIR, in one transaction.

        Unchanged files (same sha256, same analysis) are not re-read or
        re-analysed. A file that fails keeps its stored version, if any.
        """
        if self._reload_lock.locked():
            raise ReloadInProgress
        async with self._reload_lock:
            try:
                return await self._reload(dry_run, progress)
            except StoreBusy as exc:
                raise ReloadInProgress(_BUSY) from exc

    async def _reload(self, dry_run: bool, progress: Progress | None) -> ReloadReport:
        root = self.settings.seeds_dir
        if not root.is_dir():
            raise InvalidInput(
                f"The corpus folder {root} does not exist; set SEEDS_DIR to a folder of articles."
            )
        report = ReloadReport(dry_run=dry_run)
        files, failed = await asyncio.to_thread(corpus.scan, root, self.settings.max_article_bytes)
        report.failed.extend(failed)
        stored = await self.store.versions("seeds")
        imported = await self.store.versions_of([f.article_id for f in files if f.article_id not in stored])
        todo: list[FileTask] = []
        for f in files:
            if f.article_id in imported:
                report.failed.append(Failed(
                    f.name, f"has the id of an imported article ({f.article_id}); rename the file"
                ))
                continue
            old = stored.get(f.article_id)
            if old and old.sha256 == f.sha256 and old.analysis == self.analysis and old.path == f.name:
                report.unchanged.append(f.article_id)
            else:
                todo.append(FileTask(f.path, f.name, f.article_id))
        keep = {f.article_id for f in files} | {f.article_id for f in failed if f.article_id}
        report.removed = sorted(set(stored) - keep)
        names = {t.article_id: t.name for t in todo}
        total = len(todo)
        log.info("reload: %d files, %d to analyse", len(files), total)

        fn = partial(analyze_files, algorithm=self.settings.summary_algorithm,
                     max_bytes=self.settings.max_article_bytes)
        async with self._writing(dry_run) as writer:
            done = 0
            async for results in self._in_pool(fn, todo):
                good = []
                for result in results:
                    if isinstance(result, Failed):
                        report.failed.append(result)
                        continue
                    aid = result.article.id
                    (report.updated if aid in stored else report.added).append(aid)
                    good.append((result, names[aid]))
                if writer is not None:
                    await writer.upsert_many(good, origin="seeds", analysis_key=self.analysis)
                done += len(results)
                await _report(progress, done, total)
            if writer is not None and report.removed:
                await writer.delete(report.removed)
        report.added.sort()
        report.updated.sort()
        report.failed.sort(key=lambda f: f.name)
        log.info("reload%s: %s", " (dry run)" if dry_run else "", report.counts())
        return report

    def _writing(self, dry_run: bool) -> Any:
        if dry_run:
            return _NoWriter()
        return self.store.transaction()

    async def import_jsonl(self, path: Path, *, progress: Progress | None = None) -> ReloadReport:
        """Bulk-load JSON lines ``{"id", "article", "title"?, ...}``, in one transaction."""
        if self._reload_lock.locked():
            raise ReloadInProgress
        async with self._reload_lock:
            try:
                return await self._import(path, progress)
            except StoreBusy as exc:
                raise ReloadInProgress(_BUSY) from exc

    async def _import(self, path: Path, progress: Progress | None) -> ReloadReport:
        try:
            total = await asyncio.to_thread(_count_lines, path)
        except OSError as exc:
            raise InvalidInput(f"Cannot read {path}: {exc.strerror or exc}") from exc
        report = ReloadReport()
        seen: dict[str, str] = {}
        existing: set[str] = set()
        fn = partial(analyze_texts, algorithm=self.settings.summary_algorithm)
        max_bytes = self.settings.max_article_bytes
        done = 0

        async def changed() -> AsyncIterator[TextTask]:
            """The lines that need analysis; the others go straight into the report."""
            nonlocal done
            async for chunk in _read_records(path, max_bytes):
                tasks: list[TextTask] = []
                for item in chunk:
                    if isinstance(item, Failed):
                        report.failed.append(item)
                        done += 1
                    elif item.article_id in seen:
                        report.failed.append(
                            Failed(item.name, f"repeats the id of {seen[item.article_id]}")
                        )
                        done += 1
                    else:
                        seen[item.article_id] = item.name
                        tasks.append(item)
                stored = await self.store.versions_of([t.article_id for t in tasks])
                for t in tasks:
                    old = stored.get(t.article_id)
                    if old and old.origin == "seeds":
                        report.failed.append(
                            Failed(t.name, "has the id of an article from SEEDS_DIR; give it another id")
                        )
                        done += 1
                    elif old and old.sha256 == t.sha256 and old.analysis == self.analysis:
                        report.unchanged.append(t.article_id)
                        done += 1
                    else:
                        if old:
                            existing.add(t.article_id)
                        yield t

        async with self.store.transaction() as writer:
            async for results in self._in_pool(fn, changed()):
                await self._store_results(results, existing, writer, report)
                done += len(results)
                await _report(progress, done, total)
            await _report(progress, total, total)
        report.failed.sort(key=lambda f: f.name)
        log.info("import of %s: %s", path, report.counts())
        return report

    async def _store_results(
        self,
        results: Sequence[Analysis | Failed],
        stored: Container[str],
        writer: Writer,
        report: ReloadReport,
    ) -> None:
        added: list[tuple[Analysis, str | None]] = []
        updated: list[tuple[Analysis, str | None]] = []
        for result in results:
            if isinstance(result, Failed):
                report.failed.append(result)
                continue
            aid = result.article.id
            if aid in stored:
                report.updated.append(aid)
                updated.append((result, None))
            else:
                report.added.append(aid)
                added.append((result, None))
        await writer.upsert_many(added, origin="import", analysis_key=self.analysis, new=True)
        await writer.upsert_many(updated, origin="import", analysis_key=self.analysis)

    # -- looking articles up ------------------------------------------------------

    async def resolve(self, query: str) -> ArticleEntry:
        """The one article an id or a title fragment names.

        Raises :class:`ArticleNotFound` (with suggestions) or
        :class:`AmbiguousArticle` (with candidates).
        """
        text = " ".join(query.split())[:MAX_QUERY]
        if not text:
            raise InvalidInput("Give an article id or a few words of its title.")
        for candidate in (text, text.lower()):
            if entry := await self.store.entry(candidate):
                return entry
        matches = await self.store.find_by_title(text, 11)
        if len(matches) == 1:
            return matches[0]
        if matches:
            exact = [m for m in matches if m.title.casefold() == text.casefold()]
            if len(exact) == 1:
                return exact[0]
            raise AmbiguousArticle(text, [(m.id, m.title) for m in matches[:10]])
        suggestions = []
        if fts := fts_words_query(text):
            suggestions = await self.store.search_titles(fts, 5)
        raise ArticleNotFound(text, [(m.id, m.title) for m in suggestions])

    async def suggest(self, current: str, limit: int = 25) -> list[ArticleEntry]:
        """Articles for an autocomplete: best first, at most ``limit``."""
        text = " ".join(current.split())[:MAX_QUERY]
        if not text:
            return await self.store.list_articles(limit)
        found = await self.store.find_by_title(text, limit)
        if len(found) < limit and (fts := fts_words_query(text)):
            ids = {e.id for e in found}
            for e in await self.store.search_titles(fts, limit):
                if e.id not in ids and len(found) < limit:
                    found.append(e)
        return found

    async def articles(self, page: int = 0, per_page: int = 10) -> tuple[list[ArticleEntry], int]:
        """One page of the corpus, newest first, and the number of articles in all."""
        total = await self.store.count_articles()
        return await self.store.list_articles(per_page, page * per_page), total

    # -- takeaways and summaries --------------------------------------------------

    async def takeaways(self, query: str) -> TakeawaysView:
        entry = await self.resolve(query)
        best, publisher, paragraphs = await asyncio.gather(  # side by side, on several readers
            self.store.takeaways(entry.id, self.settings.takeaway_count),
            self.store.publisher_takeaways(entry.id),
            self.store.paragraph_count(entry.id),
        )
        return TakeawaysView(
            entry, in_article_order(best), publisher, self.settings.summary_algorithm,
            paragraph_count=paragraphs,
        )

    async def summary(self, query: str, algorithm: str | None = None, count: int = 3) -> SummaryView:
        algorithm = (algorithm or self.settings.summary_algorithm).lower()
        if algorithm not in SUMMARY_ALGORITHMS:
            raise InvalidInput(
                f"Unknown algorithm {algorithm!r}; choose one of {', '.join(SUMMARY_ALGORITHMS)}."
            )
        if not 1 <= count <= MAX_SENTENCES:
            raise InvalidInput(f"Sentences must be from 1 to {MAX_SENTENCES}.")
        entry = await self.resolve(query)
        if algorithm == self.settings.summary_algorithm:
            best = await self.store.takeaways(entry.id, count)
            return SummaryView(entry, algorithm, in_article_order(best))
        cached = await self.store.cached_summary(entry.id, algorithm, count)
        if cached is not None:
            return SummaryView(entry, algorithm, cached)
        article = await self.store.article(entry.id)
        if article is None:  # removed by a reload in the meantime
            raise ArticleNotFound(query)
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self.executor(), summarize_article, article, algorithm, count)
        await self.store.save_summary(entry.id, algorithm, count, result)
        return SummaryView(entry, algorithm, result)


    # -- search -----------------------------------------------------------------------

    async def search(self, text: str, limit: int = 50, snippets: int = 5) -> SearchResult:
        """Articles about ``text``, best first (BM25 over title, topics, lead and body).

        The first ``snippets`` hits come with their snippet; :meth:`with_snippets`
        adds them to others when they are shown.
        """
        query = parse_query(text)
        if query.empty:
            raise InvalidInput("Type a few words to search for, e.g. `peace treaty`.")
        hits = await self.store.search(query.terms(), limit, weights=SEARCH_WEIGHTS)
        result = SearchResult(text, query, tuple(hits))
        return await self.with_snippets(result, 0, snippets)

    async def with_snippets(self, result: SearchResult, start: int, stop: int) -> SearchResult:
        """The result with snippets for ``hits[start:stop]``."""
        missing = [h.entry.id for h in result.hits[start:stop] if not h.snippet]
        if not missing:
            return result
        found = await self.store.snippets(result.query.match_any(), missing)
        hits = tuple(
            dataclasses.replace(h, snippet=found.get(h.entry.id, h.snippet)) for h in result.hits
        )
        return dataclasses.replace(result, hits=hits)

    async def search_page(self, ranking: SearchRanking, start: int, stop: int) -> tuple[SearchHit, ...]:
        """The hits ``start:stop`` of a ranking, with their entries and snippets read again.

        An article removed by a reload since the search is left out.
        """
        ids = ranking.ids[start:stop]
        entries = await self.store.entries(ids)
        found = await self.store.snippets(ranking.query.match_any(), [i for i in ids if i in entries])
        return tuple(
            SearchHit(entries[i], score, found.get(i, ""))
            for i, score in zip(ids, ranking.scores[start:stop], strict=True)
            if i in entries
        )

    async def close_topics(self, text: str, limit: int = 5) -> list[TopicCount]:
        """Topics near what was typed, for a search that found nothing."""
        query = parse_query(text)
        found: list[TopicCount] = []
        for word in query.all_words:
            for topic in await self.store.find_topics(topic_key(word)[:3], 200):
                if topic not in found:
                    found.append(topic)
        wanted = topic_key(" ".join(query.all_words))
        found.sort(key=lambda t: -SequenceMatcher(None, wanted, t.key).ratio())
        return found[:limit]

    async def topic_brief(self, text: str, articles: int = 8) -> tuple[SearchResult, tuple[BriefLine, ...]]:
        """What the best matching articles say about ``text``, in a few sentences."""
        result = await self.search(text, limit=articles, snippets=0)
        return result, await self.brief_for(result)

    async def brief_for(self, result: SearchResult) -> tuple[BriefLine, ...]:
        """The cross-article brief of a search's hits (in the worker pool)."""
        if not result.hits:
            return ()
        sentences = await self.store.sentences_of([h.entry.id for h in result.hits])
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.executor(), cross_brief, result.query.all_words,
            [(h.entry, sentences[h.entry.id]) for h in result.hits],
        )

    async def topics(self, page: int = 0, per_page: int = 25) -> tuple[list[TopicCount], int]:
        """The corpus's most covered topics, one page, and how many topics there are."""
        return await self.store.top_topics(per_page, page * per_page), await self.store.count_topics()

    async def suggest_topics(self, current: str, limit: int = 25) -> list[TopicCount]:
        key = topic_key(current)[:MAX_QUERY]
        if not key:
            return await self.store.top_topics(limit)
        return await self.store.find_topics(key, limit)

    # -- quotes -------------------------------------------------------------------------

    async def article_quotes(
        self, query: str, speaker: str | None = None
    ) -> tuple[ArticleEntry, list[Quote]]:
        """An article's quotes in order; only a speaker's when ``speaker`` is given (name or surname)."""
        entry = await self.resolve(query)
        quotes = await self.store.quotes_of(entry.id)
        if speaker:
            quotes = [q for q in quotes if said_by(q, speaker)]
        return entry, quotes

    async def speaker_quotes(
        self, speaker: str, page: int = 0, per_page: int = 10
    ) -> tuple[list[QuoteInArticle], int]:
        """One speaker's quotes across the corpus, newest article first; any case, any accents."""
        key = speaker_key(" ".join(speaker.split())[:MAX_QUERY])
        if not key:
            raise InvalidInput("Give a speaker's name, e.g. `Putin` or `Akira Muto`.")
        return await self.store.quotes_by_speaker(key, per_page, page * per_page)

    async def suggest_speakers(self, current: str, limit: int = 25) -> list[SpeakerCount]:
        return await self.store.speakers(speaker_key(current)[:MAX_QUERY], limit)

    # -- the daily digest ---------------------------------------------------------

    def default_digest(self, guild_id: int) -> DigestConfig | None:
        """The digest set up by DIGEST_CHANNEL_ID etc. (single-server set-ups), if any."""
        s = self.settings
        if s.digest_channel_id is None:
            return None
        return DigestConfig(guild_id, s.digest_channel_id, s.digest_time.strftime("%H:%M"),
                            s.digest_timezone)

    async def digest_config(self, guild_id: int, channel_ids: Iterable[int] = ()) -> DigestConfig | None:
        """A server's digest settings: its own, else the defaults when their channel is in it."""
        stored = await self.store.digest_config(guild_id)
        if stored is not None:
            return stored
        default = self.default_digest(guild_id)
        if default is not None and default.channel_id in set(channel_ids):
            return default
        return None

    async def set_digest(
        self, guild_id: int, channel_id: int, post_time: str | None, timezone: str | None
    ) -> DigestConfig:
        """Turn a server's digest on (or change it). Validates the time and zone."""
        when = (post_time or self.settings.digest_time.strftime("%H:%M")).strip()
        m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", when)
        if not m:
            raise InvalidInput(f"{when[:20]!r} is not a time of day; use HH:MM, 24-hour, e.g. 09:00.")
        zone = (timezone or self.settings.digest_timezone).strip()
        if not valid_timezone(zone):
            raise InvalidInput(
                f"{zone[:60]!r} is not a time zone I know; pick one from the list, e.g. Europe/Paris."
            )
        config = DigestConfig(guild_id, channel_id, f"{int(m[1]):02d}:{m[2]}", zone)
        await self.store.save_digest_config(config)
        return await self.store.digest_config(guild_id) or config

    async def digest_off(self, guild_id: int) -> None:
        current = await self.store.digest_config(guild_id) or self.default_digest(guild_id)
        s = self.settings
        await self.store.save_digest_config(
            DigestConfig(
                guild_id, None,
                current.post_time if current else s.digest_time.strftime("%H:%M"),
                current.timezone if current else s.digest_timezone,
            )
        )

    async def build_digest(self, cutoff: str | None) -> Digest:
        """The articles added after ``cutoff`` (all when None), newest first, with takeaways."""
        entries, total = await self.store.added_since(cutoff, self.settings.digest_max)
        items = []
        for entry in entries:
            best = await self.store.takeaways(entry.id, self.settings.takeaway_count)
            items.append(DigestItem(entry, in_article_order(best)))
        newest = entries[0].added_at if entries else None
        return Digest(tuple(items), total - len(items), newest)


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class SearchResult:
    text: str
    query: SearchQuery
    hits: tuple[SearchHit, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.text, "results": [h.as_dict() for h in self.hits]}

    def ranking(self) -> SearchRanking:
        return SearchRanking(self.query, tuple(h.entry.id for h in self.hits),
                             tuple(h.score for h in self.hits))


@dataclass(frozen=True, slots=True)
class SearchRanking:
    """What a paged answer keeps between page turns: the ranked ids and scores only.

    Plain tuples of strings and numbers, which the garbage collector stops
    tracking: a kept ``SearchResult`` was up to 50 hits and their entries per
    answer, walked by every full collection while the page buttons lived.
    """

    query: SearchQuery
    ids: tuple[str, ...]
    scores: tuple[float, ...]


class _NoWriter:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


async def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is None:
        return
    result = progress(done, total)
    if asyncio.iscoroutine(result) or isinstance(result, Awaitable):
        await result


def _count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(b"\n")
    return count


async def _read_records(
    path: Path, max_bytes: int, chunk: int = 256
) -> AsyncIterator[list[TextTask | Failed]]:
    """Read and prepare JSON lines in a thread, ``chunk`` lines at a time."""
    fh = await asyncio.to_thread(open, path, "rb")
    line_no = 0

    def read_chunk() -> tuple[int, list[TextTask | Failed]]:
        nonlocal line_no
        out: list[TextTask | Failed] = []
        lines = 0
        for raw in itertools.islice(fh, chunk):
            lines += 1
            line_no += 1
            try:
                line = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                out.append(Failed(f"line {line_no}", f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x})"))
                continue
            item = prepare_record(line, line_no, max_bytes)
            if item is not None:
                out.append(item)
        return lines, out

    try:
        while True:
            lines, items = await asyncio.to_thread(read_chunk)
            if not lines:
                return
            yield items
    finally:
        await asyncio.to_thread(fh.close)
