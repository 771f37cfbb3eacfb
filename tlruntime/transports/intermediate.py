"""Intermediate and padded-intermediate transports: a 4-byte little-endian length per frame.

Intermediate (client opens with ``0xeeeeeeee``) keeps payloads 4-byte aligned.
Padded intermediate (``0xdddddddd``) appends random bytes to every frame so
packet sizes do not fingerprint the protocol; the receiver recovers the exact
MTProto message from its own structure (see :func:`mtproto_message_length`).
Be strict in what you send: the spec allows 0..15 padding bytes and we read
all of them, but we write 0..3, as Telegram's MTProxy does
(``lrand48() & 3``), because deployed readers (Telethon 1.45) strip only
``len % 4`` bytes.

In both, the top bit of the length is a quick-ack request from the client; from
the server, a 4-byte word with that bit set in place of a length is a quick-ack
reply carrying the token.
"""

from __future__ import annotations

from typing import ClassVar, Final

from ..errors import FrameError, TransportError
from ..protocol import ENCRYPTED_HEADER_SIZE, UNENCRYPTED_HEADER_SIZE
from .base import FramingCodec
from .events import QUICK_ACK_BIT, BytesLike, Event, QuickAck

__all__ = ["Intermediate", "PaddedIntermediate", "mtproto_message_length"]

#: Padding bytes a receiver must accept after a payload (the transport spec)...
_MAX_PADDING: Final = 15
#: ...and the most we write (what every deployed peer strips).
WRITE_PADDING_MAX: Final = 3
_UNENCRYPTED_HEADER: Final = UNENCRYPTED_HEADER_SIZE
_ENCRYPTED_HEADER: Final = ENCRYPTED_HEADER_SIZE
_ZERO_AUTH_KEY_ID: Final = bytes(8)


class Intermediate(FramingCodec):
    """Intermediate framing for one side of a connection."""

    name = "intermediate"
    supports_quick_ack = True
    obfuscation_tag: ClassVar[bytes | None] = b"\xee\xee\xee\xee"

    def initial_bytes(self) -> bytes:
        return self.obfuscation_tag if self._side == "client" and self.obfuscation_tag else b""

    def encode(self, payload: BytesLike, *, quick_ack: bool = False) -> bytes:
        self._check_payload(payload)
        self._check_quick_ack_request(quick_ack)
        length = len(payload) | (QUICK_ACK_BIT if quick_ack else 0)
        return length.to_bytes(4, "little") + payload

    def encode_quick_ack(self, token: int) -> bytes:
        return self._check_quick_ack_reply(token).to_bytes(4, "little")

    def _decode_at(self, buffer: bytearray, position: int) -> tuple[Event, int] | None:
        if len(buffer) - position < 4:
            return None
        length = int.from_bytes(buffer[position : position + 4], "little")
        quick_ack_requested = False
        if length & QUICK_ACK_BIT:
            if self._side == "client":
                return QuickAck(length), position + 4
            quick_ack_requested = True
            length ^= QUICK_ACK_BIT
        offset = self._consumed + position
        self._check_wire_length(length, offset)
        start = position + 4
        end = start + length
        if len(buffer) < end:
            return None
        message_end = start + self._message_length(buffer, start, length, offset)
        return self._payload_event(bytes(buffer[start:message_end]), quick_ack_requested), end

    def _check_wire_length(self, length: int, offset: int) -> None:
        self._check_frame_length(length, offset)
        if length % 4:
            raise FrameError(f"{self.name}: frame length {length} at stream offset {offset} is not a multiple of 4")

    def _message_length(self, buffer: bytearray, start: int, length: int, offset: int) -> int:
        """How much of the frame body is the MTProto message (all of it here)."""
        return length


class PaddedIntermediate(Intermediate):
    """Intermediate with random padding after every payload: 0..3 bytes written, 0..15 read."""

    name = "padded"
    obfuscation_tag: ClassVar[bytes | None] = b"\xdd\xdd\xdd\xdd"

    def encode(self, payload: BytesLike, *, quick_ack: bool = False) -> bytes:
        self._check_payload(payload)
        self._check_quick_ack_request(quick_ack)
        try:
            recoverable = mtproto_message_length(payload, 0, len(payload), 0) == len(payload)
        except FrameError:
            recoverable = False
        if not recoverable:
            raise TransportError(
                f"padded: a {len(payload)}-byte payload is not an MTProto message (unencrypted: "
                "20 + message_data_length bytes; encrypted: 24 + 16k bytes; or a 4-byte error code), "
                "so the receiver could not strip the padding"
            )
        padding_length = self._random_bytes(1)[0] & WRITE_PADDING_MAX
        padding = self._random_bytes(padding_length) if padding_length else b""
        if len(padding) != padding_length:
            raise TransportError(f"padded: random_bytes({padding_length}) returned {len(padding)} bytes")
        length = (len(payload) + padding_length) | (QUICK_ACK_BIT if quick_ack else 0)
        return length.to_bytes(4, "little") + payload + padding

    def _check_wire_length(self, length: int, offset: int) -> None:
        # Padding may carry a maximal payload up to 15 bytes past the cap; lengths need no alignment.
        if length <= 0 or length > self._max_frame_size + _MAX_PADDING:
            raise FrameError(
                f"padded: frame length {length} at stream offset {offset} is outside "
                f"1..{self._max_frame_size + _MAX_PADDING} (max_frame_size + padding)"
            )

    def _message_length(self, buffer: bytearray, start: int, length: int, offset: int) -> int:
        return mtproto_message_length(buffer, start, length, offset)


def mtproto_message_length(data: BytesLike, start: int, length: int, offset: int) -> int:
    """Length of the MTProto message at ``data[start:start+length]``, trailing padding excluded.

    * ``auth_key_id == 0`` (unencrypted): 20 + the int32 message_data_length at byte 16;
    * otherwise (encrypted): 24 + a whole number of 16-byte blocks;
    * a body shorter than 20 bytes carries a 4-byte transport error code.

    Raises :class:`FrameError` (naming ``offset``, the frame's stream offset)
    when the body cannot be such a message followed by at most 15 padding bytes.
    """
    if length >= _UNENCRYPTED_HEADER and data[start : start + 8] == _ZERO_AUTH_KEY_ID:
        data_length = int.from_bytes(data[start + 16 : start + 20], "little", signed=True)
        message_length = _UNENCRYPTED_HEADER + data_length
        if data_length < 0 or message_length > length or length - message_length > _MAX_PADDING:
            raise FrameError(
                f"padded: unencrypted message_data_length {data_length} does not fit a "
                f"{length}-byte frame at stream offset {offset}"
            )
        return message_length
    if length >= _ENCRYPTED_HEADER + 16:
        return length - (length - _ENCRYPTED_HEADER) % 16
    if 4 <= length < _UNENCRYPTED_HEADER:
        return 4
    raise FrameError(f"padded: a {length}-byte frame at stream offset {offset} holds no MTProto message")
