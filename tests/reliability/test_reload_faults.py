"""Faults during a reload, and a database that cannot be used at start.

A crash at any step of a reload (parse, analysis, each write, the commit) leaves the previous corpus
whole, and the next reload completes the work. Two reloads at once: the second is refused with a
message. A locked, read-only or damaged database is refused at start with a message that says which.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

import bot.news.analyze as analyze_module
from bot.__main__ import main
from bot.errors import ReloadInProgress
from bot.service import Service
from bot.storage import store as store_module
from bot.storage.store import Store, StoreError, Writer
from tests.conftest import fixture_text
from tests.helpers import build_template

LIBRARY = fixture_text("town_library.txt")
HARBOR = fixture_text("harbor_ferry.txt")
RAIL = fixture_text("rail_safety.txt")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two articles, ``library`` and ``harbor``, loaded once for the module."""
    files = {"library.txt": LIBRARY, "harbor.txt": HARBOR}
    return build_template(tmp_path_factory.mktemp("faults-template"), files)


@pytest.fixture
def loaded(template: Path, settings: Any) -> Any:
    """SEEDS_DIR and database as the template left them; then a change of each kind in SEEDS_DIR:
    ``library`` edited, ``rail`` new, ``harbor`` deleted (its file is not copied)."""
    settings.database_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template / "db" / "brief.sqlite3", settings.database_path)
    (settings.seeds_dir / "library.txt").write_text(LIBRARY + "\nA late line: the board met again.",
                                                    encoding="utf-8")
    (settings.seeds_dir / "rail.txt").write_text(RAIL, encoding="utf-8")
    return settings


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(db)
    try:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("articles", "sentences", "takeaways", "article_topics", "topic_counts", "quotes")
        }
    finally:
        con.close()


class Crash(Exception):
    pass


def crash(*args: Any, **kwargs: Any) -> Any:
    raise Crash("injected")


async def acrash(*args: Any, **kwargs: Any) -> Any:
    raise Crash("injected")


def _crash_at_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    real = aiosqlite.Connection.execute

    def execute(self: aiosqlite.Connection, sql: str, *args: Any) -> Any:
        if sql == "COMMIT":
            raise Crash("injected at COMMIT")
        return real(self, sql, *args)

    monkeypatch.setattr(aiosqlite.Connection, "execute", execute)


STEPS = {
    "parse": lambda mp: mp.setattr(analyze_module, "parse_bytes", crash),
    "analysis": lambda mp: mp.setattr(analyze_module, "extract_topics", crash),
    "write: upsert": lambda mp: mp.setattr(Writer, "upsert_many", acrash),
    "write: delete": lambda mp: mp.setattr(Writer, "delete", acrash),
    "write: topic recount": lambda mp: mp.setattr(Writer, "refresh_topic_counts", acrash),
    "commit": _crash_at_commit,
}


@pytest.mark.parametrize("step", list(STEPS))
async def test_a_crash_at_each_step_of_a_reload_leaves_the_previous_corpus_whole(
    loaded: Any, make_service: Any, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    before = snapshot(loaded.database_path)
    service = await make_service(threads=True)  # in-process workers, so the crash can be injected
    STEPS[step](monkeypatch)
    with pytest.raises(Crash):
        await service.reload()
    monkeypatch.undo()
    assert not service.reloading
    assert snapshot(loaded.database_path) == before
    assert await service.store.count_articles() == 2  # the reader sees the old corpus too

    report = await service.reload()
    assert (report.added, report.updated, report.removed) == (["rail"], ["library"], ["harbor"])
    after = snapshot(loaded.database_path)
    assert [row[0] for row in after["articles"]] == ["library", "rail"]
    assert any("the board met again" in row[12] for row in after["articles"])


async def test_a_reload_while_another_process_writes_is_refused_with_a_message(
    loaded: Any, make_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 50)
    service = await make_service()
    before = snapshot(loaded.database_path)
    other = sqlite3.connect(loaded.database_path, isolation_level=None)  # e.g. `brief reload` beside the bot
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(ReloadInProgress, match="Another program is writing"):
            await service.reload()
        assert not service.reloading
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert snapshot(loaded.database_path) == before
    report = await service.reload()
    assert (report.added, report.updated) == (["rail"], ["library"])


async def test_two_reloads_at_once_in_one_process_the_second_refused_and_the_corpus_correct(
    loaded: Any, make_service: Any
) -> None:
    service = await make_service()
    first = asyncio.create_task(service.reload())
    await asyncio.sleep(0)
    with pytest.raises(ReloadInProgress, match="already running"):
        await service.reload()
    report = await first
    assert (report.added, report.updated) == (["rail"], ["library"])
    assert report.removed == ["harbor"]
    assert (await service.reload()).unchanged == ["library", "rail"]


async def test_a_dead_worker_process_does_not_break_later_reloads(loaded: Any) -> None:
    import os

    store = await Store.open(loaded.database_path)
    service = Service(store, loaded)  # a pool of its own (not the session's), which it may replace
    try:
        pool = service.executor()
        with pytest.raises(Exception, match="abruptly"):
            pool.submit(os._exit, 1).result()  # a worker killed (out of memory, a signal)
        report = await service.reload()
        assert (report.added, report.updated) == (["rail"], ["library"])
        assert service.executor() is not pool
    finally:
        await service.close()
        await store.close()


# -- the database at start ---------------------------------------------------------------------------


async def test_a_locked_database_is_refused_at_start_with_a_message(
    loaded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 50)
    other = sqlite3.connect(loaded.database_path, isolation_level=None)
    try:
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("CREATE TABLE held (x)")  # holds the exclusive lock: no one else may even read
        with pytest.raises(StoreError, match="locked by another program"):
            await Store.open(loaded.database_path)
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_a_database_being_written_by_another_process_still_opens_for_reading(
    loaded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 50)
    other = sqlite3.connect(loaded.database_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # a reload running in the bot: `brief list` still works
        store = await Store.open(loaded.database_path)
        try:
            assert await store.count_articles() == 2
        finally:
            await store.close()
    finally:
        other.execute("ROLLBACK")
        other.close()


def _read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open every connection read-only, as SQLite does (without a word) when the OS refuses writes.

    Tests run as root, which writes through chmod 444; SQLite's own ``mode=ro`` is the same state.
    """
    real = aiosqlite.connect

    def connect(path: Any, **kwargs: Any) -> Any:
        return real(f"file:{path}?mode=ro", uri=True, **kwargs)

    monkeypatch.setattr(store_module.aiosqlite, "connect", connect)


async def test_a_read_only_database_is_refused_at_start_not_at_the_first_reload(
    loaded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _read_only(monkeypatch)
    with pytest.raises(StoreError, match="read-only") as info:
        await Store.open(loaded.database_path)
    assert "DATABASE_PATH" in str(info.value)


@pytest.mark.parametrize("where", ["header", "middle", "end"])
async def test_a_damaged_database_is_refused_at_start_never_a_silent_empty_corpus(
    loaded: Any, where: str
) -> None:
    db = loaded.database_path
    data = bytearray(db.read_bytes())
    at = {"header": 0, "middle": len(data) // 2 // 4096 * 4096, "end": len(data) - 4096}[where]
    data[at : at + 4096] = bytes((i * 37) % 251 for i in range(4096))
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError) as info:
        await Store.open(db)
    message = str(info.value)
    assert str(db) in message
    assert "move it away" in message and "brief reload" in message


@pytest.mark.parametrize("problem", ["damaged", "read-only", "locked"])
def test_brief_exits_1_with_the_message_for_an_unusable_database(
    loaded: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], problem: str
) -> None:
    db = loaded.database_path
    other = None
    if problem == "damaged":
        db.write_bytes(b"\x00garbage" * 2000)
    elif problem == "read-only":
        _read_only(monkeypatch)
    else:
        monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 50)
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("CREATE TABLE held (x)")
    try:
        code = main(["--env-file", str(loaded.seeds_dir / "none.env"), "--database", str(db),
                     "--seeds", str(loaded.seeds_dir), "list"])
    finally:
        if other is not None:
            other.execute("ROLLBACK")
            other.close()
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("brief: ") and str(db) in err and "Traceback" not in err
    assert {"damaged": "brief reload", "read-only": "read-only", "locked": "locked"}[problem] in err
