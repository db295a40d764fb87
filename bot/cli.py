"""The terminal front end: each ``brief`` subcommand as a function that prints its answer.

Argument parsing lives in :mod:`bot.__main__`; the features live in
:mod:`bot.service`. Here: open the store, call the service, print text or JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from .config import Settings
from .errors import BriefError
from .news.analyze import analyze_article, analyze_line
from .news.article import Analysis, ArticleEntry, QuoteInArticle, Takeaway
from .news.parse import ParseError, article_id_for_path, parse_bytes
from .news.words import in_article_order
from .service import ReloadReport, Service, SummaryView, TakeawaysView, make_pool
from .storage.store import Store

WIDTH = 100


def out(text: str = "") -> None:
    print(text)


def dump_json(data: Any, stream: TextIO | None = None) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2), file=stream or sys.stdout)


class ProgressBar:
    """A progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self._last_decile = -1
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        rate = done / max(time.monotonic() - self.start, 1e-6)
        if total <= 0:
            return
        if self.tty:
            filled = int(30 * done / total)
            bar = "#" * filled + "." * (30 - filled)
            self.stream.write(f"\r{self.label} [{bar}] {done:,}/{total:,} {rate:,.0f}/s")
            self.stream.flush()
            self._shown = True
            return
        decile = 10 * done // total
        if decile != self._last_decile:
            self._last_decile = decile
            self.stream.write(f"{self.label}: {done:,}/{total:,} ({rate:,.0f}/s)\n")
            self.stream.flush()

    def finish(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\n")
            self.stream.flush()


@asynccontextmanager
async def open_service(settings: Settings) -> AsyncIterator[Service]:
    store = await Store.open(settings.database_path)
    service = Service(store, settings)
    try:
        yield service
    finally:
        await service.close()
        await store.close()


async def _ensure_loaded(service: Service) -> None:
    """Load SEEDS_DIR on first use, so that a fresh install answers at once."""
    report = await service.ensure_loaded()
    if report is not None:
        print(
            f"(first run: loaded {service.settings.seeds_dir} into "
            f"{service.settings.database_path}: {report.counts()})",
            file=sys.stderr,
        )


# -- rendering ----------------------------------------------------------------------


def _meta_line(entry: ArticleEntry) -> str:
    parts = [p for p in (entry.source, str(entry.dateline) if entry.dateline else None, entry.date) if p]
    parts.append(f"id {entry.id}")
    return " · ".join(parts)


def _bullets(items: list[str], mark: str) -> list[str]:
    lines = []
    for item in items:
        wrapped = textwrap.wrap(item, WIDTH - 4) or [""]
        lines.append(f"  {mark} {wrapped[0]}")
        lines.extend(f"    {w}" for w in wrapped[1:])
    return lines


def _where(t: Takeaway) -> str:
    # No-break spaces: the wrapper never splits the position over two lines.
    return f"(paragraph\u00a0{t.paragraph + 1},\u00a0sentence\u00a0{t.sentence + 1})"


def render_takeaways(view: TakeawaysView | Analysis, algorithm: str) -> str:
    if isinstance(view, Analysis):
        a = view.article
        title, meta = a.title, " · ".join(
            p for p in (a.source, str(a.dateline) if a.dateline else None, a.date, f"id {a.id}") if p
        )
        takeaways, publisher = view.takeaways, a.publisher_takeaways
    else:
        title, meta = view.entry.title, _meta_line(view.entry)
        takeaways, publisher = view.takeaways, view.publisher_takeaways
    lines = [title, meta, "", f"Key takeaways ({algorithm}):"]
    lines += _bullets([f"{t.text} {_where(t)}" for t in takeaways], "•")
    if publisher:
        lines += ["", "Publisher's takeaways:"]
        lines += _bullets(list(publisher), "-")
    return "\n".join(lines)


def render_summary(view: SummaryView) -> str:
    lines = [view.entry.title, _meta_line(view.entry), "", f"Summary ({view.algorithm}, "
             f"{len(view.sentences)} sentence{'s' if len(view.sentences) != 1 else ''}):"]
    for t in view.sentences:
        lines += textwrap.wrap(t.text, WIDTH, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(lines)


def render_report(report: ReloadReport) -> str:
    head = "Dry run, nothing written: " if report.dry_run else ""
    lines = [head + report.counts() + "."]
    for label, ids in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
        if ids:
            shown = ", ".join(ids[:20]) + (f", … and {len(ids) - 20} more" if len(ids) > 20 else "")
            lines.append(f"  {label}: {shown}")
    if report.failed:
        lines.append("  failed:")
        lines += [f"    {f.name}: {f.reason}" for f in report.failed[:50]]
        if len(report.failed) > 50:
            lines.append(f"    … and {len(report.failed) - 50} more")
    return "\n".join(lines)


# -- subcommands ----------------------------------------------------------------------


async def cmd_reload(settings: Settings, args: argparse.Namespace) -> int:
    async with open_service(settings) as service:
        bar = ProgressBar("reload")
        report = await service.reload(dry_run=args.dry_run, progress=bar)
        bar.finish()
    dump_json(report.as_dict()) if args.json else out(render_report(report))
    return 0


async def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    async with open_service(settings) as service:
        bar = ProgressBar("import")
        report = await service.import_jsonl(Path(args.file), progress=bar)
        bar.finish()
    dump_json(report.as_dict()) if args.json else out(render_report(report))
    return 0


async def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    async with open_service(settings) as service:
        await _ensure_loaded(service)
        entries, total = await service.articles(0, args.limit)
    if args.json:
        dump_json({"total": total, "articles": [e.as_dict() for e in entries]})
        return 0
    if not entries:
        out(f"The corpus is empty. Put articles in {settings.seeds_dir}/ and run `brief reload`.")
        return 0
    id_width = max(len(e.id) for e in entries)
    for e in entries:
        when = e.date or (str(e.dateline.date) if e.dateline and e.dateline.date else "")
        source = f" ({e.source})" if e.source else ""
        out(f"{e.id:<{id_width}}  {when:<12}  {e.title}{source}")
    if total > len(entries):
        out(f"… {total - len(entries)} more (use --limit)")
    return 0


async def cmd_takeaways(settings: Settings, args: argparse.Namespace) -> int:
    async with open_service(settings) as service:
        await _ensure_loaded(service)
        view = await service.takeaways(args.article)
    if args.json:
        dump_json(view.as_dict())
    else:
        out(render_takeaways(view, view.algorithm))
    return 0


async def cmd_summary(settings: Settings, args: argparse.Namespace) -> int:
    async with open_service(settings) as service:
        await _ensure_loaded(service)
        view = await service.summary(args.article, args.algorithm, args.sentences)
    dump_json(view.as_dict()) if args.json else out(render_summary(view))
    return 0


def cmd_analyze(settings: Settings, args: argparse.Namespace) -> int:
    """Analyse without the database: one file (or stdin), or a JSON-lines stream."""
    if args.jsonl:
        return _analyze_jsonl(settings, args.jsonl)
    if not args.file:
        raise BriefError("Give a FILE to analyse, - for standard input, or --jsonl IN.")
    if args.file == "-":
        data, article_id = sys.stdin.buffer.read(), "stdin"
    else:
        path = Path(args.file)
        try:
            size = path.stat().st_size
            if size > settings.max_article_bytes:
                raise BriefError(
                    f"{path} is larger than the {settings.max_article_bytes:,}-byte limit "
                    "(MAX_ARTICLE_BYTES)."
                )
            data = path.read_bytes()
        except OSError as exc:
            raise BriefError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        article_id = article_id_for_path(path.name)
    try:
        article = parse_bytes(data, article_id)
    except ParseError as exc:
        raise BriefError(f"{args.file} {exc}.") from exc
    full = analyze_article(article, settings.summary_algorithm)
    shown = in_article_order(full.takeaways[: settings.takeaway_count])
    analysis = dataclasses.replace(full, takeaways=shown)
    if args.json:
        dump_json(analysis.as_dict())
    else:
        out(render_takeaways(analysis, settings.summary_algorithm))
    return 0


def _analyze_jsonl(settings: Settings, source: str) -> int:
    """One JSON line out per line in, in input order, using every core; errors also on stderr."""
    fn = partial(analyze_line, algorithm=settings.summary_algorithm, max_bytes=settings.max_article_bytes)
    try:
        stream = sys.stdin if source == "-" else open(source, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise BriefError(f"Cannot read {source}: {exc.strerror or exc}.") from exc
    failures = 0
    pool = make_pool(settings.worker_count)
    try:
        numbered = enumerate(stream, start=1)
        # A window at a time, so memory stays flat however long the input is.
        while window := list(itertools.islice(numbered, 64 * settings.worker_count)):
            numbers = [n for n, _ in window]
            lines = [line for _, line in window]
            for result in pool.map(fn, lines, numbers, chunksize=8):
                if result is None:
                    continue
                if "error" in result:
                    failures += 1
                    print(f"line {result['line']}: {result['error']}", file=sys.stderr)
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    finally:
        pool.shutdown(cancel_futures=True)
        if stream is not sys.stdin:
            stream.close()
    return 1 if failures else 0


def _bold(text: str) -> str:
    return f"\033[1m{text}\033[0m" if sys.stdout.isatty() else f"**{text}**"


async def cmd_topic(settings: Settings, args: argparse.Namespace) -> int:
    async with open_service(settings) as service:
        await _ensure_loaded(service)
        if args.brief:
            result, lines = await service.topic_brief(args.query)
        else:
            result, lines = await service.search(args.query, limit=args.limit, snippets=args.limit), ()
        close = await service.close_topics(args.query) if not result.hits else []
    if args.json:
        data = result.as_dict()
        if args.brief:
            data["brief"] = [line.as_dict() for line in lines]
        if not result.hits:
            data["suggestions"] = [t.topic for t in close]
        dump_json(data)
        return 0
    if not result.hits:
        tip = f" Close topics: {', '.join(t.topic for t in close)}." if close else " Try `brief topics`."
        out(f"Nothing in the corpus matches {args.query!r}.{tip}")
        return 0
    if args.brief:
        out(f"What the articles say about {args.query!r}:")
        for line in lines:
            when = f", {line.entry.date}" if line.entry.date else ""
            out(textwrap.fill(line.text, WIDTH, initial_indent="  • ", subsequent_indent="    "))
            out(f"    ({line.entry.title}{when})")
        return 0
    for n, hit in enumerate(result.hits, 1):
        e = hit.entry
        out(f"{n}. {e.title}  [{e.id}]")
        meta = " · ".join(p for p in (e.date, e.source) if p)
        if meta:
            out(f"   {meta}")
        snippet = hit.snippet_with("\0", "\1")
        parts = snippet.split("\0")
        shown = parts[0] + "".join(_bold(p.split("\1", 1)[0]) + (p.split("\1", 1)[1] if "\1" in p else "")
                                   for p in parts[1:])
        out(f"   {shown}")
    return 0


async def cmd_topics(settings: Settings, args: argparse.Namespace) -> int:
    async with open_service(settings) as service:
        await _ensure_loaded(service)
        topics, total = await service.topics(0, args.limit)
    if args.json:
        dump_json({"total": total, "topics": [t.as_dict() for t in topics]})
        return 0
    if not topics:
        out("No topics yet: the corpus is empty.")
        return 0
    width = max(len(t.topic) for t in topics)
    for t in topics:
        out(f"{t.topic:<{width}}  {t.articles:>5} article{'s' if t.articles != 1 else ''}")
    return 0


async def cmd_quotes(settings: Settings, args: argparse.Namespace) -> int:
    if not args.article and not args.speaker:
        raise BriefError("Give an ARTICLE, or --speaker NAME, or both.")
    async with open_service(settings) as service:
        await _ensure_loaded(service)
        if args.article:
            entry, quotes = await service.article_quotes(args.article, args.speaker)
            found = [QuoteInArticle(entry, q) for q in quotes]
            total = len(found)
        else:
            found, total = await service.speaker_quotes(args.speaker, 0, args.limit)
    if args.json:
        dump_json({"total": total, "quotes": [f.as_dict() for f in found]})
        return 0
    if not found:
        who = f" by {args.speaker}" if args.speaker else ""
        out(f"No quotes{who} found.")
        return 0
    current = None
    for f in found:
        if f.entry.id != current:
            current = f.entry.id
            out(f"{f.entry.title}  [{f.entry.id}]")
        speaker = f.quote.speaker or "(unattributed)"
        text = f"“{f.quote.text}” — {speaker}"
        out(textwrap.fill(text, WIDTH, initial_indent="  ", subsequent_indent="    "))
    if total > len(found):
        out(f"… {total - len(found)} more (use --limit)")
    return 0
