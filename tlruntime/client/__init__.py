"""The asyncio MTProto client (the one place besides the server where asyncio lives).

::

    from tlruntime.client import Client
    async with Client(host, port, public_key, transport="intermediate", session_path="me.session") as client:
        invite = await client(functions.messages.ExportChatInvite(peer=...))

    # Telegram itself: DC 2's built-in address and Telegram's keys; *_MIGRATE_X followed.
    async with Client(dc_id=2, api_id=API_ID, api_hash=API_HASH, session_path="bot.session") as client:
        me = await client.sign_in_bot(BOT_TOKEN)
"""

from .core import Client, PublicKeyLike
from .dial import ProxyConnectError, ProxyLike, proxy_setting
from .link import Link
from .migration import ClientArgumentError, MigrationLoopError

__all__ = [
    "Client",
    "ClientArgumentError",
    "Link",
    "MigrationLoopError",
    "ProxyConnectError",
    "ProxyLike",
    "PublicKeyLike",
    "proxy_setting",
]
