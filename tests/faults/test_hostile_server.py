"""A hostile server against our client: the affected call fails promptly with a typed error, others go on.

Deep nesting and oversized garbage come from a real LoopbackServer whose
handler returns hostile bytes; lies about msg_ids are played through the
sans-IO server engine, which can be told to say anything.
"""

from __future__ import annotations

import asyncio
import os
import struct
import time
from typing import Any

import pytest

from tlruntime.client import Client
from tlruntime.crypto import message as crypto
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import SessionCheckError, TLError
from tlruntime.server import LoopbackServer
from tlruntime.session import ClientSession, Result, ServerSession
from tlruntime.tl import functions, types

HOST = "127.0.0.1"
_VECTOR = 0x1CB5C415


def _nested_app_config(depth: int) -> bytes:
    """``help.appConfig`` whose JSON value is ``depth`` arrays inside each other."""
    nest = struct.pack("<III", types.JsonArray.CONSTRUCTOR_ID, _VECTOR, 1) * depth
    return struct.pack("<Ii", types.help.AppConfig.CONSTRUCTOR_ID, 0) + nest + struct.pack("<I", types.JsonNull.CONSTRUCTOR_ID)


@pytest.mark.parametrize("hostile", ["deep nesting", "oversized garbage"])
def test_a_hostile_result_fails_its_call_promptly_and_only_it(server_key: RSAPrivateKey, hostile: str) -> None:
    async def scenario() -> tuple[BaseException | Any, list[Any], float]:
        async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:

            @server.register(functions.help.GetAppConfig)
            def app_config(request: Any) -> bytes:
                if hostile == "deep nesting":
                    return _nested_app_config(20_000)
                return struct.pack("<I", types.help.AppConfig.CONSTRUCTOR_ID) + os.urandom(4 * 1024 * 1024)

            async with Client(HOST, server.port, server.public_key, timeout=30) as client:
                started = time.monotonic()
                outcomes = await asyncio.gather(
                    client(functions.help.GetAppConfig(hash=0)),
                    *(client(functions.Ping(ping_id=i)) for i in range(50)),
                    return_exceptions=True,
                )
                seconds = time.monotonic() - started
                after = await client(functions.Ping(ping_id=99))  # the connection still serves
                assert after.ping_id == 99
                return outcomes[0], list(outcomes[1:]), seconds

    failed, others, seconds = asyncio.run(scenario())
    assert isinstance(failed, TLError), failed
    assert [pong.ping_id for pong in others] == list(range(50))
    assert seconds < 5


def _pair() -> tuple[ClientSession, ServerSession]:
    key = os.urandom(256)
    return ClientSession(key, server_salt=1), ServerSession(key, server_salt=1)


def _deliver(source: ClientSession | ServerSession, sink: ClientSession | ServerSession) -> list[Any]:
    return [event for payload in source.outgoing() for event in sink.receive(payload)]


def test_a_result_for_a_msg_id_never_sent_is_ignored() -> None:
    client, server = _pair()
    real = client.send(functions.help.GetConfig())
    _deliver(client, server)
    server.send_result(real + 4, b"\xb5\x75\x72\x99")  # boolTrue for a request never sent
    server.send_error(real, 400, "PEER_ID_INVALID")
    events = _deliver(server, client)
    [failure] = [e for e in events if getattr(e, "msg_id", None) == real]
    assert getattr(failure, "error").message == "PEER_ID_INVALID"  # the real call got its own answer
    assert not [e for e in events if isinstance(e, Result)]


def test_a_result_of_the_wrong_type_fails_only_that_call() -> None:
    client, server = _pair()
    config = client.send(functions.help.GetConfig())
    ping = client.ping(5)
    _deliver(client, server)
    server.send_result(config, types.Pong(msg_id=1, ping_id=2))  # a lie: Config expected
    events = _deliver(server, client)
    by_id = {getattr(e, "msg_id", None): e for e in events}
    assert isinstance(getattr(by_id[config], "error", None), TLError)
    assert isinstance(by_id[ping], Result) and by_id[ping].value.ping_id == 5  # type: ignore[attr-defined]


def test_a_server_message_with_a_client_msg_id_is_refused() -> None:
    """A payload under the right key whose msg_id says "client" (even) is a lie: refused, never read."""
    client, _ = _pair()
    forged = ClientSession(client.auth_key, server_salt=1, session_id=client.session_id)
    forged.send_message(types.Pong(msg_id=1, ping_id=1))
    [payload] = forged.outgoing()
    plaintext = crypto.decrypt_message(client.auth_key, payload, crypto.CLIENT_TO_SERVER)
    with pytest.raises(SessionCheckError, match="msg_id_parity"):
        client.receive(crypto.MessageCipher(client.auth_key).encrypt(crypto.SERVER_TO_CLIENT, plaintext))
