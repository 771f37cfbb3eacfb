# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""inputPeerChannelFromMessage#bd2a0840 peer:InputPeer msg_id:int channel_id:long = InputPeer;"""

from __future__ import annotations

from tlruntime.binary import (
    packer as _packer,
    unpacker as _unpacker,
)
from tlruntime.tlobject import (
    ENCODE_FAILURES as _ENCODE_FAILURES,
    READERS as _READERS,
    TLObject,
    encode_error as _encode_error,
    load_reader as _load_reader,
    read_boxed as _read_boxed,
    unpack_id as _unpack_id,
)

TYPE_CHECKING = False  # type checkers treat it as true; no typing import at run time

if TYPE_CHECKING:
    from tlruntime.tl import abcs

_new = object.__new__
_u0 = _unpacker("<iq")
_p0 = _packer("<iq")
_p1 = _packer("<I")
_T0 = frozenset((0x27bcbbfc, 0x35a95cb9, 0x7da07ec9, 0x7f3b18ea, 0xa87b0a1c, 0xbd2a0840, 0xdde8a54c,))


class InputPeerChannelFromMessage(TLObject):
    """inputPeerChannelFromMessage#bd2a0840 peer:InputPeer msg_id:int channel_id:long = InputPeer;"""

    __slots__ = (
        "peer",
        "msg_id",
        "channel_id",
    )

    CONSTRUCTOR_ID = 0xbd2a0840
    TL_NAME = "inputPeerChannelFromMessage"
    TL_LINE = "inputPeerChannelFromMessage#bd2a0840 peer:InputPeer msg_id:int channel_id:long = InputPeer;"
    # FIELDS (tlruntime.tlobject.Field tuples) is built from this table on first use: per
    # parameter, in schema order, a line of name, tl_name, tl_type, flag_field, bit.
    _FIELDS = (
        "peer", "peer", "InputPeer", None, None,
        "msg_id", "msg_id", "int", None, None,
        "channel_id", "channel_id", "long", None, None,
    )

    if TYPE_CHECKING:  # the attributes are __slots__: these declarations are for type checkers only
        peer: abcs.InputPeer
        msg_id: int
        channel_id: int

    def __init__(
        self,
        *,
        peer: abcs.InputPeer,
        msg_id: int,
        channel_id: int,
    ) -> None:
        self.peer = peer
        self.msg_id = msg_id
        self.channel_id = channel_id

    def _bytes(self) -> bytes:
        try:
            return b"".join((
                _p1(0xbd2a0840),
                self.peer._tl_InputPeer(),
                _p0(self.msg_id, self.channel_id),
            ))
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes
    _tl_InputPeer = _bytes  # InputPeer fields write through this name: their type check

    # Generated classes get their from_bytes from TLObject.__init_subclass__ (built around this reader).
    @staticmethod
    def _read(data: bytes, o: int) -> tuple[InputPeerChannelFromMessage, int]:
        self = _new(InputPeerChannelFromMessage)
        cid = _unpack_id(data, o)[0]
        if cid in _T0:
            self.peer, o = (_READERS.get(cid) or _load_reader(cid))(data, o + 4)
        else:
            self.peer, o = _read_boxed(data, o, _T0, "InputPeer")
        self.msg_id, self.channel_id = _u0(data, o)
        o += 12
        return self, o
