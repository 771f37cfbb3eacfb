"""Unencrypted MTProto messages, the envelope of the auth key exchange.

Layout (corefork.telegram.org/mtproto/description#unencrypted-message)::

    auth_key_id:long (= 0)  message_id:long  message_data_length:int  message_data

The client driver, the server driver and the session reuse these helpers:
a payload whose auth_key_id is not zero is an encrypted message and raises
:class:`NotPlainMessageError`, which carries the id so a driver can route it.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from ..errors import (
    DecodeError,
    LengthError,
    LengthPastEndError,
    TrailingBytesError,
    TruncatedError,
)
from ..protocol import UNENCRYPTED_HEADER_SIZE
from ..session.msgid import MsgIdGenerator as SessionMsgIdGenerator

__all__ = [
    "HEADER_SIZE",
    "MAX_PLAIN_BODY",
    "MAX_TRAILING_PADDING",
    "NotPlainMessageError",
    "MsgIdGenerator",
    "pack_plain",
    "unpack_plain",
]

_HEADER = struct.Struct("<qqi")
HEADER_SIZE = UNENCRYPTED_HEADER_SIZE  # auth_key_id, msg_id, length

# The largest handshake message is server_DH_params_ok (~660 bytes); anything
# far above that is hostile, so a huge length prefix is refused up front.
MAX_PLAIN_BODY = 64 * 1024

# The padded intermediate transport appends 0..15 random bytes that only the
# inner length can tell apart from the body, so that many trailing bytes are
# tolerated (and ignored); more means the payload is not one plain message.
MAX_TRAILING_PADDING = 15


class NotPlainMessageError(DecodeError):
    """The payload starts with a non-zero auth_key_id: it is an encrypted message.

    ``auth_key_id`` holds the 8 raw bytes so a driver can look the key up.
    """

    def __init__(self, auth_key_id: bytes) -> None:
        self.auth_key_id = auth_key_id
        super().__init__(
            f"expected an unencrypted message (auth_key_id 0), got auth_key_id {auth_key_id.hex()}",
            offset=0,
        )


def pack_plain(body: bytes, msg_id: int) -> bytes:
    """Wrap a serialized TL object in an unencrypted message envelope."""
    return _HEADER.pack(0, msg_id, len(body)) + body


def unpack_plain(payload: bytes) -> tuple[int, bytes]:
    """Return ``(msg_id, body)`` of an unencrypted message.

    Raises :class:`TruncatedError` when the payload is shorter than the header,
    :class:`NotPlainMessageError` for a non-zero auth_key_id,
    :class:`LengthError` for a negative length or one above :data:`MAX_PLAIN_BODY`,
    :class:`LengthPastEndError` for one past the buffer, :class:`TrailingBytesError` when more than
    :data:`MAX_TRAILING_PADDING` bytes follow the body.
    """
    if len(payload) < HEADER_SIZE:
        raise TruncatedError(
            f"unencrypted message needs a {HEADER_SIZE}-byte header, got {len(payload)} bytes",
            offset=len(payload),
        )
    if payload[:8] != b"\x00" * 8:
        raise NotPlainMessageError(bytes(payload[:8]))
    _, msg_id, length = _HEADER.unpack_from(payload)
    available = len(payload) - HEADER_SIZE
    if length < 0 or length > MAX_PLAIN_BODY:
        raise LengthError(f"unencrypted message length {length} is out of range", offset=16)
    if length > available:
        raise LengthPastEndError(
            f"unencrypted message length {length} points past the {available} bytes received",
            offset=16,
        )
    if available - length > MAX_TRAILING_PADDING:
        raise TrailingBytesError(
            f"{available - length} bytes follow the unencrypted message body",
            offset=HEADER_SIZE + length,
        )
    return msg_id, bytes(payload[HEADER_SIZE : HEADER_SIZE + length])


class MsgIdGenerator(SessionMsgIdGenerator):
    """The handshake's callable form of :class:`tlruntime.session.msgid.MsgIdGenerator`.

    ``ids()`` returns the next id with a fixed remainder modulo 4: clients use
    ``remainder=0``, servers answering a client ``remainder=1`` (3 would be a
    server-initiated message).  Time-based and strictly increasing: the id
    arithmetic is the session's, so the handshake and the session agree.
    """

    __slots__ = ("_response",)

    def __init__(self, clock: Callable[[], float], *, remainder: int = 0) -> None:
        if remainder not in (0, 1, 3):
            raise ValueError(f"msg_id remainder modulo 4 must be 0, 1 or 3, not {remainder}")
        super().__init__(clock, side="client" if remainder == 0 else "server")
        self._response = remainder == 1

    def __call__(self) -> int:
        return self.next(response=self._response)
