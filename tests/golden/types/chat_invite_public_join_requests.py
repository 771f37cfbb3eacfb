# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""chatInvitePublicJoinRequests#ed107ab7 = ExportedChatInvite;"""

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


class ChatInvitePublicJoinRequests(TLObject):
    """``chatInvitePublicJoinRequests#ed107ab7 = ExportedChatInvite;``"""

    __slots__ = (
    )

    CONSTRUCTOR_ID = 0xed107ab7
    TL_NAME = "chatInvitePublicJoinRequests"
    TL_LINE = "chatInvitePublicJoinRequests#ed107ab7 = ExportedChatInvite;"
    FIELDS = (
    )


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

    @staticmethod
    def from_bytes(data: bytes | bytearray | memoryview) -> ChatInvitePublicJoinRequests:
        """Read exactly one boxed ``chatInvitePublicJoinRequests`` from ``data`` (a ``gzip_packed`` wrapper is opened)."""
        if type(data) is bytes and data[:4] == b"\xb7\x7a\x10\xed":
            try:
                obj, end = ChatInvitePublicJoinRequests._read(data, 4)
            except _TRUNCATION:
                pass  # read_exact reads it again and raises the typed error
            else:
                if end == len(data):
                    return obj
        return _read_exact(ChatInvitePublicJoinRequests, data)

    @staticmethod
    def _read(data: bytes, o: int) -> tuple[ChatInvitePublicJoinRequests, int]:
        self = _new(ChatInvitePublicJoinRequests)
        return self, o
