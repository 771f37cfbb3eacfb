"""MTProto combinators the runtime implements by hand instead of generating.

* ``gzip_packed`` - read transparently wherever a boxed object is read (see
  ``tlruntime.tlobject.read_object``); this class is for *writing* one.
* ``msg_container`` and its bare ``message`` entries - the ``bytes`` length of
  an entry is derived from its body on write and bounds the body on read.  The
  mtproto ``message`` is :class:`ContainerMessage` here because api.tl's
  ``message`` owns the name ``types.Message``.
* :func:`read_rpc_result` - ``rpc_result`` read with the request's result reader
  (the generated ``types.RpcResult`` reads ``result:Object`` generically).

The container and ``rpc_result`` framing is :mod:`tlruntime.containers`, shared
with the session; these classes add reading the bodies as objects.

The generated ``types`` package exposes ``GzipPacked``, ``MsgContainer`` and
``ContainerMessage`` from here, and the id index routes their ids here.
"""

from __future__ import annotations

import gzip
import struct
from typing import Any, Callable

from .binary import pack_bytes, read_bytes
from .containers import ENTRY_HEAD, EntrySpan, entry_spans, pack_container, rpc_result_start
from .errors import DecodeError
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
_RPC_ERROR = _UINT.pack(RPC_ERROR_ID)
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
        return ENTRY_HEAD.pack(self.msg_id, self.seqno, len(body)) + body

    def _bytes(self) -> bytes:
        return _UINT.pack(self.CONSTRUCTOR_ID) + self.bare_bytes()

    @classmethod
    def _read(cls, data: bytes, offset: int) -> tuple[Self, int]:
        (span,), end = entry_spans(data, offset, 1)
        return cls._read_span(data, span), end

    @classmethod
    def _read_span(cls, data: bytes, span: EntrySpan) -> Self:
        """The entry whose framing ``span`` is (from ``entry_spans``), its body read as an object."""
        msg_id, seqno, start, end = span
        body, body_end = read_nested_object(data, start)  # siblings share the caller's gzip budget
        if body_end != end:
            raise DecodeError(
                f"message body is {body_end - start} bytes but its header says {end - start}", offset=start
            )
        self = _new(cls)
        self.msg_id, self.seqno, self.body = msg_id, seqno, body
        return self


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
        return pack_container([(m.msg_id, m.seqno, m.body_bytes()) for m in self.messages])

    @classmethod
    def _read(cls, data: bytes, offset: int) -> tuple[Self, int]:
        count = _UINT.unpack_from(data, offset)[0]
        spans, end = entry_spans(data, offset + 4, count)
        self = _new(cls)
        self.messages = [ContainerMessage._read_span(data, span) for span in spans]
        return self, end


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
    req_msg_id, start = rpc_result_start(data, offset)
    if result_reader is None or data[start : start + 4] == _RPC_ERROR:
        value, end = read_entry(data, start, read_object)
    else:
        value, end = result_reader(data, start)
    return req_msg_id, value, end
