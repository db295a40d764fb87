"""`brief run`: no token, a refused token, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path

import discord
import pytest

from bot import launcher
from bot.__main__ import main
from bot.config import load_settings
from tests.e2e.emulator import DiscordEmulator

TOKEN = "emulator-bot-token"


def settings_in(tmp_path: Path, token: str | None = TOKEN):  # type: ignore[no-untyped-def]
    (tmp_path / "seeds").mkdir(exist_ok=True)
    env = {"DATABASE_PATH": str(tmp_path / "brief.sqlite3"), "SEEDS_DIR": str(tmp_path / "seeds"),
           "WORKERS": "1"}
    if token:
        env["DISCORD_TOKEN"] = token
    return load_settings(None, environ=env)


def test_run_without_token_exits_2_and_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["--env-file", str(tmp_path / "none.env"), "run"]) == 2
    err = capsys.readouterr().err
    assert "no Discord token" in err
    assert "cp .env.example .env" in err
    assert "discord.com/developers/applications" in err
    assert "brief takeaways" in err  # how to try it from the terminal instead


async def test_refused_token_is_a_clear_message_and_never_logged(
    emulator: DiscordEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "MTIz.secret-token-value.xyz"
    emulator.inject_fault("GET", "/users/@me", 401, body={"message": "401: Unauthorized", "code": 0})
    caplog.set_level(logging.DEBUG)
    with pytest.raises(discord.LoginFailure):
        await launcher.serve(settings_in(tmp_path, secret))
    assert secret not in caplog.text


def test_run_turns_login_failure_into_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(settings: object) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(launcher, "serve", refused)
    monkeypatch.setattr(launcher, "setup_logging", lambda settings: None)
    assert launcher.run(settings_in(tmp_path)) == 1
    err = capsys.readouterr().err
    assert "refused the token" in err and "Reset Token" in err
    assert "Traceback" not in err


def test_token_is_redacted_from_log_lines() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "connecting with %s", ("tok-123",), None)
    launcher._RedactToken("tok-123").filter(record)
    assert record.getMessage() == "connecting with [token]"


async def test_sigterm_closes_gateway_workers_and_database(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    emulator.add_guild("Newsroom")
    settings = settings_in(tmp_path)
    task = asyncio.create_task(launcher.serve(settings))
    await emulator.wait_for(lambda: emulator.identify_count == 1, timeout=10, what="IDENTIFY")
    await asyncio.sleep(0.1)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, 20)
    assert task.exception() is None
    # the database was closed cleanly: the WAL was checkpointed away
    assert (tmp_path / "brief.sqlite3").exists()
    assert not (tmp_path / "brief.sqlite3-wal").exists()
