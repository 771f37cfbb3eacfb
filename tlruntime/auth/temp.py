"""Client side of temporary (PFS) keys, pure: when a key expires, and its ``auth.bindTempAuthKey``.

/mtproto/auth_key: a temporary key is made by the same exchange as a permanent
one, with ``p_q_inner_data_temp_dc`` carrying ``expires_in`` (seconds) and the
same ``dc`` field (:class:`~.client.ClientHandshake` with ``expires_in=``).
/api/pfs: the client saves ``expires_at = time + expires_in``, binds the key to
its permanent key with ``auth.bindTempAuthKey`` sent over the temporary key as
the first request of its session, and makes a new one before it expires.

:func:`queue_bind` puts that request into a :class:`~tlruntime.session.ClientSession`
of the temporary key, with the binding message built for the msg_id it goes
out under; the driver sends it, waits for ``boolTrue``, and only then sends
other calls (``initConnection`` wraps the first of them, as /api/pfs asks).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..session import ClientSession
from ..telegram.pfs import BindAuthKeyInner, auth_key_id, bind_message
from ..tl import functions
from ._wire import RandomBytes, draw, le_int

__all__ = ["TempKey", "bind_request", "queue_bind", "renew_at"]


@dataclass(frozen=True)
class TempKey:
    """A temporary key as the client keeps it: RAM only, never stored."""

    auth_key: bytes
    server_salt: int
    time_offset: int
    #: Server time (unix seconds) at which the server forgets the key.
    expires_at: int

    @property
    def auth_key_id(self) -> int:
        return auth_key_id(self.auth_key)


def renew_at(expires_at: int, lifetime: int, *, margin: float | None = None) -> float:
    """Server time at which to start making the next key: ``margin`` seconds before expiry.

    The default margin is an eighth of the lifetime, at least 1 s and at most
    60 s (and never more than half the lifetime): time for a handshake, the
    drain of calls in flight and the binding.
    """
    if margin is None:
        margin = min(60.0, max(1.0, lifetime / 8), lifetime / 2)
    return expires_at - margin


def bind_request(
    perm_auth_key: bytes,
    *,
    temp_auth_key_id: int,
    temp_session_id: int,
    expires_at: int,
    msg_id: int,
    nonce: int,
    random_bytes: RandomBytes = os.urandom,
) -> functions.auth.BindTempAuthKey:
    """``auth.bindTempAuthKey`` for the temporary key, to be sent under ``msg_id`` in ``temp_session_id``."""
    perm_auth_key_id = auth_key_id(perm_auth_key)
    inner = BindAuthKeyInner(
        nonce=nonce,
        temp_auth_key_id=temp_auth_key_id,
        perm_auth_key_id=perm_auth_key_id,
        temp_session_id=temp_session_id,
        expires_at=expires_at,
    )
    return functions.auth.BindTempAuthKey(
        perm_auth_key_id=perm_auth_key_id,
        nonce=nonce,
        expires_at=expires_at,
        encrypted_message=bind_message(perm_auth_key, inner, msg_id=msg_id, random_bytes=random_bytes),
    )


def queue_bind(
    session: ClientSession, perm_auth_key: bytes, *, expires_at: int, random_bytes: RandomBytes = os.urandom
) -> int:
    """Queue the binding of ``session``'s (temporary) key to ``perm_auth_key``; returns its msg_id."""
    nonce = le_int(draw(random_bytes, 8))
    temp_auth_key_id = le_int(session.auth_key_id)
    temp_session_id = session.session_id
    if temp_session_id is None:
        raise ValueError("the session has no session_id yet")

    def build(msg_id: int) -> functions.auth.BindTempAuthKey:
        return bind_request(
            perm_auth_key,
            temp_auth_key_id=temp_auth_key_id,
            temp_session_id=temp_session_id,
            expires_at=expires_at,
            msg_id=msg_id,
            nonce=nonce,
            random_bytes=random_bytes,
        )

    return session.send_knowing_msg_id(build)
