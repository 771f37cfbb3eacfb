"""Auth key creation (corefork.telegram.org/mtproto/auth_key), client and server side.

Sans-IO: no sockets, no asyncio, no global state.  Randomness
(``random_bytes(n) -> bytes``) and the clock are injected, so an exchange
replays byte for byte.

* :mod:`.plain` -- unencrypted message envelope (:func:`pack_plain`,
  :func:`unpack_plain`) and :class:`MsgIdGenerator`.
* :mod:`.client` -- the four client steps and :class:`ClientHandshake`.
* :mod:`.server` -- the three server steps and :class:`ServerHandshake`.
* :mod:`.pq` -- the server's pq puzzle.

Client use::

    hs = ClientHandshake({key.fingerprint: key}, dc_id=2)
    send(hs.start())
    while not isinstance(out := hs.receive(recv()), AuthKeyResult):
        send(out)
    out.auth_key, out.server_salt, out.time_offset

Server use::

    hs = ServerHandshake([private_key])
    while not isinstance(out := hs.receive(recv()), AuthKeyCreated):
        send(out)
    send(out.reply)
"""

from __future__ import annotations

from .client import AuthKeyResult, ClientHandshake
from .plain import MsgIdGenerator, NotPlainMessageError, pack_plain, unpack_plain
from .server import AuthKeyCreated, ServerHandshake

__all__ = [
    "AuthKeyCreated",
    "AuthKeyResult",
    "ClientHandshake",
    "MsgIdGenerator",
    "NotPlainMessageError",
    "ServerHandshake",
    "pack_plain",
    "unpack_plain",
]
