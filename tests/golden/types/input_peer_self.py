# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""inputPeerSelf#7da07ec9 = InputPeer;"""

from __future__ import annotations

from tlruntime.binary import packer as _packer
from tlruntime.tlobject import (
    ENCODE_FAILURES as _ENCODE_FAILURES,
    TLObject,
    encode_error as _encode_error,
)

_new = object.__new__
_p0 = _packer("<I")


class InputPeerSelf(TLObject):
    """inputPeerSelf#7da07ec9 = InputPeer;"""

    __slots__ = (
    )

    CONSTRUCTOR_ID = 0x7da07ec9
    TL_NAME = "inputPeerSelf"
    TL_LINE = "inputPeerSelf#7da07ec9 = InputPeer;"

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

    # Generated classes get their from_bytes from TLObject.__init_subclass__ (built around this reader).
    @staticmethod
    def _read(data: bytes, o: int) -> tuple[InputPeerSelf, int]:
        self = _new(InputPeerSelf)
        return self, o
