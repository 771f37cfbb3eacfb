# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""inputPeerEmpty#7f3b18ea = InputPeer;"""

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


class InputPeerEmpty(TLObject):
    """``inputPeerEmpty#7f3b18ea = InputPeer;``"""

    __slots__ = (
    )

    CONSTRUCTOR_ID = 0x7f3b18ea
    TL_NAME = "inputPeerEmpty"
    TL_LINE = "inputPeerEmpty#7f3b18ea = InputPeer;"
    FIELDS = (
    )


    def __init__(
        self,
    ) -> None:
        pass

    def _bytes(self) -> bytes:
        try:
            return _p0(0x7f3b18ea)
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes
    _tl_InputPeer = _bytes  # InputPeer fields write through this name: their type check

    @staticmethod
    def from_bytes(data: bytes | bytearray | memoryview) -> InputPeerEmpty:
        """Read exactly one boxed ``inputPeerEmpty`` from ``data`` (a ``gzip_packed`` wrapper is opened)."""
        if type(data) is bytes and data[:4] == b"\xea\x18\x3b\x7f":
            try:
                obj, end = InputPeerEmpty._read(data, 4)
            except _TRUNCATION:
                pass  # read_exact reads it again and raises the typed error
            else:
                if end == len(data):
                    return obj
        return _read_exact(InputPeerEmpty, data)

    @staticmethod
    def _read(data: bytes, o: int) -> tuple[InputPeerEmpty, int]:
        self = _new(InputPeerEmpty)
        return self, o
