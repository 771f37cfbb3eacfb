# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""inputPeerChannel#27bcbbfc channel_id:long access_hash:long = InputPeer;"""

from __future__ import annotations

from tlruntime.binary import (
    packer as _packer,
    unpacker as _unpacker,
)
from tlruntime.tlobject import (
    ENCODE_FAILURES as _ENCODE_FAILURES,
    TLObject,
    encode_error as _encode_error,
)

TYPE_CHECKING = False  # type checkers treat it as true; no typing import at run time

_new = object.__new__
_u0 = _unpacker("<qq")
_p1 = _packer("<Iqq")


class InputPeerChannel(TLObject):
    """inputPeerChannel#27bcbbfc channel_id:long access_hash:long = InputPeer;"""

    __slots__ = (
        "channel_id",
        "access_hash",
    )

    CONSTRUCTOR_ID = 0x27bcbbfc
    TL_NAME = "inputPeerChannel"
    TL_LINE = "inputPeerChannel#27bcbbfc channel_id:long access_hash:long = InputPeer;"
    # FIELDS (tlruntime.tlobject.Field tuples) is built from this table on first use: per
    # parameter, in schema order, a line of name, tl_name, tl_type, flag_field, bit.
    _FIELDS = (
        "channel_id", "channel_id", "long", None, None,
        "access_hash", "access_hash", "long", None, None,
    )

    if TYPE_CHECKING:  # the attributes are __slots__: these declarations are for type checkers only
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

    # Generated classes get their from_bytes from TLObject.__init_subclass__ (built around this reader).
    @staticmethod
    def _read(data: bytes, o: int) -> tuple[InputPeerChannel, int]:
        self = _new(InputPeerChannel)
        self.channel_id, self.access_hash = _u0(data, o)
        o += 16
        return self, o
