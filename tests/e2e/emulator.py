# Waits take a `timeout` argument on purpose: a test states how long it waits for the bot.
# ruff: noqa: ASYNC109
"""A small local Discord API emulator for end-to-end tests.

The real bot runs with discord.py's own HTTP and gateway code against this
emulator on 127.0.0.1 (see ``docs/testing.md`` and
``/work/shared/DISCORD_EMULATOR.md``).  The emulator is an aiohttp server that
speaks:

* the REST API under ``/api/v10`` (login, command sync, interaction callbacks,
  webhooks/followups, channel messages, a few fetch routes), recording every
  request; unknown routes answer 404 and are recorded in
  :attr:`DiscordEmulator.unknown_routes`;
* the gateway on ``/gateway`` (and ``/resume`` for READY's
  ``resume_gateway_url``): HELLO, heartbeat ACKs, IDENTIFY -> READY +
  GUILD_CREATE, RESUME with replay of missed events -> RESUMED, op 7
  RECONNECT, op 8 member chunks, and real ``zlib-stream`` compression
  (one ``compressobj`` per connection, ``Z_SYNC_FLUSH``, binary frames);
  sharded clients (IDENTIFY with ``shard: [id, count]``) get one session per
  shard, with only that shard's guilds and events (see :meth:`DiscordEmulator.session_for`).

Tests act as a Discord user with :meth:`DiscordEmulator.invoke`,
:meth:`DiscordEmulator.autocomplete` and :meth:`DiscordEmulator.click`, which
send INTERACTION_CREATE over the gateway and return an
:class:`InteractionHandle` whose callback, followups and edits can be awaited.

Typical use (the ``emulator`` and ``run_bot`` fixtures in ``conftest.py`` do
the start/stop and patching)::

    async with DiscordEmulator() as emu, point_discord_at(emu):
        guild = emu.add_guild("Test", channels=["general"])
        await bot.login(emu.token)
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import fnmatch
import itertools
import json
import logging
import re
import secrets
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import web

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_PERMISSIONS",
    "BotRunner",
    "ChannelPost",
    "ClientCrashed",
    "DiscordEmulator",
    "EmulatedGuild",
    "Fault",
    "InteractionEvent",
    "InteractionHandle",
    "RecordedRequest",
    "point_discord_at",
    "snowflake",
    "start_bot",
]

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = "/api/v10"

#: Every permission bit discord.py knows of (what a guild owner/administrator has).
ALL_PERMISSIONS: int = discord.Permissions.all().value
#: Permissions given by default to ``@everyone`` and to the bot: view, text and
#: application-command permissions.
DEFAULT_PERMISSIONS: int = (
    discord.Permissions.text() | discord.Permissions(view_channel=True, use_application_commands=True)
).value

# Gateway opcodes
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE = 0, 1, 2, 3
OP_VOICE_STATE, OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS = 4, 6, 7, 8
OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 9, 10, 11

_GUILD_MESSAGES_INTENT = 1 << 9
_DIRECT_MESSAGES_INTENT = 1 << 12
_MESSAGE_CONTENT_INTENT = 1 << 15

_snowflake_counter = itertools.count()


def snowflake() -> int:
    """Return a new, strictly increasing Discord snowflake for *now*."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_snowflake_counter) & 0x3FFFFF)


def _iso_now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat()


def _json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Gotcha 1: discord.py parses JSON only if Content-Type is exactly application/json;
    # aiohttp's json_response would add "; charset=utf-8".
    hdrs = {"Content-Type": "application/json"}
    if headers:
        hdrs.update(headers)
    return web.Response(body=json.dumps(data).encode(), status=status, headers=hdrs)


def _error(status: int, message: str, code: int = 0) -> web.Response:
    return _json_response({"message": message, "code": code}, status=status)


class ClientCrashed(AssertionError):
    """Raised by emulator waits once the client under test reported a fatal error
    (for instance its ``connect()`` task died); the original exception is chained."""


@dataclass
class RecordedRequest:
    """One REST request received by the emulator.

    ``path`` is relative to ``/api/v10`` (e.g. ``/channels/1/messages``);
    ``json`` is the parsed JSON body (for multipart uploads, the ``payload_json``
    part) or ``None``; ``files`` lists uploaded file names; ``status`` is the
    status the emulator answered with.
    """

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    files: list[str] = field(default_factory=list)
    status: int = 0

    def __repr__(self) -> str:
        return f"<{self.method} {self.path} -> {self.status}>"


@dataclass
class ChannelPost:
    """A message posted with ``POST /channels/{channel_id}/messages``: the JSON
    ``body`` exactly as discord.py sent it and the ``message`` object answered."""

    channel_id: int
    body: dict[str, Any]
    message: dict[str, Any]


@dataclass
class Fault:
    """A queued fault: the next ``remaining`` requests whose method and path
    match answer ``status`` (see :meth:`DiscordEmulator.inject_fault`)."""

    method: str
    pattern: str | re.Pattern[str]
    status: int
    remaining: int
    retry_after: float = 0.05
    is_global: bool = False
    body: Any = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.remaining <= 0 or (self.method != "*" and self.method != method):
            return False
        if isinstance(self.pattern, re.Pattern):
            return self.pattern.fullmatch(path) is not None
        return fnmatch.fnmatchcase(path, self.pattern)


@dataclass
class EmulatedGuild:
    """A guild known to the emulator.  ``channels``, ``roles`` and ``members``
    hold Discord API payloads (dicts with string snowflakes)."""

    id: int
    name: str
    owner_id: int
    channels: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    locale: str = "en-US"
    bot_permissions: int = DEFAULT_PERMISSIONS

    def channel(self, name_or_id: str | int) -> dict[str, Any]:
        """The channel payload with this name or id (KeyError if none)."""
        for ch in self.channels:
            if ch["name"] == name_or_id or str(ch["id"]) == str(name_or_id):
                return ch
        raise KeyError(f"no channel {name_or_id!r} in guild {self.name!r}")

    def channel_id(self, name: str) -> int:
        """Id of the channel named ``name``."""
        return int(self.channel(name)["id"])

    def role(self, name_or_id: str | int) -> dict[str, Any]:
        """The role payload with this name or id (KeyError if none)."""
        for role in self.roles:
            if role["name"] == name_or_id or str(role["id"]) == str(name_or_id):
                return role
        raise KeyError(f"no role {name_or_id!r} in guild {self.name!r}")

    def role_id(self, name: str) -> int:
        """Id of the role named ``name``."""
        return int(self.role(name)["id"])

    def member(self, user_id: int | str) -> dict[str, Any] | None:
        """The member payload of this user, or ``None``."""
        for m in self.members:
            if str(m["user"]["id"]) == str(user_id):
                return m
        return None

    def text_channels(self) -> list[dict[str, Any]]:
        return [c for c in self.channels if c["type"] in (0, 5)]

    def permissions_for(self, user_id: int | str) -> int:
        """Guild-level permissions of a member (owner/administrator: all bits;
        else the OR of @everyone and the member's roles; no overwrites)."""
        if str(user_id) == str(self.owner_id):
            return ALL_PERMISSIONS
        member = self.member(user_id)
        perms = int(self.role(str(self.id))["permissions"])
        if member is not None:
            for rid in member["roles"]:
                with contextlib.suppress(KeyError):
                    perms |= int(self.role(rid)["permissions"])
        if perms & discord.Permissions(administrator=True).value:
            return ALL_PERMISSIONS
        return perms

    def to_gateway(self) -> dict[str, Any]:
        """The GUILD_CREATE payload."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "owner_id": str(self.owner_id),
            "unavailable": False,
            "large": False,
            "member_count": len(self.members),
            "preferred_locale": self.locale,
            "features": [],
            "channels": [dict(c) for c in self.channels],
            "threads": [],
            "roles": [dict(r) for r in self.roles],
            "members": [dict(m) for m in self.members],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": _iso_now(),
        }


@dataclass
class InteractionEvent:
    """Something the bot did in answer to an interaction.

    ``kind`` is ``"callback"`` (``POST /interactions/{id}/{token}/callback``),
    ``"followup"`` (``POST /webhooks/{app}/{token}``), ``"edit"`` (``PATCH
    /webhooks/{app}/{token}/messages/{id}``), ``"delete"`` or ``"get"``.
    ``body`` is the JSON body as sent; ``message`` the message object the
    emulator answered with (or now holds), if any.
    """

    kind: str
    body: dict[str, Any]
    message: dict[str, Any] | None = None
    target: str | None = None  # message id ("@original" resolved to the id) for edits/deletes

    @property
    def type(self) -> int | None:
        """Callback type (4 message, 5 defer, 6 deferred update, 7 update, 8 choices, 9 modal)."""
        return self.body.get("type") if self.kind == "callback" else None

    @property
    def data(self) -> dict[str, Any]:
        """The message-ish data: ``body["data"]`` for callbacks, else the body."""
        if self.kind == "callback":
            return self.body.get("data") or {}
        return self.body

    @property
    def content(self) -> str | None:
        return self.data.get("content")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.data.get("embeds") or []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.data.get("components") or []

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices (callback type 8)."""
        return self.data.get("choices") or []

    def custom_ids(self) -> list[str]:
        """Every ``custom_id`` found in the components."""
        return list(_iter_custom_ids(self.components))


def _iter_custom_ids(components: Iterable[dict[str, Any]]) -> Iterator[str]:
    for comp in components or []:
        if "custom_id" in comp:
            yield comp["custom_id"]
        yield from _iter_custom_ids(comp.get("components") or [])
        if isinstance(comp.get("accessory"), dict):
            yield from _iter_custom_ids([comp["accessory"]])


class InteractionHandle:
    """The emulator's side of one interaction sent to the bot.

    Await :meth:`response` for the initial callback, :meth:`followup` /
    :meth:`edit` for later answers.  ``events`` lists everything in order;
    ``message`` is the current original-response message object (``None``
    before a message-creating callback).
    """

    def __init__(self, emulator: DiscordEmulator, payload: dict[str, Any]) -> None:
        self.emulator = emulator
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.events: list[InteractionEvent] = []
        self.message: dict[str, Any] | None = None
        self.created = time.monotonic()
        # for component interactions: the message the component is on
        self.source_message_id: int | None = int(payload["message"]["id"]) if payload.get("message") else None

    def __repr__(self) -> str:
        kinds = [e.kind for e in self.events]
        return f"<InteractionHandle id={self.id} type={self.type} events={kinds}>"

    # -- recorded views -------------------------------------------------
    @property
    def callbacks(self) -> list[InteractionEvent]:
        return [e for e in self.events if e.kind == "callback"]

    @property
    def followups(self) -> list[InteractionEvent]:
        return [e for e in self.events if e.kind == "followup"]

    @property
    def edits(self) -> list[InteractionEvent]:
        return [e for e in self.events if e.kind == "edit"]

    @property
    def acknowledged(self) -> bool:
        return bool(self.callbacks)

    # -- waits ----------------------------------------------------------
    async def _nth(self, kind: str, index: int, timeout: float) -> InteractionEvent:
        def ready() -> bool:
            return len([e for e in self.events if e.kind == kind]) > index

        await self.emulator.wait_for(
            ready, timeout=timeout, what=f"{kind} #{index} for interaction {self.id} ({self.describe()})"
        )
        return [e for e in self.events if e.kind == kind][index]

    async def response(self, timeout: float = 2.0) -> InteractionEvent:
        """Wait for and return the initial callback (``kind == "callback"``)."""
        return await self._nth("callback", 0, timeout)

    async def followup(self, index: int = 0, timeout: float = 2.0) -> InteractionEvent:
        """Wait for and return followup number ``index`` (0-based)."""
        return await self._nth("followup", index, timeout)

    async def edit(self, index: int = 0, timeout: float = 2.0) -> InteractionEvent:
        """Wait for and return edit number ``index`` of the original or a followup."""
        return await self._nth("edit", index, timeout)

    async def deleted(self, timeout: float = 2.0) -> InteractionEvent:
        """Wait for a DELETE of the original response or a followup."""
        return await self._nth("delete", 0, timeout)

    async def choices(self, timeout: float = 2.0) -> list[dict[str, Any]]:
        """Wait for an autocomplete callback (type 8) and return its choices."""
        ev = await self.response(timeout)
        if ev.type != 8:
            raise AssertionError(f"expected an autocomplete callback (type 8), got {ev.body!r}")
        return ev.choices

    def describe(self) -> str:
        data = self.payload.get("data") or {}
        return data.get("name") or data.get("custom_id") or f"type {self.type}"

    def messages(self) -> list[dict[str, Any]]:
        """The original-response message (if any) then every followup message."""
        out = [self.message] if self.message else []
        for e in self.followups:
            if e.message and all(e.message["id"] != m["id"] for m in out):
                out.append(e.message)
        return out


class _GatewayConnection:
    """One websocket connection from the client."""

    def __init__(self, ws: web.WebSocketResponse, path: str, compress: str | None) -> None:
        self.ws = ws
        self.path = path
        self.compress = compress
        self.compressor = zlib.compressobj() if compress == "zlib-stream" else None
        self.session: _GatewaySession | None = None
        self.lock = asyncio.Lock()
        self.received: list[dict[str, Any]] = []

    async def send(self, payload: dict[str, Any]) -> None:
        data = json.dumps(payload)
        async with self.lock:  # keep compression order == frame order
            if self.ws.closed:
                raise ConnectionResetError("gateway connection closed")
            if self.compressor is not None:
                frame = self.compressor.compress(data.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(frame)
            else:
                await self.ws.send_str(data)


class _GatewaySession:
    def __init__(self, session_id: str, identify: dict[str, Any]) -> None:
        self.id = session_id
        self.identify = identify
        self.seq = 0
        self.history: list[dict[str, Any]] = []  # every dispatch, for RESUME replay
        self.conn: _GatewayConnection | None = None

    @property
    def intents(self) -> int:
        return int(self.identify.get("intents") or 0)

    @property
    def shard(self) -> tuple[int, int] | None:
        """``(shard_id, shard_count)`` from IDENTIFY, or ``None`` for an unsharded client."""
        shard = self.identify.get("shard")
        return (int(shard[0]), int(shard[1])) if shard else None


class DiscordEmulator:
    """A local Discord: REST under ``http://127.0.0.1:PORT/api/v10`` and a gateway
    under ``ws://127.0.0.1:PORT/gateway``.

    Parameters
    ----------
    token:
        Bot token the REST API and IDENTIFY accept (others get 401 / close 4004).
    application_id:
        The application (and, as on Discord, the bot user) id; auto if ``None``.
    bot_name:
        Username of the bot user.
    owner_id:
        Id of the application owner user (``GET /oauth2/applications/@me``); a user
        ``owner`` is created if ``None``.
    team_member_ids:
        If given, the application is owned by a team with these members (the
        first one is the team owner, all are admins) and ``owner`` is the team's
        pseudo-user, as on Discord.
    heartbeat_interval:
        Milliseconds announced in HELLO.
    interaction_timeout:
        Seconds within which an interaction must be answered (Discord: 3 s);
        later callbacks get 404 ``Unknown interaction``.  ``None`` disables it.
    recommended_shards:
        The ``shards`` count ``GET /gateway/bot`` recommends (what an
        ``AutoShardedClient`` without ``shard_count`` uses).
    """

    def __init__(
        self,
        *,
        token: str = "emulator-bot-token",
        application_id: int | None = None,
        bot_name: str = "BriefTestBot",
        owner_id: int | None = None,
        team_member_ids: Sequence[int] | None = None,
        heartbeat_interval: int = 41250,
        interaction_timeout: float | None = 3.0,
        recommended_shards: int = 1,
    ) -> None:
        self.token = token
        self.recommended_shards = recommended_shards
        self.application_id: int = application_id or snowflake()
        self.heartbeat_interval = heartbeat_interval
        self.interaction_timeout = interaction_timeout
        self.users: dict[int, dict[str, Any]] = {}
        self.bot_user = self._make_user(self.application_id, bot_name, bot=True)
        if owner_id is None:
            owner_id = self.add_user("owner")["id"]
        elif int(owner_id) not in self.users:
            self._make_user(int(owner_id), f"owner{owner_id}")
        self.owner_id: int = int(owner_id)
        self.team_member_ids: list[int] | None = (
            [int(x) for x in team_member_ids] if team_member_ids is not None else None
        )
        #: A regular user, member of every guild added: the default actor of invoke/click.
        self.default_user = self.add_user("tester")

        self.guilds: dict[int, EmulatedGuild] = {}
        self.deleted_channels: set[int] = set()
        self.messages: dict[int, dict[str, Any]] = {}  # every message object by id
        self.dm_channels: dict[int, dict[str, Any]] = {}

        # records
        self.requests: list[RecordedRequest] = []
        self.unknown_routes: list[RecordedRequest] = []
        #: requests the emulator failed to handle (exception in a handler): should stay empty
        self.errors: list[tuple[RecordedRequest, BaseException]] = []
        self.channel_posts: list[ChannelPost] = []
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.global_sync_count = 0
        self.guild_sync_counts: dict[int, int] = {}
        self.interactions: dict[int, InteractionHandle] = {}
        self._interactions_by_token: dict[str, InteractionHandle] = {}
        self.faults: list[Fault] = []

        # gateway
        self.connections: list[_GatewayConnection] = []
        self.sessions: dict[str, _GatewaySession] = {}
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_count = 0
        self.presence_updates: list[dict[str, Any]] = []
        self.gateway_received: list[dict[str, Any]] = []

        self._cond: asyncio.Condition | None = None
        self._fatal: BaseException | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.port: int = 0
        self._routes = self._build_routes()

    # ------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/v10`` (what ``Route.BASE`` is set to)."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """``ws://127.0.0.1:PORT/gateway`` (what ``DEFAULT_GATEWAY`` is set to)."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """READY's ``resume_gateway_url``: a distinct path, so tests can tell resumes apart."""
        return f"ws://127.0.0.1:{self.port}/resume"

    async def start(self) -> DiscordEmulator:
        """Start the server on 127.0.0.1 on a free port."""
        self._cond = asyncio.Condition()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._handle_gateway)
        app.router.add_get("/resume", self._handle_gateway)
        app.router.add_route("*", "/{tail:.*}", self._handle_http)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await self._site.start()
        server = self._site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        """Close every gateway connection and stop the server."""
        for conn in list(self.connections):
            if not conn.ws.closed:
                with contextlib.suppress(Exception):
                    await conn.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------
    # waiting
    # ------------------------------------------------------------------
    async def _notify(self) -> None:
        if self._cond is None:
            return
        async with self._cond:
            self._cond.notify_all()

    def report_client_error(self, exc: BaseException) -> None:
        """Mark the client as crashed: every pending and later :meth:`wait_for`
        raises :class:`ClientCrashed` chained to ``exc``."""
        self._fatal = exc
        if self._cond is not None:
            asyncio.get_running_loop().create_task(self._notify())

    async def wait_for(
        self, predicate: Callable[[], bool], *, timeout: float = 2.0, what: str = "condition"
    ) -> None:
        """Wait until ``predicate()`` is true; it is re-checked whenever the
        emulator records something and every 10 ms.  Raises ``TimeoutError`` (with ``what``) or
        :class:`ClientCrashed`."""
        assert self._cond is not None, "emulator not started"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._fatal is not None:
                raise ClientCrashed(
                    f"client crashed while waiting for {what}: {self._fatal!r}"
                ) from self._fatal
            if predicate():
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            # woken by any record; also polls, for predicates on the bot's own state
            async with self._cond:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._cond.wait(), min(remaining, 0.01))

    # ------------------------------------------------------------------
    # state: users, guilds, channels
    # ------------------------------------------------------------------
    def _make_user(self, user_id: int, username: str, *, bot: bool = False) -> dict[str, Any]:
        user = {
            "id": str(user_id),
            "username": username,
            "discriminator": "0",
            "global_name": username,
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
            "flags": 0,
        }
        self.users[user_id] = user
        return user

    def add_user(self, username: str, *, id: int | None = None, bot: bool = False) -> dict[str, Any]:
        """Create a user and return its payload (``user["id"]`` is a string)."""
        return self._make_user(id or snowflake(), username, bot=bot)

    def user(self, user_id: int | str) -> dict[str, Any]:
        return self.users[int(user_id)]

    @property
    def owner(self) -> dict[str, Any]:
        """The application owner user payload."""
        return self.users[self.owner_id]

    def add_guild(
        self,
        name: str = "Test Guild",
        *,
        id: int | None = None,
        channels: Sequence[str | dict[str, Any]] = ("general",),
        roles: Sequence[str | dict[str, Any]] = (),
        members: Sequence[dict[str, Any]] = (),
        owner: dict[str, Any] | int | None = None,
        everyone_permissions: int = DEFAULT_PERMISSIONS,
        bot_permissions: int = DEFAULT_PERMISSIONS,
        locale: str = "en-US",
    ) -> EmulatedGuild:
        """Add a guild the bot is in.

        ``channels``: names (text channels) or dicts with ``name`` and optional
        ``id``, ``type`` (0 text, 2 voice, 4 category, 5 news), ``topic``,
        ``parent_id``.  ``roles``: names or dicts with ``name`` and optional
        ``id``, ``permissions``.  ``members``: user payloads (from
        :meth:`add_user`) or member dicts ``{"user": ..., "roles": [ids]}``;
        :attr:`default_user` and the bot are always members.  ``owner``: a user
        payload or id (default: the application owner, who is also made a
        member).  If the bot is connected, GUILD_CREATE is dispatched.
        """
        gid = id or snowflake()
        owner_user = self.owner if owner is None else (owner if isinstance(owner, dict) else self.user(owner))
        guild = EmulatedGuild(
            id=gid, name=name, owner_id=int(owner_user["id"]), locale=locale, bot_permissions=bot_permissions
        )
        guild.roles.append(
            {
                "id": str(gid),
                "name": "@everyone",
                "permissions": str(everyone_permissions),
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        )
        bot_role_id = snowflake()
        guild.roles.append(
            {
                "id": str(bot_role_id),
                "name": self.bot_user["username"],
                "permissions": str(bot_permissions),
                "position": 1,
                "color": 0,
                "hoist": False,
                "managed": True,
                "mentionable": False,
                "flags": 0,
                "tags": {"bot_id": self.bot_user["id"]},
            }
        )
        for pos, spec in enumerate(roles, start=2):
            r: dict[str, Any] = {"name": spec} if isinstance(spec, str) else dict(spec)
            r.setdefault("id", snowflake())
            r["id"] = str(r["id"])
            r["permissions"] = str(r.get("permissions", 0))
            r.setdefault("position", pos)
            for k, v in (
                ("color", 0),
                ("hoist", False),
                ("managed", False),
                ("mentionable", False),
                ("flags", 0),
            ):
                r.setdefault(k, v)
            guild.roles.append(r)
        for pos, spec in enumerate(channels):
            c = {"name": spec} if isinstance(spec, str) else dict(spec)
            guild.channels.append(self._channel_payload(gid, c, pos))
        guild.members.append(self._member_payload(self.bot_user, [str(bot_role_id)]))
        seen = {self.bot_user["id"]}
        for spec in [owner_user, self.default_user, *members]:
            if "user" in spec:
                user, role_ids = spec["user"], [str(r) for r in spec.get("roles", [])]
            else:
                user, role_ids = spec, []
            if user["id"] in seen:
                if role_ids:
                    m = guild.member(user["id"])
                    assert m is not None
                    m["roles"] = role_ids
                continue
            seen.add(user["id"])
            guild.members.append(self._member_payload(user, role_ids))
        self.guilds[gid] = guild
        self._dispatch_nowait("GUILD_CREATE", guild.to_gateway())
        return guild

    def add_member(
        self, guild_id: int, user: dict[str, Any], roles: Sequence[int | str] = ()
    ) -> dict[str, Any]:
        """Add ``user`` to a guild (dispatches GUILD_MEMBER_ADD if connected)."""
        guild = self.guilds[int(guild_id)]
        member = self._member_payload(user, [str(r) for r in roles])
        guild.members.append(member)
        self._dispatch_nowait("GUILD_MEMBER_ADD", {**member, "guild_id": str(guild.id)})
        return member

    def add_channel(self, guild_id: int, name: str, *, type: int = 0, **extra: Any) -> dict[str, Any]:
        """Add a channel to a guild (dispatches CHANNEL_CREATE if connected)."""
        guild = self.guilds[int(guild_id)]
        ch = self._channel_payload(guild.id, {"name": name, "type": type, **extra}, len(guild.channels))
        guild.channels.append(ch)
        self._dispatch_nowait("CHANNEL_CREATE", dict(ch))
        return ch

    def delete_channel(self, channel_id: int) -> None:
        """Delete a channel: REST on it answers 404 ``Unknown Channel`` (10003)
        from now on; CHANNEL_DELETE is dispatched if connected."""
        cid = int(channel_id)
        for guild in self.guilds.values():
            for ch in list(guild.channels):
                if int(ch["id"]) == cid:
                    guild.channels.remove(ch)
                    self.deleted_channels.add(cid)
                    self._dispatch_nowait("CHANNEL_DELETE", dict(ch))
                    return
        raise KeyError(f"no channel {channel_id}")

    def _channel_payload(self, guild_id: int, spec: dict[str, Any], position: int) -> dict[str, Any]:
        c = dict(spec)
        c["id"] = str(c.get("id") or snowflake())
        c.setdefault("type", 0)
        c.setdefault("position", position)
        c["guild_id"] = str(guild_id)
        c.setdefault("permission_overwrites", [])
        c.setdefault("nsfw", False)
        c.setdefault("parent_id", None)
        c.setdefault("flags", 0)
        if c["type"] in (0, 5):
            c.setdefault("topic", None)
            c.setdefault("last_message_id", None)
            c.setdefault("rate_limit_per_user", 0)
        if c["type"] in (2, 13):  # voice / stage
            c.setdefault("bitrate", 64000)
            c.setdefault("user_limit", 0)
            c.setdefault("rtc_region", None)
        if c.get("parent_id") is not None:
            c["parent_id"] = str(c["parent_id"])
        return c

    @staticmethod
    def _member_payload(user: dict[str, Any], roles: list[str]) -> dict[str, Any]:
        return {
            "user": dict(user),
            "roles": list(roles),
            "nick": None,
            "avatar": None,
            "joined_at": _iso_now(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
        }

    def find_channel(self, channel_id: int | str) -> tuple[EmulatedGuild | None, dict[str, Any]] | None:
        """``(guild, channel payload)`` for a live guild channel or DM channel, else ``None``."""
        cid = int(channel_id)
        for guild in self.guilds.values():
            for ch in guild.channels:
                if int(ch["id"]) == cid:
                    return guild, ch
        if cid in self.dm_channels:
            return None, self.dm_channels[cid]
        return None

    def _sole_guild(self) -> EmulatedGuild:
        if len(self.guilds) != 1:
            raise ValueError(f"pass guild_id: the emulator has {len(self.guilds)} guilds")
        return next(iter(self.guilds.values()))

    # ------------------------------------------------------------------
    # records: queries
    # ------------------------------------------------------------------
    def requests_to(self, method: str, pattern: str) -> list[RecordedRequest]:
        """Recorded requests with this method (``"*"`` for any) whose path matches
        the glob ``pattern`` (e.g. ``"/channels/*/messages"``)."""
        return [
            r
            for r in self.requests
            if (method == "*" or r.method == method) and fnmatch.fnmatchcase(r.path, pattern)
        ]

    def posts_to(self, channel_id: int) -> list[ChannelPost]:
        """Messages posted to a channel through ``POST /channels/{id}/messages`` (successful ones)."""
        return [p for p in self.channel_posts if p.channel_id == int(channel_id)]

    def commands_for(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Synced command payloads: global (``guild_id=None``) or for one guild."""
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.get(int(guild_id), [])

    def find_command(self, name: str, guild_id: int | None = None) -> dict[str, Any] | None:
        """The synced chat-input command ``name`` as a user in ``guild_id`` sees it
        (guild commands first, then global), or ``None``."""
        pools = ([self.guild_commands.get(int(guild_id), [])] if guild_id else []) + [self.global_commands]
        for pool in pools:
            for cmd in pool:
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd
        return None

    # ------------------------------------------------------------------
    # fault injection
    # ------------------------------------------------------------------
    def inject_fault(
        self,
        method: str,
        pattern: str | re.Pattern[str],
        status: int = 429,
        *,
        count: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        body: Any = None,
    ) -> Fault:
        """Make the next ``count`` requests with ``method`` (``"*"``: any) whose path
        (relative to ``/api/v10``, e.g. ``/channels/123/messages``) matches
        ``pattern`` (a glob such as ``"/channels/*/messages"`` or a compiled regex)
        answer ``status``.

        429 answers carry ``Retry-After``, ``X-RateLimit-*`` and ``Via`` headers and
        a JSON body ``{"message", "retry_after", "global", "code"}`` (discord.py
        waits ``retry_after`` and retries; without ``Via`` it would treat the 429
        as a Cloudflare ban).  Other statuses answer ``body`` or a Discord-style
        error JSON.  Note that discord.py retries a 500/502/504 after 1 s, 3 s, ...
        Returns the :class:`Fault` (see ``fault.hits``).
        """
        fault = Fault(method.upper(), pattern, status, count, retry_after, is_global, body)
        self.faults.append(fault)
        return fault

    def _fault_response(self, fault: Fault) -> web.Response:
        fault.remaining -= 1
        fault.hits += 1
        if fault.status == 429:
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.is_global,
                "code": 0,
            }
            headers = {
                "Retry-After": str(max(1, int(fault.retry_after + 0.999))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": str(fault.retry_after),
                "X-RateLimit-Bucket": "emulator-bucket",
                "X-RateLimit-Scope": "global" if fault.is_global else "user",
                "Via": "1.1 google",
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            return _json_response(body, status=429, headers=headers)
        messages = {
            403: ("Missing Permissions", 50013),
            404: ("Unknown Channel", 10003),
            500: ("Internal Server Error", 0),
            502: ("Bad Gateway", 0),
            503: ("Service Unavailable", 0),
        }
        message, code = messages.get(fault.status, ("Injected failure", 0))
        return _json_response(fault.body or {"message": message, "code": code}, status=fault.status)

    # ------------------------------------------------------------------
    # gateway
    # ------------------------------------------------------------------
    @property
    def session(self) -> _GatewaySession | None:
        """The most recent gateway session (``None`` before IDENTIFY)."""
        return next(reversed(self.sessions.values()), None) if self.sessions else None

    @property
    def connected(self) -> bool:
        s = self.session
        return s is not None and s.conn is not None and not s.conn.ws.closed

    @staticmethod
    def shard_of(guild_id: int, shard_count: int) -> int:
        """The shard a guild belongs to, as on Discord: ``(guild_id >> 22) % shard_count``."""
        return (int(guild_id) >> 22) % shard_count

    def session_for(self, guild_id: int | None) -> _GatewaySession | None:
        """The session that gets the events of ``guild_id`` (``None``: DMs).

        Unsharded client (the most recent session has no ``shard``): the most recent
        session, for every guild.  Sharded: the most recent session of the guild's
        shard for the shard count of the most recent session (DMs: shard 0), or
        ``None`` when no connected process runs that shard."""
        latest = self.session
        if latest is None or latest.shard is None:
            return latest
        count = latest.shard[1]
        wanted = (self.shard_of(guild_id, count) if guild_id is not None else 0, count)
        return next((s for s in reversed(self.sessions.values()) if s.shard == wanted), None)

    @property
    def shard_sessions(self) -> dict[int, _GatewaySession]:
        """Sharded client: shard id -> its most recent session (for the current shard count)."""
        latest = self.session
        if latest is None or latest.shard is None:
            return {}
        out: dict[int, _GatewaySession] = {}
        for s in self.sessions.values():
            if s.shard is not None and s.shard[1] == latest.shard[1]:
                out[s.shard[0]] = s
        return out

    @staticmethod
    def _event_guild_id(event: str, data: dict[str, Any]) -> int | None:
        if data.get("guild_id"):
            return int(data["guild_id"])
        if event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE") and data.get("id"):
            return int(data["id"])
        return None

    async def dispatch(
        self, event: str, data: dict[str, Any], *, session: _GatewaySession | None = None
    ) -> int:
        """Send a DISPATCH (op 0) ``event`` with ``data`` to ``session`` (default: the
        session of the event's guild, see :meth:`session_for`; unsharded, the current
        session) and return its sequence number.  With no live connection the event is
        kept and replayed when the client RESUMEs, like Discord does.  An event for a
        shard no process runs is dropped (returns 0)."""
        if self.session is None:
            raise RuntimeError("no gateway session: the client has not identified")
        if session is None:
            session = self.session_for(self._event_guild_id(event, data))
            if session is None:
                return 0
        session.seq += 1
        payload = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.history.append(payload)
        conn = session.conn
        if conn is not None and not conn.ws.closed:
            with contextlib.suppress(ConnectionResetError, ConnectionError, RuntimeError):
                await conn.send(payload)
        return session.seq

    def _dispatch_nowait(self, event: str, data: dict[str, Any]) -> None:
        """Dispatch from sync code if a session exists (state changes made before
        the bot connects are simply part of READY/GUILD_CREATE)."""
        if self.session is None or self._cond is None:
            return
        asyncio.get_running_loop().create_task(self.dispatch(event, data))

    def _control_session(self, shard: int | None) -> _GatewaySession:
        session = self.session if shard is None else self.shard_sessions.get(shard)
        assert session is not None and session.conn is not None, "not connected"
        return session

    @staticmethod
    def _live(session: _GatewaySession) -> bool:
        return session.conn is not None and not session.conn.ws.closed

    async def send_reconnect(self, *, shard: int | None = None, timeout: float = 3.0) -> None:
        """Send op 7 RECONNECT, wait for the client's RESUME on a new connection
        (answered with the missed events and RESUMED), and return once done.
        ``shard``: the connection of that shard (default: the current session)."""
        session = self._control_session(shard)
        assert session.conn is not None
        before = self.resume_count
        await session.conn.send({"op": OP_RECONNECT, "d": None})
        await self.wait_for(
            lambda: self.resume_count > before and self._live(session),
            timeout=timeout,
            what="RESUME after op 7 RECONNECT",
        )

    async def close_gateway(
        self,
        code: int = 4000,
        *,
        wait_resume: bool = False,
        shard: int | None = None,
        timeout: float = 3.0,
    ) -> None:
        """Close the current gateway connection (or ``shard``'s) abruptly with ``code``
        (4000: the client resumes; 4004 authentication failed, 4014 disallowed
        intents...: it gives up).  With ``wait_resume`` wait until the client has resumed."""
        session = self._control_session(shard)
        assert session.conn is not None
        before = self.resume_count
        await session.conn.ws.close(code=code, message=b"emulator close")
        if wait_resume:
            await self.wait_for(
                lambda: self.resume_count > before and self._live(session),
                timeout=timeout,
                what=f"RESUME after close {code}",
            )

    async def invalidate_session(self, resumable: bool = False, *, shard: int | None = None) -> None:
        """Send op 9 INVALID_SESSION (``d=resumable``) on the current connection (or ``shard``'s)."""
        session = self._control_session(shard)
        assert session.conn is not None
        await session.conn.send({"op": OP_INVALID_SESSION, "d": resumable})

    async def wait_connected(self, timeout: float = 3.0) -> None:
        """Wait until a session is identified (READY sent) and its connection is open."""
        await self.wait_for(lambda: self.connected, timeout=timeout, what="gateway connection")

    async def _handle_gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        conn = _GatewayConnection(ws, request.path, compress if compress == "zlib-stream" else None)
        self.connections.append(conn)
        try:
            await conn.send({"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval}})
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    payload = json.loads(msg.data)
                elif msg.type == aiohttp.WSMsgType.BINARY:
                    payload = json.loads(msg.data.decode())
                else:
                    break
                conn.received.append(payload)
                self.gateway_received.append(payload)
                await self._on_gateway_message(conn, payload)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            await self._notify()
        return ws

    async def _on_gateway_message(self, conn: _GatewayConnection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        d: Any = payload.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeat_count += 1
            await conn.send({"op": OP_HEARTBEAT_ACK})
        elif op == OP_IDENTIFY:
            if d.get("token") != self.token:
                await conn.ws.close(code=4004, message=b"Authentication failed.")
                return
            await self._identify(conn, d)
        elif op == OP_RESUME:
            await self._resume(conn, d)
        elif op == OP_REQUEST_MEMBERS:
            guild = self.guilds.get(int(d["guild_id"]))
            if guild is not None:
                await self.dispatch(
                    "GUILD_MEMBERS_CHUNK",
                    {
                        "guild_id": str(guild.id),
                        "members": [dict(m) for m in guild.members],
                        "chunk_index": 0,
                        "chunk_count": 1,
                        "not_found": [],
                        "nonce": d.get("nonce"),
                    },
                    session=conn.session,
                )
        elif op == OP_PRESENCE:
            self.presence_updates.append(d)
        await self._notify()

    async def _identify(self, conn: _GatewayConnection, d: dict[str, Any]) -> None:
        self.identify_count += 1
        session = _GatewaySession(secrets.token_hex(16), d)
        self.sessions[session.id] = session
        conn.session = session
        session.conn = conn
        guilds = list(self.guilds.values())
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**self.bot_user, "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
            "_trace": ["discord-emulator"],
        }
        if "shard" in d:
            ready["shard"] = d["shard"]
            # a shard sees only its own guilds (shard = (guild_id >> 22) % count)
            shard_id, count = session.shard  # type: ignore[misc]
            guilds = [g for g in guilds if self.shard_of(g.id, count) == shard_id]
            ready["guilds"] = [{"id": str(g.id), "unavailable": True} for g in guilds]
        await self.dispatch("READY", ready, session=session)
        for guild in guilds:
            await self.dispatch("GUILD_CREATE", guild.to_gateway(), session=session)

    async def _resume(self, conn: _GatewayConnection, d: dict[str, Any]) -> None:
        session = self.sessions.get(d.get("session_id", ""))
        if session is None or d.get("token") != self.token:
            await conn.send({"op": OP_INVALID_SESSION, "d": False})
            return
        old = session.conn
        if old is not None and old is not conn and not old.ws.closed:
            with contextlib.suppress(Exception):
                await old.ws.close(code=4000)
        session.conn = conn
        conn.session = session
        last = d.get("seq") or 0
        for payload in session.history:
            if payload["s"] > last:
                await conn.send(payload)
        self.resume_count += 1
        await self.dispatch("RESUMED", {"_trace": ["discord-emulator"]}, session=session)

    # ------------------------------------------------------------------
    # acting as a user: interactions
    # ------------------------------------------------------------------
    def _context(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user: dict[str, Any] | None,
        *,
        dm: bool,
    ) -> tuple[EmulatedGuild | None, dict[str, Any], dict[str, Any]]:
        user = user or self.default_user
        if dm:
            return None, self._dm_channel(user), user
        if channel_id is not None and guild_id is None:
            found = self.find_channel(channel_id)
            if found is None:
                raise KeyError(f"unknown channel {channel_id}")
            guild, channel = found
            return guild, channel, user
        guild = self.guilds[int(guild_id)] if guild_id is not None else self._sole_guild()
        if channel_id is None:
            channels = guild.text_channels()
            if not channels:
                raise ValueError(f"guild {guild.name!r} has no text channel")
            channel = channels[0]
        else:
            channel = guild.channel(int(channel_id))
        return guild, channel, user

    def _dm_channel(self, user: dict[str, Any]) -> dict[str, Any]:
        for ch in self.dm_channels.values():
            if ch["recipients"][0]["id"] == user["id"]:
                return ch
        cid = snowflake()
        ch = {"id": str(cid), "type": 1, "recipients": [dict(user)], "last_message_id": None, "flags": 0}
        self.dm_channels[cid] = ch
        return ch

    def _base_interaction(
        self,
        itype: int,
        data: dict[str, Any],
        guild: EmulatedGuild | None,
        channel: dict[str, Any],
        user: dict[str, Any],
        permissions: int | None,
        app_permissions: int | None,
        locale: str,
    ) -> dict[str, Any]:
        iid = snowflake()
        token = f"itok-{iid}-{secrets.token_hex(8)}"
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "authorizing_integration_owners": {"0": str(guild.id)} if guild else {"1": user["id"]},
            "context": 0 if guild else 1,
            "channel_id": channel["id"],
            "channel": {**channel},
        }
        if guild is not None:
            member = guild.member(user["id"])
            if member is None:
                raise ValueError(f"user {user['username']} is not a member of {guild.name!r}")
            perms = guild.permissions_for(user["id"]) if permissions is None else int(permissions)
            payload["guild_id"] = str(guild.id)
            payload["guild"] = {"id": str(guild.id), "locale": guild.locale, "features": []}
            payload["guild_locale"] = guild.locale
            payload["member"] = {**member, "user": dict(user), "permissions": str(perms)}
            bot_perms = (
                guild.permissions_for(self.bot_user["id"]) if app_permissions is None else app_permissions
            )
            payload["app_permissions"] = str(bot_perms)
            payload["channel"]["permissions"] = str(perms)
        else:
            payload["user"] = dict(user)
            payload["app_permissions"] = str(
                DEFAULT_PERMISSIONS if app_permissions is None else app_permissions
            )
        return payload

    async def _send_interaction(self, payload: dict[str, Any]) -> InteractionHandle:
        handle = InteractionHandle(self, payload)
        self.interactions[handle.id] = handle
        self._interactions_by_token[handle.token] = handle
        guild_id = int(payload["guild_id"]) if payload.get("guild_id") else None
        session = self.session_for(guild_id)
        if session is None and self.session is not None:
            raise RuntimeError(f"no connected shard runs guild {guild_id}: the bot cannot get it")
        if session is None or not self._live(session):
            raise RuntimeError("the bot is not connected to the emulator's gateway")
        await self.dispatch("INTERACTION_CREATE", payload, session=session)
        return handle

    def _resolve_option(
        self,
        opt_def: dict[str, Any],
        value: Any,
        guild: EmulatedGuild | None,
        resolved: dict[str, dict[str, Any]],
        *,
        focused: bool,
    ) -> dict[str, Any]:
        otype = int(opt_def["type"])
        out: dict[str, Any] = {"name": opt_def["name"], "type": otype}
        if focused:
            out["value"] = str(value)
            out["focused"] = True
            return out
        if otype == 7:  # channel
            cid = int(value["id"]) if isinstance(value, dict) else int(value)
            found = self.find_channel(cid)
            if found is None:
                raise KeyError(f"option {opt_def['name']!r}: unknown channel {cid}")
            ch = {**found[1]}
            ch.setdefault("permissions", str(ALL_PERMISSIONS))
            resolved.setdefault("channels", {})[str(cid)] = ch
            out["value"] = str(cid)
        elif otype in (6, 9) and (
            (isinstance(value, dict) and "username" in value)
            or (isinstance(value, int | str) and int(value) in self.users)
        ):  # user / mentionable (user)
            user = value if isinstance(value, dict) else self.users[int(value)]
            resolved.setdefault("users", {})[user["id"]] = dict(user)
            member = guild.member(user["id"]) if guild else None
            if member is not None:
                m = {k: v for k, v in member.items() if k != "user"}
                m["permissions"] = str(guild.permissions_for(user["id"])) if guild else "0"
                resolved.setdefault("members", {})[user["id"]] = m
            out["value"] = user["id"]
        elif otype in (8, 9):  # role / mentionable (role)
            if guild is None:
                raise ValueError("role options need a guild")
            role = guild.role(value["id"] if isinstance(value, dict) else value)
            resolved.setdefault("roles", {})[role["id"]] = dict(role)
            out["value"] = role["id"]
        elif otype == 4:
            out["value"] = int(value)
        elif otype == 10:
            out["value"] = float(value)
        elif otype == 5:
            out["value"] = bool(value)
        elif otype == 3:
            out["value"] = str(value)
        else:
            out["value"] = value
        return out

    def _build_command_data(
        self,
        command: str | Sequence[str],
        options: dict[str, Any] | None,
        guild: EmulatedGuild | None,
        *,
        focused: str | None = None,
    ) -> dict[str, Any]:
        path = command.split() if isinstance(command, str) else list(command)
        cmd = self.find_command(path[0], guild.id if guild else None)
        if cmd is None:
            raise LookupError(
                f"command {path[0]!r} is not synced for this context (a Discord user could not run it); "
                "call `await bot.tree.sync()` (or sync to the guild) first"
            )
        resolved: dict[str, dict[str, Any]] = {}
        options = dict(options or {})
        defs = cmd.get("options") or []
        # walk subcommand groups / subcommands
        containers: list[dict[str, Any]] = []
        for part in path[1:]:
            sub = next((o for o in defs if o["name"] == part and int(o["type"]) in (1, 2)), None)
            if sub is None:
                raise LookupError(
                    f"{' '.join(path)!r}: no subcommand {part!r} in synced command {cmd['name']!r}"
                )
            containers.append(sub)
            defs = sub.get("options") or []
        if any(int(o["type"]) in (1, 2) for o in defs):
            raise ValueError(f"{' '.join(path)!r} is a group: name a subcommand, e.g. ('{path[0]}', '...')")
        leaf: list[dict[str, Any]] = []
        by_name = {o["name"]: o for o in defs}
        for name, value in options.items():
            if name not in by_name:
                raise ValueError(f"{' '.join(path)!r} has no option {name!r}; it has {sorted(by_name)}")
            leaf.append(
                self._resolve_option(by_name[name], value, guild, resolved, focused=(name == focused))
            )
        if focused is not None and focused not in options:
            raise ValueError(f"focused option {focused!r} must be given in options")
        if focused is None:
            missing = [o["name"] for o in defs if o.get("required") and o["name"] not in options]
            if missing:
                raise ValueError(f"{' '.join(path)!r}: required options missing: {missing}")
        nested: list[dict[str, Any]] = leaf
        for sub in reversed(containers):
            nested = [{"name": sub["name"], "type": int(sub["type"]), "options": nested}]
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if nested:
            data["options"] = nested
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    async def invoke(
        self,
        command: str | Sequence[str],
        options: dict[str, Any] | None = None,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user: dict[str, Any] | None = None,
        permissions: int | None = None,
        app_permissions: int | None = None,
        locale: str = "en-US",
        dm: bool = False,
    ) -> InteractionHandle:
        """Run a synced slash command as a user (INTERACTION_CREATE type 2).

        ``command``: ``"name"``, or a subcommand path ``("admin", "reload")`` /
        ``"admin reload"``.  ``options``: ``{option_name: value}``; values are
        converted with the synced option types (channel/user/role options take an
        id or payload and fill ``data.resolved``).  ``guild_id`` defaults to the
        only guild, ``channel_id`` to its first text channel (or to the guild of
        ``channel_id``), ``user`` to :attr:`default_user`; ``permissions`` (the
        member's, default computed from roles) and ``app_permissions`` (the bot's)
        are ints.  ``dm=True`` invokes in a DM (top-level ``user``, no member).
        Returns an :class:`InteractionHandle` right after dispatching.
        """
        guild, channel, actor = self._context(guild_id, channel_id, user, dm=dm)
        data = self._build_command_data(command, options, guild)
        payload = self._base_interaction(2, data, guild, channel, actor, permissions, app_permissions, locale)
        return await self._send_interaction(payload)

    async def autocomplete(
        self,
        command: str | Sequence[str],
        options: dict[str, Any],
        focused: str,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user: dict[str, Any] | None = None,
        permissions: int | None = None,
        locale: str = "en-US",
        dm: bool = False,
        timeout: float = 2.0,
    ) -> list[dict[str, Any]]:
        """Type into option ``focused`` (its partial value is ``options[focused]``)
        and return the bot's choices ``[{"name", "value"}, ...]`` (INTERACTION_CREATE
        type 4, answered by callback type 8).  Other arguments as :meth:`invoke`."""
        guild, channel, actor = self._context(guild_id, channel_id, user, dm=dm)
        data = self._build_command_data(command, options, guild, focused=focused)
        payload = self._base_interaction(4, data, guild, channel, actor, permissions, None, locale)
        handle = await self._send_interaction(payload)
        return await handle.choices(timeout)

    def _find_component_message(self, target: Any, custom_id: str) -> dict[str, Any]:
        if isinstance(target, InteractionHandle):
            candidates = [m for m in reversed(target.messages())]
        elif isinstance(target, InteractionEvent):
            candidates = [target.message] if target.message else []
        elif isinstance(target, ChannelPost):
            candidates = [target.message]
        elif isinstance(target, dict):
            candidates = [target]
        else:
            candidates = [self.messages[int(target)]]
        for msg in candidates:
            current = self.messages.get(int(msg["id"]), msg)
            if custom_id in _iter_custom_ids(current.get("components") or []):
                return current
        raise LookupError(f"no component with custom_id {custom_id!r} on {target!r}")

    async def click(
        self,
        target: InteractionHandle | InteractionEvent | ChannelPost | dict[str, Any] | int,
        custom_id: str,
        *,
        user: dict[str, Any] | None = None,
        permissions: int | None = None,
        component_type: int = 2,
        values: Sequence[str] | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Click the component ``custom_id`` (INTERACTION_CREATE type 3, a button by
        default; pass ``component_type=3`` and ``values`` for a string select).

        ``target``: the :class:`InteractionHandle` whose original response or
        followups carry the component, an :class:`InteractionEvent`, a
        :class:`ChannelPost`, a message payload or a message id.  The interaction
        carries the current message object.  Returns an :class:`InteractionHandle`."""
        message = self._find_component_message(target, custom_id)
        channel_id = int(message["channel_id"])
        found = self.find_channel(channel_id)
        if found is None:
            raise KeyError(f"message {message['id']} is in unknown channel {channel_id}")
        guild, channel = found
        actor = user or self.default_user
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        payload = self._base_interaction(3, data, guild, channel, actor, permissions, None, locale)
        payload["message"] = dict(message)
        return await self._send_interaction(payload)

    async def send_user_message(
        self, channel_id: int, content: str, *, user: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A user posts ``content`` in a channel and the message payload is returned.

        As on Discord, MESSAGE_CREATE is dispatched only if the bot identified with
        the GUILD_MESSAGES (guild) / DIRECT_MESSAGES (DM) intent, and the content is
        blanked unless it has MESSAGE_CONTENT, the message is a DM or mentions it."""
        found = self.find_channel(channel_id)
        if found is None:
            raise KeyError(f"unknown channel {channel_id}")
        guild, _ = found
        author = user or self.default_user
        msg = self._make_message(int(channel_id), {"content": content}, author=author, guild=guild)
        event = dict(msg)
        if guild is not None:
            member = guild.member(author["id"])
            if member is not None:
                event["member"] = {k: v for k, v in member.items() if k != "user"}
        session = self.session_for(guild.id if guild is not None else None)
        intents = session.intents if session is not None else 0
        needed = _GUILD_MESSAGES_INTENT if guild is not None else _DIRECT_MESSAGES_INTENT
        if not intents & needed:
            return msg
        mentioned = f"<@{self.bot_user['id']}>" in content or f"<@!{self.bot_user['id']}>" in content
        if guild is not None and not intents & _MESSAGE_CONTENT_INTENT and not mentioned:
            event.update(content="", embeds=[], attachments=[], components=[])
        await self.dispatch("MESSAGE_CREATE", event, session=session)
        return msg

    # ------------------------------------------------------------------
    # messages
    # ------------------------------------------------------------------
    def _make_message(
        self,
        channel_id: int,
        body: dict[str, Any],
        *,
        author: dict[str, Any] | None = None,
        guild: EmulatedGuild | None = None,
        message_id: int | None = None,
        msg_type: int = 0,
        webhook: bool = False,
        files: Sequence[str] = (),
    ) -> dict[str, Any]:
        mid = message_id or snowflake()
        msg: dict[str, Any] = {
            "id": str(mid),
            "type": msg_type,
            "channel_id": str(channel_id),
            "author": dict(author or self.bot_user),
            "content": body.get("content") or "",
            "timestamp": _iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "mention_channels": [],
            "attachments": [
                {
                    "id": str(snowflake()),
                    "filename": name,
                    "size": 0,
                    "url": f"https://cdn.invalid/{name}",
                    "proxy_url": f"https://cdn.invalid/{name}",
                }
                for name in files
            ],
            "embeds": list(body.get("embeds") or []),
            "components": list(body.get("components") or []),
            "reactions": [],
            "pinned": False,
            "flags": int(body.get("flags") or 0),
        }
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        if body.get("message_reference"):
            msg["message_reference"] = body["message_reference"]
        if guild is not None:
            msg["guild_id"] = str(guild.id)
        if webhook:
            msg["webhook_id"] = str(self.application_id)
            msg["application_id"] = str(self.application_id)
        self.messages[mid] = msg
        return msg

    @staticmethod
    def _apply_edit(msg: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        for key in ("content", "embeds", "components", "flags", "attachments"):
            if key in body and body[key] is not None:
                msg[key] = body[key]
            elif key in body and key in ("embeds", "components", "attachments"):
                msg[key] = []
        msg["edited_timestamp"] = _iso_now()
        return msg

    # ------------------------------------------------------------------
    # REST
    # ------------------------------------------------------------------
    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Any], bool]]:
        """(method, path regex, handler, needs bot auth)"""
        s = r"(\d+)"
        table: list[tuple[str, str, Callable[..., Any], bool]] = [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", rf"/users/{s}", self._get_user, True),
            ("POST", r"/users/@me/channels", self._create_dm, True),
            ("GET", r"/oauth2/applications/@me", self._get_application, True),
            ("GET", r"/applications/@me", self._get_application, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway_bot, True),
            ("PUT", rf"/applications/{s}/commands", self._put_global_commands, True),
            ("GET", rf"/applications/{s}/commands", self._get_global_commands, True),
            ("POST", rf"/applications/{s}/commands", self._post_global_command, True),
            ("PUT", rf"/applications/{s}/guilds/{s}/commands", self._put_guild_commands, True),
            ("GET", rf"/applications/{s}/guilds/{s}/commands", self._get_guild_commands, True),
            ("POST", rf"/interactions/{s}/([^/]+)/callback", self._interaction_callback, False),
            ("POST", rf"/webhooks/{s}/([^/]+)", self._followup, False),
            ("GET", rf"/webhooks/{s}/([^/]+)/messages/(@original|\d+)", self._webhook_get_message, False),
            ("PATCH", rf"/webhooks/{s}/([^/]+)/messages/(@original|\d+)", self._webhook_edit_message, False),
            (
                "DELETE",
                rf"/webhooks/{s}/([^/]+)/messages/(@original|\d+)",
                self._webhook_delete_message,
                False,
            ),
            ("GET", rf"/channels/{s}", self._get_channel, True),
            ("POST", rf"/channels/{s}/messages", self._post_channel_message, True),
            ("GET", rf"/channels/{s}/messages/{s}", self._get_channel_message, True),
            ("PATCH", rf"/channels/{s}/messages/{s}", self._edit_channel_message, True),
            ("DELETE", rf"/channels/{s}/messages/{s}", self._delete_channel_message, True),
            ("POST", rf"/channels/{s}/typing", self._typing, True),
            ("GET", rf"/guilds/{s}", self._get_guild, True),
            ("GET", rf"/guilds/{s}/channels", self._get_guild_channels, True),
            ("GET", rf"/guilds/{s}/members/{s}", self._get_guild_member, True),
        ]
        return [(m, re.compile(p), h, auth) for m, p, h, auth in table]

    async def _read_body(self, request: web.Request) -> tuple[Any, list[str]]:
        ctype = request.headers.get("Content-Type", "")
        if ctype.startswith("multipart/"):
            payload: Any = None
            files: list[str] = []
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    payload = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    files.append(part.filename or part.name or "")  # type: ignore[union-attr]
                    await part.read()  # type: ignore[union-attr]
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            return raw.decode(errors="replace"), []

    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        full_path = request.path
        body, files = await self._read_body(request)
        path = full_path[len(API_PREFIX) :] if full_path.startswith(API_PREFIX) else full_path
        rec = RecordedRequest(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            headers=dict(request.headers),
            files=files,
        )
        self.requests.append(rec)
        try:
            response = await self._route(request, rec, full_path)
        except Exception as exc:  # a bug in the emulator (or a malformed request): make it loud
            # 400, not 500: discord.py would retry a 500 for seconds
            response = _error(400, f"emulator error: {exc!r}")
            self.errors.append((rec, exc))
        rec.status = response.status
        await self._notify()
        return response

    async def _route(self, request: web.Request, rec: RecordedRequest, full_path: str) -> web.Response:
        if not full_path.startswith(API_PREFIX + "/"):
            self.unknown_routes.append(rec)
            return _error(404, "404: Not Found")
        for fault in self.faults:
            if fault.matches(rec.method, rec.path):
                return self._fault_response(fault)
        for method, pattern, handler, needs_auth in self._routes:
            m = pattern.fullmatch(rec.path)
            if m is None or method != rec.method:
                continue
            if needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
                return _error(401, "401: Unauthorized")
            return await handler(rec, *m.groups())
        self.unknown_routes.append(rec)
        return _error(404, "404: Not Found")

    # -- users / application / gateway --------------------------------
    async def _get_me(self, rec: RecordedRequest) -> web.Response:
        return _json_response({**self.bot_user, "verified": True, "mfa_enabled": False, "email": None})

    async def _get_user(self, rec: RecordedRequest, user_id: str) -> web.Response:
        user = self.users.get(int(user_id))
        return _json_response(user) if user else _error(404, "Unknown User", 10013)

    async def _create_dm(self, rec: RecordedRequest) -> web.Response:
        user = self.users.get(int(rec.json["recipient_id"]))
        if user is None:
            return _error(400, "Invalid Recipient(s)", 50033)
        return _json_response(self._dm_channel(user))

    def application_payload(self) -> dict[str, Any]:
        """The ``GET /oauth2/applications/@me`` object."""
        app: dict[str, Any] = {
            "id": str(self.application_id),
            "name": self.bot_user["username"],
            "icon": None,
            "description": "Emulated application",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": dict(self.owner),
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
            "summary": "",
            "bot": dict(self.bot_user),
        }
        if self.team_member_ids is not None:
            team_id = snowflake()
            app["owner"] = {**self._make_user(team_id, f"team{team_id}"), "flags": 1024}
            members = []
            for uid in self.team_member_ids:
                user = self.users.get(uid) or self._make_user(uid, f"member{uid}")
                members.append(
                    {
                        "membership_state": 2,
                        "permissions": ["*"],
                        "team_id": str(team_id),
                        "user": dict(user),
                        "role": "admin",
                    }
                )
            app["team"] = {
                "id": str(team_id),
                "name": "Emulated team",
                "icon": None,
                "owner_user_id": str(self.team_member_ids[0]) if self.team_member_ids else None,
                "members": members,
            }
        return app

    async def _get_application(self, rec: RecordedRequest) -> web.Response:
        return _json_response(self.application_payload())

    async def _get_gateway(self, rec: RecordedRequest) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, rec: RecordedRequest) -> web.Response:
        return _json_response(
            {
                "url": self.gateway_url,
                "shards": self.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    # -- commands --------------------------------------------------------
    def _store_commands(self, body: list[dict[str, Any]], guild_id: int | None) -> list[dict[str, Any]]:
        previous = {(c["name"], c.get("type", 1)): c for c in self.commands_for(guild_id)}
        out = []
        for cmd in body or []:
            stored = dict(cmd)
            old = previous.get((cmd["name"], cmd.get("type", 1)))
            stored["id"] = old["id"] if old else str(snowflake())
            stored["application_id"] = str(self.application_id)
            stored["version"] = str(snowflake())
            stored.setdefault("type", 1)
            stored.setdefault("description", "")
            stored.setdefault("default_member_permissions", None)
            if stored["default_member_permissions"] is not None:  # Discord answers a string
                stored["default_member_permissions"] = str(stored["default_member_permissions"])
            if guild_id is not None:
                stored["guild_id"] = str(guild_id)
            out.append(stored)
        return out

    async def _put_global_commands(self, rec: RecordedRequest, app_id: str) -> web.Response:
        if int(app_id) != self.application_id:
            return _error(403, "Missing Access", 50001)
        self.global_commands = self._store_commands(rec.json, None)
        self.global_sync_count += 1
        return _json_response(self.global_commands)

    async def _get_global_commands(self, rec: RecordedRequest, app_id: str) -> web.Response:
        return _json_response(self.global_commands)

    async def _post_global_command(self, rec: RecordedRequest, app_id: str) -> web.Response:
        stored = self._store_commands([rec.json], None)[0]
        self.global_commands = [c for c in self.global_commands if c["name"] != stored["name"]] + [stored]
        return _json_response(stored)

    async def _put_guild_commands(self, rec: RecordedRequest, app_id: str, guild_id: str) -> web.Response:
        gid = int(guild_id)
        if int(app_id) != self.application_id or gid not in self.guilds:
            return _error(403, "Missing Access", 50001)
        self.guild_commands[gid] = self._store_commands(rec.json, gid)
        self.guild_sync_counts[gid] = self.guild_sync_counts.get(gid, 0) + 1
        return _json_response(self.guild_commands[gid])

    async def _get_guild_commands(self, rec: RecordedRequest, app_id: str, guild_id: str) -> web.Response:
        return _json_response(self.guild_commands.get(int(guild_id), []))

    # -- interactions / webhooks ---------------------------------------
    async def _interaction_callback(
        self, rec: RecordedRequest, interaction_id: str, token: str
    ) -> web.Response:
        handle = self._interactions_by_token.get(token)
        if handle is None or handle.id != int(interaction_id):
            return _error(404, "Unknown interaction", 10062)
        if handle.acknowledged:
            return _error(400, "Interaction has already been acknowledged.", 40060)
        if (
            self.interaction_timeout is not None
            and time.monotonic() - handle.created > self.interaction_timeout
        ):
            return _error(404, "Unknown interaction", 10062)
        body = rec.json or {}
        ctype = int(body.get("type", 0))
        data = body.get("data") or {}
        channel_id = int(handle.payload["channel_id"])
        guild = self.guilds.get(int(handle.payload["guild_id"])) if handle.payload.get("guild_id") else None
        message: dict[str, Any] | None = None
        interaction: dict[str, Any] = {"id": str(handle.id), "type": handle.type}
        if ctype in (4, 5):
            msg_body = dict(data)
            if ctype == 5:
                msg_body = {"flags": int(data.get("flags") or 0) | 128}  # LOADING
            message = self._make_message(
                channel_id,
                msg_body,
                guild=guild,
                msg_type=20 if handle.type == 2 else 0,
                webhook=True,
                files=rec.files,
            )
            handle.message = message
            interaction["response_message_id"] = message["id"]
            interaction["response_message_loading"] = ctype == 5
            interaction["response_message_ephemeral"] = bool(int(msg_body.get("flags") or 0) & 64)
        elif ctype in (6, 7):
            if handle.source_message_id is None:
                return _error(400, "Invalid interaction application command", 50035)
            source = self.messages.get(handle.source_message_id)
            if source is not None and ctype == 7:
                self._apply_edit(source, data)
            message = source
            interaction["response_message_id"] = str(handle.source_message_id)
            interaction["response_message_loading"] = False
            interaction["response_message_ephemeral"] = False
        elif ctype == 8:
            if handle.type != 4:
                return _error(400, "Invalid Form Body", 50035)
        elif ctype == 9:
            pass
        else:
            return _error(400, "Invalid Form Body", 50035)
        handle.events.append(InteractionEvent("callback", body, message))
        resource: dict[str, Any] = {"type": ctype}
        if message is not None and ctype != 6:
            resource["message"] = message
        return _json_response({"interaction": interaction, "resource": resource})

    def _webhook_handle(self, app_id: str, token: str) -> InteractionHandle | None:
        if int(app_id) != self.application_id:
            return None
        return self._interactions_by_token.get(token)

    async def _followup(self, rec: RecordedRequest, app_id: str, token: str) -> web.Response:
        handle = self._webhook_handle(app_id, token)
        if handle is None or not handle.acknowledged:
            return _error(404, "Unknown Webhook", 10015)
        body = rec.json or {}
        guild = self.guilds.get(int(handle.payload["guild_id"])) if handle.payload.get("guild_id") else None
        message = self._make_message(
            int(handle.payload["channel_id"]), body, guild=guild, webhook=True, files=rec.files
        )
        # a deferred (loading) original is replaced by the first followup, as on Discord
        if handle.message is not None and int(handle.message["flags"]) & 128:
            self._apply_edit(handle.message, body)
            handle.message["flags"] = int(handle.message["flags"]) & ~128
            message = handle.message
        handle.events.append(InteractionEvent("followup", body, message))
        if rec.query.get("wait") in ("1", "true", "True"):
            return _json_response(message)
        return web.Response(status=204)

    def _webhook_target(self, handle: InteractionHandle, message_id: str) -> dict[str, Any] | None:
        if message_id == "@original":
            return handle.message
        if any(m["id"] == message_id for m in handle.messages()):
            return self.messages.get(int(message_id))
        return None

    async def _webhook_get_message(
        self, rec: RecordedRequest, app_id: str, token: str, mid: str
    ) -> web.Response:
        handle = self._webhook_handle(app_id, token)
        msg = self._webhook_target(handle, mid) if handle else None
        if handle is None or msg is None:
            return _error(404, "Unknown Message", 10008)
        handle.events.append(InteractionEvent("get", {}, msg, target=msg["id"]))
        return _json_response(msg)

    async def _webhook_edit_message(
        self, rec: RecordedRequest, app_id: str, token: str, mid: str
    ) -> web.Response:
        handle = self._webhook_handle(app_id, token)
        msg = self._webhook_target(handle, mid) if handle else None
        if handle is None or msg is None:
            return _error(404, "Unknown Message", 10008)
        body = rec.json or {}
        self._apply_edit(msg, body)
        if mid == "@original":
            msg["flags"] = int(msg["flags"]) & ~128
        handle.events.append(InteractionEvent("edit", body, msg, target=msg["id"]))
        return _json_response(msg)

    async def _webhook_delete_message(
        self, rec: RecordedRequest, app_id: str, token: str, mid: str
    ) -> web.Response:
        handle = self._webhook_handle(app_id, token)
        msg = self._webhook_target(handle, mid) if handle else None
        if handle is None or msg is None:
            return _error(404, "Unknown Message", 10008)
        self.messages.pop(int(msg["id"]), None)
        if handle.message is msg:
            handle.message = None
        handle.events.append(InteractionEvent("delete", {}, msg, target=msg["id"]))
        return web.Response(status=204)

    # -- channels / guilds ------------------------------------------------
    def _channel_or_404(self, channel_id: str) -> tuple[EmulatedGuild | None, dict[str, Any]] | web.Response:
        found = self.find_channel(channel_id)
        if found is None:
            return _error(404, "Unknown Channel", 10003)
        return found

    async def _get_channel(self, rec: RecordedRequest, channel_id: str) -> web.Response:
        found = self._channel_or_404(channel_id)
        return found if isinstance(found, web.Response) else _json_response(found[1])

    async def _post_channel_message(self, rec: RecordedRequest, channel_id: str) -> web.Response:
        found = self._channel_or_404(channel_id)
        if isinstance(found, web.Response):
            return found
        guild, channel = found
        body = rec.json or {}
        if not (
            body.get("content")
            or body.get("embeds")
            or body.get("components")
            or rec.files
            or body.get("sticker_ids")
            or body.get("poll")
        ):
            return _error(400, "Cannot send an empty message", 50006)
        message = self._make_message(int(channel_id), body, guild=guild, files=rec.files)
        channel["last_message_id"] = message["id"]
        self.channel_posts.append(ChannelPost(int(channel_id), body, message))
        session = self.session_for(guild.id) if guild is not None else None
        if session is not None and session.intents & _GUILD_MESSAGES_INTENT:
            self._dispatch_nowait("MESSAGE_CREATE", dict(message))
        return _json_response(message)

    def _channel_message(self, channel_id: str, message_id: str) -> dict[str, Any] | None:
        msg = self.messages.get(int(message_id))
        return msg if msg is not None and msg["channel_id"] == channel_id else None

    async def _get_channel_message(
        self, rec: RecordedRequest, channel_id: str, message_id: str
    ) -> web.Response:
        found = self._channel_or_404(channel_id)
        if isinstance(found, web.Response):
            return found
        msg = self._channel_message(channel_id, message_id)
        return _json_response(msg) if msg else _error(404, "Unknown Message", 10008)

    async def _edit_channel_message(
        self, rec: RecordedRequest, channel_id: str, message_id: str
    ) -> web.Response:
        found = self._channel_or_404(channel_id)
        if isinstance(found, web.Response):
            return found
        msg = self._channel_message(channel_id, message_id)
        if msg is None:
            return _error(404, "Unknown Message", 10008)
        return _json_response(self._apply_edit(msg, rec.json or {}))

    async def _delete_channel_message(
        self, rec: RecordedRequest, channel_id: str, message_id: str
    ) -> web.Response:
        found = self._channel_or_404(channel_id)
        if isinstance(found, web.Response):
            return found
        if self._channel_message(channel_id, message_id) is None:
            return _error(404, "Unknown Message", 10008)
        self.messages.pop(int(message_id))
        return web.Response(status=204)

    async def _typing(self, rec: RecordedRequest, channel_id: str) -> web.Response:
        found = self._channel_or_404(channel_id)
        return found if isinstance(found, web.Response) else web.Response(status=204)

    async def _get_guild(self, rec: RecordedRequest, guild_id: str) -> web.Response:
        guild = self.guilds.get(int(guild_id))
        if guild is None:
            return _error(404, "Unknown Guild", 10004)
        data = guild.to_gateway()
        for key in ("channels", "members", "threads", "voice_states", "presences", "joined_at"):
            data.pop(key, None)
        return _json_response(data)

    async def _get_guild_channels(self, rec: RecordedRequest, guild_id: str) -> web.Response:
        guild = self.guilds.get(int(guild_id))
        return _json_response(guild.channels) if guild else _error(404, "Unknown Guild", 10004)

    async def _get_guild_member(self, rec: RecordedRequest, guild_id: str, user_id: str) -> web.Response:
        guild = self.guilds.get(int(guild_id))
        member = guild.member(user_id) if guild else None
        return _json_response(member) if member else _error(404, "Unknown Member", 10007)


@contextlib.contextmanager
def point_discord_at(emulator: DiscordEmulator) -> Iterator[DiscordEmulator]:
    """Point discord.py at ``emulator`` (``Route.BASE`` and
    ``DiscordWebSocket.DEFAULT_GATEWAY``) for the duration of the block, then
    restore both.  Enter it before ``login()``."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = emulator.base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emulator.gateway_url)
    try:
        yield emulator
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


# ----------------------------------------------------------------------
# running a client against the emulator
# ----------------------------------------------------------------------
class _ErrorLogHandler(logging.Handler):
    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(level=logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record)


class BotRunner:
    """A ``discord.Client`` (or ``commands.Bot``) connected to the emulator.

    Created by :func:`start_bot`.  Collects, for the test to inspect or for the
    fixture to fail on at teardown:

    * ``app_command_errors``: ``(interaction, error)`` for every error passed to
      the command tree's ``on_error`` (the bot's own handler still runs);
    * ``event_errors``: ``(event_name, exception)`` from ``Client.on_error``;
    * ``logged_errors``: ERROR log records of the ``discord`` loggers (unhandled
      errors in views, tasks, events, the tree's default handler...).

    A test that provokes errors on purpose calls :meth:`take_errors`.
    """

    def __init__(self, emulator: DiscordEmulator, bot: discord.Client) -> None:
        self.emulator = emulator
        self.bot = bot
        self.task: asyncio.Task[None] | None = None
        self.app_command_errors: list[tuple[discord.Interaction, BaseException]] = []
        self.event_errors: list[tuple[str, BaseException | None]] = []
        self.logged_errors: list[logging.LogRecord] = []
        self._log_handler = _ErrorLogHandler(self.logged_errors)

    def _install_hooks(self) -> None:
        logging.getLogger("discord").addHandler(self._log_handler)
        bot = self.bot
        original_on_error = bot.on_error

        async def on_error(event_method: str, /, *args: Any, **kwargs: Any) -> None:
            self.event_errors.append((event_method, sys.exc_info()[1]))
            await original_on_error(event_method, *args, **kwargs)

        bot.on_error = on_error  # type: ignore[method-assign]
        tree = getattr(bot, "tree", None)
        if isinstance(tree, discord.app_commands.CommandTree):
            original_tree_error = tree.on_error

            async def tree_on_error(
                interaction: discord.Interaction, error: discord.app_commands.AppCommandError, /
            ) -> None:
                self.app_command_errors.append((interaction, error))
                await original_tree_error(interaction, error)

            tree.on_error = tree_on_error  # type: ignore[method-assign]

    def take_errors(self) -> list[BaseException | str]:
        """Return and clear every collected error (app-command errors, event
        errors, then logged error messages)."""
        out: list[BaseException | str] = [e for _, e in self.app_command_errors]
        out += [e if e is not None else f"error in {name}" for name, e in self.event_errors]
        out += [r.getMessage() + (f": {r.exc_info[1]!r}" if r.exc_info else "") for r in self.logged_errors]
        self.app_command_errors.clear()
        self.event_errors.clear()
        self.logged_errors.clear()
        return out

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self.emulator.report_client_error(exc)
        elif not self.bot.is_closed():
            self.emulator.report_client_error(RuntimeError("connect() returned while the client was open"))

    async def stop(self, timeout: float = 5.0) -> None:
        """``await bot.close()`` and wait for the connect task; re-raise its crash."""
        try:
            if not self.bot.is_closed():
                await asyncio.wait_for(self.bot.close(), timeout)
            if self.task is not None:
                try:
                    await asyncio.wait_for(asyncio.shield(self.task), timeout)
                except TimeoutError:
                    self.task.cancel()
                    raise
        finally:
            logging.getLogger("discord").removeHandler(self._log_handler)

    def assert_clean(self) -> None:
        """Fail if any error was collected (see :meth:`take_errors`)."""
        errors = self.take_errors()
        if errors:
            raise AssertionError(f"the bot reported {len(errors)} error(s): {errors!r}")


async def start_bot(
    emulator: DiscordEmulator,
    bot: discord.Client,
    *,
    token: str | None = None,
    reconnect: bool = True,
    ready_timeout: float = 5.0,
    guild_ready_timeout: float | None = 0.05,
) -> BotRunner:
    """Log ``bot`` in against ``emulator`` (which discord.py must already point
    at, see :func:`point_discord_at`), run ``bot.connect(reconnect=...)`` as a
    watched task and wait until ``on_ready``.

    ``login()`` runs ``setup_hook`` (cogs, syncs...).  ``guild_ready_timeout``
    (if not ``None``) overrides the client's wait after the last GUILD_CREATE
    (2 s by default in discord.py).  If the connect task dies, every emulator
    wait raises :class:`ClientCrashed` with its exception.
    """
    runner = BotRunner(emulator, bot)
    if guild_ready_timeout is not None:
        bot._connection.guild_ready_timeout = guild_ready_timeout
    await bot.login(token or emulator.token)
    runner._install_hooks()
    runner.task = asyncio.create_task(bot.connect(reconnect=reconnect), name="bot.connect")
    runner.task.add_done_callback(runner._on_task_done)
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait(
        {runner.task, ready}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        ready.cancel()
        if runner.task in done:
            exc = runner.task.exception()
            await runner.stop()
            raise ClientCrashed(f"bot.connect() ended before ready: {exc!r}") from exc
        await runner.stop()
        raise TimeoutError(f"bot not ready after {ready_timeout}s")
    return runner
