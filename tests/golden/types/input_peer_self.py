# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""inputPeerSelf#7da07ec9 = InputPeer;"""

from __future__ import annotations

from struct import Struct

from tlruntime.tlobject import (
    ENCODE_FAILURES as _ENCODE_FAILURES,
    TRUNCATION as _TRUNCATION,
    TLObject,
    encode_error as _encode_error,
    read_exact as _read_exact,
)

_new = object.__new__
_p0 = Struct("<I").pack


class InputPeerSelf(TLObject):
    """``inputPeerSelf#7da07ec9 = InputPeer;``"""

    __slots__ = (
    )

    CONSTRUCTOR_ID = 0x7da07ec9
    TL_NAME = "inputPeerSelf"
    TL_LINE = "inputPeerSelf#7da07ec9 = InputPeer;"
    FIELDS = (
    )


    def __init__(
        self,
    ) -> None:
        pass

    def _bytes(self) -> bytes:
        try:
            return _p0(0x7da07ec9)
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes
    _tl_InputPeer = _bytes  # InputPeer fields write through this name: their type check

    @staticmethod
    def from_bytes(data: bytes | bytearray | memoryview) -> InputPeerSelf:
        """Read exactly one boxed ``inputPeerSelf`` from ``data`` (a ``gzip_packed`` wrapper is opened)."""
        if type(data) is bytes and data[:4] == b"\xc9\x7e\xa0\x7d":
            try:
                obj, end = InputPeerSelf._read(data, 4)
            except _TRUNCATION:
                pass  # read_exact reads it again and raises the typed error
            else:
                if end == len(data):
                    return obj
        return _read_exact(InputPeerSelf, data)

    @staticmethod
    def _read(data: bytes, o: int) -> tuple[InputPeerSelf, int]:
        self = _new(InputPeerSelf)
        return self, o
