"""Full transport: length, sequence number and CRC32 around every payload.

Wire format, all little-endian: ``length(4) seq_no(4) payload crc32(4)``, where
``length`` counts the whole frame (payload + 12) and ``crc32`` covers the length,
seq_no and payload.  Each direction numbers its frames from 0; the receiver
checks the number, so a dropped or replayed frame is caught here.  There is no
opening tag (the server recognises the zero seq_no) and no quick ack.
"""

from __future__ import annotations

import os
import zlib
from typing import ClassVar, Final

from ..errors import FrameError, TransportCodeError, TransportError
from .base import FramingCodec, RandomBytes
from .events import DEFAULT_MAX_FRAME_SIZE, BytesLike, Event, Side

__all__ = ["Full"]

_OVERHEAD: Final = 12  # length + seq_no + crc32
_MAX_SEQ_NO: Final = 0x7FFF_FFFF


class Full(FramingCodec):
    """Full framing for one side of a connection; keeps one seq_no counter per direction."""

    name = "full"
    supports_quick_ack = False
    obfuscation_tag: ClassVar[bytes | None] = None

    def __init__(
        self,
        side: Side = "client",
        *,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        random_bytes: RandomBytes = os.urandom,
    ) -> None:
        super().__init__(side, max_frame_size=max_frame_size, random_bytes=random_bytes)
        self._send_seq_no = 0
        self._receive_seq_no = 0

    def initial_bytes(self) -> bytes:
        return b""

    def encode(self, payload: BytesLike, *, quick_ack: bool = False) -> bytes:
        self._check_payload(payload)
        self._check_quick_ack_request(quick_ack)
        if self._send_seq_no > _MAX_SEQ_NO:
            raise TransportError("full: send seq_no exhausted; open a new connection")
        header = (len(payload) + _OVERHEAD).to_bytes(4, "little") + self._send_seq_no.to_bytes(4, "little")
        checksum = zlib.crc32(payload, zlib.crc32(header))
        self._send_seq_no += 1
        return header + payload + checksum.to_bytes(4, "little")

    def encode_quick_ack(self, token: int) -> bytes:
        raise TransportError("full: this transport has no quick acks")

    def _decode_at(self, buffer: bytearray, position: int) -> tuple[Event, int] | None:
        if len(buffer) - position < 4:
            return None
        length = int.from_bytes(buffer[position : position + 4], "little", signed=True)
        offset = self._consumed + position
        if length < 0 and self._side == "client":
            # Telegram has been seen answering with a bare error code where the length belongs.
            raise TransportCodeError(length)
        self._check_frame_length(length - _OVERHEAD, offset)
        if length % 4:
            raise FrameError(f"full: frame length {length} at stream offset {offset} is not a multiple of 4")
        end = position + length
        if len(buffer) < end:
            return None
        header = bytes(buffer[position : position + 8])
        payload = bytes(buffer[position + 8 : end - 4])
        received_checksum = int.from_bytes(buffer[end - 4 : end], "little")
        computed_checksum = zlib.crc32(payload, zlib.crc32(header))
        if received_checksum != computed_checksum:
            raise FrameError(
                f"full: CRC32 mismatch in frame at stream offset {offset}: received "
                f"0x{received_checksum:08x}, computed 0x{computed_checksum:08x}"
            )
        seq_no = int.from_bytes(header[4:8], "little", signed=True)
        if seq_no != self._receive_seq_no:
            raise FrameError(
                f"full: seq_no {seq_no} in frame at stream offset {offset}, expected {self._receive_seq_no}"
            )
        self._receive_seq_no += 1
        return self._payload_event(payload), end
