"""Our asyncio client (``tlruntime.client.Client``) as an RPC benchmark driver.

Importing this module fails with ImportError until ``tlruntime.client`` and
the generated layer exist; the RPC group then prints our column as "not
available" with that reason.
"""

from __future__ import annotations

import itertools

from tlruntime.client import Client
from tlruntime.tl import functions

from .loopback import HOST, ServerKey
from .peers import RpcDriver, check_pong

TRANSPORT = "abridged"


async def connect_ours(port: int, key: ServerKey) -> RpcDriver:
    """Connect (handshake and ``initConnection`` included, as the peers do) over abridged."""
    client = Client(HOST, port, key.pem, transport=TRANSPORT, api_id=1)
    await client.connect()
    ids = itertools.count(1)
    ping = functions.Ping

    async def call() -> None:
        ping_id = next(ids)
        check_pong("ours", await client(ping(ping_id=ping_id)), ping_id)

    return RpcDriver("ours", call, client.close)
