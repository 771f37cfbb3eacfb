"""The codec interface every MTProto transport implements, and the buffering they share.

Sans-IO in the h11 sense: a codec never touches a socket.  The driver writes
:meth:`TransportCodec.initial_bytes` once, then ``encode(payload)`` for each
outgoing message, and passes every chunk it reads to :meth:`TransportCodec.feed`,
which buffers partial input and returns the events completed so far.
"""

from __future__ import annotations

import abc
import os
from collections.abc import Callable
from typing import ClassVar, Final

from ..errors import FrameError, TransportCodeError, TransportError
from .events import DEFAULT_MAX_FRAME_SIZE, QUICK_ACK_BIT, BytesLike, Event, Frame, Side

__all__ = ["RandomBytes", "TransportCodec", "FramingCodec", "check_side"]

RandomBytes = Callable[[int], bytes]
"""Source of randomness, injected so padding and obfuscation headers replay in tests."""

_SIDES: Final = ("client", "server")


def check_side(side: str) -> Side:
    """Validate a side given as a plain string (configuration input)."""
    if side == "client":
        return "client"
    if side == "server":
        return "server"
    raise TransportError(f"unknown transport side {side!r}; expected one of {_SIDES}")


class TransportCodec(abc.ABC):
    """Interface of one end of one transport connection.

    Subclasses declare ``name`` (the factory name) and whether the transport
    can carry quick acks.  A codec that raised from :meth:`feed` has lost
    framing sync and stays failed: every later call raises the same error.
    """

    name: str
    """Factory name of the transport ("abridged", "obfuscated-padded"...)."""
    supports_quick_ack: bool
    """Whether ``encode(..., quick_ack=True)`` and :meth:`encode_quick_ack` are allowed."""

    def __init__(self, side: Side = "client", *, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        self._side: Side = check_side(side)
        if max_frame_size < 4:
            raise TransportError(f"max_frame_size must be at least 4 bytes, got {max_frame_size}")
        self._max_frame_size = max_frame_size

    @property
    def side(self) -> Side:
        return self._side

    @property
    def max_frame_size(self) -> int:
        """Largest payload accepted in either direction."""
        return self._max_frame_size

    @property
    def buffered(self) -> int:
        """Received bytes held back until their frame is complete (a server caps the sum over connections)."""
        return 0

    @abc.abstractmethod
    def initial_bytes(self) -> bytes:
        """Bytes the client writes before its first frame (empty on the server side)."""

    @abc.abstractmethod
    def encode(self, payload: BytesLike, *, quick_ack: bool = False) -> bytes:
        """Wrap one MTProto payload in this transport's envelope.

        ``quick_ack`` (client side only) asks the server for a quick ack.
        Raises :class:`TransportError` for a payload the transport cannot carry.
        """

    @abc.abstractmethod
    def encode_quick_ack(self, token: int) -> bytes:
        """Server side: the bytes of a quick-ack reply carrying ``token`` (high bit forced on)."""

    @abc.abstractmethod
    def feed(self, data: BytesLike) -> list[Event]:
        """Take received bytes; return the events they complete (possibly none).

        On the client side a bare 4-byte negative payload raises
        :class:`TransportCodeError`; a malformed envelope raises
        :class:`FrameError`.  Events completed before the error in the same
        chunk are returned first and the error is raised by the next call, so
        a driver should call ``feed(b"")`` once more when the peer closes.
        """

    # --- helpers shared by the concrete codecs ----------------------------------

    def _check_payload(self, payload: BytesLike, *, multiple_of: int = 4) -> None:
        """Reject payloads the envelope cannot express, before any byte is produced."""
        size = len(payload)
        if size == 0:
            raise TransportError(f"{self.name}: cannot send an empty payload")
        if size % multiple_of:
            raise TransportError(
                f"{self.name}: payload length {size} is not a multiple of {multiple_of}"
            )
        if size > self._max_frame_size:
            raise TransportError(
                f"{self.name}: payload of {size} bytes exceeds max_frame_size {self._max_frame_size}"
            )

    def _check_quick_ack_request(self, quick_ack: bool) -> None:
        if not quick_ack:
            return
        if not self.supports_quick_ack:
            raise TransportError(f"{self.name}: this transport has no quick acks")
        if self._side != "client":
            raise TransportError(f"{self.name}: only the client requests quick acks")

    def _check_quick_ack_reply(self, token: int) -> int:
        """Validate a token the server is about to send; return it with the high bit set."""
        if not self.supports_quick_ack:
            raise TransportError(f"{self.name}: this transport has no quick acks")
        if self._side != "server":
            raise TransportError(f"{self.name}: only the server sends quick-ack replies")
        if not 0 <= token <= 0xFFFF_FFFF:
            raise TransportError(f"{self.name}: quick-ack token {token} is not an unsigned 32-bit value")
        return token | QUICK_ACK_BIT

    def _check_frame_length(self, length: int, offset: int) -> None:
        """Validate a received payload length as soon as its prefix is read (never wait on it)."""
        if length <= 0:
            raise FrameError(f"{self.name}: invalid frame length {length} at stream offset {offset}")
        if length > self._max_frame_size:
            raise FrameError(
                f"{self.name}: frame length {length} at stream offset {offset} exceeds "
                f"max_frame_size {self._max_frame_size}"
            )


class FramingCodec(TransportCodec):
    """A transport that frames plaintext: the buffering loop lives here, the envelope in subclasses.

    Incoming bytes accumulate in one ``bytearray``; subclasses decode at a
    read offset so that many small frames in one chunk cost one compaction,
    not one copy each.
    """

    obfuscation_tag: ClassVar[bytes | None]
    """The 4 bytes this protocol puts at 56..60 of an obfuscated2 header (None: cannot be obfuscated)."""

    def __init__(
        self,
        side: Side = "client",
        *,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        random_bytes: RandomBytes = os.urandom,
    ) -> None:
        super().__init__(side, max_frame_size=max_frame_size)
        self._random_bytes = random_bytes
        self._buffer = bytearray()
        self._consumed = 0  # bytes of the stream already decoded, for error offsets
        self._failure: TransportError | None = None

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: BytesLike) -> list[Event]:
        if self._failure is not None:
            raise self._failure
        buffer = self._buffer
        buffer += data
        events: list[Event] = []
        position = 0
        try:
            while True:
                decoded = self._decode_at(buffer, position)
                if decoded is None:
                    break
                event, position = decoded
                events.append(event)
        except TransportError as exc:
            self._failure = exc
            if not events:
                raise
        finally:
            if position:
                del buffer[:position]
                self._consumed += position
        return events

    @abc.abstractmethod
    def _decode_at(self, buffer: bytearray, position: int) -> tuple[Event, int] | None:
        """Decode the event starting at ``position``; return it and where the next one starts.

        Return None when more bytes are needed.  Must validate a length
        prefix as soon as it is complete, never after waiting for its body.
        """

    def _payload_event(self, payload: bytes, quick_ack_requested: bool = False) -> Event:
        """Turn a decoded payload into a Frame, or raise for a client-side transport error code."""
        if len(payload) == 4 and self._side == "client" and payload[3] & 0x80:
            raise TransportCodeError(int.from_bytes(payload, "little", signed=True))
        return Frame(payload, quick_ack_requested)
