"""Helpers shared by the whole test tree."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Mapping
from pathlib import Path

from bot.config import load_settings
from bot.service import Service
from bot.storage.store import Store


def build_template(tmp: Path, files: Mapping[str, str | Path]) -> Path:
    """A corpus folder (``tmp/seeds``) and a database loaded from it (``tmp/db/brief.sqlite3``).

    ``files`` maps file names to their text or to a file to copy. Built once per
    module by a fixture, then copied by each test: loading costs a worker start.
    """
    seeds = tmp / "seeds"
    seeds.mkdir()
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copy(content, seeds / name)
        else:
            (seeds / name).write_text(content, encoding="utf-8")
    settings = load_settings(None, environ={
        "DATABASE_PATH": str(tmp / "db" / "brief.sqlite3"), "SEEDS_DIR": str(seeds), "WORKERS": "1",
    })

    async def load() -> None:
        store = await Store.open(settings.database_path)
        service = Service(store, settings)
        try:
            report = await service.reload()
            assert len(report.added) == len(files) and not report.failed, report
        finally:
            await service.close()
            await store.close()

    asyncio.run(load())
    return tmp
