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
import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tests/ is not an installed package
    sys.path.insert(0, str(ROOT))

from tests.e2e.emulator import DiscordEmulator  # noqa: E402

RUNNER = ROOT / "bench" / "_bot_runner.py"

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


# -- a bot in its own process (bench/_bot_runner.py) ----------------------------------------


async def read_events(stream: asyncio.StreamReader, events: dict[str, float], log: list[str]) -> None:
    while line := await stream.readline():
        text = line.decode(errors="replace").rstrip()
        if text.startswith("EVENT "):
            _, name, when = text.split()
            events[name] = float(when)
        elif text:
            log.append(text)


def vm_hwm_mb(pid: int) -> float | None:
    """Peak resident memory of a running process (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """CPU seconds (user + system) of a process, or of one of its threads, so far."""
    path = f"/proc/{pid}/task/{thread}/stat" if thread is not None else f"/proc/{pid}/stat"
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def runner_env(emu: DiscordEmulator, **settings: str) -> dict[str, str]:
    """The environment for bench/_bot_runner.py: this environment, pointed at ``emu``, plus ``settings``."""
    env = {
        **os.environ,
        "BRIEF_BENCH_API": emu.base_url,
        "BRIEF_BENCH_GATEWAY": emu.gateway_url,
        "DISCORD_TOKEN": emu.token,
        "LOG_LEVEL": "WARNING",
    }
    unset = ("DEV_GUILD_ID", "SHARD_COUNT", "SHARD_IDS", "WORKERS", "SUMMARY_ALGORITHM", "ADMIN_USER_IDS")
    for name in unset:
        env.pop(name, None)
    env.update(settings)
    return env


class BotProcess:
    """``python bench/_bot_runner.py`` as a child process: start it, read its events, stop it with SIGTERM."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.events: dict[str, float] = {}
        self.log: list[str] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task[None]] = []

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, emu: DiscordEmulator, within: float = 120) -> None:
        """Start the process and wait until it is ready (on_ready) and its commands are registered."""
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(RUNNER), env=self.env, cwd=str(ROOT),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._readers = [
            asyncio.create_task(read_events(self.proc.stdout, self.events, self.log)),
            asyncio.create_task(read_events(self.proc.stderr, self.events, self.log)),
        ]

        def ready() -> bool:
            if self.proc is not None and self.proc.returncode is not None:
                raise RuntimeError(f"bot process exited ({self.proc.returncode}): {self.log[-5:]}")
            return "on_ready" in self.events and bool(emu.global_commands)

        await emu.wait_for(ready, timeout=within, what="the bot process to be ready")

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    async def wait_event(self, emu: DiscordEmulator, name: str, within: float) -> float:
        await emu.wait_for(lambda: name in self.events, timeout=within, what=name)
        return self.events[name]

    async def stop(self, within: float = 60) -> int | None:
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), within)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        await asyncio.gather(*self._readers)
        return self.proc.returncode
