"""Bench helpers: the tests' Discord emulator with timestamps, and interactions sent without waiting.

Used by bench/latency.py and bench/restart.py. Nothing here is product code: it
drives the real bot (or any ``discord.Client``) over ``tests/e2e/emulator.py``.

:class:`TimedEmulator` stamps, with :func:`time.monotonic`, the moment each
interaction callback (``POST /interactions/{id}/{token}/callback``) and each
followup (``POST /webhooks/{app}/{token}``) reaches the emulator, before the
emulator handles it. :func:`send` dispatches an INTERACTION_CREATE (a command
or an autocomplete) and returns a :class:`Sent` whose ``answered`` future is
resolved by the first callback, and ``finished`` by the final answer (the
callback, or the first followup after a defer).
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tests/ is not an installed package
    sys.path.insert(0, str(ROOT))

from tests.e2e.emulator import DiscordEmulator  # noqa: E402

_CALLBACK = re.compile(r"/interactions/\d+/([^/]+)/callback")
_FOLLOWUP = re.compile(r"/webhooks/\d+/([^/]+)")


@dataclass
class Sent:
    """One interaction sent to the bot, and what came back (times are ``time.monotonic()``)."""

    kind: str
    sent_at: float
    answered: asyncio.Future[float] = field(repr=False)
    finished: asyncio.Future[float] = field(repr=False)
    callback_type: int | None = None
    ephemeral: bool = False
    content: str | None = None

    @property
    def latency(self) -> float:
        """Seconds from sending INTERACTION_CREATE to the first callback."""
        return self.answered.result() - self.sent_at


class TimedEmulator(DiscordEmulator):
    """The tests' emulator, stamping when interaction answers arrive (see the module doc)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.pending: dict[str, Sent] = {}

    async def _route(self, request: Any, rec: Any, full_path: str) -> Any:
        arrived = time.monotonic()
        response = await super()._route(request, rec, full_path)
        if rec.method != "POST" or not 200 <= response.status < 300:
            return response
        if m := _CALLBACK.fullmatch(rec.path):
            sent = self.pending.get(m[1])
            if sent is not None and not sent.answered.done():
                body = rec.json or {}
                data = body.get("data") or {}
                sent.callback_type = int(body.get("type", 0))
                sent.ephemeral = bool(int(data.get("flags") or 0) & 64)
                sent.content = data.get("content")
                sent.answered.set_result(arrived)
                if sent.callback_type != 5:  # not deferred: this is the answer
                    self._finish(m[1], arrived)
        elif m := _FOLLOWUP.fullmatch(rec.path):
            self._finish(m[1], arrived)
        return response

    def _finish(self, token: str, when: float) -> None:
        sent = self.pending.pop(token, None)
        if sent is not None and not sent.finished.done():
            sent.finished.set_result(when)

    def forget(self) -> None:
        """Drop the records of answered interactions (a long run would keep them all)."""
        self.requests.clear()
        self.interactions.clear()
        self._interactions_by_token.clear()
        session = self.session
        if session is not None:
            session.history.clear()


async def send(
    emu: TimedEmulator,
    kind: str,
    command: str,
    options: dict[str, Any],
    *,
    focused: str | None = None,
    user: dict[str, Any] | None = None,
) -> Sent:
    """Dispatch a command (``focused=None``) or an autocomplete of option ``focused``; do not wait."""
    guild, channel, actor = emu._context(None, None, user, dm=False)
    data = emu._build_command_data(command, options, guild, focused=focused)
    itype = 4 if focused else 2
    payload = emu._base_interaction(itype, data, guild, channel, actor, None, None, "en-US")
    loop = asyncio.get_running_loop()
    sent = Sent(kind, 0.0, loop.create_future(), loop.create_future())
    emu.pending[payload["token"]] = sent
    sent.sent_at = time.monotonic()
    await emu._send_interaction(payload)
    return sent
