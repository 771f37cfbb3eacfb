"""The pure pieces of PFS: the server's table of temporary keys, the client's binding request and renewal time."""

from __future__ import annotations

import random

import pytest

from pfs_support import seeded
from tlruntime.auth.temp import bind_request, queue_bind, renew_at
from tlruntime.endpoint.tempkeys import TempKeyTable
from tlruntime.session import ClientSession, Request, ServerSession
from tlruntime.telegram.pfs import BindMessageError, auth_key_id, open_bind_message
from tlruntime.telegram.keys import telegram_public_keys
from tlruntime.tl import functions


def test_table_binds_one_temp_key_per_perm_key_and_expires() -> None:
    table = TempKeyTable()
    table.add(1, expires_at=100.0)
    table.add(2, expires_at=200.0)
    assert 1 in table and 3 not in table and len(table) == 2
    assert table.perm_of(1) is None
    table.bind(1, 10, expires_at=90)
    assert table.perm_of(1) == 10 and table.temp_of(10) == 1
    assert table.expires_at[1] == 90  # the binding's expires_at comes first when it is earlier
    table.bind(2, 10, expires_at=500)
    assert table.expires_at[2] == 200  # ...and never extends the handshake's expires_in
    assert table.perm_of(2) == 10 and table.perm_of(1) is None  # the new binding unbound the old key
    assert not table.expired(2, 199.9) and table.expired(2, 200.0) and not table.expired(99, 1e12)
    assert list(table.expired_ids(150.0)) == [1]
    table.forget(2)
    assert 2 not in table and table.temp_of(10) is None
    table.bind(1, 11, expires_at=80)
    table.forget(11)  # a permanent key that goes drops its binding
    assert table.perm_of(1) is None and 1 in table


@pytest.mark.parametrize("seed", range(5))
def test_bind_request_opens_on_the_server_side(seed: int) -> None:
    rng = random.Random(seed)
    perm, temp = rng.randbytes(256), rng.randbytes(256)
    session = ClientSession(temp, random_bytes=seeded(seed))
    msg_id = queue_bind(session, perm, expires_at=1_900_000_000, random_bytes=seeded(seed + 100))
    queued = session.unanswered()
    assert len(queued) == 1 and isinstance(queued[0], functions.auth.BindTempAuthKey)
    request = queued[0]
    assert request.perm_auth_key_id == auth_key_id(perm) and request.expires_at == 1_900_000_000
    inner = open_bind_message(
        perm, request.encrypted_message, msg_id=msg_id, perm_auth_key_id=request.perm_auth_key_id,
        nonce=request.nonce, expires_at=request.expires_at, temp_auth_key_id=auth_key_id(temp),
        temp_session_id=session.session_id or 0,
    )
    assert inner.temp_session_id == session.session_id and inner.nonce == request.nonce
    # The binding names the msg_id it was queued under: any other id is refused.
    with pytest.raises(BindMessageError, match="inner msg_id"):
        open_bind_message(
            perm, request.encrypted_message, msg_id=msg_id + 4, perm_auth_key_id=request.perm_auth_key_id,
            nonce=request.nonce, expires_at=request.expires_at, temp_auth_key_id=auth_key_id(temp),
            temp_session_id=session.session_id or 0,
        )
    # Not wrapped in initConnection, and the first API call after it still is.
    session2 = ClientSession(temp, random_bytes=seeded(seed), init_connection=lambda r: functions.InvokeWithLayer(layer=1, query=r))
    msg_id2 = queue_bind(session2, perm, expires_at=1_900_000_000)
    session2.send(functions.help.GetConfig())
    server = ServerSession(temp, server_salt=session2.server_salt, random_bytes=seeded(seed))
    requests = [event for payload in session2.outgoing() for event in server.receive(payload) if isinstance(event, Request)]
    assert [(type(r.obj).__name__, [type(w).__name__ for w in r.wrappers]) for r in requests] == [
        ("BindTempAuthKey", []),
        ("GetConfig", ["InvokeWithLayer"]),
    ]
    assert requests[0].msg_id == msg_id2


def test_bind_request_refuses_a_mismatched_perm_key() -> None:
    with pytest.raises(BindMessageError):
        bind_request(b"\x01" * 255, temp_auth_key_id=1, temp_session_id=2, expires_at=3, msg_id=4, nonce=5)


def test_renewal_time() -> None:
    assert renew_at(1000, 86400) == 940  # an eighth of a day is over a minute: 60 s before
    assert renew_at(1000, 16) == 998  # an eighth: 2 s
    assert renew_at(1000, 4) == 999  # at least 1 s
    assert renew_at(1000, 4, margin=2.5) == 997.5
    assert renew_at(1000, 1) == 999.5  # never more than half the lifetime


@pytest.mark.parametrize(("lifetime", "margin"), [(0, None), (-5, None), (10, 10), (10, 11), (10, -1)])
def test_client_refuses_a_lifetime_or_margin_that_cannot_work(lifetime: int, margin: float | None) -> None:
    from tlruntime.client import Client

    with pytest.raises(ValueError, match="temp_key_"):
        Client("127.0.0.1", 1, telegram_public_keys()[0], temp_keys=True, temp_key_lifetime=lifetime, temp_key_renew_margin=margin)
