"""Telethon 1.45 and kurigram 2.2.26, as published, log in as a bot on a two-DC loopback Telegram.

Each peer starts on DC 1, sends ``auth.importBotAuthorization``, is told
``303 USER_MIGRATE_2``, finds DC 2's address in our ``help.getConfig``, makes a
new auth key there, logs in, and then calls the seed method
``messages.exportChatInvite`` as the bot: its own ``ChatInviteExported`` comes
back, with the bot as ``admin_id``.  The only things handed to the peers are
configuration: our RSA key, and where "DC 1" is (Telethon's session
``set_dc``; a kurigram session file written through its storage API, see
:func:`_kurigram_session_file_on_dc1`).

How each finds DC 2: Telethon's ``_switch_dc`` takes the first ``dcOption`` of
``help.getConfig`` with that id whose ``ipv6`` and ``cdn`` flags match its
settings (plain IPv4 here), then makes a new key there; kurigram's
``sign_in_bot`` asks ``help.getConfig`` again and takes the first option of that
id with a matching ``ipv6`` flag that is not media-only.  Around the login
Telethon calls ``users.getUsers([inputUserSelf])`` (401 before it),
``updates.getState`` and ``updates.getDifference``; kurigram
``updates.getState`` and ``users.getFullUser(inputUserSelf)``.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telethon import TelegramClient
from telethon.crypto import rsa as telethon_rsa
from telethon.network.connection import ConnectionTcpFull
from telethon.sessions import MemorySession
from telethon.tl import types as tt
from telethon.tl.functions.messages import ExportChatInviteRequest

from pyrogram import Client as KurigramClient
from pyrogram import raw
from pyrogram.connection.transport import TCPAbridged
from pyrogram.crypto import rsa as pyrogram_rsa
from pyrogram.storage import SQLiteStorage

from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.server import LoopbackTelegram

from e2e_support import HOST, future_date, run

logging.getLogger("telethon").setLevel(logging.WARNING)
logging.getLogger("pyrogram").setLevel(logging.WARNING)

BOT_ID = 5_550_001
TOKEN = f"{BOT_ID}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
API_HASH = "0123456789abcdef0123456789abcdef"


def _keys_created(telegram: LoopbackTelegram, dc_id: int) -> int:
    return len(telegram.server(dc_id).auth_keys)


async def _telethon_bot_login(server_key: RSAPrivateKey) -> None:
    async with LoopbackTelegram(dcs=2, host=HOST, private_key=server_key, bots=[TOKEN]) as telegram:
        telethon_rsa.add_key(telegram.public_key_pem, old=False)
        session = MemorySession()
        session.set_dc(1, HOST, telegram.port_of(1))  # configuration: where this session's DC is
        # Telethon caches help.getConfig per process (on its client class): this is the one test that
        # makes a stock Telethon client look up another DC, so the cache it fills is its own.
        client = TelegramClient(
            session,
            api_id=1,
            api_hash=API_HASH,
            connection=ConnectionTcpFull,
            receive_updates=False,
            timeout=10,
            connection_retries=3,  # Telethon's leading-zero auth key quirk (see test_telethon_peer)
            request_retries=3,  # Telethon re-sends a migrated call within its retry budget
            auto_reconnect=False,
        )
        expire = future_date()
        try:
            await client.start(bot_token=TOKEN)
            assert client.session.dc_id == 2
            assert client.session.port == telegram.port_of(2)
            me = await client.get_me()
            invite = await client(
                ExportChatInviteRequest(peer=tt.InputPeerChat(chat_id=77), expire_date=expire, title="telethon bot")
            )
        finally:
            await client.disconnect()
        assert _keys_created(telegram, 1) >= 1 and _keys_created(telegram, 2) >= 1
        assert telegram.accounts.authorization_count == 1  # the DC 2 key only: DC 1 sent it away
    assert me.bot is True and me.id == BOT_ID
    assert isinstance(invite, tt.ChatInviteExported)
    assert invite.admin_id == BOT_ID
    assert invite.title == "telethon bot"
    assert int(invite.expire_date.timestamp()) == expire
    assert invite.link.startswith("https://t.me/+")


def test_telethon_bot_follows_user_migrate(server_key: RSAPrivateKey) -> None:
    run(_telethon_bot_login(server_key))


async def _dc1_auth_key(telegram: LoopbackTelegram) -> bytes:
    """An auth key for DC 1, made by our client (what a session file brought from another library holds)."""
    async with Client(HOST, telegram.port_of(1), telegram.public_key, dc_id=1, timeout=10) as ours:
        assert ours.session is not None
        return ours.session.auth_key


async def _kurigram_session_file_on_dc1(telegram: LoopbackTelegram, workdir: Path) -> None:
    """A kurigram session file that says "DC 1 is 127.0.0.1:<port>, not logged in", written through
    kurigram's own storage API (configuration, as a session file or session string is).

    kurigram 2.2.26 has no DC table or address option: a new session always starts at Telegram's
    DC 2 address, so the session must exist already.  It carries a DC 1 key and ``user_id`` 0:
    kurigram then connects to DC 1, sees it is not authorized and logs in with ``bot_token`` —
    and the move to DC 2 after ``USER_MIGRATE_2`` (address from our ``help.getConfig``, a new key
    made by kurigram there) is all its own.
    """
    storage = SQLiteStorage("loopback", workdir=workdir)
    await storage.open()
    try:
        await storage.dc_id(1)
        await storage.server_address(HOST)
        await storage.port(telegram.port_of(1))
        await storage.api_id(1)
        await storage.test_mode(False)
        await storage.auth_key(await _dc1_auth_key(telegram))
        await storage.date(0)
        await storage.user_id(0)
        await storage.is_bot(False)
    finally:
        await storage.save()
        await storage.close()


def _register_kurigram_key(telegram: LoopbackTelegram) -> None:
    fingerprint = telegram.fingerprint
    signed = fingerprint - (1 << 64) if fingerprint >= 1 << 63 else fingerprint
    pyrogram_rsa.server_public_keys[signed] = pyrogram_rsa.PublicKey(telegram.public_key.n, telegram.public_key.e)


async def _kurigram_bot_login(server_key: RSAPrivateKey, workdir: Path) -> None:
    async with LoopbackTelegram(dcs=2, host=HOST, private_key=server_key, bots=[TOKEN]) as telegram:
        _register_kurigram_key(telegram)
        await _kurigram_session_file_on_dc1(telegram, workdir)
        client = KurigramClient(
            "loopback",
            api_id=1,
            api_hash=API_HASH,
            bot_token=TOKEN,
            protocol_factory=TCPAbridged,
            workdir=str(workdir),
            no_updates=True,
            loop=asyncio.get_running_loop(),
        )
        expire = future_date()
        await client.start()
        try:
            assert await client.storage.dc_id() == 2
            assert await client.storage.port() == telegram.port_of(2)
            me = client.me
            invite = await client.invoke(
                raw.functions.messages.ExportChatInvite(
                    peer=raw.types.InputPeerChat(chat_id=78), expire_date=expire, title="kurigram bot"
                ),
                timeout=10,
            )
        finally:
            await client.stop()
        assert _keys_created(telegram, 1) >= 1 and _keys_created(telegram, 2) >= 1
        assert telegram.accounts.authorization_count == 1  # the DC 2 key only: DC 1 sent it away
    assert me.is_bot is True and me.id == BOT_ID
    assert isinstance(invite, raw.types.ChatInviteExported)
    assert invite.admin_id == BOT_ID
    assert invite.title == "kurigram bot"
    assert invite.expire_date == expire
    assert invite.link.startswith("https://t.me/+")


def test_kurigram_bot_follows_user_migrate(server_key: RSAPrivateKey, tmp_path: Path) -> None:
    run(_kurigram_bot_login(server_key, tmp_path))
