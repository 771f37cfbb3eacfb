"""Our client with ``temp_keys=True`` against our loopback server, over real sockets on 127.0.0.1.

Every call runs over a bound temporary key; the server's handlers see the
permanent key it is bound to (``RequestContext.perm_auth_key_id``); renewal and
-404 lose no call and run none twice (executions are counted on the server).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pfs_support import HOST, Executions, ServerClock, run, seeded
from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.server import LoopbackServer
from tlruntime.tl import functions, types


def _client(server: LoopbackServer, seed: int, **options: object) -> Client:
    return Client(
        HOST, server.port, server.public_key, temp_keys=True, random_bytes=seeded(seed), timeout=20, **options
    )


async def _bind_then_calls(server_key: RSAPrivateKey) -> None:
    clock = ServerClock()
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, clock=clock, random_bytes=seeded(1)) as server:
        executions = Executions()
        executions.install(server)
        async with _client(server, 2, temp_key_lifetime=3600) as client:
            temp, perm = client.temp_key, client.perm_auth_key_id
            assert temp is not None and perm is not None
            assert client.auth_key_id == temp.auth_key_id != perm  # calls run over the temporary key
            assert server.handshakes == 2 and client.handshakes == 2 and client.temp_key_binds == 1
            assert abs(temp.expires_at - (clock() + 3600)) <= 2
            results = await asyncio.gather(*(client(Executions.call(n)) for n in range(50)))
            assert results == [[] for _ in range(50)]
            assert executions.count == {str(n): 1 for n in range(50)}
            assert executions.perm_ids == {perm}  # handlers see the permanent key behind the temporary one
            assert executions.key_ids == {temp.auth_key_id}
            # The permanent key is known to the server, the temporary key only in RAM.
            assert server.endpoint.temp_keys.perm_of(temp.auth_key_id) == perm
            pong = await client.ping()
            assert isinstance(pong, types.Pong)


def test_bind_then_calls_run_over_the_temp_key(server_key: RSAPrivateKey) -> None:
    run(_bind_then_calls(server_key))

