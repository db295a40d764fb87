"""The only place with SQL. One async method per query; domain objects in and out.

Two connections: reads go through one, writes through the other, so that a
long reload (one write transaction) never blocks a question, and a question
never sees half a reload (WAL snapshot isolation).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from ..news.article import (
    Analysis,
    Article,
    ArticleEntry,
    Dateline,
    Quote,
    QuoteInArticle,
    SpeakerCount,
    Takeaway,
    TopicCount,
)
from ..news.query import MARK_END, MARK_START, SearchHit
from ..news.quotes import speaker_key, surname
from ..news.topics import topic_key

log = logging.getLogger(__name__)


class StoreError(RuntimeError):
    """The database cannot be used; the message says why and what to do."""


class StoreBusy(StoreError):
    """Another program holds the database's write lock (e.g. a ``brief reload`` beside the bot)."""


# How long a connection waits for another program's lock before giving up.
BUSY_TIMEOUT_MS = 5000
# Two-stage search (Store._ranked, docs/search.md): articles a term's probe reads at most;
# articles the rare terms may match together to be ranked over all their matches; candidates
# scored again with every term; share of the corpus above which a term is left out (BM25's IDF
# of a word in more than half the articles is 1e-6).
SEARCH_PROBE = 500
SEARCH_BUDGET = 600
SEARCH_CANDIDATES = 100
SEARCH_DROP_SHARE = 0.5
# quick_check reads the whole file (about 3 ms a MB): at start, only for databases up to this size,
# so that a large corpus still starts in a second; damage in a larger one shows at first use.
QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("bot.storage") / "migrations"
    out = []
    for item in folder.iterdir():
        name = item.name
        if name.endswith(".sql") and name[:3].isdigit():
            out.append((int(name[:3]), item.read_text(encoding="utf-8")))
    return sorted(out)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _entry(row: sqlite3.Row) -> ArticleEntry:
    place = row["dateline_place"]
    return ArticleEntry(
        id=row["id"],
        title=row["title"],
        source=row["source"],
        date=row["published"],
        dateline=Dateline(place, row["dateline_date"]) if place else None,
        added_at=row["added_at"],
        path=row["path"],
    )


def _digest_config(row: sqlite3.Row) -> DigestConfig:
    return DigestConfig(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        post_time=row["post_time"],
        timezone=row["timezone"],
        last_date=row["last_date"],
        last_cutoff=row["last_cutoff"],
        last_error=row["last_error"],
    )


FULL_RECOUNT_KEYS = 20_000  # above this many touched topics and speakers, recount all in one pass
TITLE_CANDIDATES = 500  # trigram matches looked at for one title look-up
READERS = 4  # read-only connections (each with its thread): concurrent commands do not queue
LEAD_SENTENCES = 5  # sentences of the body indexed again as the "lead", weighted above the body

_ENTRY_COLUMNS = "id, title, source, published, dateline_place, dateline_date, added_at, path"
_ENTRY_COLUMNS_A = ", ".join(f"a.{c.strip()}" for c in _ENTRY_COLUMNS.split(","))


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """One server's digest settings and state."""

    guild_id: int
    channel_id: int | None
    post_time: str  # HH:MM
    timezone: str
    last_date: str | None = None
    last_cutoff: str | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """What the store knows of one article's version, to decide what a reload must redo."""

    sha256: str
    analysis: str
    path: str | None
    origin: str = "seeds"


class Writer:
    """Writes inside one open transaction (see :meth:`Store.transaction`)."""

    def __init__(self, db: aiosqlite.Connection, now: str) -> None:
        self._db = db
        self.now = now
        self.topics_changed = False
        # The topics and speakers whose counts this transaction may change (old and new).
        self._topic_keys: set[str] = set()
        self._speaker_keys: set[str] = set()

    async def upsert(
        self, analysis: Analysis, *, origin: str, path: str | None, analysis_key: str
    ) -> None:
        """Store one analysed article (new, or a new version of a stored one)."""
        await self.upsert_many([(analysis, path)], origin=origin, analysis_key=analysis_key)

    async def upsert_many(
        self,
        items: Sequence[tuple[Analysis, str | None]],
        *,
        origin: str,
        analysis_key: str,
        new: bool = False,
    ) -> None:
        """Store a batch of analysed articles, each with its corpus path (or None).

        One statement per table for the whole batch. ``new=True`` promises that
        none of them is stored yet, which skips clearing their old rows.
        """
        if not items:
            return
        self.topics_changed = True
        articles = [(analysis.article, analysis, path) for analysis, path in items]
        await self._db.executemany(
            """
            INSERT INTO articles (id, origin, path, sha256, analysis, title, source, url,
                                  published, dateline_place, dateline_date, synopsis, body,
                                  lead, topics, added_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                origin = excluded.origin, path = excluded.path, sha256 = excluded.sha256,
                analysis = excluded.analysis, title = excluded.title, source = excluded.source,
                url = excluded.url, published = excluded.published,
                dateline_place = excluded.dateline_place, dateline_date = excluded.dateline_date,
                synopsis = excluded.synopsis, body = excluded.body, lead = excluded.lead,
                topics = excluded.topics, updated_at = excluded.updated_at
            """,
            [
                (
                    a.id, origin, path, a.sha256, analysis_key, a.title, a.source, a.url, a.date,
                    a.dateline.place if a.dateline else None,
                    a.dateline.date if a.dateline else None,
                    a.synopsis, a.body, " ".join(text for _, _, text in a.sentences()[:LEAD_SENTENCES]),
                    "\n".join(an.topics), self.now, self.now,
                )
                for a, an, path in articles
            ],
        )
        self._topic_keys.update(topic_key(t) for _, an, _ in articles for t in an.topics)
        self._speaker_keys.update(
            speaker_key(q.speaker) for _, an, _ in articles for q in an.quotes if q.speaker
        )
        if not new:
            ids = [(a.id,) for a, _, _ in articles]
            await self._remember_counted_keys([a.id for a, _, _ in articles])
            for table in ("sentences", "publisher_takeaways", "takeaways", "summaries", "article_topics",
                          "quotes"):
                await self._db.executemany(f"DELETE FROM {table} WHERE article_id = ?", ids)
        await self._db.executemany(
            "INSERT INTO sentences (article_id, paragraph, sentence, text) VALUES (?, ?, ?, ?)",
            [(a.id, p, s, text) for a, _, _ in articles for p, s, text in a.sentences()],
        )
        await self._db.executemany(
            "INSERT INTO publisher_takeaways (article_id, position, text) VALUES (?, ?, ?)",
            [(a.id, i, text) for a, _, _ in articles for i, text in enumerate(a.publisher_takeaways)],
        )
        await self._db.executemany(
            "INSERT INTO takeaways (article_id, rank, paragraph, sentence) VALUES (?, ?, ?, ?)",
            [(a.id, r, t.paragraph, t.sentence) for a, an, _ in articles for r, t in enumerate(an.takeaways)],
        )
        await self._db.executemany(
            "INSERT OR IGNORE INTO article_topics (article_id, rank, topic_key, topic) VALUES (?, ?, ?, ?)",
            [(a.id, r, topic_key(t), t) for a, an, _ in articles for r, t in enumerate(an.topics)],
        )
        await self._db.executemany(
            "INSERT INTO quotes (article_id, position, paragraph, start, end, text, speaker, "
            "speaker_key, surname_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (a.id, i, q.paragraph, q.start, q.end, q.text, q.speaker,
                 speaker_key(q.speaker) if q.speaker else None,
                 speaker_key(surname(q.speaker)) if q.speaker else None)
                for a, an, _ in articles
                for i, q in enumerate(an.quotes)
            ],
        )

    async def delete(self, article_ids: Iterable[str]) -> None:
        ids = list(article_ids)
        await self._remember_counted_keys(ids)
        await self._db.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in ids])
        self.topics_changed = True

    async def _remember_counted_keys(self, article_ids: Sequence[str]) -> None:
        """Note the topics and speakers of articles about to change: their counts change too."""
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = await self._db.execute_fetchall(
                f"SELECT DISTINCT topic_key FROM article_topics WHERE article_id IN ({marks})", chunk
            )
            self._topic_keys.update(r[0] for r in rows)
            rows = await self._db.execute_fetchall(
                f"SELECT DISTINCT speaker_key FROM quotes WHERE article_id IN ({marks}) "
                "AND speaker_key IS NOT NULL",
                chunk,
            )
            self._speaker_keys.update(r[0] for r in rows)

    async def refresh_topic_counts(self) -> None:
        """Recount the articles of the topics and the quotes of the speakers this transaction touched.

        Once per transaction that changed articles (autocomplete reads these counts). Only
        the touched keys are recounted, through the key indexes; a transaction that touched
        very many (a large import) recounts everything in one pass instead.
        """
        if len(self._topic_keys) + len(self._speaker_keys) > FULL_RECOUNT_KEYS:
            await self._db.execute("DELETE FROM topic_counts")
            await self._db.execute(
                "INSERT INTO topic_counts (topic_key, topic, articles) SELECT topic_key, min(topic), "
                "count(DISTINCT article_id) FROM article_topics GROUP BY topic_key"
            )
            await self._db.execute("DELETE FROM speaker_counts")
            await self._db.execute(
                "INSERT INTO speaker_counts (speaker_key, surname_key, speaker, quotes) "
                "SELECT speaker_key, min(surname_key), min(speaker), count(*) FROM quotes "
                "WHERE speaker_key IS NOT NULL GROUP BY speaker_key"
            )
        else:
            topics, speakers = sorted(self._topic_keys), sorted(self._speaker_keys)
            for start in range(0, len(topics), 500):
                chunk = topics[start : start + 500]
                marks = ",".join("?" * len(chunk))
                await self._db.execute(f"DELETE FROM topic_counts WHERE topic_key IN ({marks})", chunk)
                await self._db.execute(
                    "INSERT INTO topic_counts (topic_key, topic, articles) SELECT topic_key, min(topic), "
                    f"count(DISTINCT article_id) FROM article_topics WHERE topic_key IN ({marks}) "
                    "GROUP BY topic_key",
                    chunk,
                )
            for start in range(0, len(speakers), 500):
                chunk = speakers[start : start + 500]
                marks = ",".join("?" * len(chunk))
                await self._db.execute(f"DELETE FROM speaker_counts WHERE speaker_key IN ({marks})", chunk)
                await self._db.execute(
                    "INSERT INTO speaker_counts (speaker_key, surname_key, speaker, quotes) "
                    "SELECT speaker_key, min(surname_key), min(speaker), count(*) FROM quotes "
                    f"WHERE speaker_key IN ({marks}) GROUP BY speaker_key",
                    chunk,
                )
        self._topic_keys.clear()
        self._speaker_keys.clear()


class Store:
    """The corpus database. Open with :meth:`open`, close with :meth:`close`."""

    def __init__(
        self, path: Path, readers: Sequence[aiosqlite.Connection], writer: aiosqlite.Connection
    ):
        self.path = path
        self._readers = list(readers)
        self._next_reader = itertools.cycle(self._readers)
        self._writer = writer
        self._write_lock = asyncio.Lock()

    async def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """All rows of one read query, in one trip to a reader thread."""
        return list(await self._reader.execute_fetchall(sql, params))

    @property
    def _reader(self) -> aiosqlite.Connection:
        """The next read-only connection, in turn: queries of concurrent commands run side by side."""
        return next(self._next_reader)

    # -- life cycle ---------------------------------------------------------------

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open (creating if needed), check and migrate the database at ``path``.

        A database that is locked by another program, read-only or damaged is
        refused here with a :class:`StoreError` that says so, rather than
        failing later at the first write or read.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the database {path}: {exc}") from exc
        writer = None
        readers: list[aiosqlite.Connection] = []
        try:
            writer = await aiosqlite.connect(path, isolation_level=None)
            writer.row_factory = sqlite3.Row
            await writer.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await writer.execute("PRAGMA foreign_keys = ON")
            await writer.execute("PRAGMA journal_mode = WAL")
            await writer.execute("PRAGMA synchronous = NORMAL")
            check: Any = ("ok",)
            size = await asyncio.to_thread(lambda: path.stat().st_size if path.exists() else 0)
            if size <= QUICK_CHECK_MAX_BYTES:
                async with writer.execute("PRAGMA quick_check(1)") as cur:
                    check = await cur.fetchone()
            if check is None or check[0] != "ok":
                detail = check[0] if check else "?"
                raise sqlite3.DatabaseError(f"database disk image is malformed ({detail})")
            await cls._migrate(writer)
            # Writable? Try the write lock and rewrite one header field, then roll back: a read-only
            # file (SQLite opens it read-only without a word) fails here, not at the first reload.
            # Another program writing now (a reload beside the bot) is no reason to refuse reads.
            await writer.execute("PRAGMA busy_timeout = 0")
            try:
                await writer.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            else:
                try:
                    async with writer.execute("PRAGMA user_version") as cur:
                        version = await cur.fetchone()
                    await writer.execute(f"PRAGMA user_version = {int(version[0]) if version else 0}")
                finally:
                    await writer.execute("ROLLBACK")
            await writer.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            for _ in range(READERS):
                reader = await aiosqlite.connect(path, isolation_level=None)
                readers.append(reader)
                reader.row_factory = sqlite3.Row
                await reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                await reader.execute("PRAGMA foreign_keys = ON")
                await reader.execute("PRAGMA query_only = ON")
        except BaseException as exc:
            for conn in (writer, *readers):
                if conn is not None:
                    await conn.close()
            if not isinstance(exc, sqlite3.DatabaseError):
                raise
            reason = str(exc).lower()
            if "locked" in reason or "busy" in reason:
                message = (
                    f"cannot use the database {path}: it is locked by another program (another "
                    "`brief` command or a running bot?). Stop it or let it finish, then try again."
                )
            elif "readonly" in reason or "read-only" in reason:
                message = (
                    f"cannot write to the database {path}: it is read-only (file or folder "
                    "permissions, or a read-only disk). Make it writable, or set DATABASE_PATH "
                    "to a writable place."
                )
            else:
                message = (
                    f"cannot use the database {path}: {exc}. If the file is damaged, move it "
                    "away and run `brief reload` to rebuild it from the corpus."
                )
            raise StoreError(message) from exc
        return cls(path, readers, writer)

    @staticmethod
    async def _migrate(db: aiosqlite.Connection) -> None:
        async with db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        current = int(row[0]) if row else 0
        migrations = _migrations()
        latest = migrations[-1][0] if migrations else 0
        if current > latest:
            raise StoreError(
                f"the database is at schema version {current}, newer than this Brief knows "
                f"({latest}); upgrade Brief"
            )
        for version, sql in migrations:
            if version <= current:
                continue
            log.info("migrating database to schema version %d", version)
            # One transaction per migration: it applies whole or not at all.
            try:
                await db.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
                )
            except BaseException:
                if db.in_transaction:
                    await db.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        for reader in self._readers:
            await reader.close()
        await self._writer.close()

    # -- writes -------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Writer]:
        """One write transaction: everything inside commits together, or not at all."""
        async with self._write_lock:
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                raise StoreBusy(
                    f"the database {self.path} is being written by another program (another "
                    "`brief reload` or `brief import`, or the bot); try again when it has finished"
                ) from exc
            try:
                writer = Writer(self._writer, utc_now())
                yield writer
                if writer.topics_changed:
                    await writer.refresh_topic_counts()
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            else:
                try:
                    await self._writer.execute("COMMIT")
                except BaseException:
                    # A COMMIT that fails (busy, I/O error) can leave the transaction open: every
                    # later BEGIN would fail ("cannot start a transaction within a transaction").
                    if self._writer.in_transaction:
                        await self._writer.execute("ROLLBACK")
                    raise

    async def save_summary(
        self, article_id: str, algorithm: str, count: int, takeaways: Sequence[Takeaway]
    ) -> None:
        positions = json.dumps([[t.paragraph, t.sentence] for t in takeaways])
        if self._write_lock.locked():
            return  # a cache: never wait behind a reload's transaction for it
        async with self._write_lock:
            await self._writer.execute(
                "INSERT OR REPLACE INTO summaries (article_id, algorithm, count, positions) "
                "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?)",
                (article_id, algorithm, count, positions, article_id),
            )

    async def set_meta(self, key: str, value: str) -> None:
        async with self._write_lock:
            await self._writer.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
            )

    async def save_digest_config(self, config: DigestConfig) -> None:
        """Create or replace a server's digest settings (its posting state is kept)."""
        async with self._write_lock:
            await self._writer.execute(
                """
                INSERT INTO guild_digests (guild_id, channel_id, post_time, timezone, updated_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,
                    post_time = excluded.post_time, timezone = excluded.timezone,
                    updated_at = excluded.updated_at
                """,
                (config.guild_id, config.channel_id, config.post_time, config.timezone, utc_now()),
            )

    async def claim_digest(self, config: DigestConfig, local_date: str) -> bool:
        """Record that today's digest is being posted; False if it already was (at most once)."""
        async with self._write_lock:
            await self._writer.execute(
                """
                INSERT INTO guild_digests (guild_id, channel_id, post_time, timezone, updated_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO NOTHING
                """,
                (config.guild_id, config.channel_id, config.post_time, config.timezone, utc_now()),
            )
            cur = await self._writer.execute(
                "UPDATE guild_digests SET last_date = ? WHERE guild_id = ? "
                "AND (last_date IS NULL OR last_date < ?)",
                (local_date, config.guild_id, local_date),
            )
            return cur.rowcount == 1

    async def finish_digest(self, guild_id: int, cutoff: str | None) -> None:
        """The digest was posted (or had nothing to post): later ones start after ``cutoff``."""
        async with self._write_lock:
            await self._writer.execute(
                "UPDATE guild_digests SET last_cutoff = coalesce(?, last_cutoff), last_error = NULL "
                "WHERE guild_id = ?",
                (cutoff, guild_id),
            )

    async def release_digest(self, guild_id: int, previous_date: str | None, error: str) -> None:
        """Posting failed: give the day back so a later try can post, and keep the error."""
        async with self._write_lock:
            await self._writer.execute(
                "UPDATE guild_digests SET last_date = ?, last_error = ? WHERE guild_id = ?",
                (previous_date, error, guild_id),
            )

    async def set_digest_error(self, guild_id: int, error: str | None) -> None:
        async with self._write_lock:
            await self._writer.execute(
                "UPDATE guild_digests SET last_error = ? WHERE guild_id = ?", (error, guild_id)
            )

    # -- reads --------------------------------------------------------------------

    async def digest_configs(self) -> list[DigestConfig]:
        rows = await self._fetch("SELECT * FROM guild_digests ORDER BY guild_id")
        return [_digest_config(r) for r in rows]

    async def digest_config(self, guild_id: int) -> DigestConfig | None:
        _rows = await self._fetch(
            "SELECT * FROM guild_digests WHERE guild_id = ?", (guild_id,)
        )
        row = _rows[0] if _rows else None
        return _digest_config(row) if row else None

    async def added_since(self, cutoff: str | None, limit: int) -> tuple[list[ArticleEntry], int]:
        """Articles added after ``cutoff`` (all when None), newest first, and how many in all."""
        since = cutoff or ""
        _rows = await self._fetch(
            "SELECT count(*) FROM articles WHERE added_at > ?", (since,)
        )
        row = _rows[0] if _rows else None
        total = int(row[0]) if row else 0
        rows = await self._fetch(
            f"SELECT {_ENTRY_COLUMNS} FROM articles WHERE added_at > ? "
            "ORDER BY added_at DESC, id LIMIT ?",
            (since, limit),
        )
        return [_entry(r) for r in rows], total

    async def newest_added_at(self) -> str | None:
        _rows = await self._fetch("SELECT max(added_at) FROM articles")
        row = _rows[0] if _rows else None
        return row[0] if row else None

    async def get_meta(self, key: str) -> str | None:
        _rows = await self._fetch("SELECT value FROM meta WHERE key = ?", (key,))
        row = _rows[0] if _rows else None
        return row["value"] if row else None

    async def count_articles(self) -> int:
        _rows = await self._fetch("SELECT count(*) FROM articles")
        row = _rows[0] if _rows else None
        return int(row[0]) if row else 0

    async def versions(self, origin: str) -> dict[str, StoredVersion]:
        """Every stored article of one origin (``seeds`` or ``import``) by id."""
        rows = await self._fetch(
            "SELECT id, sha256, analysis, path, origin FROM articles WHERE origin = ?", (origin,)
        )
        return {r["id"]: StoredVersion(r["sha256"], r["analysis"], r["path"], r["origin"]) for r in rows}

    async def versions_of(self, article_ids: Sequence[str]) -> dict[str, StoredVersion]:
        out: dict[str, StoredVersion] = {}
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            async with self._reader.execute(
                f"SELECT id, sha256, analysis, path, origin FROM articles WHERE id IN ({marks})",
                chunk,
            ) as cur:
                for r in await cur.fetchall():
                    out[r["id"]] = StoredVersion(r["sha256"], r["analysis"], r["path"], r["origin"])
        return out

    async def list_articles(self, limit: int, offset: int = 0) -> list[ArticleEntry]:
        """The corpus, newest first: by the article's own date, then by when it was added."""
        rows = await self._fetch(
            f"SELECT {_ENTRY_COLUMNS} FROM articles "
            "ORDER BY published IS NULL, published DESC, added_at DESC, id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_entry(r) for r in rows]

    async def entry(self, article_id: str) -> ArticleEntry | None:
        _rows = await self._fetch(
            f"SELECT {_ENTRY_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        )
        row = _rows[0] if _rows else None
        return _entry(row) if row else None

    async def entries(self, article_ids: Sequence[str]) -> dict[str, ArticleEntry]:
        """The listed articles that still exist, by id (at most a few hundred ids)."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = await self._fetch(
            f"SELECT {_ENTRY_COLUMNS} FROM articles WHERE id IN ({marks})", tuple(article_ids)
        )
        return {r["id"]: _entry(r) for r in rows}

    async def find_by_title(self, fragment: str, limit: int) -> list[ArticleEntry]:
        """Articles whose title or id contains ``fragment`` (any case); titles that start with it first.

        Titles that start with it come from the title index; the rest from the
        trigram index (``titles_fts``, three characters or more), looking at no
        more than TITLE_CANDIDATES matches so that a common fragment ("the")
        stays fast; one or two characters fall back to a scan, rarely needed.
        """
        fragment = fragment.replace("\x00", "")
        if not fragment:
            return []
        rows = await self._fetch(
            f"SELECT {_ENTRY_COLUMNS} FROM articles WHERE title >= ? COLLATE NOCASE "
            "AND title < ? COLLATE NOCASE ORDER BY length(title), title LIMIT ?",
            (fragment, fragment + "\U0010ffff", limit),
        )
        if len(rows) < limit:
            seen = {r["id"] for r in rows}
            if len(fragment) >= 3:
                phrase = '"' + fragment.replace('"', '""') + '"'
                more = await self._fetch(
                    f"SELECT {_ENTRY_COLUMNS} FROM articles WHERE rowid IN "
                    "(SELECT rowid FROM titles_fts WHERE titles_fts MATCH ? LIMIT ?) "
                    "ORDER BY length(title), title LIMIT ?",
                    (phrase, TITLE_CANDIDATES, limit + len(seen)),
                )
            else:
                pattern = f"%{_like_escape(fragment)}%"
                more = await self._fetch(
                    f"SELECT {_ENTRY_COLUMNS} FROM articles WHERE title LIKE ? ESCAPE '\\' "
                    "OR id LIKE ? ESCAPE '\\' ORDER BY length(title), title LIMIT ?",
                    (pattern, pattern, limit),
                )
            rows = [*rows, *(r for r in more if r["id"] not in seen)][:limit]
        return [_entry(r) for r in rows]

    async def search_titles(self, fts_query: str, limit: int) -> list[ArticleEntry]:
        """Articles ranked by an FTS5 match of ``fts_query`` (already quoted by the caller)."""
        try:
            rows = await self._fetch(
                f"SELECT {_ENTRY_COLUMNS_A} FROM articles_fts "
                "JOIN articles a ON a.rowid = articles_fts.rowid "
                "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 10.0, 2.0, 2.0, 1.0) LIMIT ?",
                (fts_query, limit),
            )
        except sqlite3.OperationalError:
            log.debug("suggestion search failed for %r", fts_query, exc_info=True)
            return []
        return [_entry(r) for r in rows]

    async def search(
        self, match: str | Sequence[str], limit: int, *, weights: Sequence[float] = (2.0, 2.0, 2.0, 1.0)
    ) -> list[SearchHit]:
        """Articles matching any of some FTS5 terms (built by :mod:`bot.news.query`), best first.

        ``match`` is the list of terms (each a quoted FTS5 string), OR-ed; a single
        FTS5 query string is searched as it is. Ranked by BM25 with ``weights``
        for the title, topics, lead and body columns. Scoring every article a
        common word matches costs a few microseconds each (a third of a second
        for "said" at 100,000 articles), so a search of several terms is made in
        two stages when some are common (:meth:`_ranked`, docs/search.md). The
        hits come without snippets (they cost a tokenization of the body each):
        :meth:`snippets` makes them for the hits on show.
        """
        bm25 = "bm25(articles_fts, " + ", ".join(f"{float(w):.3f}" for w in weights) + ")"
        if isinstance(match, str):
            ranked = await self._bm25(match, limit, bm25)
        else:
            ranked = await self._ranked(list(match), limit, bm25) if match else []
        if not ranked:
            return []
        marks = ",".join("?" * len(ranked))
        rows = await self._fetch(
            f"SELECT rowid, {_ENTRY_COLUMNS} FROM articles WHERE rowid IN ({marks})",
            [rowid for rowid, _ in ranked],
        )
        entries = {r["rowid"]: _entry(r) for r in rows}
        return [SearchHit(entries[rowid], score, "") for rowid, score in ranked if rowid in entries]

    async def _bm25(
        self, match: str, limit: int, bm25: str, among: Sequence[int] = ()
    ) -> list[tuple[int, float]]:
        """(rowid, score) of the best ``limit`` matches of ``match``; only rows ``among`` when given.

        ``+rowid IN`` keeps FTS5 from taking the rowids as look-ups: each would
        start the query again, counting every term's articles for BM25 again.
        FTS5 does take the range of the rowids, so that the match is read only
        there (the newest articles, for :meth:`_common`).
        """
        among_sql = (
            f" AND rowid BETWEEN {int(min(among))} AND {int(max(among))}"
            f" AND +rowid IN ({','.join(str(int(r)) for r in among)})"
            if among else ""
        )
        rows = await self._fetch(
            f"SELECT rowid, {bm25} AS score FROM articles_fts WHERE articles_fts MATCH ?{among_sql} "
            "ORDER BY score LIMIT ?",
            (match, limit),
        )
        return [(r["rowid"], -float(r["score"])) for r in rows]

    async def _ranked(self, terms: list[str], limit: int, bm25: str) -> list[tuple[int, float]]:
        """(rowid, score) of the best ``limit`` articles matching any of ``terms``, best first.

        Each term's number of articles is estimated from its first
        SEARCH_PROBE matches (cheap); terms in more than SEARCH_DROP_SHARE of
        the corpus are left out (FTS5's BM25 gives a word in more than half the
        articles an IDF of 1e-6: nothing); the rarest terms, as long as they
        match at most SEARCH_BUDGET articles together, are ranked by BM25 over
        all their matches (when that is every term, that is all), and the best
        ``candidates`` of those are scored again with every term (the exact BM25
        of the whole query for them). When every term is common, or the rare
        ones match fewer than ``limit`` articles, :meth:`_common` finds the rest.
        """
        probe = " UNION ALL ".join(
            f"SELECT {i} AS term, count(*) AS n, max(rowid) AS last FROM "
            "(SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)"
            for i in range(len(terms))
        )
        rows = await self._fetch(
            f"SELECT -1 AS term, 0 AS n, max(rowid) AS last FROM articles UNION ALL {probe}",
            [p for t in terms for p in (t, SEARCH_PROBE)],
        )
        size = max([int(r["last"] or 0) for r in rows if r["term"] < 0] + [1])
        found: list[tuple[float, int, str]] = []
        for r in (r for r in rows if r["term"] >= 0):
            n, last = int(r["n"]), int(r["last"] or 0)
            # Fewer than SEARCH_PROBE: exact; else extrapolated from how far in rowids the probe got.
            df = float(n) if n < SEARCH_PROBE else min(float(size), n * size / max(last, 1))
            found.append((df, int(r["term"]), terms[int(r["term"])]))
        found.sort()
        kept = [f for f in found if f[0] <= SEARCH_DROP_SHARE * size] or found[:1]
        rare: list[str] = []
        common: list[str] = []
        used = 0.0
        for df, _, term in kept:
            if not common and used + df <= SEARCH_BUDGET:
                rare.append(term)
                used += df
            else:
                common.append(term)
        if not common:
            return await self._bm25(" OR ".join(rare), limit, bm25)
        candidates = max(SEARCH_CANDIDATES, 2 * limit)
        scores: dict[int, float] = {}
        if rare:
            anchor = " OR ".join(rare)
            scores = dict(await self._bm25(anchor, candidates, bm25))
            if scores:
                # Rows with a common term get the BM25 of every term; the others keep
                # the rare terms' (the same thing for them).
                scores.update(await self._bm25(
                    f"({anchor}) AND ({' OR '.join(common)})", candidates, bm25, list(scores)
                ))
            if len(scores) >= limit:
                return sorted(scores.items(), key=lambda s: -s[1])[:limit]
            # Fewer than ``limit`` articles have a rare term (all of them are in ``scores``):
            # the rest have only common terms, and are found as if the query had only those.
        more = await self._common(common, limit, candidates, bm25, set(scores))
        return sorted([*scores.items(), *more], key=lambda s: -s[1])[:limit]

    async def _common(
        self, words: list[str], limit: int, candidates: int, bm25: str, exclude: set[int]
    ) -> list[tuple[int, float]]:
        """The best of the newest ``candidates`` articles with all common ``words``, or some.

        Looked for in order: every word in the title, topics or lead; every word
        anywhere; any word. Every candidate of the first two has every word, so
        the BM25 of the AND of the words is that of the query for them.
        """
        every, any_ = " AND ".join(words), " OR ".join(words)
        found: list[int] = []
        seen = set(exclude)
        for match in ("{title topics lead} : (" + every + ")", every, any_):
            more = await self._fetch(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
                (match, candidates + len(exclude)),
            )
            for r in more:
                if r["rowid"] not in seen:
                    seen.add(r["rowid"])
                    found.append(r["rowid"])
            if len(found) >= limit and match != any_:
                return await self._bm25(every, limit, bm25, found)
        return await self._bm25(any_, limit, bm25, found) if found else []

    async def snippets(self, match: str, article_ids: Sequence[str]) -> dict[str, str]:
        """A snippet of each article's body around the words of ``match``, marked."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = await self._fetch(
            f"SELECT a.id, snippet(articles_fts, 3, '{MARK_START}', '{MARK_END}', '…', 24) AS snip "
            "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
            f"WHERE articles_fts MATCH ? AND articles_fts.rowid IN "
            f"(SELECT rowid FROM articles WHERE id IN ({marks}))",
            (match, *article_ids),
        )
        return {r["id"]: r["snip"] for r in rows}

    async def sentences_of(self, article_ids: Sequence[str]) -> dict[str, list[tuple[int, int, str]]]:
        """The sentences of some articles, by id, each with its (paragraph, sentence)."""
        out: dict[str, list[tuple[int, int, str]]] = {i: [] for i in article_ids}
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            async with self._reader.execute(
                f"SELECT article_id, paragraph, sentence, text FROM sentences WHERE article_id IN ({marks}) "
                "ORDER BY article_id, paragraph, sentence",
                chunk,
            ) as cur:
                for r in await cur.fetchall():
                    out[r["article_id"]].append((r["paragraph"], r["sentence"], r["text"]))
        return out

    async def top_topics(self, limit: int, offset: int = 0) -> list[TopicCount]:
        """The corpus's most covered topics, with their article counts."""
        rows = await self._fetch(
            "SELECT topic, topic_key, articles FROM topic_counts ORDER BY articles DESC, topic_key "
            "LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [TopicCount(r["topic"], r["topic_key"], r["articles"]) for r in rows]

    async def count_topics(self) -> int:
        _rows = await self._fetch("SELECT count(*) FROM topic_counts")
        row = _rows[0] if _rows else None
        return int(row[0]) if row else 0

    async def find_topics(self, key_fragment: str, limit: int) -> list[TopicCount]:
        """Topics whose key starts with, then has a word that starts with, ``key_fragment``.

        Most covered first within each group. The first group comes from the
        primary key's order; the second (a scan) runs only to fill up the list.
        """
        rows = await self._fetch(
            "SELECT topic, topic_key, articles FROM topic_counts WHERE topic_key >= ? AND topic_key < ? "
            "ORDER BY articles DESC, topic_key LIMIT ?",
            (key_fragment, key_fragment + "\U0010ffff", limit),
        )
        found = [TopicCount(r["topic"], r["topic_key"], r["articles"]) for r in rows]
        if len(found) < limit and key_fragment:
            rows = await self._fetch(
                "SELECT topic, topic_key, articles FROM topic_counts WHERE topic_key LIKE ? ESCAPE '\\' "
                "ORDER BY articles DESC, topic_key LIMIT ?",
                (f"% {_like_escape(key_fragment)}%", limit - len(found)),
            )
            found += [TopicCount(r["topic"], r["topic_key"], r["articles"]) for r in rows]
        return found

    async def article_topics(self, article_id: str) -> tuple[str, ...]:
        rows = await self._fetch(
            "SELECT topic FROM article_topics WHERE article_id = ? ORDER BY rank", (article_id,)
        )
        return tuple(r["topic"] for r in rows)

    async def quotes_of(self, article_id: str) -> list[Quote]:
        rows = await self._fetch(
            "SELECT text, speaker, paragraph, start, end FROM quotes WHERE article_id = ? "
            "ORDER BY position",
            (article_id,),
        )
        return [Quote(r["text"], r["speaker"], r["paragraph"], r["start"], r["end"]) for r in rows]

    async def quotes_by_speaker(
        self, key: str, limit: int, offset: int = 0
    ) -> tuple[list[QuoteInArticle], int]:
        """Quotes whose speaker's full name or surname has this key: newest article first."""
        where = "(q.speaker_key = ? OR q.surname_key = ?)"
        _rows = await self._fetch(
            f"SELECT count(*) FROM quotes q WHERE {where}", (key, key)
        )
        row = _rows[0] if _rows else None
        total = int(row[0]) if row else 0
        rows = await self._fetch(
            f"SELECT {_ENTRY_COLUMNS_A}, q.text AS qtext, q.speaker, q.paragraph, q.start, q.end "
            f"FROM quotes q JOIN articles a ON a.id = q.article_id WHERE {where} "
            "ORDER BY a.published IS NULL, a.published DESC, a.added_at DESC, a.id, q.position "
            "LIMIT ? OFFSET ?",
            (key, key, limit, offset),
        )
        return [
            QuoteInArticle(_entry(r), Quote(r["qtext"], r["speaker"], r["paragraph"], r["start"], r["end"]))
            for r in rows
        ], total

    async def speakers(self, key_fragment: str, limit: int) -> list[SpeakerCount]:
        """Speakers whose name or surname starts with ``key_fragment``; most quoted first."""
        if not key_fragment:
            rows = await self._fetch(
                "SELECT speaker, quotes FROM speaker_counts ORDER BY quotes DESC, speaker_key LIMIT ?",
                (limit,),
            )
        else:
            end = key_fragment + "\U0010ffff"
            rows = await self._fetch(
                "SELECT speaker, quotes, speaker_key FROM speaker_counts "
                "WHERE speaker_key >= ? AND speaker_key < ? "
                "UNION SELECT speaker, quotes, speaker_key FROM speaker_counts "
                "WHERE surname_key >= ? AND surname_key < ? "
                "ORDER BY quotes DESC, speaker_key LIMIT ?",
                (key_fragment, end, key_fragment, end, limit),
            )
        return [SpeakerCount(r["speaker"], r["quotes"]) for r in rows]

    async def article(self, article_id: str) -> Article | None:
        """The whole article, rebuilt from its stored sentences."""
        _rows = await self._fetch(
            "SELECT * FROM articles WHERE id = ?", (article_id,)
        )
        row = _rows[0] if _rows else None
        if row is None:
            return None
        srows = await self._fetch(
            "SELECT paragraph, text FROM sentences WHERE article_id = ? "
            "ORDER BY paragraph, sentence",
            (article_id,),
        )
        paragraphs: list[list[str]] = []
        for r in srows:
            while len(paragraphs) <= r["paragraph"]:
                paragraphs.append([])
            paragraphs[r["paragraph"]].append(r["text"])
        prows = await self._fetch(
            "SELECT text FROM publisher_takeaways WHERE article_id = ? ORDER BY position",
            (article_id,),
        )
        place = row["dateline_place"]
        return Article(
            id=row["id"],
            title=row["title"],
            paragraphs=tuple(tuple(p) for p in paragraphs),
            sha256=row["sha256"],
            source=row["source"],
            dateline=Dateline(place, row["dateline_date"]) if place else None,
            date=row["published"],
            url=row["url"],
            publisher_takeaways=tuple(r["text"] for r in prows),
            synopsis=row["synopsis"],
        )

    async def paragraph_count(self, article_id: str) -> int:
        _rows = await self._fetch(
            "SELECT max(paragraph) + 1 FROM sentences WHERE article_id = ?", (article_id,)
        )
        row = _rows[0] if _rows else None
        return int(row[0] or 0) if row else 0

    async def publisher_takeaways(self, article_id: str) -> tuple[str, ...]:
        rows = await self._fetch(
            "SELECT text FROM publisher_takeaways WHERE article_id = ? ORDER BY position",
            (article_id,),
        )
        return tuple(r["text"] for r in rows)

    async def takeaways(self, article_id: str, count: int) -> tuple[Takeaway, ...]:
        """The ``count`` best generated takeaways, best first."""
        rows = await self._fetch(
            "SELECT s.text, t.paragraph, t.sentence FROM takeaways t "
            "JOIN sentences s ON s.article_id = t.article_id AND s.paragraph = t.paragraph "
            "AND s.sentence = t.sentence WHERE t.article_id = ? ORDER BY t.rank LIMIT ?",
            (article_id, count),
        )
        return tuple(Takeaway(r["text"], r["paragraph"], r["sentence"]) for r in rows)

    async def cached_summary(
        self, article_id: str, algorithm: str, count: int
    ) -> tuple[Takeaway, ...] | None:
        _rows = await self._fetch(
            "SELECT positions FROM summaries WHERE article_id = ? AND algorithm = ? AND count = ?",
            (article_id, algorithm, count),
        )
        row = _rows[0] if _rows else None
        if row is None:
            return None
        wanted = [tuple(p) for p in json.loads(row["positions"])]
        out = []
        for p, s in wanted:
            _rows = await self._fetch(
                "SELECT text FROM sentences WHERE article_id = ? AND paragraph = ? AND sentence = ?",
                (article_id, p, s),
            )
            srow = _rows[0] if _rows else None
            if srow is None:
                return None
            out.append(Takeaway(srow["text"], p, s))
        return tuple(out)
