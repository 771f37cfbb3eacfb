"""How the client turns calls into packets, and how a call ends: answer, timeout or cancellation.

Packets are counted where they arrive, by the loopback server's session
(``packets_received`` counts encrypted payloads), so these tests see what
really went over the socket.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

from e2e_support import HOST, run
from tlruntime.client import Client
from tlruntime.client import core as client_core
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.server import LoopbackServer, RequestContext
from tlruntime.endpoint import SessionSlot
from tlruntime.tl import functions, types


def _served(server: LoopbackServer, client: Client) -> SessionSlot:
    assert client.auth_key_id is not None and client.session is not None
    served = server.session(client.auth_key_id, client.session.session_id or 0)
    assert served is not None
    return served


async def _packets_per_iteration(server_key: RSAPrivateKey) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        async with Client(HOST, server.port, server.public_key, transport="abridged", timeout=10) as client:
            await client(functions.Ping(ping_id=0))  # opens the server's session
            served = _served(server, client)

            before = served.packets_received
            pong = await client(functions.Ping(ping_id=1))
            assert isinstance(pong, types.Pong) and pong.ping_id == 1
            assert served.packets_received - before == 1  # a lone call: one packet

            calls = 100
            before = served.packets_received
            pongs = await asyncio.gather(*(client(functions.Ping(ping_id=i)) for i in range(calls)))
            assert [pong.ping_id for pong in pongs] == list(range(calls))
            # Calls made in one loop iteration share containers of PIPELINE_BATCH
            # (each written when full); the first call does not go out alone.
            assert served.packets_received - before == math.ceil(calls / client_core.PIPELINE_BATCH)


def test_calls_of_one_iteration_share_containers(server_key: RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    # Acks of received answers may also leave on a timer, in a packet of their
    # own; pushed far out, they cannot add a packet to the counts above.
    monkeypatch.setattr(client_core, "_ACK_DELAY", 3600.0)
    run(_packets_per_iteration(server_key))


async def _invoke_many(server_key: RSAPrivateKey) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        async with Client(HOST, server.port, server.public_key, timeout=10) as client:
            requests = [functions.Ping(ping_id=i) for i in range(70)] + [functions.help.GetConfig()]
            results = await client.invoke_many(requests)
    assert [pong.ping_id for pong in results[:-1]] == list(range(70))
    assert isinstance(results[-1], types.Config)


def test_invoke_many_returns_results_in_order(server_key: RSAPrivateKey) -> None:
    run(_invoke_many(server_key))


def _register_slow_nearest_dc(server: LoopbackServer, release: asyncio.Event) -> None:
    @server.register(functions.help.GetNearestDc)
    async def slow(request: Any, ctx: RequestContext) -> Any:
        await release.wait()
        return types.NearestDc(country="NL", this_dc=2, nearest_dc=2)


async def _shorter_timeout_first(server_key: RSAPrivateKey) -> None:
    release = asyncio.Event()
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        _register_slow_nearest_dc(server, release)
        async with Client(HOST, server.port, server.public_key, timeout=30) as client:
            patient = asyncio.ensure_future(client(functions.help.GetNearestDc(), timeout=20))
            await asyncio.sleep(0)  # the patient call arms the sweep timer for its 20 s first
            # A later call with a shorter timeout must move the sweep earlier,
            # not wait for the 20 s deadline (the message names its own limit).
            with pytest.raises(TimeoutError, match=r"no answer within 0\.2 s"):
                await client(functions.help.GetNearestDc(), timeout=0.2)
            assert not patient.done()
            release.set()
            assert isinstance(await patient, types.NearestDc)


def test_shorter_timeout_after_a_longer_one_fires_first(server_key: RSAPrivateKey) -> None:
    run(_shorter_timeout_first(server_key))


async def _cancelled_call(server_key: RSAPrivateKey) -> None:
    release = asyncio.Event()
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        _register_slow_nearest_dc(server, release)
        async with Client(HOST, server.port, server.public_key, timeout=10) as client:
            abandoned = asyncio.ensure_future(client(functions.help.GetNearestDc()))
            await asyncio.sleep(0.05)
            abandoned.cancel()
            with pytest.raises(asyncio.CancelledError):
                await abandoned
            release.set()
            # The late answer to the cancelled call is dropped quietly, and the
            # connection goes on serving calls.
            pongs = await asyncio.gather(*(client(functions.Ping(ping_id=i)) for i in range(40)))
            assert [pong.ping_id for pong in pongs] == list(range(40))
            assert isinstance(await client(functions.help.GetNearestDc()), types.NearestDc)


def test_cancelled_call_leaves_the_connection_working(server_key: RSAPrivateKey) -> None:
    run(_cancelled_call(server_key))
