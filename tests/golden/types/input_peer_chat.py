# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""inputPeerChat#35a95cb9 chat_id:long = InputPeer;"""

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
_u0 = _unpacker("<q")
_p1 = _packer("<Iq")


class InputPeerChat(TLObject):
    """inputPeerChat#35a95cb9 chat_id:long = InputPeer;"""

    __slots__ = (
        "chat_id",
    )

    CONSTRUCTOR_ID = 0x35a95cb9
    TL_NAME = "inputPeerChat"
    TL_LINE = "inputPeerChat#35a95cb9 chat_id:long = InputPeer;"
    # FIELDS (tlruntime.tlobject.Field tuples) is built from this table on first use: per
    # parameter, in schema order, a line of name, tl_name, tl_type, flag_field, bit.
    _FIELDS = (
        "chat_id", "chat_id", "long", None, None,
    )

    if TYPE_CHECKING:  # the attributes are __slots__: these declarations are for type checkers only
        chat_id: int

    def __init__(
        self,
        *,
        chat_id: int,
    ) -> None:
        self.chat_id = chat_id

    def _bytes(self) -> bytes:
        try:
            return _p1(0x35a95cb9, self.chat_id)
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes
    _tl_InputPeer = _bytes  # InputPeer fields write through this name: their type check

    # Generated classes get their from_bytes from TLObject.__init_subclass__ (built around this reader).
    @staticmethod
    def _read(data: bytes, o: int) -> tuple[InputPeerChat, int]:
        self = _new(InputPeerChat)
        self.chat_id = _u0(data, o)[0]
        o += 8
        return self, o
