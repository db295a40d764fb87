"""Run Brief's bot in this process against the emulator of bench/restart.py (bench code only).

The bench starts ``python bench/_restart_runner.py`` with ``BRIEF_BENCH_API``
(discord.py's ``Route.BASE``) and ``BRIEF_BENCH_GATEWAY``
(``DiscordWebSocket.DEFAULT_GATEWAY``) pointing at its emulator, and Brief's
settings in the environment (DISCORD_TOKEN, DATABASE_PATH, SEEDS_DIR...). It
patches those two discord.py constants, then runs the bot exactly as
``brief run`` does (:func:`bot.launcher.serve`: SIGTERM closes it cleanly),
and prints ``EVENT <name> <time.monotonic()>`` lines on stdout for the bench:
``imported`` (discord.py and Brief imported), ``setup_hook`` (store opened,
cogs loaded, commands checked) and ``on_ready``.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()

import asyncio  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402


def event(name: str) -> None:
    print(f"EVENT {name} {time.monotonic():.6f}", flush=True)


def main() -> None:
    import discord.gateway
    import discord.http
    import yarl

    import bot.client
    from bot import launcher
    from bot.config import load_settings

    discord.http.Route.BASE = os.environ["BRIEF_BENCH_API"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["BRIEF_BENCH_GATEWAY"])
    event("imported")

    make_bot = bot.client.make_bot

    def timed_bot(settings: Any, **options: Any) -> Any:
        brief = make_bot(settings, **options)
        setup_hook = brief.setup_hook

        async def timed_setup_hook() -> None:
            await setup_hook()
            event("setup_hook")

        async def on_ready() -> None:
            event("on_ready")

        brief.setup_hook = timed_setup_hook  # type: ignore[method-assign]
        brief.add_listener(on_ready, "on_ready")
        return brief

    bot.client.make_bot = timed_bot  # serve() imports it from bot.client when it runs
    settings = load_settings(None)
    launcher.setup_logging(settings)
    asyncio.run(launcher.serve(settings))


if __name__ == "__main__":
    sys.exit(main())
