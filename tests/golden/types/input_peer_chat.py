# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""inputPeerChat#35a95cb9 chat_id:long = InputPeer;"""

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
_u0 = Struct("<q").unpack_from
_p1 = Struct("<Iq").pack


class InputPeerChat(TLObject):
    """``inputPeerChat#35a95cb9 chat_id:long = InputPeer;``"""

    __slots__ = (
        "chat_id",
    )

    CONSTRUCTOR_ID = 0x35a95cb9
    TL_NAME = "inputPeerChat"
    TL_LINE = "inputPeerChat#35a95cb9 chat_id:long = InputPeer;"
    FIELDS = (
        Field("chat_id", "chat_id", "long", None, None),
    )

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

    @staticmethod
    def from_bytes(data: bytes | bytearray | memoryview) -> InputPeerChat:
        """Read exactly one boxed ``inputPeerChat`` from ``data`` (a ``gzip_packed`` wrapper is opened)."""
        if type(data) is bytes and data[:4] == b"\xb9\x5c\xa9\x35":
            try:
                obj, end = InputPeerChat._read(data, 4)
            except _TRUNCATION:
                pass  # read_exact reads it again and raises the typed error
            else:
                if end == len(data):
                    return obj
        return _read_exact(InputPeerChat, data)

    @staticmethod
    def _read(data: bytes, o: int) -> tuple[InputPeerChat, int]:
        self = _new(InputPeerChat)
        self.chat_id = _u0(data, o)[0]
        o += 8
        return self, o
