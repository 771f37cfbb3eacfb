"""The asyncio MTProto client (the one place besides the server where asyncio lives).

::

    from tlruntime.client import Client
    async with Client(host, port, public_key, transport="intermediate", session_path="me.session") as client:
        invite = await client(functions.messages.ExportChatInvite(peer=...))
"""

from .core import Client, PublicKeyLike
from .dial import ProxyConnectError, ProxyLike, proxy_setting
from .link import Link

__all__ = ["Client", "Link", "ProxyConnectError", "ProxyLike", "PublicKeyLike", "proxy_setting"]
