"""``brief run``: logging, the token check, and running the bot until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord

from .config import Settings
from .storage.store import StoreError

log = logging.getLogger(__name__)

NO_TOKEN = """\
brief: no Discord token. To run the bot:
  1. Create an application and its bot at https://discord.com/developers/applications
     (Bot -> Reset Token, and copy the token).
  2. cp .env.example .env   and put the token after DISCORD_TOKEN=
  3. brief run
To try Brief without Discord, use the terminal commands instead, e.g.:
  brief list
  brief takeaways "peace talks"
"""


class _RedactToken(logging.Filter):
    """Belt and braces: the token never appears in a log line."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "[token]"), None
        return True


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-8s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    if settings.discord_token:
        handler.addFilter(_RedactToken(settings.discord_token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("discord.http").setLevel(max(logging.INFO, root.level))


async def serve(settings: Settings) -> None:
    """Run the bot until it is closed; SIGINT and SIGTERM close it cleanly."""
    from .client import make_bot

    assert settings.discord_token
    bot = make_bot(settings)
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []

    def stop(signame: str) -> None:
        if not stopping:
            log.info("%s received: shutting down", signame)
            stopping.append(loop.create_task(bot.close()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop, sig.name)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            pass
    try:
        async with bot:
            await bot.start(settings.discord_token, reconnect=True)
        if stopping:
            await stopping[0]
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
                pass
    log.info("Brief stopped")


def run(settings: Settings) -> int:
    if not settings.discord_token:
        print(NO_TOKEN, file=sys.stderr, end="")
        return 2
    setup_logging(settings)
    try:
        asyncio.run(serve(settings))
    except discord.LoginFailure:
        print(
            "brief: Discord refused the token (DISCORD_TOKEN). Reset it in the Developer Portal "
            "(your application -> Bot -> Reset Token) and update .env.",
            file=sys.stderr,
        )
        return 1
    except discord.PrivilegedIntentsRequired:
        print("brief: Discord says a privileged intent is required; Brief asks for none.", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"brief: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
