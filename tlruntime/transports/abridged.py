"""Abridged transport: the lightest envelope, one length byte for payloads under 508 bytes.

Wire format (lengths count 4-byte words):
  * ``len/4`` as one byte when it is below 0x7f, else ``0x7f`` + ``len/4`` in 3 bytes little-endian;
  * the client sets the byte's top bit (``| 0x80``, so ``0xff`` for the long form) to request a
    quick ack;
  * the server answers a quick ack with the 4-byte token big-endian (top bit set), which is how
    the client tells it from a length byte (never above 0x7f from the server).
"""

from __future__ import annotations

from typing import ClassVar, Final

from ..errors import TransportError
from .base import FramingCodec
from .events import BytesLike, Event, QuickAck

__all__ = ["Abridged"]

_LONG_MARKER: Final = 0x7F
_MAX_WORDS: Final = 0xFF_FFFF  # three length bytes


class Abridged(FramingCodec):
    """Abridged framing for one side of a connection; the client opens with ``0xef``."""

    name = "abridged"
    supports_quick_ack = True
    obfuscation_tag: ClassVar[bytes | None] = b"\xef\xef\xef\xef"

    def initial_bytes(self) -> bytes:
        return b"\xef" if self._side == "client" else b""

    def encode(self, payload: BytesLike, *, quick_ack: bool = False) -> bytes:
        self._check_payload(payload)
        self._check_quick_ack_request(quick_ack)
        words = len(payload) >> 2
        flag = 0x80 if quick_ack else 0
        if words < _LONG_MARKER:
            return bytes((words | flag,)) + payload
        if words > _MAX_WORDS:
            raise TransportError(f"abridged: payload of {len(payload)} bytes is too long for 3 length bytes")
        return bytes((_LONG_MARKER | flag,)) + words.to_bytes(3, "little") + payload

    def encode_quick_ack(self, token: int) -> bytes:
        return self._check_quick_ack_reply(token).to_bytes(4, "big")

    def _decode_at(self, buffer: bytearray, position: int) -> tuple[Event, int] | None:
        available = len(buffer) - position
        if available < 1:
            return None
        first = buffer[position]
        quick_ack_requested = False
        if first & 0x80:
            if self._side == "client":
                # The server never sends a length byte above 0x7f: this is a quick-ack reply.
                if available < 4:
                    return None
                token = int.from_bytes(buffer[position : position + 4], "big")
                return QuickAck(token), position + 4
            quick_ack_requested = True
            first &= 0x7F
        if first == _LONG_MARKER:
            if available < 4:
                return None
            words = int.from_bytes(buffer[position + 1 : position + 4], "little")
            header = 4
        else:
            words = first
            header = 1
        length = words << 2
        self._check_frame_length(length, self._consumed + position)
        start = position + header
        end = start + length
        if len(buffer) < end:
            return None
        return self._payload_event(bytes(buffer[start:end]), quick_ack_requested), end
