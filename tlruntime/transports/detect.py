"""Server side: recognise which transport a new connection speaks from its first bytes.

Rules, in the order they can be decided:
  * ``ef``                          -> abridged (1 byte)
  * ``eeeeeeee`` / ``dddddddd``     -> intermediate / padded intermediate (4 bytes)
  * ``HEAD``/``POST``/``GET ``/``OPTI`` or a TLS record start -> refused (HTTP and fake-TLS are
    not served here)
  * bytes 4..8 all zero             -> full (its first frame has seq_no 0, which an obfuscated2
    header is forbidden to have; decided after 8 bytes, never waiting for 64 since a full
    ``req_pq_multi`` frame is only 52 bytes)
  * anything else                   -> obfuscated2, once its 64-byte header is in; the decrypted
    tag must name one of the three framings above.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from ..errors import TransportError
from .abridged import Abridged
from .base import FramingCodec, RandomBytes, TransportCodec
from .events import DEFAULT_MAX_FRAME_SIZE, BytesLike, Event
from .full import Full
from .intermediate import Intermediate, PaddedIntermediate
from .obfuscated import HEADER_SIZE, Obfuscated2

__all__ = ["Detection", "TransportDetector", "TransportKind", "sniff_transport"]

TransportKind: TypeAlias = Literal["abridged", "intermediate", "padded", "full", "obfuscated2"]

_HTTP_METHODS: Final = frozenset({b"HEAD", b"POST", b"GET ", b"OPTI"})
_TLS_RECORD_START: Final = b"\x16\x03\x01"
_TAG_LENGTH: Final[dict[TransportKind, int]] = {
    "abridged": 1,
    "intermediate": 4,
    "padded": 4,
    "full": 0,  # no tag: the first frame starts at byte 0
    "obfuscated2": HEADER_SIZE,
}


def sniff_transport(prefix: BytesLike) -> TransportKind | None:
    """Name the transport that ``prefix`` (the first bytes of a connection) opens, or None for "need more".

    Raises :class:`TransportError` for HTTP or TLS openings, which this server does not speak.
    """
    size = len(prefix)
    if size == 0:
        return None
    if prefix[0] == 0xEF:
        return "abridged"
    if size < 4:
        return None
    first_word = bytes(prefix[:4])
    if first_word == b"\xee\xee\xee\xee":
        return "intermediate"
    if first_word == b"\xdd\xdd\xdd\xdd":
        return "padded"
    if first_word in _HTTP_METHODS:
        raise TransportError(f"connection opens with HTTP ({first_word!r}); the HTTP transport is not supported")
    if first_word.startswith(_TLS_RECORD_START):
        raise TransportError("connection opens with a TLS record; fake-TLS MTProxy is not supported")
    if size < 8:
        return None
    if prefix[4:8] == b"\x00\x00\x00\x00":
        return "full"
    if size < HEADER_SIZE:
        return None
    return "obfuscated2"


@dataclass(frozen=True, slots=True)
class Detection:
    """The server codec for a new connection, and the events from bytes that followed the opening."""

    kind: TransportKind
    codec: TransportCodec
    events: list[Event]


class TransportDetector:
    """Buffers the first bytes of a connection until :func:`sniff_transport` decides.

    ``feed`` returns None while more bytes are needed, then one :class:`Detection`;
    from then on the driver feeds the codec directly.  With ``require_obfuscation``
    (an MTProxy-style server) plain transports are refused.
    """

    def __init__(
        self,
        *,
        secret: bytes | str | None = None,
        require_obfuscation: bool = False,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        random_bytes: RandomBytes = os.urandom,
    ) -> None:
        self._secret = secret
        self._require_obfuscation = require_obfuscation
        self._max_frame_size = max_frame_size
        self._random_bytes = random_bytes
        self._buffer = bytearray()
        self._done = False

    @property
    def buffered(self) -> int:
        """Opening bytes held until the transport is known."""
        return len(self._buffer)

    def feed(self, data: BytesLike) -> Detection | None:
        if self._done:
            raise TransportError("transport already detected: feed the codec from the Detection instead")
        self._buffer += data
        kind = sniff_transport(self._buffer)
        if kind is None:
            return None
        if self._require_obfuscation and kind != "obfuscated2":
            raise TransportError(f"plain {kind} transport refused: this server requires obfuscated2")
        self._done = True
        opening = bytes(self._buffer[: _TAG_LENGTH[kind]])
        rest = bytes(self._buffer[_TAG_LENGTH[kind] :])
        self._buffer.clear()
        codec = self._server_codec(kind, opening)
        return Detection(kind, codec, codec.feed(rest) if rest else [])

    def _server_codec(self, kind: TransportKind, opening: bytes) -> TransportCodec:
        if kind == "obfuscated2":
            return Obfuscated2.from_client_header(
                opening, secret=self._secret, max_frame_size=self._max_frame_size, random_bytes=self._random_bytes
            )
        framing = _PLAIN_CODECS[kind]
        return framing("server", max_frame_size=self._max_frame_size, random_bytes=self._random_bytes)


_PLAIN_CODECS: Final[dict[TransportKind, type[FramingCodec]]] = {
    "abridged": Abridged,
    "intermediate": Intermediate,
    "padded": PaddedIntermediate,
    "full": Full,
}
