"""kurigram 2.2.26 (``import pyrogram``), a second independent client, against our server.

kurigram checks that the server's dh_prime is Telegram's standard 2048-bit
prime, builds its own auth key, then opens a fresh connection for the
session, pings and sends ``invokeWithLayer(initConnection(help.getConfig))``
before our ``messages.exportChatInvite``.  The client is driven through its
public ``Client.connect()`` / ``invoke()``; only the storage is swapped so the
"Telegram DC" address it reads is our 127.0.0.1 port.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from pyrogram import Client
from pyrogram import raw
from pyrogram.connection.transport import (
    TCP,
    TCPAbridged,
    TCPAbridgedO,
    TCPFull,
    TCPIntermediate,
    TCPIntermediateO,
    TCPIntermediatePadded,
)
from pyrogram.crypto import rsa as pyrogram_rsa
from pyrogram.errors import BadRequest
from pyrogram.storage import SQLiteStorage

from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.server import LoopbackServer

from e2e_support import HOST, future_date, run

logging.getLogger("pyrogram").setLevel(logging.WARNING)

TRANSPORTS: dict[str, type[TCP]] = {
    "full": TCPFull,
    "abridged": TCPAbridged,
    "intermediate": TCPIntermediate,
    "padded": TCPIntermediatePadded,
    "obfuscated-abridged": TCPAbridgedO,
    "obfuscated-intermediate": TCPIntermediateO,
}


class LoopbackStorage(SQLiteStorage):
    """kurigram's in-memory storage, except the DC address is always our loopback server."""

    def __init__(self, port: int, workdir: Path) -> None:
        super().__init__("loopback", workdir=workdir, in_memory=True)
        self._loopback_port = port

    async def server_address(self, value: str | None = None) -> str:
        return HOST

    async def port(self, value: int | None = None) -> int:
        return self._loopback_port


def _register_key(server: LoopbackServer) -> None:
    fingerprint = server.fingerprint
    signed = fingerprint - (1 << 64) if fingerprint >= 1 << 63 else fingerprint
    pyrogram_rsa.server_public_keys[signed] = pyrogram_rsa.PublicKey(server.public_key.n, server.public_key.e)


def _client(server: LoopbackServer, transport: type[TCP], workdir: Path) -> Client:
    return Client(
        "loopback",
        api_id=1,
        api_hash="0123456789abcdef0123456789abcdef",
        storage_engine=LoopbackStorage(server.port, workdir),
        protocol_factory=transport,
        workdir=str(workdir),
        no_updates=True,
        loop=asyncio.get_running_loop(),
    )


async def _export_with_kurigram(server_key: RSAPrivateKey, transport: type[TCP], workdir: Path) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        _register_key(server)
        client = _client(server, transport, workdir)
        expire = future_date()
        await client.connect()
        try:
            assert server.handshakes == 1
            invite = await client.invoke(
                raw.functions.messages.ExportChatInvite(
                    peer=raw.types.InputPeerChat(chat_id=42),
                    legacy_revoke_permanent=True,
                    request_needed=True,
                    expire_date=expire,
                    usage_limit=7,
                    title="kurigram team",
                    subscription_pricing=raw.types.StarsSubscriptionPricing(period=2_592_000, amount=5),
                ),
                timeout=10,
            )
        finally:
            await client.disconnect()
    assert isinstance(invite, raw.types.ChatInviteExported)
    assert invite.link.startswith("https://t.me/+")
    assert invite.title == "kurigram team"
    assert invite.usage_limit == 7
    assert invite.expire_date == expire
    assert invite.request_needed is True
    assert invite.permanent is True
    assert invite.subscription_pricing.period == 2_592_000
    assert invite.subscription_pricing.amount == 5


@pytest.mark.parametrize("name", sorted(TRANSPORTS))
def test_kurigram_exports_invite(server_key: RSAPrivateKey, name: str, tmp_path: Path) -> None:
    run(_export_with_kurigram(server_key, TRANSPORTS[name], tmp_path))


async def _kurigram_sees_rpc_error(server_key: RSAPrivateKey, workdir: Path) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        _register_key(server)
        client = _client(server, TCPAbridged, workdir)
        await client.connect()
        try:
            with pytest.raises(BadRequest) as caught:
                await client.invoke(
                    raw.functions.messages.ExportChatInvite(peer=raw.types.InputPeerChat(chat_id=1), usage_limit=0),
                    timeout=10,
                )
            assert caught.value.ID == "USAGE_LIMIT_INVALID"
        finally:
            await client.disconnect()


def test_kurigram_gets_rpc_errors(server_key: RSAPrivateKey, tmp_path: Path) -> None:
    run(_kurigram_sees_rpc_error(server_key, tmp_path))
