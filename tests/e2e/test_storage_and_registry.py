"""The SQLite stores and the handler registry, without sockets."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from e2e_support import run
from tlruntime.errors import EncodeError, RPCError
from tlruntime.server import HandlerRegistry, RequestContext, encode_result
from tlruntime.storage import AuthKeyStore, SessionStore, StoredSession, auth_key_id_of
from tlruntime.tl import functions, types

KEY = bytes(range(256))


def test_session_store_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "s.session"
    with SessionStore(path) as store:
        assert store.load(2) is None
        store.save(StoredSession(2, KEY, server_salt=(1 << 64) - 5, time_offset=-3, host="127.0.0.1", port=443))
    with SessionStore(path) as store:
        stored = store.load(2)
        assert stored is not None
        assert stored.auth_key == KEY
        assert stored.server_salt == -5  # unsigned input is kept as the signed TL long
        assert stored.time_offset == -3
        assert (stored.host, stored.port) == ("127.0.0.1", 443)
        assert stored.auth_key_id == auth_key_id_of(KEY)
        store.update_salt(2, 77, 4)
        updated = store.load(2)
        assert updated is not None and (updated.server_salt, updated.time_offset) == (77, 4)
        store.delete(2)
        assert store.load(2) is None


def test_session_store_refuses_bad_key_and_unknown_version(tmp_path: Path) -> None:
    path = tmp_path / "s.session"
    with SessionStore(path) as store:
        with pytest.raises(ValueError, match="256 bytes"):
            store.save(StoredSession(2, b"short", 0, 0))
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = 99 WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(ValueError, match="version 99"):
        SessionStore(path)


def test_auth_key_store(tmp_path: Path) -> None:
    path = tmp_path / "server.state"
    with AuthKeyStore(path) as store:
        key_id = store.add(KEY)
        assert key_id == auth_key_id_of(KEY)
    with AuthKeyStore(path) as store:
        assert store.get(key_id) == KEY
        assert store.get(key_id + 1) is None
        assert list(store) == [(key_id, KEY)]


def _ctx(registry: HandlerRegistry) -> RequestContext:
    return RequestContext(registry=registry, auth_key_id=1, session_id=2, msg_id=3, clock=lambda: 1_700_000_000.5)


def test_registry_sync_async_and_context_arity() -> None:
    registry = HandlerRegistry()
    calls: list[str] = []

    @registry.register(functions.help.GetConfig)
    def one_arg(request: Any) -> str:
        calls.append("sync")
        return "config"

    @registry.register(functions.help.GetNearestDc)
    async def two_args(request: Any, ctx: RequestContext) -> int:
        calls.append("async")
        return ctx.now()

    ctx = _ctx(registry)
    assert run(registry.dispatch(functions.help.GetConfig(), ctx)) == "config"
    assert run(registry.dispatch(functions.help.GetNearestDc(), ctx)) == 1_700_000_000
    assert calls == ["sync", "async"]
    assert functions.help.GetConfig in registry
    registry.unregister(functions.help.GetConfig)
    with pytest.raises(RPCError) as caught:
        run(registry.dispatch(functions.help.GetConfig(), ctx))
    assert (caught.value.code, caught.value.message) == (400, "METHOD_INVALID")


def test_encode_result_vectors_and_bools() -> None:
    user = types.UserEmpty(id=5)
    encoded = encode_result([user, user])
    assert encoded == bytes.fromhex("15c4b51c") + (2).to_bytes(4, "little") + bytes(user) * 2
    assert functions.users.GetUsers(id=[]).read_result(encoded)[0] == [user, user]
    assert encode_result(True) == bytes.fromhex("b5757299")
    assert encode_result(False) == bytes.fromhex("379779bc")
    with pytest.raises(EncodeError):
        encode_result([1, 2])
