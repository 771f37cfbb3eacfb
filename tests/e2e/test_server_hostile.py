"""Hostile or broken peers: the server closes their connection, answers -404 where due, and keeps serving."""

from __future__ import annotations

import asyncio
import os
import struct
import time

import pytest

from e2e_support import HOST, run
from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.server import LoopbackServer
from tlruntime.tl import functions, types


async def _closed_by_server(port: int, data: bytes) -> bytes:
    """Send ``data`` and return everything the server answers before closing (bounded)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()


async def _still_serves(server: LoopbackServer) -> None:
    async with Client(HOST, server.port, server.public_key, timeout=10) as client:
        invite = await client(functions.messages.ExportChatInvite(peer=types.InputPeerSelf()))
        assert isinstance(invite, types.ChatInviteExported)


async def _no_connections_left(server: LoopbackServer) -> None:
    """The server notices closed sockets asynchronously: poll, bounded."""
    for _ in range(100):
        if server.connection_count == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{server.connection_count} connections still open")


HOSTILE_OPENINGS = {
    "http": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "huge-abridged-length": b"\xef\x7f\xff\xff\xff" + bytes(64),
    "huge-intermediate-length": b"\xee\xee\xee\xee" + struct.pack("<I", 0x7FFF_FFF0) + bytes(64),
    "garbage-plain-message": b"\xee\xee\xee\xee" + struct.pack("<I", 40) + bytes(8) + os.urandom(32),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_OPENINGS))
def test_hostile_opening_is_closed(server_key: RSAPrivateKey, name: str) -> None:
    async def scenario() -> None:
        async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
            answer = await _closed_by_server(server.port, HOSTILE_OPENINGS[name])
            assert answer == b""  # nothing but a close
            await _still_serves(server)
            await _no_connections_left(server)

    run(scenario())


def test_unknown_auth_key_gets_404(server_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
            payload = os.urandom(8) + os.urandom(16) + os.urandom(64)
            frame = b"\xee\xee\xee\xee" + struct.pack("<I", len(payload)) + payload
            answer = await _closed_by_server(server.port, frame)
            assert answer == struct.pack("<I", 4) + struct.pack("<i", -404)
            await _still_serves(server)

    run(scenario())


def test_tampered_message_closes_the_connection(server_key: RSAPrivateKey) -> None:
    """A message under a known key that fails msg_key closes its connection (never a silent drop).

    The forged frame comes on a connection of its own; the client's connection is not disturbed.
    """

    async def scenario() -> None:
        async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
            async with Client(HOST, server.port, server.public_key, timeout=10) as client:
                await client(functions.help.GetConfig())
                session = client.session
                assert session is not None
                forged = session.auth_key_id + os.urandom(16) + os.urandom(64)
                reader, writer = await asyncio.open_connection(HOST, server.port)
                writer.write(b"\xee\xee\xee\xee" + struct.pack("<I", len(forged)) + forged)
                started = time.monotonic()
                assert await asyncio.wait_for(reader.read(), 5) == b""  # closed, nothing answered
                assert time.monotonic() - started < 1
                writer.close()
                invite = await client(functions.messages.ExportChatInvite(peer=types.InputPeerSelf()))
                assert isinstance(invite, types.ChatInviteExported)
                assert client.reconnects == 0

    run(scenario())
