# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""inputPeerEmpty#7f3b18ea = InputPeer;"""

from __future__ import annotations

from tlruntime.binary import packer as _packer
from tlruntime.tlobject import (
    ENCODE_FAILURES as _ENCODE_FAILURES,
    TLObject,
    encode_error as _encode_error,
)

_new = object.__new__
_p0 = _packer("<I")


class InputPeerEmpty(TLObject):
    """inputPeerEmpty#7f3b18ea = InputPeer;"""

    __slots__ = (
    )

    CONSTRUCTOR_ID = 0x7f3b18ea
    TL_NAME = "inputPeerEmpty"
    TL_LINE = "inputPeerEmpty#7f3b18ea = InputPeer;"

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

    # Generated classes get their from_bytes from TLObject.__init_subclass__ (built around this reader).
    @staticmethod
    def _read(data: bytes, o: int) -> tuple[InputPeerEmpty, int]:
        self = _new(InputPeerEmpty)
        return self, o
