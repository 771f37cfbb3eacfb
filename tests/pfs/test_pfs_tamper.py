"""Tampered ``auth.bindTempAuthKey`` requests, over real sockets: each is refused with its typed error.

The requests are built with our sans-IO pieces (``tlruntime.auth.temp.bind_request``)
and sent by hand, so each test changes exactly one thing the server must check
(/api/pfs): nonce, temp_session_id, expires_at, an unknown permanent key, the
inner msg_id, a flipped ciphertext byte, the binding sent over the permanent
key, a past expiry, a second permanent key.  After every refusal the same
connection still binds correctly: a refusal leaves no state behind.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from pfs_support import HOST, RawTempConnection, ServerClock, run, seeded
from tlruntime.auth.temp import bind_request
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import TransportCodeError
from tlruntime.server import LoopbackServer
from tlruntime.tl import errors, functions

NONCE = 0x1234_5678_9ABC_DEF0


def _bind(conn: RawTempConnection, **change: Any) -> Callable[[int], functions.auth.BindTempAuthKey]:
    """A builder of the binding request for ``conn``; ``change`` replaces one input or request field."""
    session_id = conn.session.session_id
    expires_at = int(time.time()) + 3600

    def build(msg_id: int) -> functions.auth.BindTempAuthKey:
        inner_args = dict(
            temp_auth_key_id=conn.temp.auth_key_id_int,
            temp_session_id=change.get("inner_session_id", session_id),
            expires_at=change.get("inner_expires_at", expires_at),
            msg_id=msg_id + change.get("msg_id_shift", 0),
            nonce=change.get("inner_nonce", NONCE),
            random_bytes=seeded(7),
        )
        request = bind_request(change.get("perm_key", conn.perm.auth_key), **inner_args)
        fields = dict(
            perm_auth_key_id=request.perm_auth_key_id,
            nonce=change.get("nonce", NONCE),
            expires_at=change.get("expires_at", request.expires_at),
            encrypted_message=request.encrypted_message,
        )
        if "flip" in change:
            data = bytearray(fields["encrypted_message"])
            data[change["flip"]] ^= 0x01
            fields["encrypted_message"] = bytes(data)
        return functions.auth.BindTempAuthKey(**fields)

    return build


#: name -> (what changes, the server's logged reasons of which one must appear).
TAMPERS: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "nonce": ({"nonce": NONCE + 1}, ("nonce differs",)),
    "temp_session_id": ({"inner_session_id": 42}, ("temp_session_id is not",)),
    "expires_at": ({"expires_at": int(time.time()) + 7200}, ("expires_at differs",)),
    "inner msg_id": ({"msg_id_shift": 4}, ("inner msg_id",)),
    # A flipped byte garbles the decryption: the length or the msg_key check catches it.
    "flipped msg_key": ({"flip": 8}, ("msg_len", "msg_key does not match")),
    "flipped ciphertext": ({"flip": 40}, ("msg_len", "msg_key does not match")),
    "flipped last block": ({"flip": -1}, ("msg_len", "msg_key does not match")),
    "expires_at in the past": ({"inner_expires_at": 1_000_000, "expires_at": 1_000_000}, ("not in the future",)),
    "perm key unknown": ({"perm_key": bytes(range(256))}, ("is unknown here",)),
}


async def _tampered(server_key: RSAPrivateKey, tamper: dict[str, Any], caplog: pytest.LogCaptureFixture) -> list[str]:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, random_bytes=seeded(3)) as server:
        conn = await RawTempConnection.open(server, 4)
        try:
            refused = await conn.call(_bind(conn, **tamper))
            assert isinstance(refused, errors.EncryptedMessageInvalidError), refused
            assert refused.code == 400
            reasons = [r.getMessage() for r in caplog.records if r.name == "tlruntime.server.tempkeys"]
            assert server.endpoint.temp_keys.perm_of(conn.temp.auth_key_id_int) is None
            # Nothing was bound, and the honest binding still works on the same connection.
            assert await conn.call(_bind(conn)) is True
            assert server.endpoint.temp_keys.perm_of(conn.temp.auth_key_id_int) == conn.perm.auth_key_id_int
            return reasons
        finally:
            conn.close()


@pytest.mark.parametrize("name", list(TAMPERS))
def test_tampered_binding_is_refused(server_key: RSAPrivateKey, name: str, caplog: pytest.LogCaptureFixture) -> None:
    tamper, expected = TAMPERS[name]
    caplog.set_level(logging.INFO, logger="tlruntime.server.tempkeys")
    reasons = run(_tampered(server_key, tamper, caplog))
    assert len(reasons) == 1 and any(text in reasons[0] for text in expected), reasons


async def _over_perm_key(server_key: RSAPrivateKey) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, random_bytes=seeded(5)) as server:
        conn = await RawTempConnection.open(server, 6, over_perm=True)
        try:
            # The binding message names the temporary key, but the request travels under the permanent one.
            refused = await conn.call(_bind(conn))
            assert isinstance(refused, errors.TempAuthKeyEmptyError), refused
            assert server.endpoint.temp_keys.perm_of(conn.temp.auth_key_id_int) is None
        finally:
            conn.close()


def test_binding_over_the_permanent_key_is_refused(server_key: RSAPrivateKey) -> None:
    run(_over_perm_key(server_key))


async def _unbound_key(server_key: RSAPrivateKey) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, random_bytes=seeded(8)) as server:
        conn = await RawTempConnection.open(server, 9)
        try:
            # Before the binding: API methods answer 401 AUTH_KEY_PERM_EMPTY; help.getConfig works.
            refused = await conn.call(lambda _msg_id: functions.langpack.GetLanguages(lang_pack="x"))
            assert isinstance(refused, errors.AuthKeyPermEmptyError) and refused.code == 401
            config = await conn.call(lambda _msg_id: functions.help.GetConfig())
            assert type(config).__name__ == "Config"
            wrapped_ping = await conn.call(lambda _msg_id: functions.InvokeWithLayer(layer=1, query=functions.Ping(ping_id=5)))
            assert getattr(wrapped_ping, "ping_id", None) == 5
            assert await conn.call(_bind(conn)) is True
            # After it, the same method reaches its handler (METHOD_INVALID: none is registered).
            after = await conn.call(lambda _msg_id: functions.langpack.GetLanguages(lang_pack="x"))
            assert isinstance(after, errors.RPCError) and after.message == "METHOD_INVALID"
            # A second permanent key cannot take over a bound temporary key.
            other = await RawTempConnection.open(server, 10)
            try:
                stolen = await conn.call(_bind(conn, perm_key=other.perm.auth_key))
                assert isinstance(stolen, errors.EncryptedMessageInvalidError)
                assert server.endpoint.temp_keys.perm_of(conn.temp.auth_key_id_int) == conn.perm.auth_key_id_int
            finally:
                other.close()
        finally:
            conn.close()


def test_unbound_temp_key_may_only_call_a_few_methods(server_key: RSAPrivateKey) -> None:
    run(_unbound_key(server_key))


async def _expiry(server_key: RSAPrivateKey) -> None:
    clock = ServerClock()
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, clock=clock, random_bytes=seeded(11)) as server:
        conn = await RawTempConnection.open(server, 12, lifetime=100)
        try:
            assert await conn.call(_bind(conn)) is True  # expires_at (an hour) is capped by the key's 100 s
            clock.jump = 101
            with pytest.raises(TransportCodeError) as caught:
                await conn.call(lambda _msg_id: functions.help.GetConfig())
            assert caught.value.code == -404
            assert conn.temp.auth_key_id_int not in server.endpoint.temp_keys
            assert server.endpoint.auth_key(conn.temp.auth_key_id_int) is None
            assert server.endpoint.auth_key(conn.perm.auth_key_id_int) == conn.perm.auth_key
        finally:
            conn.close()


def test_expired_temp_key_gets_404(server_key: RSAPrivateKey) -> None:
    run(_expiry(server_key))
