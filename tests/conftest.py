"""Shared fixtures for Brief's tests (core, CLI and, later, the bot).

* ``FIXTURES`` / ``fixture_text(name)``: the articles written for these tests,
  under ``tests/fixtures/articles/`` (seed-like, plain text, Markdown, CNN-style).
* ``clean_env``: removes every Brief setting from ``os.environ`` for the test,
  so that a developer's shell never leaks into a test.
* ``seeds_dir`` / ``settings``: a temporary corpus folder and database, and the
  :class:`~bot.config.Settings` pointing at them (WORKERS=1).
* ``write_article(name, text_or_bytes)``: writes a file into ``seeds_dir``
  (sub-folders are created) and returns its path.
* ``copy_fixture(name, as_name=None)``: copies one of ``FIXTURES`` into ``seeds_dir``.
* ``process_pool``: one spawned worker for the whole session, shared by the
  services the tests build (a spawn costs ~0.5 s).
* ``make_service(executor=None, threads=False, **setting_overrides)``: opens a
  Store and a Service over ``settings`` (overrides go through
  ``dataclasses.replace``); both are closed at teardown. ``executor`` defaults
  to ``process_pool``; ``threads=True`` gives the service a one-thread pool
  (shut down at teardown), for tests that monkeypatch the pool functions.
* ``service``: ``await make_service()``.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.service import Service, make_pool
from bot.storage.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_fbe23b38341c844e.txt"

# Every setting's environment name, from the Settings fields.
SETTING_NAMES = tuple(f.name.upper() for f in dataclasses.fields(Settings))


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    path = tmp_path / "seeds"
    path.mkdir()
    return path


@pytest.fixture
def settings(tmp_path: Path, seeds_dir: Path) -> Settings:
    return load_settings(
        None,
        environ={
            "SEEDS_DIR": str(seeds_dir),
            "DATABASE_PATH": str(tmp_path / "data" / "brief.sqlite3"),
            "WORKERS": "1",
        },
    )


@pytest.fixture
def write_article(seeds_dir: Path) -> Callable[[str, str | bytes], Path]:
    def _write(name: str, text: str | bytes) -> Path:
        path = seeds_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def copy_fixture(seeds_dir: Path) -> Callable[..., Path]:
    def _copy(name: str, as_name: str | None = None) -> Path:
        target = seeds_dir / (as_name or name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / name, target)
        return target

    return _copy


@pytest.fixture(scope="session")
def process_pool() -> Iterator[ProcessPoolExecutor]:
    pool = make_pool(1)
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)


MakeService = Callable[..., Awaitable[Service]]


@pytest.fixture
async def make_service(
    settings: Settings, process_pool: ProcessPoolExecutor
) -> AsyncIterator[MakeService]:
    opened: list[tuple[Store, Service]] = []
    thread_pools: list[ThreadPoolExecutor] = []

    async def _make(executor: Executor | None = None, threads: bool = False, **overrides: Any) -> Service:
        s = dataclasses.replace(settings, **overrides) if overrides else settings
        if threads:
            executor = ThreadPoolExecutor(1)
            thread_pools.append(executor)
        store = await Store.open(s.database_path)
        service = Service(store, s, executor=executor or process_pool)
        opened.append((store, service))
        return service

    yield _make
    for store, service in reversed(opened):
        await service.close()
        await store.close()
    for pool in thread_pools:
        pool.shutdown(wait=True)


@pytest.fixture
async def service(make_service: MakeService) -> Service:
    return await make_service()
