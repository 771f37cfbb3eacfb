"""Peers exactly as published through our server's MTProxy mode: Telethon 1.45 (dd) and kurigram 2.2.26 (ee).

Only configuration is injected: the server's RSA key into each peer's key
table, the proxy address and secret as each peer takes them.  Both then
reach our server through their own MTProxy code (Telethon's
``ConnectionTcpMTProxyRandomizedIntermediate``; kurigram's fake-TLS client
with a ``tg://proxy`` link) and call ``messages.exportChatInvite``.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from proxy_support import HOST, SECRET_HEX, future_date, run

from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.server import LoopbackServer

logging.getLogger("telethon").setLevel(logging.WARNING)
logging.getLogger("pyrogram").setLevel(logging.WARNING)


def test_telethon_through_mtproxy_dd(server_key: RSAPrivateKey) -> None:
    from telethon import TelegramClient
    from telethon.crypto import rsa as telethon_rsa
    from telethon.network.connection import ConnectionTcpMTProxyRandomizedIntermediate
    from telethon.sessions import MemorySession
    from telethon.tl import types as tt
    from telethon.tl.functions.messages import ExportChatInviteRequest

    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key, proxy_secret=SECRET_HEX) as server:
            telethon_rsa.add_key(server.public_key_pem, old=False)
            client = TelegramClient(
                MemorySession(),  # DC 2 at Telegram's address: never dialled, the proxy is
                api_id=1,
                api_hash="0123456789abcdef0123456789abcdef",
                connection=ConnectionTcpMTProxyRandomizedIntermediate,
                proxy=(HOST, server.port, "dd" + SECRET_HEX),
                receive_updates=False,
                timeout=10,
                connection_retries=3,  # Telethon's leading-zero auth key quirk (see tests/e2e/test_telethon_peer.py)
                request_retries=1,
                auto_reconnect=False,
            )
            expire = future_date()
            try:
                await client.connect()
                kinds = {connection.kind for connection in server.endpoint.connections}
                invite = await client(
                    ExportChatInviteRequest(
                        peer=tt.InputPeerChat(chat_id=42), expire_date=expire, usage_limit=9, title="telethon via dd"
                    )
                )
            finally:
                await client.disconnect()
            assert kinds == {"mtproxy-obfuscated2"}
            assert isinstance(invite, tt.ChatInviteExported)
            assert invite.title == "telethon via dd" and invite.usage_limit == 9 and invite.expire_date.timestamp() == expire
            assert invite.link.startswith("https://t.me/+")
            assert not server.mtproxy.refusals  # type: ignore[union-attr]

    run(scenario())


def test_kurigram_through_mtproxy_ee(server_key: RSAPrivateKey, tmp_path: Path) -> None:
    from pyrogram import Client, raw
    from pyrogram.crypto import rsa as pyrogram_rsa
    from pyrogram.storage import SQLiteStorage

    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key, proxy_secret=SECRET_HEX, proxy_domain="cdn.example.org") as server:
            fingerprint = server.fingerprint
            signed = fingerprint - (1 << 64) if fingerprint >= 1 << 63 else fingerprint
            pyrogram_rsa.server_public_keys[signed] = pyrogram_rsa.PublicKey(server.public_key.n, server.public_key.e)
            client = Client(
                "mtproxy",
                api_id=1,
                api_hash="0123456789abcdef0123456789abcdef",
                storage_engine=SQLiteStorage("mtproxy", workdir=tmp_path, in_memory=True),
                proxy=server.proxy_link("ee"),  # the link a user pastes; kurigram picks its transport from it
                workdir=str(tmp_path),
                no_updates=True,
                loop=asyncio.get_running_loop(),
            )
            expire = future_date()
            await client.connect()
            try:
                kinds = {connection.kind for connection in server.endpoint.connections}
                invite = await client.invoke(
                    raw.functions.messages.ExportChatInvite(
                        peer=raw.types.InputPeerChat(chat_id=42), expire_date=expire, usage_limit=8,
                        title="kurigram via ee",
                    ),
                    timeout=10,
                )
            finally:
                await client.disconnect()
            assert kinds == {"mtproxy-fake-tls"}
            assert isinstance(invite, raw.types.ChatInviteExported)
            assert invite.title == "kurigram via ee" and invite.usage_limit == 8 and invite.expire_date == expire
            assert not server.mtproxy.refusals  # type: ignore[union-attr]

    run(scenario())
