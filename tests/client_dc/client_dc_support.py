"""A small multi-DC Telegram made of plain LoopbackServers, for the client's DC tests.

Each DC is a :class:`LoopbackServer` (one RSA key for all, its own ``dc_id``
and port) whose handlers are replaced through the public ``register`` API:

* ``help.getConfig`` lists every DC of the harness with its 127.0.0.1 port;
* ``auth.importBotAuthorization`` answers 303 ``USER_MIGRATE_<home>`` on any
  DC but the bot's home, and logs the key in there;
* ``auth.exportAuthorization`` / ``auth.importAuthorization`` move a login
  between DCs (401 ``AUTH_KEY_UNREGISTERED`` for a key that is not logged in);
* ``upload.getFile`` is served by ``file_dc`` only; other DCs answer
  ``FILE_MIGRATE_<file_dc>``;
* ``messages.exportChatInvite`` needs a logged-in key.

Every call each DC sees is counted by ``(dc_id, TL name)``, so a test can
assert that a refused call was refused once and ran once elsewhere.  An audit
hook records every ``socket.connect`` of the process: :func:`dialled` tells
what a test dialled (the tests assert it is 127.0.0.1 only).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import RPCError
from tlruntime.server import LoopbackServer, RequestContext
from tlruntime.server.defaults import build_config, export_chat_invite
from tlruntime.tl import functions, types

T = TypeVar("T")

HOST = "127.0.0.1"
BOT_ID = 4242
BOT_TOKEN = f"{BOT_ID}:AAE-loopback-secret"

_dialled: list[Any] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect":
        _dialled.append(args[1])


sys.addaudithook(_audit)


def dialled() -> list[Any]:
    """Every address a socket of this process connected to since the last call (then forgotten)."""
    found = list(_dialled)
    _dialled.clear()
    return found


def run(coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
    """Run ``coro`` on a fresh loop with a hard timeout (a protocol bug fails, never hangs)."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


@dataclass
class LoopbackDcs:
    """The harness: ``servers[dc_id]``, shared login state, per-DC call counts."""

    servers: dict[int, LoopbackServer]
    bot_home: int
    file_dc: int
    calls: Counter[tuple[int, str]] = field(default_factory=Counter)
    #: (dc_id, auth_key_id) of every logged-in key
    logged_in: set[tuple[int, int]] = field(default_factory=set)
    #: exported token -> the DC it was exported for
    exported: dict[bytes, int] = field(default_factory=dict)
    #: what a DC answers to a method instead of the defaults: (dc_id, function class) -> handler
    overrides: dict[tuple[int, type], Callable[[Any, RequestContext], Any]] = field(default_factory=dict)

    @property
    def public_key(self) -> Any:
        return self.servers[1].public_key

    def port(self, dc_id: int) -> int:
        return self.servers[dc_id].port

    def handshakes(self) -> int:
        return sum(server.handshakes for server in self.servers.values())

    def connection_count(self) -> int:
        return sum(server.connection_count for server in self.servers.values())

    def dc_options(self) -> list[Any]:
        return [
            types.DcOption(id=dc_id, ip_address=HOST, port=server.port, static=True)
            for dc_id, server in sorted(self.servers.items())
        ]

    def bot_user(self) -> Any:
        return types.User(id=BOT_ID, bot=True, bot_info_version=1, first_name="Loopback bot", username="loopback_bot")

    def _install(self, dc_id: int, server: LoopbackServer) -> None:
        def counted(function_cls: type, handler: Callable[[Any, RequestContext], Any]) -> None:
            @server.register(function_cls)
            def serve(request: Any, ctx: RequestContext) -> Any:
                self.calls[(dc_id, function_cls.TL_NAME)] += 1  # type: ignore[attr-defined]
                override = self.overrides.get((dc_id, function_cls))
                return (override or handler)(request, ctx)

        def logged_in(ctx: RequestContext, request: Any) -> None:
            if (dc_id, ctx.auth_key_id) not in self.logged_in:
                raise RPCError(401, "AUTH_KEY_UNREGISTERED", request)

        def get_config(request: Any, ctx: RequestContext) -> Any:
            config = build_config(ctx)
            config.dc_options = self.dc_options()
            return config

        def import_bot(request: Any, ctx: RequestContext) -> Any:
            if not request.bot_auth_token.startswith(f"{BOT_ID}:"):
                raise RPCError(400, "ACCESS_TOKEN_INVALID", request)
            if dc_id != self.bot_home:
                raise RPCError(303, f"USER_MIGRATE_{self.bot_home}", request)
            self.logged_in.add((dc_id, ctx.auth_key_id))
            return types.auth.Authorization(user=self.bot_user())

        def export(request: Any, ctx: RequestContext) -> Any:
            logged_in(ctx, request)
            if request.dc_id not in self.servers or request.dc_id == dc_id:
                raise RPCError(400, "DC_ID_INVALID", request)
            token = os.urandom(32)
            self.exported[token] = request.dc_id
            return types.auth.ExportedAuthorization(id=BOT_ID, bytes=token)

        def import_(request: Any, ctx: RequestContext) -> Any:
            if self.exported.pop(request.bytes, None) != dc_id or request.id != BOT_ID:
                raise RPCError(400, "AUTH_BYTES_INVALID", request)
            self.logged_in.add((dc_id, ctx.auth_key_id))
            return types.auth.Authorization(user=self.bot_user())

        def get_file(request: Any, ctx: RequestContext) -> Any:
            if dc_id != self.file_dc:
                raise RPCError(303, f"FILE_MIGRATE_{self.file_dc}", request)
            logged_in(ctx, request)
            return types.upload.File(type=types.storage.FilePartial(), mtime=0, bytes=b"file part from DC %d" % dc_id)

        def invite(request: Any, ctx: RequestContext) -> Any:
            logged_in(ctx, request)
            return export_chat_invite(request, ctx)

        counted(functions.help.GetConfig, get_config)
        counted(functions.auth.ImportBotAuthorization, import_bot)
        counted(functions.auth.ExportAuthorization, export)
        counted(functions.auth.ImportAuthorization, import_)
        counted(functions.upload.GetFile, get_file)
        counted(functions.messages.ExportChatInvite, invite)
        counted(functions.help.GetNearestDc, lambda request, ctx: types.NearestDc(country="ZZ", this_dc=dc_id, nearest_dc=dc_id))


@contextlib.asynccontextmanager
async def loopback_dcs(
    private_key: RSAPrivateKey, count: int = 3, *, bot_home: int = 2, file_dc: int = 3
) -> AsyncIterator[LoopbackDcs]:
    """Start ``count`` loopback DCs (1..count) on 127.0.0.1 sharing ``private_key``."""
    async with contextlib.AsyncExitStack() as stack:
        servers = {}
        for dc_id in range(1, count + 1):
            servers[dc_id] = await stack.enter_async_context(
                LoopbackServer(host=HOST, port=0, private_key=private_key, dc_id=dc_id)
            )
        harness = LoopbackDcs(servers, bot_home=bot_home, file_dc=file_dc)
        for dc_id, server in servers.items():
            harness._install(dc_id, server)
        yield harness


def file_request() -> Any:
    return functions.upload.GetFile(
        location=types.InputDocumentFileLocation(id=1, access_hash=2, file_reference=b"ref", thumb_size=""),
        offset=0,
        limit=4096,
    )


def invite_request() -> Any:
    return functions.messages.ExportChatInvite(peer=types.InputPeerChannel(channel_id=1, access_hash=2))
