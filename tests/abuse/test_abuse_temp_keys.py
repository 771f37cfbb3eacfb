"""Temporary (PFS) keys cannot grow the server without bound: ``max_temp_keys`` and ``max_temp_key_lifetime``.

Limits stated and measured: with ``max_temp_keys=2`` six clients each make a
temporary key (asking for a week), and the server holds at most 2 at any time
and none for longer than ``max_temp_key_lifetime=60`` s of its clock.  A client
whose key was evicted meets -404 on its next call, makes and binds a new key,
and that call still runs exactly once.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.server import LoopbackServer
from tlruntime.tl import functions

HOST = "127.0.0.1"
CLIENTS = 6


async def _flood(server_key: RSAPrivateKey) -> None:
    async with LoopbackServer(
        host=HOST, port=0, private_key=server_key, max_temp_keys=2, max_temp_key_lifetime=60,
        random_bytes=random.Random(1).randbytes,
    ) as server:  # fmt: skip
        runs: Counter[str] = Counter()

        @server.register(functions.langpack.GetLanguages)
        def count(request: Any) -> list[Any]:
            runs[request.lang_pack] += 1
            return []

        clients = [
            Client(
                HOST, server.port, server.public_key, temp_keys=True, temp_key_lifetime=7 * 86_400,
                random_bytes=random.Random(10 + n).randbytes, timeout=20,
            )  # fmt: skip
            for n in range(CLIENTS)
        ]
        held = []
        try:
            for n, client in enumerate(clients):
                await client.connect()
                held.append(len(server.endpoint.temp_keys))
                assert client.temp_key is not None
                expires = server.endpoint.temp_keys.expires_at.get(client.temp_key.auth_key_id)
                # The week it asked for is cut to the server's 60 seconds.
                assert expires is not None and expires <= server.clock() + 60
                assert (await client(functions.langpack.GetLanguages(lang_pack=f"first {n}"))) == []
            assert max(held) <= 2, held
            # The first clients' keys were evicted: each call meets -404, a new key, and runs once.
            for n, client in enumerate(clients):
                assert (await client(functions.langpack.GetLanguages(lang_pack=f"again {n}"))) == []
                assert len(server.endpoint.temp_keys) <= 2
            assert sum(client.temp_key_binds for client in clients) > CLIENTS  # evictions were recovered from
        finally:
            await asyncio.gather(*(client.close() for client in clients))
        assert runs == Counter({**{f"first {n}": 1 for n in range(CLIENTS)}, **{f"again {n}": 1 for n in range(CLIENTS)}})


def test_temp_keys_are_bounded_in_number_and_lifetime(server_key: RSAPrivateKey) -> None:
    asyncio.run(asyncio.wait_for(_flood(server_key), 120))
