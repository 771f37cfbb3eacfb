# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""chatInvitePublicJoinRequests#ed107ab7 = ExportedChatInvite;"""

from __future__ import annotations

from tlruntime.binary import packer as _packer
from tlruntime.tlobject import (
    ENCODE_FAILURES as _ENCODE_FAILURES,
    TLObject,
    encode_error as _encode_error,
)

_new = object.__new__
_p0 = _packer("<I")


class ChatInvitePublicJoinRequests(TLObject):
    """chatInvitePublicJoinRequests#ed107ab7 = ExportedChatInvite;"""

    __slots__ = (
    )

    CONSTRUCTOR_ID = 0xed107ab7
    TL_NAME = "chatInvitePublicJoinRequests"
    TL_LINE = "chatInvitePublicJoinRequests#ed107ab7 = ExportedChatInvite;"

    def __init__(
        self,
    ) -> None:
        pass

    def _bytes(self) -> bytes:
        try:
            return _p0(0xed107ab7)
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes
    _tl_ExportedChatInvite = _bytes  # ExportedChatInvite fields write through this name: their type check

    # Generated classes get their from_bytes from TLObject.__init_subclass__ (built around this reader).
    @staticmethod
    def _read(data: bytes, o: int) -> tuple[ChatInvitePublicJoinRequests, int]:
        self = _new(ChatInvitePublicJoinRequests)
        return self, o
