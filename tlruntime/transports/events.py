"""What a transport codec hands back: frames and quick acks, plus shared vocabulary.

Kept apart from the codecs so the session layer can import the event types
without pulling in any framing or crypto code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

__all__ = [
    "BytesLike",
    "DEFAULT_MAX_FRAME_SIZE",
    "Event",
    "Frame",
    "QuickAck",
    "Side",
    "QUICK_ACK_BIT",
]

BytesLike: TypeAlias = bytes | bytearray | memoryview
"""Anything ``feed`` accepts: the driver may hand over its read buffer as is."""

Side: TypeAlias = Literal["client", "server"]
"""Which end of the connection a codec speaks for; it decides how incoming bytes are read."""

DEFAULT_MAX_FRAME_SIZE: Final = 16 * 1024 * 1024
"""Largest payload a codec accepts by default (16 MiB): a hostile length above it fails at once."""

QUICK_ACK_BIT: Final = 0x8000_0000
"""The most significant bit of a 32-bit length/token: set, it marks a quick ack (request or reply)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One complete MTProto payload taken off the wire, transport envelope removed.

    ``quick_ack_requested`` is only ever true on the server side: the client
    set the quick-ack bit of the length, asking for a :class:`QuickAck` reply
    as soon as the message is received.
    """

    payload: bytes
    quick_ack_requested: bool = False


@dataclass(frozen=True, slots=True)
class QuickAck:
    """A quick acknowledgement received by the client.

    ``token`` is the unsigned 32-bit value with its most significant bit set,
    exactly as the server computed it: the first four bytes of the message's
    SHA-256 (auth key part + encrypted data), read little-endian, OR 0x80000000.
    The session compares it with the token it expects for each sent message.
    """

    token: int


Event: TypeAlias = Frame | QuickAck
"""Everything :meth:`TransportCodec.feed` can return."""
