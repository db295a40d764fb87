"""What the Brief bot's end-to-end tests share: settings, a settable clock, a loaded template database.

The emulator and its fixtures (conftest.py) know nothing of Brief; this module does.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import discord

from bot.client import BriefBot
from bot.config import Settings, load_settings
from tests.helpers import build_template

__all__ = [
    "MANAGE_GUILD", "Clock", "RunBot", "build_template", "copy_template", "expected_errors", "make_settings",
]

MANAGE_GUILD = discord.Permissions(manage_guild=True).value

RunBot = Callable[..., Awaitable[Any]]


class Clock:
    """A settable clock for the bot: the digest loop reads it instead of the real time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_settings(tmp: Path, **extra: str) -> Settings:
    """Settings for a bot on the emulator, with its database and corpus under ``tmp``."""
    env = {
        "DISCORD_TOKEN": "emulator-bot-token",
        "DATABASE_PATH": str(tmp / "db" / "brief.sqlite3"),
        "SEEDS_DIR": str(tmp / "seeds"),
        "WORKERS": "1",
        **extra,
    }
    return load_settings(None, environ=env)


def copy_template(template: Path, tmp: Path) -> Path:
    """A private copy of a template's corpus and database, for one test."""
    shutil.copytree(template / "seeds", tmp / "seeds")
    (tmp / "db").mkdir()
    shutil.copy(template / "db" / "brief.sqlite3", tmp / "db" / "brief.sqlite3")
    return tmp


def expected_errors(bot: BriefBot, *kinds: type[BaseException]) -> None:
    """The app-command errors the bot's handler turned into messages are exactly these kinds."""
    errors = bot.test_runner.take_errors()  # type: ignore[attr-defined]
    found = [type(getattr(e, "original", e)) for e in errors]
    assert len(found) == len(kinds), errors
    assert all(issubclass(f, k) for f, k in zip(found, kinds, strict=True)), errors
