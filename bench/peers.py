"""Telethon's and kurigram's real clients, pointed at our loopback server.

Each connect function returns an :class:`RpcDriver` whose ``call()`` performs
one ``ping`` round trip through that library's public invoke path, checking
the ``pong`` it gets back.  Both libraries are configured only through their
public knobs (an extra RSA key, a session or storage that names 127.0.0.1),
and both use the abridged transport, as our client does in this benchmark.
"""

from __future__ import annotations

import itertools
import logging
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loopback import HOST, ServerKey

API_HASH = "0123456789abcdef0123456789abcdef"
CALL_TIMEOUT = 30.0


class PeerCallError(RuntimeError):
    """A client got something other than the pong it asked for."""


@dataclass
class RpcDriver:
    """One connected client: ``await call()`` is one checked round trip."""

    name: str
    call: Callable[[], Awaitable[None]]
    close: Callable[[], Awaitable[None]]


def check_pong(who: str, result: Any, ping_id: int) -> None:
    if getattr(result, "ping_id", None) != ping_id:
        raise PeerCallError(f"{who}: ping {ping_id} answered with {result!r}")


async def connect_telethon(port: int, key: ServerKey) -> RpcDriver:
    """Telethon ``TelegramClient`` on a ``MemorySession`` whose DC 2 is our server."""
    from telethon import TelegramClient  # type: ignore[import-untyped]
    from telethon.crypto import rsa  # type: ignore[import-untyped]
    from telethon.network.connection import ConnectionTcpAbridged  # type: ignore[import-untyped]
    from telethon.sessions import MemorySession  # type: ignore[import-untyped]
    from telethon.tl.functions import PingRequest  # type: ignore[import-untyped]

    logging.getLogger("telethon").setLevel(logging.ERROR)
    rsa.add_key(key.pem, old=False)
    session = MemorySession()
    session.set_dc(2, HOST, port)
    client = TelegramClient(
        session,
        api_id=1,
        api_hash=API_HASH,
        connection=ConnectionTcpAbridged,
        receive_updates=False,
        timeout=CALL_TIMEOUT,
        # Telethon drops leading zero bytes of g^ab (1 key in 256) and then retries the handshake.
        connection_retries=3,
        request_retries=1,
        auto_reconnect=False,
    )
    await client.connect()
    ids = itertools.count(1)

    async def call() -> None:
        ping_id = next(ids)
        check_pong("Telethon", await client(PingRequest(ping_id=ping_id)), ping_id)

    async def close() -> None:
        await client.disconnect()

    return RpcDriver("Telethon", call, close)


async def connect_kurigram(port: int, key: ServerKey) -> RpcDriver:
    """kurigram ``Client`` with an in-memory storage whose DC address is our server."""
    import asyncio

    from pyrogram import Client
    from pyrogram.connection.transport import TCPAbridged
    from pyrogram.raw.functions.ping import Ping
    from pyrogram.crypto import rsa
    from pyrogram.storage import SQLiteStorage

    logging.getLogger("pyrogram").setLevel(logging.ERROR)
    rsa.server_public_keys[key.fingerprint] = rsa.PublicKey(key.n, key.e)
    workdir = tempfile.TemporaryDirectory(prefix="tl-bench-kurigram-")

    class LoopbackStorage(SQLiteStorage):
        """In-memory storage that always names our loopback server as the DC."""

        async def server_address(self, value: str | type[object] | None = object) -> str:
            return HOST

        async def port(self, value: int | type[object] | None = object) -> int:
            return port

    client = Client(
        "bench",
        api_id=1,
        api_hash=API_HASH,
        storage_engine=LoopbackStorage("bench", workdir=Path(workdir.name), in_memory=True),
        protocol_factory=TCPAbridged,
        workdir=workdir.name,
        no_updates=True,
        loop=asyncio.get_running_loop(),
    )
    await client.connect()
    ids = itertools.count(1)

    async def call() -> None:
        ping_id = next(ids)
        result = await client.invoke(Ping(ping_id=ping_id), timeout=CALL_TIMEOUT)
        check_pong("kurigram", result, ping_id)

    async def close() -> None:
        try:
            await client.disconnect()
        finally:
            workdir.cleanup()

    return RpcDriver("kurigram", call, close)
