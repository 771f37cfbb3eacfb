# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""inputPeerUser#dde8a54c user_id:long access_hash:long = InputPeer;"""

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


class InputPeerUser(TLObject):
    """``inputPeerUser#dde8a54c user_id:long access_hash:long = InputPeer;``"""

    __slots__ = (
        "user_id",
        "access_hash",
    )

    CONSTRUCTOR_ID = 0xdde8a54c
    TL_NAME = "inputPeerUser"
    TL_LINE = "inputPeerUser#dde8a54c user_id:long access_hash:long = InputPeer;"
    FIELDS = (
        Field("user_id", "user_id", "long", None, None),
        Field("access_hash", "access_hash", "long", None, None),
    )

    user_id: int
    access_hash: int

    def __init__(
        self,
        *,
        user_id: int,
        access_hash: int,
    ) -> None:
        self.user_id = user_id
        self.access_hash = access_hash

    def _bytes(self) -> bytes:
        try:
            return _p1(0xdde8a54c, self.user_id, self.access_hash)
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes
    _tl_InputPeer = _bytes  # InputPeer fields write through this name: their type check

    @staticmethod
    def from_bytes(data: bytes | bytearray | memoryview) -> InputPeerUser:
        """Read exactly one boxed ``inputPeerUser`` from ``data`` (a ``gzip_packed`` wrapper is opened)."""
        if type(data) is bytes and data[:4] == b"\x4c\xa5\xe8\xdd":
            try:
                obj, end = InputPeerUser._read(data, 4)
            except _TRUNCATION:
                pass  # read_exact reads it again and raises the typed error
            else:
                if end == len(data):
                    return obj
        return _read_exact(InputPeerUser, data)

    @staticmethod
    def _read(data: bytes, o: int) -> tuple[InputPeerUser, int]:
        self = _new(InputPeerUser)
        self.user_id, self.access_hash = _u0(data, o)
        o += 16
        return self, o
