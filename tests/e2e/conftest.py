"""Fixtures for end-to-end tests against the local Discord emulator.

* ``emulator``: a started :class:`DiscordEmulator` with discord.py pointed at it
  (``Route.BASE`` / ``DEFAULT_GATEWAY`` restored afterwards).  At teardown it
  fails the test if an unknown route was hit or an emulator handler raised.
  Override the ``emulator_options`` fixture (a dict of ``DiscordEmulator``
  keyword arguments) in a module or class to configure it.
* ``run_bot``: ``runner = await run_bot(bot)`` logs any ``discord.Client`` /
  ``commands.Bot`` in, runs ``connect()`` as a watched task and waits until
  ready; at teardown every started bot is closed, a crash of its connect task
  is re-raised and collected errors (tree ``on_error``, ``on_error``, ERROR logs
  of discord.py) fail the test.  Keyword arguments go to
  :func:`tests.e2e.emulator.start_bot`.

These fixtures are generic: they never import the Brief bot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord
import pytest

from tests.e2e.emulator import BotRunner, DiscordEmulator, point_discord_at, start_bot


@pytest.fixture
def emulator_options() -> dict[str, Any]:
    """Keyword arguments for :class:`DiscordEmulator`; override to configure."""
    return {}


@pytest.fixture
async def emulator(emulator_options: dict[str, Any]) -> AsyncIterator[DiscordEmulator]:
    """A started emulator, discord.py pointed at it for the test's duration."""
    async with DiscordEmulator(**emulator_options) as emu:
        with point_discord_at(emu):
            yield emu
    problems = []
    if emu.unknown_routes:
        problems.append(f"unknown routes hit: {emu.unknown_routes!r}")
    if emu.errors:
        problems.append(f"emulator handler errors: {emu.errors!r}")
    if problems:
        pytest.fail("; ".join(problems))


@pytest.fixture
async def run_bot(
    emulator: DiscordEmulator,
) -> AsyncIterator[Callable[..., Awaitable[BotRunner]]]:
    """Factory: ``runner = await run_bot(bot, reconnect=True, ...)``."""
    runners: list[BotRunner] = []

    async def _run(bot: discord.Client, **kwargs: Any) -> BotRunner:
        runner = await start_bot(emulator, bot, **kwargs)
        runners.append(runner)
        return runner

    yield _run

    failures: list[str] = []
    for runner in runners:
        try:
            await runner.stop()
        except Exception as exc:  # the connect task crashed
            failures.append(f"bot.connect() crashed: {exc!r}")
        errors = runner.take_errors()
        if errors:
            failures.append(f"bot reported {len(errors)} error(s): {errors!r}")
    if failures:
        pytest.fail("\n".join(failures))
