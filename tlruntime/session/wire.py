"""The session's own framing: the plaintext header, the container walk, ``rpc_result`` and gzip framing.

Service constructors (``msgs_ack``, ``bad_server_salt``, ``pong``,
``new_session_created``, ``future_salts``...) are *not* laid out here: the
handlers pack and read them with the generated classes
(``bytes(types.MsgsAck(msg_ids=...))``, ``types.BadServerSalt.from_bytes(body)``),
which already know every layout.  What stays here is what only a session
does with raw bytes:

* the 32-byte plaintext header and its length/padding checks;
* the session's policy on ``msg_container`` (no nesting, no trailing bytes, at
  most ``MAX_CONTAINER_MESSAGES`` entries, each body kept as bytes: the session
  checks and acknowledges entries before anything is deserialized, and an
  ``rpc_result`` can only be read once we know which request's ``read_result``
  applies), reporting framing faults as :class:`SessionCheckError` rather than
  decode errors;
* ``rpc_result`` framing around a result that is already serialized, and
  ``gzip_packed`` on/off.

The container and ``rpc_result`` layouts themselves are :mod:`tlruntime.containers`,
the codec the TL classes of :mod:`tlruntime.core_types` use too; ``gzip_packed``
goes through :mod:`tlruntime.core_types` / :mod:`tlruntime.tlobject`.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

# pack_container / pack_rpc_result are the codec's own functions (no wrapper frame on the hot path).
from ..containers import RPC_RESULT_HEAD, entry_spans, pack_container, pack_rpc_result, rpc_result_start
from ..core_types import GzipPacked
from ..errors import DecodeError, LengthError, SessionCheckError, TruncatedError
from ..protocol import GZIP_PACKED_ID, MAX_CONTAINER_MESSAGES, MSG_CONTAINER_ID, PLAINTEXT_HEADER_SIZE
from ..protocol import RPC_ERROR_ID, RPC_RESULT_ID
from ..protocol import MAX_PADDING as _MAX_PADDING
from ..protocol import MIN_PADDING as _MIN_PADDING
from ..tlobject import class_for_id, read_gzip_payload

__all__ = [
    "MSG_CONTAINER",
    "GZIP_PACKED",
    "RPC_RESULT",
    "RPC_ERROR",
    "HEADER_SIZE",
    "MAX_CONTAINER_MESSAGES",
    "PlainMessage",
    "InnerMessage",
    "constructor_of",
    "name_of",
    "pack_plaintext",
    "parse_plaintext",
    "pack_container",
    "parse_container",
    "gzip_if_smaller",
    "gunzip_packed",
    "pack_rpc_result",
    "split_rpc_result",
]

MSG_CONTAINER = MSG_CONTAINER_ID
GZIP_PACKED = GZIP_PACKED_ID
RPC_RESULT = RPC_RESULT_ID
RPC_ERROR = RPC_ERROR_ID

#: salt, session_id, msg_id, seq_no, message_data_length.
HEADER_SIZE = PLAINTEXT_HEADER_SIZE
_HEADER = struct.Struct("<qqqiI")
_U32 = struct.Struct("<I")
_unpack_u32 = _U32.unpack_from
_RESULT_START = RPC_RESULT_HEAD.size


def constructor_of(body: bytes | memoryview) -> int:
    """The constructor id a boxed body starts with (0 if the body is shorter than 4 bytes)."""
    if len(body) < 4:
        return 0
    return int(_unpack_u32(body, 0)[0])


def name_of(body: bytes) -> str:
    """The TL name of a boxed body's constructor, for logs (``rpc_result``: with the inner result's)."""
    constructor = constructor_of(body)
    if constructor == RPC_RESULT and len(body) >= _RESULT_START + 4:
        return f"rpc_result({name_of(body[_RESULT_START:])})"
    if constructor == MSG_CONTAINER:
        return "msg_container"
    cls = class_for_id(constructor)
    return cls.TL_NAME if cls is not None else f"#{constructor:08x}"


# --- the decrypted message --------------------------------------------------


class PlainMessage(NamedTuple):
    """The fields of one decrypted MTProto message (padding already stripped)."""

    salt: int
    session_id: int
    msg_id: int
    seqno: int
    body: bytes


def pack_plaintext(
    salt: int, session_id: int, msg_id: int, seqno: int, body: bytes, padding: bytes = b""
) -> bytes:
    """The plaintext to encrypt: header + ``body`` (+ ``padding``, appended in the same copy)."""
    return b"".join((_HEADER.pack(salt, session_id, msg_id, seqno, len(body)), body, padding))


def parse_plaintext(plaintext: bytes) -> PlainMessage:
    """Split a decrypted payload, checking ``message_data_length`` and the padding size.

    MTProto 2.0 requires ``message_data_length`` to be a multiple of 4 and the
    padding after it to be 12..1024 bytes; anything else is a forged or broken
    message (security guidelines), reported as :class:`SessionCheckError`.
    """
    size = len(plaintext)
    if size < HEADER_SIZE + _MIN_PADDING:
        raise SessionCheckError(
            "length", f"decrypted payload of {size} bytes is shorter than header + minimal padding"
        )
    salt, session_id, msg_id, seqno, length = _HEADER.unpack_from(plaintext, 0)
    if length % 4:
        raise SessionCheckError(
            "length", f"message_data_length {length} is not a multiple of 4", msg_id=msg_id
        )
    if HEADER_SIZE + length > size:
        raise SessionCheckError(
            "length",
            f"message_data_length {length} points past the end of the {size}-byte payload",
            msg_id=msg_id,
        )
    padding = size - HEADER_SIZE - length
    if not _MIN_PADDING <= padding <= _MAX_PADDING:
        raise SessionCheckError(
            "padding",
            f"{padding} bytes of padding (allowed: {_MIN_PADDING}..{_MAX_PADDING})",
            msg_id=msg_id,
        )
    return PlainMessage(salt, session_id, msg_id, seqno, plaintext[HEADER_SIZE : HEADER_SIZE + length])


# --- containers -------------------------------------------------------------


class InnerMessage(NamedTuple):
    """One bare ``message`` entry: inside a container, or the top-level message itself."""

    msg_id: int
    seqno: int
    body: bytes


_new_tuple = tuple.__new__


def parse_container(body: bytes, container_msg_id: int) -> list[InnerMessage]:
    """The entries of a ``msg_container`` body; any framing problem is a :class:`SessionCheckError`.

    Beyond the framing :func:`tlruntime.containers.entry_spans` checks (every
    length a multiple of 4 and inside the container), the session wants at most
    ``MAX_CONTAINER_MESSAGES`` entries, no container nested in another, and
    entries that fill the container exactly.
    """

    def bad(detail: str) -> SessionCheckError:
        return SessionCheckError("container", detail, msg_id=container_msg_id)

    size = len(body)
    if size < 8:
        raise bad(f"container of {size} bytes has no message count")
    count = _unpack_u32(body, 4)[0]
    if count > MAX_CONTAINER_MESSAGES:
        raise bad(f"container claims {count} messages (at most {MAX_CONTAINER_MESSAGES})")
    try:
        spans, end = entry_spans(body, 8, count)
    except DecodeError as exc:
        raise bad(str(exc)) from None
    if end != size:
        raise bad(f"{size - end} trailing bytes after {count} messages")
    messages: list[InnerMessage] = []
    append = messages.append
    for msg_id, seqno, start, stop in spans:
        if stop - start >= 4 and _unpack_u32(body, start)[0] == MSG_CONTAINER:
            raise bad(f"message {msg_id} is a nested container")
        # tuple.__new__ directly: the NamedTuple's own __new__ is a Python frame per entry.
        append(_new_tuple(InnerMessage, (msg_id, seqno, body[start:stop])))
    return messages


# --- gzip_packed ------------------------------------------------------------

#: Bodies up to this size are never worth compressing (callers may skip the call below).
GZIP_THRESHOLD = 512


def gzip_if_smaller(body: bytes) -> bytes:
    """``body`` wrapped in ``gzip_packed`` when it is over 512 bytes and that makes it smaller."""
    if len(body) <= GZIP_THRESHOLD:
        return body
    packed = GzipPacked.wrap(body)._bytes()
    return packed if len(packed) < len(body) else body


def gunzip_packed(body: bytes) -> bytes:
    """The object inside a ``gzip_packed`` body (the layer's size limit guards against zip bombs)."""
    if len(body) < 8:
        raise TruncatedError(f"gzip_packed of {len(body)} bytes has no data", offset=len(body))
    inner, end = read_gzip_payload(body, 4)
    if end != len(body):
        raise LengthError(f"{len(body) - end} trailing bytes after gzip_packed", offset=end)
    return inner


# --- rpc_result ---------------------------------------------------------------


def split_rpc_result(body: bytes) -> tuple[int, bytes]:
    """``(req_msg_id, boxed result bytes)`` of an ``rpc_result`` body, before we know its type."""
    req_msg_id, start = rpc_result_start(body)
    return req_msg_id, body[start:]
