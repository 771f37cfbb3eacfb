"""Telethon 1.45.0, an independent MTProto client, against our loopback server.

Telethon does the whole dance a real client does: the handshake (legacy RSA
``p_q_inner_data``, possibly a ``g_b`` shorter than 256 bytes),
``invokeWithLayer(initConnection(help.getConfig))``, ``users.getUsers``,
``updates.getState``/``getDifference`` and pings; then it must read back the
``chatInviteExported`` our server builds from its request.
"""

from __future__ import annotations

import logging

import pytest
from telethon import TelegramClient
from telethon.crypto import rsa as telethon_rsa
from telethon.network.connection import (
    ConnectionTcpAbridged,
    ConnectionTcpFull,
    ConnectionTcpIntermediate,
    ConnectionTcpObfuscated,
)
from telethon.network.connection.connection import Connection, ObfuscatedConnection
from telethon.network.connection.tcpintermediate import (
    IntermediatePacketCodec,
    RandomizedIntermediatePacketCodec,
)
from telethon.network.connection.tcpobfuscated import ObfuscatedIO
from telethon.sessions import MemorySession
from telethon.tl import types as tt
from telethon.tl.functions.messages import ExportChatInviteRequest

from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.server import LoopbackServer

from e2e_support import HOST, future_date, run

logging.getLogger("telethon").setLevel(logging.WARNING)


class _PlainPaddedCodec(RandomizedIntermediatePacketCodec):
    """Telethon only uses padded intermediate behind MTProxy; configure the plain 0xdddddddd tag.

    Its reader is Telethon's own: it strips ``len % 4`` padding bytes, which
    works because our server writes 0..3 bytes (as MTProxy does).
    """

    tag = b"\xdd\xdd\xdd\xdd"


class ConnectionTcpPaddedIntermediate(Connection):
    packet_codec = _PlainPaddedCodec


class ConnectionTcpObfuscatedIntermediate(ObfuscatedConnection):
    obfuscated_io = ObfuscatedIO
    packet_codec = IntermediatePacketCodec


class ConnectionTcpObfuscatedPadded(ObfuscatedConnection):
    obfuscated_io = ObfuscatedIO
    packet_codec = RandomizedIntermediatePacketCodec


CONNECTIONS = {
    "full": ConnectionTcpFull,
    "abridged": ConnectionTcpAbridged,
    "intermediate": ConnectionTcpIntermediate,
    "padded": ConnectionTcpPaddedIntermediate,
    "obfuscated-abridged": ConnectionTcpObfuscated,
    "obfuscated-intermediate": ConnectionTcpObfuscatedIntermediate,
    "obfuscated-padded": ConnectionTcpObfuscatedPadded,
}


def assert_telethon_handshakes(server: LoopbackServer) -> None:
    """One handshake, or more only where Telethon's own quirk forced a retry.

    Telethon turns g^ab into bytes without leading zeros, so for the 1 key in
    256 whose first byte is zero its auth key is 255 bytes, its
    new_nonce_hash1 differs from ours ("Step 3 invalid new nonce hash") and it
    starts over.  Our keys are always 256 bytes, as the spec says; so every
    key but the last must start with a zero byte, and the last must not.
    """
    keys = server.auth_keys
    assert server.handshakes == len(keys) >= 1
    assert all(key[0] == 0 for key in keys[:-1]), "Telethon retried a handshake it should have accepted"
    assert keys[-1][0] != 0


async def _export_with_telethon(server_key: RSAPrivateKey, connection: type[Connection]) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        telethon_rsa.add_key(server.public_key_pem, old=False)
        session = MemorySession()
        session.set_dc(2, HOST, server.port)
        client = TelegramClient(
            session,
            api_id=1,
            api_hash="0123456789abcdef0123456789abcdef",
            connection=connection,
            receive_updates=False,
            timeout=10,
            connection_retries=3,  # see assert_telethon_handshakes
            request_retries=1,
            auto_reconnect=False,
        )
        expire = future_date()
        try:
            await client.connect()
            assert_telethon_handshakes(server)
            invite = await client(
                ExportChatInviteRequest(
                    peer=tt.InputPeerChat(chat_id=42),
                    legacy_revoke_permanent=True,
                    request_needed=True,
                    expire_date=expire,
                    usage_limit=25,
                    title="telethon team",
                    subscription_pricing=tt.StarsSubscriptionPricing(period=2_592_000, amount=99),
                )
            )
        finally:
            await client.disconnect()
    assert isinstance(invite, tt.ChatInviteExported)
    assert invite.link.startswith("https://t.me/+")
    assert invite.title == "telethon team"
    assert invite.usage_limit == 25
    assert invite.request_needed is True
    assert invite.permanent is True
    assert int(invite.expire_date.timestamp()) == expire
    assert invite.subscription_pricing == tt.StarsSubscriptionPricing(period=2_592_000, amount=99)


@pytest.mark.parametrize("name", sorted(CONNECTIONS))
def test_telethon_exports_invite(server_key: RSAPrivateKey, name: str) -> None:
    run(_export_with_telethon(server_key, CONNECTIONS[name]))


async def _telethon_sees_rpc_error(server_key: RSAPrivateKey) -> None:
    from telethon.errors import PeerIdInvalidError

    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        telethon_rsa.add_key(server.public_key_pem, old=False)
        session = MemorySession()
        session.set_dc(2, HOST, server.port)
        client = TelegramClient(
            session, api_id=1, api_hash="0" * 32, connection=ConnectionTcpFull,
            receive_updates=False, timeout=10, connection_retries=3, request_retries=1,
        )
        try:
            await client.connect()
            with pytest.raises(PeerIdInvalidError) as caught:
                await client(ExportChatInviteRequest(peer=tt.InputPeerEmpty()))
            assert caught.value.code == 400
        finally:
            await client.disconnect()


def test_telethon_gets_rpc_errors(server_key: RSAPrivateKey) -> None:
    run(_telethon_sees_rpc_error(server_key))
