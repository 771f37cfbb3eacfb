"""MTProto combinators the runtime implements by hand instead of generating.

* ``gzip_packed`` - read transparently wherever a boxed object is read (see
  ``tlruntime.tlobject.read_object``); this class is for *writing* one.
* ``msg_container`` and its bare ``message`` entries - the ``bytes`` length of
  an entry is derived from its body on write and bounds the body on read.  The
  mtproto ``message`` is :class:`ContainerMessage` here because api.tl's
  ``message`` owns the name ``types.Message``.
* :func:`read_rpc_result` - ``rpc_result`` read with the request's result reader
  (the generated ``types.RpcResult`` reads ``result:Object`` generically).

The generated ``types`` package exposes ``GzipPacked``, ``MsgContainer`` and
``ContainerMessage`` from here, and the id index routes their ids here.
"""

from __future__ import annotations

import gzip
import struct
from typing import Any, Callable

from .binary import pack_bytes, read_bytes
from .errors import DecodeError, LengthPastEndError, TruncatedError, UnknownConstructorError
from .tlobject import (
    Field,
    TLObject,
    pack_object,
    read_entry,
    read_gzip_payload,
    read_nested_object,
    read_object,
    register,
)

try:
    from typing import Self
except ImportError:  # pragma: no cover
    from typing_extensions import Self

__all__ = [
    "GzipPacked",
    "ContainerMessage",
    "MsgContainer",
    "RPC_RESULT_ID",
    "RPC_ERROR_ID",
    "read_rpc_result",
]

from .protocol import GZIP_PACKED_ID, MESSAGE_ID, MSG_CONTAINER_ID, RPC_ERROR_ID, RPC_RESULT_ID  # noqa: E402

_UINT = struct.Struct("<I")
_ENTRY_HEAD = struct.Struct("<qii")
_new = object.__new__


class GzipPacked(TLObject):
    """``gzip_packed#3072cfa1 packed_data:bytes = Object;``"""

    __slots__ = ("packed_data",)
    CONSTRUCTOR_ID = GZIP_PACKED_ID
    TL_NAME = "gzip_packed"
    TL_LINE = "gzip_packed#3072cfa1 packed_data:bytes = Object;"
    FIELDS = (Field("packed_data", "packed_data", "bytes", None, None),)

    packed_data: bytes

    def __init__(self, *, packed_data: bytes) -> None:
        self.packed_data = packed_data

    @classmethod
    def wrap(cls, payload: bytes | TLObject) -> Self:
        """Compress serialized bytes (or an object) into a ``gzip_packed`` (mtime 0: deterministic)."""
        raw = payload._bytes() if isinstance(payload, TLObject) else payload
        return cls(packed_data=gzip.compress(raw, mtime=0))

    def unpack(self) -> bytes:
        """The decompressed payload (same size limit as transparent reading)."""
        inner, _ = read_gzip_payload(pack_bytes(self.packed_data), 0)
        return inner

    def _bytes(self) -> bytes:
        return _UINT.pack(self.CONSTRUCTOR_ID) + pack_bytes(self.packed_data)

    def __getattr__(self, name: str) -> Callable[[], bytes]:
        # A gzip_packed may stand for a value of any TL type: it answers every type's
        # serializing method (``_tl_InputPeer``...) that generated fields write through.
        if name.startswith("_tl_"):
            return self._bytes
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @classmethod
    def _read(cls, data: bytes, offset: int) -> tuple[Self, int]:
        self = _new(cls)
        self.packed_data, offset = read_bytes(data, offset)
        return self, offset


class ContainerMessage(TLObject):
    """One bare ``message msg_id:long seqno:int bytes:int body:Object`` of a container.

    ``body`` is a TL object (or bool/list) on read; on write it may also be the
    already serialized body as ``bytes``.  The ``bytes`` length is not stored:
    it is the length of the serialized body.
    """

    __slots__ = ("msg_id", "seqno", "body")
    CONSTRUCTOR_ID = MESSAGE_ID
    TL_NAME = "message"
    TL_LINE = "message#5bb8e511 msg_id:long seqno:int bytes:int body:Object = Message;"
    FIELDS = (
        Field("msg_id", "msg_id", "long", None, None),
        Field("seqno", "seqno", "int", None, None),
        Field("body", "body", "Object", None, None),
    )

    msg_id: int
    seqno: int
    body: object

    def __init__(self, *, msg_id: int, seqno: int, body: object) -> None:
        self.msg_id = msg_id
        self.seqno = seqno
        self.body = body

    def body_bytes(self) -> bytes:
        body = self.body
        return bytes(body) if isinstance(body, (bytes, bytearray)) else pack_object(body)

    def bare_bytes(self) -> bytes:
        """The entry as it sits inside a container (no constructor id)."""
        body = self.body_bytes()
        return _ENTRY_HEAD.pack(self.msg_id, self.seqno, len(body)) + body

    def _bytes(self) -> bytes:
        return _UINT.pack(self.CONSTRUCTOR_ID) + self.bare_bytes()

    @classmethod
    def _read(cls, data: bytes, offset: int) -> tuple[Self, int]:
        msg_id, seqno, length = _ENTRY_HEAD.unpack_from(data, offset)
        start = offset + 16
        end = start + length
        if length < 0 or length & 3:
            raise DecodeError(f"message body length {length} is not a multiple of 4", offset=offset + 12)
        if end > len(data):
            raise LengthPastEndError(
                f"message body of {length} bytes runs past the end of the input", offset=offset + 12
            )
        body, body_end = read_nested_object(data, start)  # siblings share the caller's gzip budget
        if body_end != end:
            raise DecodeError(
                f"message body is {body_end - start} bytes but its header says {length}", offset=start
            )
        self = _new(cls)
        self.msg_id, self.seqno, self.body = msg_id, seqno, body
        return self, end


class MsgContainer(TLObject):
    """``msg_container#73f1f8dc messages:vector<%Message> = MessageContainer;``"""

    __slots__ = ("messages",)
    CONSTRUCTOR_ID = MSG_CONTAINER_ID
    TL_NAME = "msg_container"
    TL_LINE = "msg_container#73f1f8dc messages:vector<message> = MessageContainer;"
    FIELDS = (Field("messages", "messages", "vector<message>", None, None),)

    messages: list[ContainerMessage]

    def __init__(self, *, messages: list[ContainerMessage]) -> None:
        self.messages = messages

    def _bytes(self) -> bytes:
        return b"".join(
            [_UINT.pack(self.CONSTRUCTOR_ID), _UINT.pack(len(self.messages))]
            + [m.bare_bytes() for m in self.messages]
        )

    @classmethod
    def _read(cls, data: bytes, offset: int) -> tuple[Self, int]:
        count = _UINT.unpack_from(data, offset)[0]
        offset += 4
        if offset + count * 16 > len(data):
            raise LengthPastEndError(
                f"container of {count} messages cannot fit in the bytes left", offset=offset - 4
            )
        messages = []
        for _ in range(count):
            entry, offset = ContainerMessage._read(data, offset)
            messages.append(entry)
        self = _new(cls)
        self.messages = messages
        return self, offset


for _cls in (GzipPacked, ContainerMessage, MsgContainer):
    register(_cls)


def read_rpc_result(
    data: bytes | bytearray | memoryview,
    offset: int = 0,
    result_reader: Callable[[bytes, int], tuple[Any, int]] | None = None,
) -> tuple[int, Any, int]:
    """Read a boxed ``rpc_result`` at ``offset``: ``(req_msg_id, result, end)``.

    ``result_reader`` is typically ``request.read_result`` of the request whose
    msg_id is ``req_msg_id``; without it the result is read generically.  An
    ``rpc_error`` answer is returned as a ``types.RpcError`` object either way.
    """
    if type(data) is not bytes:
        data = bytes(data)
    try:
        cid, req_msg_id = struct.unpack_from("<Iq", data, offset)
    except struct.error:
        raise TruncatedError("input ended inside an rpc_result header", offset=len(data)) from None
    if cid != RPC_RESULT_ID:
        raise UnknownConstructorError(cid, offset=offset, expected="rpc_result")
    start = offset + 12
    inner_id = data[start : start + 4]
    if result_reader is None or inner_id == _UINT.pack(RPC_ERROR_ID):
        value, end = read_entry(data, start, read_object)
    else:
        value, end = result_reader(data, start)
    return req_msg_id, value, end

