"""Run a bot in this process against a bench's emulator (bench code only).

``bench/restart.py`` and ``bench/latency.py`` start ``python bench/_bot_runner.py``
with ``BRIEF_BENCH_API`` (discord.py's ``Route.BASE``) and ``BRIEF_BENCH_GATEWAY``
(``DiscordWebSocket.DEFAULT_GATEWAY``) pointing at their emulator, and Brief's
settings in the environment (DISCORD_TOKEN, DATABASE_PATH, SEEDS_DIR...). It
patches those two discord.py constants, then runs the bot exactly as
``brief run`` does (:func:`bot.launcher.serve`: SIGTERM closes it cleanly),
and prints ``EVENT <name> <time.monotonic()>`` lines on stdout for the bench:
``imported`` (discord.py and Brief imported), ``setup_hook`` (store opened,
cogs loaded, commands checked) and ``on_ready``. (``time.monotonic()`` is the
same clock in every process of the machine.)

Options, from the environment:

* ``BRIEF_BENCH_TICKS=PATH``: a 10 ms ticker runs on the bot's event loop from
  setup_hook on; at exit, one line per tick is written to PATH:
  ``<asked at> <woke at> <lag>`` (seconds; lag = how much later than asked
  the 10 ms sleep woke).
* ``SIGUSR1``: starts ``bot.service.reload()`` (SEEDS_DIR) in the bot process;
  prints ``EVENT reload_start``, then ``EVENT reload_done`` and
  ``REPORT <counts>``.
* ``BRIEF_BENCH_NAIVE=DB``: run the naive bot of ``bench/_naive_bot.py`` over
  database DB instead of Brief (it syncs its commands at start).
* ``BRIEF_BENCH_SLOW_MS=N``: asyncio debug mode, logging every callback that
  holds the event loop longer than N ms (diagnosis only: debug mode is slower).
"""

from __future__ import annotations

import time

STARTED = time.monotonic()

import asyncio  # noqa: E402
import contextlib  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def event(name: str) -> None:
    print(f"EVENT {name} {time.monotonic():.6f}", flush=True)


class Ticker:
    """Sleeps 10 ms in a loop and records how much later than asked it woke; also times GC passes."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float, float]] = []  # (asked at, woke at, lag in seconds)
        self.collections: list[tuple[float, int, float]] = []  # (started at, generation, seconds)
        self._task: asyncio.Task[None] | None = None
        self._gc_started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.monotonic()
        else:
            took = time.monotonic() - self._gc_started
            self.collections.append((self._gc_started, info["generation"], took))

    async def _run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.010)
            after = time.monotonic()
            self.samples.append((before, after, after - before - 0.010))

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def write(self, path: Path) -> None:
        if self._task is not None:
            self._task.cancel()
        path.write_text("".join(f"{a:.6f} {b:.6f} {lag:.6f}\n" for a, b, lag in self.samples))
        Path(f"{path}.gc").write_text("".join(f"{a:.6f} {g} {d:.6f}\n" for a, g, d in self.collections))


def die_with_parent() -> None:
    """Get SIGTERM when the bench process dies (Linux), so a killed bench leaves no bot behind."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def main() -> None:
    die_with_parent()
    import discord.gateway
    import discord.http
    import yarl

    import bot.client
    from bot import launcher
    from bot.config import load_settings

    discord.http.Route.BASE = os.environ["BRIEF_BENCH_API"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["BRIEF_BENCH_GATEWAY"])
    event("imported")

    ticks = os.environ.get("BRIEF_BENCH_TICKS")
    ticker = Ticker() if ticks else None
    make_bot = bot.client.make_bot
    reloads: list[asyncio.Task[None]] = []

    def timed_bot(settings: Any, **options: Any) -> Any:
        if naive_db := os.environ.get("BRIEF_BENCH_NAIVE"):
            from _naive_bot import NaiveBot

            brief: Any = NaiveBot(Path(naive_db))
        else:
            brief = make_bot(settings, **options)
        setup_hook = brief.setup_hook

        async def timed_setup_hook() -> None:
            loop = asyncio.get_running_loop()
            if slow := os.environ.get("BRIEF_BENCH_SLOW_MS"):
                loop.set_debug(True)
                loop.slow_callback_duration = int(slow) / 1000
            await setup_hook()
            if ticker is not None:
                ticker.start()
            loop.add_signal_handler(signal.SIGUSR1, start_reload)
            event("setup_hook")

        async def reload() -> None:
            event("reload_start")
            report = await brief.service.reload()
            event("reload_done")
            print(f"REPORT {report.counts()}", flush=True)

        def start_reload() -> None:
            reloads.append(asyncio.get_running_loop().create_task(reload()))

        async def on_ready() -> None:
            event("on_ready")

        brief.setup_hook = timed_setup_hook
        brief.add_listener(on_ready, "on_ready")
        return brief

    bot.client.make_bot = timed_bot  # serve() imports it from bot.client when it runs
    settings = load_settings(None)
    launcher.setup_logging(settings)
    try:
        asyncio.run(launcher.serve(settings))
    finally:
        for task in reloads:
            with contextlib.suppress(Exception):
                task.cancel()
        if ticker is not None and ticks:
            ticker.write(Path(ticks))


if __name__ == "__main__":
    main()
