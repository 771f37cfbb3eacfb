"""Telethon 1.45 and kurigram 2.2.26, as published, log in as a bot on a two-DC loopback Telegram.

Each peer starts on DC 1, sends ``auth.importBotAuthorization``, is told
``303 USER_MIGRATE_2``, finds DC 2's address in our ``help.getConfig``, makes a
new auth key there, logs in, and then calls the seed method
``messages.exportChatInvite`` as the bot: its own ``ChatInviteExported`` comes
back, with the bot as ``admin_id``.  The only things handed to the peers are
configuration: our RSA key, and where "DC 1" is (Telethon's session
``set_dc``; kurigram's storage, see :class:`LoopbackStartStorage`).

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
        # Telethon caches help.getConfig on the client class (``_config``), shared by every client in
        # the process; a subclass of our own gives this test its own cache, so another test's
        # loopback ports can never answer "where is DC 2".  Nothing of Telethon's is replaced.
        client_class = type("LoopbackTelegramClient", (TelegramClient,), {"_config": None})
        client = client_class(
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


class LoopbackStartStorage(SQLiteStorage):
    """kurigram's in-memory SQLite storage, for a session that starts on the loopback's DC 1.

    Configuration, through kurigram's published storage interface (``storage_engine=``): a
    kurigram session keeps its DC as the ``dc_id``, ``server_address`` and ``port`` of its
    storage, and a new session is pointed at Telegram's DC 2 (``Client.load_session`` writes that
    address while the session has no auth key yet).  This storage answers those first writes with
    the DC it was configured with, so the new session starts on our DC 1 — what a session file made
    for DC 1 would say.  Once the session has a key every write is kept as given: the move to DC 2
    after ``USER_MIGRATE_2`` is kurigram's own, with the address it read from our ``help.getConfig``
    (kurigram 2.2.26 has no built-in DC table to configure; it asks ``help.getConfig``).
    """

    def __init__(self, workdir: Path, dc_id: int, port: int) -> None:
        super().__init__("loopback", workdir=workdir, in_memory=True)
        self._start = {"dc_id": dc_id, "server_address": HOST, "port": port}

    async def _start_or(self, attr: str, value: object) -> object:
        if value is not object and await self.auth_key() is None:
            value = self._start[attr]
        return await self._accessor("sessions", attr, value)

    async def dc_id(self, value: object = object) -> object:
        return await self._start_or("dc_id", value)

    async def server_address(self, value: object = object) -> object:
        return await self._start_or("server_address", value)

    async def port(self, value: object = object) -> object:
        return await self._start_or("port", value)


def _register_kurigram_key(telegram: LoopbackTelegram) -> None:
    fingerprint = telegram.fingerprint
    signed = fingerprint - (1 << 64) if fingerprint >= 1 << 63 else fingerprint
    pyrogram_rsa.server_public_keys[signed] = pyrogram_rsa.PublicKey(telegram.public_key.n, telegram.public_key.e)


async def _kurigram_bot_login(server_key: RSAPrivateKey, workdir: Path) -> None:
    async with LoopbackTelegram(dcs=2, host=HOST, private_key=server_key, bots=[TOKEN]) as telegram:
        _register_kurigram_key(telegram)
        storage = LoopbackStartStorage(workdir, dc_id=1, port=telegram.port_of(1))
        client = KurigramClient(
            "loopback",
            api_id=1,
            api_hash=API_HASH,
            bot_token=TOKEN,
            storage_engine=storage,
            protocol_factory=TCPAbridged,
            workdir=str(workdir),
            no_updates=True,
            loop=asyncio.get_running_loop(),
        )
        expire = future_date()
        await client.start()
        try:
            assert await storage.dc_id() == 2
            assert await storage.port() == telegram.port_of(2)
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
