"""Settings: one object, read from ``.env`` (python-dotenv) and then the environment.

This is the only module that reads the environment. A bad value raises
:class:`ConfigError`, whose message names the setting and what it accepts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

SUMMARY_ALGORITHMS = (
    "brief",
    "lexrank",
    "lsa",
    "textrank",
    "luhn",
    "edmundson",
    "kl",
    "sumbasic",
    "reduction",
)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_SHARDS = 10_000


class ConfigError(ValueError):
    """A setting has a value Brief cannot use."""

    def __init__(self, name: str, value: str, accepts: str) -> None:
        shown = value if len(value) <= 60 else value[:57] + "..."
        super().__init__(f"setting {name}={shown!r} is not valid: {accepts}")
        self.name = name


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything Brief can be told from outside. Each field is one documented setting."""

    discord_token: str | None = field(default=None, repr=False)
    seeds_dir: Path = Path("seeds")
    database_path: Path = Path("data/brief.sqlite3")
    summary_algorithm: str = "brief"
    takeaway_count: int = 3
    log_level: str = "INFO"
    max_article_bytes: int = 2_000_000
    workers: int = 0  # 0: one worker process per CPU core
    dev_guild_id: int | None = None
    admin_user_ids: frozenset[int] = frozenset()
    digest_channel_id: int | None = None
    digest_time: time = time(9, 0)
    digest_timezone: str = "UTC"
    digest_max: int = 5
    shard_count: int | Literal["auto"] | None = None  # None: not sharded (a plain Bot)
    shard_ids: tuple[int, ...] | None = None  # None: every shard of shard_count

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    @property
    def sharded(self) -> bool:
        """Run as an ``AutoShardedBot`` (SHARD_COUNT is set)."""
        return self.shard_count is not None


def _int(name: str, raw: str, lo: int, hi: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        value = lo - 1
    if not lo <= value <= hi:
        raise ConfigError(name, raw, f"a whole number from {lo} to {hi}")
    return value


def _snowflake(name: str, raw: str) -> int:
    if not re.fullmatch(r"\d{15,21}", raw.strip()):
        raise ConfigError(name, raw, "a Discord id (15 to 21 digits; copy it with Developer Mode on)")
    return int(raw.strip())


def _clock(name: str, raw: str) -> time:
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw.strip())
    if not m:
        raise ConfigError(name, raw, "a time of day as HH:MM, 24-hour, e.g. 09:00")
    return time(int(m[1]), int(m[2]))


def _zone(name: str, raw: str) -> str:
    try:
        ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(name, raw, "an IANA time zone name such as UTC or Europe/Paris") from None
    return raw.strip()


def _shard_count(raw: str) -> int | Literal["auto"]:
    if raw.strip().lower() == "auto":
        return "auto"
    if not re.fullmatch(r"\d+", raw.strip()) or not 1 <= int(raw.strip()) <= MAX_SHARDS:
        raise ConfigError(
            "SHARD_COUNT", raw, f"auto, or a whole number from 1 to {MAX_SHARDS} (empty: not sharded)"
        )
    return int(raw.strip())


def _shard_ids(raw: str, count: int | Literal["auto"] | None) -> tuple[int, ...]:
    if not isinstance(count, int):
        raise ConfigError("SHARD_IDS", raw, "shard ids need a numeric SHARD_COUNT (not empty, not auto)")
    parts = [part for part in re.split(r"[,\s]+", raw.strip()) if part]
    if not parts or not all(re.fullmatch(r"\d+", p) and int(p) < count for p in parts):
        raise ConfigError(
            "SHARD_IDS", raw, f"comma-separated shard ids, each from 0 to {count - 1} (SHARD_COUNT={count})"
        )
    return tuple(sorted({int(p) for p in parts}))


def load_settings(
    env_file: str | os.PathLike[str] | None = ".env",
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Read settings from ``env_file`` (if it exists), then the environment, which wins."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        raw = values.get(name)
        return raw if raw is not None and raw.strip() != "" else None

    kwargs: dict[str, object] = {}
    if (raw := get("DISCORD_TOKEN")) is not None:
        kwargs["discord_token"] = raw.strip()
    if (raw := get("SEEDS_DIR")) is not None:
        kwargs["seeds_dir"] = Path(raw.strip()).expanduser()
    if (raw := get("DATABASE_PATH")) is not None:
        kwargs["database_path"] = Path(raw.strip()).expanduser()
    if (raw := get("SUMMARY_ALGORITHM")) is not None:
        if raw.strip().lower() not in SUMMARY_ALGORITHMS:
            raise ConfigError("SUMMARY_ALGORITHM", raw, "one of " + ", ".join(SUMMARY_ALGORITHMS))
        kwargs["summary_algorithm"] = raw.strip().lower()
    if (raw := get("TAKEAWAY_COUNT")) is not None:
        kwargs["takeaway_count"] = _int("TAKEAWAY_COUNT", raw, 1, 10)
    if (raw := get("LOG_LEVEL")) is not None:
        if raw.strip().upper() not in LOG_LEVELS:
            raise ConfigError("LOG_LEVEL", raw, "one of " + ", ".join(LOG_LEVELS))
        kwargs["log_level"] = raw.strip().upper()
    if (raw := get("MAX_ARTICLE_BYTES")) is not None:
        kwargs["max_article_bytes"] = _int("MAX_ARTICLE_BYTES", raw, 1_000, 1_000_000_000)
    if (raw := get("WORKERS")) is not None:
        kwargs["workers"] = _int("WORKERS", raw, 0, 256)
    if (raw := get("DEV_GUILD_ID")) is not None:
        kwargs["dev_guild_id"] = _snowflake("DEV_GUILD_ID", raw)
    if (raw := get("ADMIN_USER_IDS")) is not None:
        ids = [part for part in re.split(r"[,\s]+", raw.strip()) if part]
        kwargs["admin_user_ids"] = frozenset(_snowflake("ADMIN_USER_IDS", part) for part in ids)
    if (raw := get("DIGEST_CHANNEL_ID")) is not None:
        kwargs["digest_channel_id"] = _snowflake("DIGEST_CHANNEL_ID", raw)
    if (raw := get("DIGEST_TIME")) is not None:
        kwargs["digest_time"] = _clock("DIGEST_TIME", raw)
    if (raw := get("DIGEST_TIMEZONE")) is not None:
        kwargs["digest_timezone"] = _zone("DIGEST_TIMEZONE", raw)
    if (raw := get("DIGEST_MAX")) is not None:
        kwargs["digest_max"] = _int("DIGEST_MAX", raw, 1, 10)
    if (raw := get("SHARD_COUNT")) is not None:
        kwargs["shard_count"] = _shard_count(raw)
    if (raw := get("SHARD_IDS")) is not None:
        kwargs["shard_ids"] = _shard_ids(raw, kwargs.get("shard_count"))  # type: ignore[arg-type]
    return Settings(**kwargs)  # type: ignore[arg-type]
