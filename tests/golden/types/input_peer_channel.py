# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""inputPeerChannel#27bcbbfc channel_id:long access_hash:long = InputPeer;"""

from __future__ import annotations

from struct import Struct

from tlruntime.tlobject import (
    ENCODE_FAILURES as _ENCODE_FAILURES,
    TRUNCATION as _TRUNCATION,
    Field,
    TLObject,
    encode_error as _encode_error,
    read_exact as _read_exact,
)

_new = object.__new__
_u0 = Struct("<qq").unpack_from
_p1 = Struct("<Iqq").pack


class InputPeerChannel(TLObject):
    """``inputPeerChannel#27bcbbfc channel_id:long access_hash:long = InputPeer;``"""

    __slots__ = (
        "channel_id",
        "access_hash",
    )

    CONSTRUCTOR_ID = 0x27bcbbfc
    TL_NAME = "inputPeerChannel"
    TL_LINE = "inputPeerChannel#27bcbbfc channel_id:long access_hash:long = InputPeer;"
    FIELDS = (
        Field("channel_id", "channel_id", "long", None, None),
        Field("access_hash", "access_hash", "long", None, None),
    )

    channel_id: int
    access_hash: int

    def __init__(
        self,
        *,
        channel_id: int,
        access_hash: int,
    ) -> None:
        self.channel_id = channel_id
        self.access_hash = access_hash

    def _bytes(self) -> bytes:
        try:
            return _p1(0x27bcbbfc, self.channel_id, self.access_hash)
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes
    _tl_InputPeer = _bytes  # InputPeer fields write through this name: their type check

    @staticmethod
    def from_bytes(data: bytes | bytearray | memoryview) -> InputPeerChannel:
        """Read exactly one boxed ``inputPeerChannel`` from ``data`` (a ``gzip_packed`` wrapper is opened)."""
        if type(data) is bytes and data[:4] == b"\xfc\xbb\xbc\x27":
            try:
                obj, end = InputPeerChannel._read(data, 4)
            except _TRUNCATION:
                pass  # read_exact reads it again and raises the typed error
            else:
                if end == len(data):
                    return obj
        return _read_exact(InputPeerChannel, data)

    @staticmethod
    def _read(data: bytes, o: int) -> tuple[InputPeerChannel, int]:
        self = _new(InputPeerChannel)
        self.channel_id, self.access_hash = _u0(data, o)
        o += 16
        return self, o
