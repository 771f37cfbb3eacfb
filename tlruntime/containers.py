"""The one codec for MTProto's message framing: ``msg_container`` (its bare ``message`` entries) and ``rpc_result``.

Two readers need these layouts and want different things from them:

* the session (:mod:`tlruntime.session.wire`), on its hot path, keeps every
  entry's body as bytes (it checks and acknowledges entries before anything is
  deserialized, and an ``rpc_result`` is read only once the request it answers
  is known);
* the TL classes of :mod:`tlruntime.core_types` (what ``deserialize`` and
  ``bytes(obj)`` use) read each body as an object, inside the caller's nesting
  and gzip budget.

So this module only does the framing both share - packing, and walking the
entries' headers with every bound checked - and hands back where each body
lies; each caller does its own policy on top (the session refuses nested
containers, trailing bytes and more than ``MAX_CONTAINER_MESSAGES`` entries).
Framing faults are :class:`~tlruntime.errors.DecodeError` subclasses with the
offset; the session turns them into its ``SessionCheckError("container")``.
"""

from __future__ import annotations

import struct
from typing import Sequence

from .errors import DecodeError, LengthPastEndError, TruncatedError, UnknownConstructorError
from .protocol import MSG_CONTAINER_ID, RPC_RESULT_ID

__all__ = [
    "ENTRY_HEAD",
    "RPC_RESULT_HEAD",
    "EntrySpan",
    "pack_container",
    "entry_spans",
    "pack_rpc_result",
    "rpc_result_start",
]

#: A bare ``message msg_id:long seqno:int bytes:int body:Object`` entry's head (16 bytes).
ENTRY_HEAD = struct.Struct("<qiI")
#: ``rpc_result#f35c6d01 req_msg_id:long result:Object``: constructor id and req_msg_id (12 bytes).
RPC_RESULT_HEAD = struct.Struct("<Iq")

_CONTAINER_HEAD = struct.Struct("<II")  # constructor id, message count
_ENTRY_SIZE = ENTRY_HEAD.size
_RESULT_START = RPC_RESULT_HEAD.size

#: ``(msg_id, seqno, start, end)``: an entry and where its body lies in the walked buffer.
EntrySpan = tuple[int, int, int, int]


# --- msg_container ------------------------------------------------------------------------------


def pack_container(entries: Sequence[tuple[int, int, bytes]]) -> bytes:
    """A boxed ``msg_container`` holding ``(msg_id, seqno, serialized body)`` entries."""
    parts = [_CONTAINER_HEAD.pack(MSG_CONTAINER_ID, len(entries))]
    pack_head = ENTRY_HEAD.pack
    for msg_id, seqno, body in entries:
        parts.append(pack_head(msg_id, seqno, len(body)))
        parts.append(body)
    return b"".join(parts)


def entry_spans(data: bytes, offset: int, count: int) -> tuple[list[EntrySpan], int]:
    """Walk ``count`` bare ``message`` entries starting at ``offset``: ``(spans, end)``.

    Checks every framing bound before any body is looked at: the count must fit
    the bytes left (16 bytes of header each, so a hostile count fails at once),
    each header must lie inside ``data``, each body length must be a multiple
    of 4 and end inside ``data``.  The bodies themselves are not read.
    """
    size = len(data)
    if count * _ENTRY_SIZE > size - offset:
        raise LengthPastEndError(
            f"container of {count} messages cannot fit in the {size - offset} bytes left", offset=offset - 4
        )
    spans: list[EntrySpan] = []
    append = spans.append
    unpack_head = ENTRY_HEAD.unpack_from
    for index in range(count):
        start = offset + _ENTRY_SIZE
        if start > size:
            raise TruncatedError(f"container entry {index} header runs past the end", offset=offset)
        msg_id, seqno, length = unpack_head(data, offset)
        end = start + length
        if length & 3:
            raise DecodeError(
                f"container entry {index} (msg_id {msg_id}) body length {length} is not a multiple of 4",
                offset=offset + 12,
            )
        if end > size:
            raise LengthPastEndError(
                f"container entry {index} (msg_id {msg_id}) body of {length} bytes runs past the end",
                offset=offset + 12,
            )
        append((msg_id, seqno, start, end))
        offset = end
    return spans, offset


# --- rpc_result ---------------------------------------------------------------------------------


def pack_rpc_result(req_msg_id: int, result: bytes) -> bytes:
    """A boxed ``rpc_result`` around an already serialized (boxed) result."""
    return RPC_RESULT_HEAD.pack(RPC_RESULT_ID, req_msg_id) + result


def rpc_result_start(data: bytes, offset: int = 0) -> tuple[int, int]:
    """``(req_msg_id, offset of the result)`` of the boxed ``rpc_result`` at ``offset``.

    The result must at least hold its constructor id; reading it is the
    caller's business (it needs the request's ``read_result``).
    """
    if len(data) - offset < _RESULT_START + 4:
        raise TruncatedError(
            f"rpc_result of {len(data) - offset} bytes has no result", offset=len(data)
        )
    constructor, req_msg_id = RPC_RESULT_HEAD.unpack_from(data, offset)
    if constructor != RPC_RESULT_ID:
        raise UnknownConstructorError(constructor, offset=offset, expected="rpc_result")
    return req_msg_id, offset + _RESULT_START
