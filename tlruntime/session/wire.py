"""Byte layout of the MTProto service layer: message header, containers, gzip, service constructors.

The session packs and unpacks these ~20 fixed-layout constructors itself with
precompiled :mod:`struct` formats instead of going through the generated
layer: they sit on every packet's hot path, some of them hold raw bytes in a
TL ``string`` (``msgs_state_info.info``) that a ``str`` field cannot carry,
and the container/``rpc_result`` framing must be read before we know which
request's ``read_result`` interprets the payload.  Tests pin every id and
every layout against the generated classes and against Telethon's bytes.

Application objects (requests, results, updates) always go through
:mod:`tlruntime.tl`.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..binary import pack_bytes
from ..errors import LengthError, SessionCheckError, TruncatedError, UnknownConstructorError

__all__ = [
    "VECTOR",
    "MSG_CONTAINER",
    "GZIP_PACKED",
    "RPC_RESULT",
    "RPC_ERROR",
    "MSGS_ACK",
    "BAD_MSG_NOTIFICATION",
    "BAD_SERVER_SALT",
    "NEW_SESSION_CREATED",
    "PING",
    "PING_DELAY_DISCONNECT",
    "PONG",
    "MSG_DETAILED_INFO",
    "MSG_NEW_DETAILED_INFO",
    "MSGS_STATE_REQ",
    "MSGS_STATE_INFO",
    "MSGS_ALL_INFO",
    "MSG_RESEND_REQ",
    "MSG_RESEND_ANS_REQ",
    "GET_FUTURE_SALTS",
    "FUTURE_SALTS",
    "RPC_DROP_ANSWER",
    "RPC_ANSWER_UNKNOWN",
    "RPC_ANSWER_DROPPED_RUNNING",
    "HTTP_WAIT",
    "DESTROY_SESSION",
    "HEADER_SIZE",
    "MAX_CONTAINER_MESSAGES",
    "MAX_GUNZIP_SIZE",
    "PlainMessage",
    "InnerMessage",
    "constructor_of",
    "pack_plaintext",
    "parse_plaintext",
    "pack_container",
    "parse_container",
    "gzip_if_smaller",
    "gunzip_packed",
    "read_tl_bytes",
    "pack_long_vector",
    "read_long_vector",
    "pack_rpc_result",
    "split_rpc_result",
    "pack_rpc_error",
    "read_rpc_error",
    "pack_msgs_ack",
    "pack_bad_msg_notification",
    "pack_bad_server_salt",
    "pack_new_session_created",
    "pack_pong",
    "pack_ping",
    "pack_msgs_state_info",
    "pack_msg_resend_req",
    "pack_future_salts",
    "pack_rpc_answer_unknown",
    "pack_rpc_answer_dropped_running",
    "read_bad_msg_notification",
    "read_bad_server_salt",
    "read_new_session_created",
    "read_pong",
    "read_long_arg",
    "read_ping_delay_disconnect",
    "read_msg_detailed_info",
    "read_msg_new_detailed_info",
    "read_get_future_salts",
    "read_future_salts",
    "read_msgs_state_info",
    "read_id_vector",
]

# --- constructor ids (pinned against the generated layer by tests) -----------

VECTOR = 0x1CB5C415
MSG_CONTAINER = 0x73F1F8DC
GZIP_PACKED = 0x3072CFA1
RPC_RESULT = 0xF35C6D01
RPC_ERROR = 0x2144CA19
MSGS_ACK = 0x62D6B459
BAD_MSG_NOTIFICATION = 0xA7EFF811
BAD_SERVER_SALT = 0xEDAB447B
NEW_SESSION_CREATED = 0x9EC20908
PING = 0x7ABE77EC
PING_DELAY_DISCONNECT = 0xF3427B8C
PONG = 0x347773C5
MSG_DETAILED_INFO = 0x276D3EC6
MSG_NEW_DETAILED_INFO = 0x809DB6DF
MSGS_STATE_REQ = 0xDA69FB52
MSGS_STATE_INFO = 0x04DEB57D
MSGS_ALL_INFO = 0x8CC0D131
MSG_RESEND_REQ = 0x7D861A08
MSG_RESEND_ANS_REQ = 0x8610BAEB
GET_FUTURE_SALTS = 0xB921BD04
FUTURE_SALTS = 0xAE500895
RPC_DROP_ANSWER = 0x58E4A740
RPC_ANSWER_UNKNOWN = 0x5E2AD36E
RPC_ANSWER_DROPPED_RUNNING = 0xCD78E586
HTTP_WAIT = 0x9299359F
DESTROY_SESSION = 0xE7512126

#: salt, session_id, msg_id, seq_no, message_data_length.
HEADER_SIZE = 32
_HEADER = struct.Struct("<qqqiI")
_INNER_HEADER = struct.Struct("<qiI")  # msg_id, seqno, bytes (a bare ``message`` entry)
_U32 = struct.Struct("<I")
_U32_U32 = struct.Struct("<II")
_ID_LONG = struct.Struct("<Iq")
_ID_LONG_INT_INT = struct.Struct("<Iqii")
_ID_LONG_INT_INT_LONG = struct.Struct("<Iqiiq")
_ID_3LONG = struct.Struct("<Iqqq")
_ID_2LONG = struct.Struct("<Iqq")
_ID_INT_STR_HEAD = struct.Struct("<Ii")
_SALT = struct.Struct("<iiq")
_ID_LONG_INT = struct.Struct("<Iqi")
_ID_2LONG_INT_INT = struct.Struct("<Iqqii")
_FUTURE_SALTS_HEAD = struct.Struct("<IqiI")

_MIN_PADDING = 12
_MAX_PADDING = 1024
#: Telegram accepts at most 1020 messages in one container (service_messages docs).
MAX_CONTAINER_MESSAGES = 1020
#: A decompressed ``gzip_packed`` larger than this is refused (a zip bomb would exhaust memory).
MAX_GUNZIP_SIZE = 32 * 1024 * 1024
#: An upper bound on vector lengths read from the wire (Telegram's limit is 8192 per constructor).
_MAX_VECTOR = 8192


def constructor_of(body: bytes | memoryview) -> int:
    """The constructor id a boxed body starts with (0 if the body is shorter than 4 bytes)."""
    if len(body) < 4:
        return 0
    return int(_U32.unpack_from(body, 0)[0])


# --- the decrypted message --------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlainMessage:
    """The fields of one decrypted MTProto message (padding already stripped)."""

    salt: int
    session_id: int
    msg_id: int
    seqno: int
    body: bytes


def pack_plaintext(salt: int, session_id: int, msg_id: int, seqno: int, body: bytes) -> bytes:
    """The plaintext to encrypt, without padding: header + ``body``."""
    return _HEADER.pack(salt, session_id, msg_id, seqno, len(body)) + body


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


@dataclass(frozen=True, slots=True)
class InnerMessage:
    """One bare ``message`` entry: inside a container, or the top-level message itself."""

    msg_id: int
    seqno: int
    body: bytes


def pack_container(messages: Sequence[InnerMessage]) -> bytes:
    """``msg_container`` holding ``messages`` (already given their msg_ids and seqnos)."""
    parts = [_U32_U32.pack(MSG_CONTAINER, len(messages))]
    for message in messages:
        parts.append(_INNER_HEADER.pack(message.msg_id, message.seqno, len(message.body)))
        parts.append(message.body)
    return b"".join(parts)


def parse_container(body: bytes, container_msg_id: int) -> list[InnerMessage]:
    """The entries of a ``msg_container`` body; any framing problem is a :class:`SessionCheckError`.

    Containers may not nest, every entry length must be a multiple of 4 and lie
    inside the container, and the entries must fill it exactly.
    """

    def bad(detail: str) -> SessionCheckError:
        return SessionCheckError("container", detail, msg_id=container_msg_id)

    size = len(body)
    if size < 8:
        raise bad(f"container of {size} bytes has no message count")
    count = _U32_U32.unpack_from(body, 0)[1]
    if count > MAX_CONTAINER_MESSAGES or count * _INNER_HEADER.size > size - 8:
        raise bad(f"container claims {count} messages in {size} bytes")
    messages: list[InnerMessage] = []
    offset = 8
    for index in range(count):
        if offset + _INNER_HEADER.size > size:
            raise bad(f"entry {index} header runs past the end at offset {offset}")
        msg_id, seqno, length = _INNER_HEADER.unpack_from(body, offset)
        offset += _INNER_HEADER.size
        if length % 4 or offset + length > size:
            raise bad(f"entry {index} (msg_id {msg_id}) has bad length {length} at offset {offset}")
        inner = body[offset : offset + length]
        if constructor_of(inner) == MSG_CONTAINER:
            raise bad(f"entry {index} (msg_id {msg_id}) is a nested container")
        messages.append(InnerMessage(msg_id, seqno, inner))
        offset += length
    if offset != size:
        raise bad(f"{size - offset} trailing bytes after {count} messages")
    return messages


# --- primitives -------------------------------------------------------------


def read_tl_bytes(data: bytes, offset: int) -> tuple[bytes, int]:
    """Read a TL ``bytes``/``string`` at ``offset``; returns the value and the offset after its padding."""
    if offset >= len(data):
        raise TruncatedError("TL bytes: no length byte", offset=offset)
    first = data[offset]
    if first < 254:
        start, length = offset + 1, first
        end = start + length + (-(length + 1)) % 4
    elif first == 254:
        if offset + 4 > len(data):
            raise TruncatedError("TL bytes: 3-byte length is cut short", offset=offset)
        start = offset + 4
        length = int.from_bytes(data[offset + 1 : offset + 4], "little")
        end = start + length + (-length) % 4
    else:
        raise LengthError("TL bytes: length byte 255 is not allowed", offset=offset)
    if end > len(data):
        raise TruncatedError(
            f"TL bytes of {length} bytes run past the end of {len(data)} bytes", offset=offset
        )
    return data[start : start + length], end


def pack_long_vector(values: Iterable[int]) -> bytes:
    """Boxed ``Vector<long>``."""
    items = list(values)
    return _U32_U32.pack(VECTOR, len(items)) + struct.pack(f"<{len(items)}q", *items)


def read_long_vector(data: bytes, offset: int) -> tuple[list[int], int]:
    """Read a boxed ``Vector<long>`` at ``offset``; returns the values and the end offset."""
    if offset + 8 > len(data):
        raise TruncatedError("Vector<long>: header cut short", offset=offset)
    constructor, count = _U32_U32.unpack_from(data, offset)
    if constructor != VECTOR:
        raise UnknownConstructorError(constructor, offset=offset, expected="Vector<long>")
    if count > _MAX_VECTOR:
        raise LengthError(f"Vector<long> of {count} items exceeds {_MAX_VECTOR}", offset=offset)
    end = offset + 8 + 8 * count
    if end > len(data):
        raise TruncatedError(f"Vector<long> of {count} items runs past the end", offset=offset)
    return list(struct.unpack_from(f"<{count}q", data, offset + 8)), end


# --- gzip_packed ------------------------------------------------------------

_GZIP_THRESHOLD = 512


def gzip_if_smaller(body: bytes) -> bytes:
    """``body`` wrapped in ``gzip_packed`` when it is over 512 bytes and that makes it smaller."""
    if len(body) <= _GZIP_THRESHOLD:
        return body
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    packed = _U32.pack(GZIP_PACKED) + pack_bytes(compressor.compress(body) + compressor.flush())
    return packed if len(packed) < len(body) else body


def gunzip_packed(body: bytes, *, limit: int = MAX_GUNZIP_SIZE) -> bytes:
    """The object inside a ``gzip_packed`` body; refuses output over ``limit`` bytes."""
    packed, end = read_tl_bytes(body, 4)
    if end != len(body):
        raise LengthError(f"{len(body) - end} trailing bytes after gzip_packed", offset=end)
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(packed, limit + 1)
    except zlib.error as exc:
        raise LengthError(f"gzip_packed data is not valid gzip: {exc}", offset=4) from None
    if len(data) > limit or decompressor.unconsumed_tail:
        raise LengthError(f"gzip_packed expands past the {limit}-byte limit", offset=4)
    if not decompressor.eof:
        raise TruncatedError("gzip_packed stream ends before its end marker", offset=4)
    return data


# --- rpc_result / rpc_error -------------------------------------------------


def pack_rpc_result(req_msg_id: int, result: bytes) -> bytes:
    return _ID_LONG.pack(RPC_RESULT, req_msg_id) + result


def split_rpc_result(body: bytes) -> tuple[int, bytes]:
    """``(req_msg_id, boxed result bytes)`` of an ``rpc_result`` body."""
    if len(body) < 16:
        raise TruncatedError(f"rpc_result of {len(body)} bytes has no result", offset=len(body))
    return int(_ID_LONG.unpack_from(body, 0)[1]), body[12:]


def pack_rpc_error(code: int, message: str) -> bytes:
    return _ID_INT_STR_HEAD.pack(RPC_ERROR, code) + pack_bytes(message.encode("utf-8"))


def read_rpc_error(body: bytes) -> tuple[int, str]:
    """``(error_code, error_message)`` of an ``rpc_error`` body."""
    if len(body) < 12:
        raise TruncatedError("rpc_error cut short", offset=len(body))
    code = int(_ID_INT_STR_HEAD.unpack_from(body, 0)[1])
    raw, _ = read_tl_bytes(body, 8)
    return code, raw.decode("utf-8", "replace")


# --- small service constructors ---------------------------------------------


def pack_msgs_ack(msg_ids: Iterable[int]) -> bytes:
    return _U32.pack(MSGS_ACK) + pack_long_vector(msg_ids)


def pack_msg_resend_req(msg_ids: Iterable[int]) -> bytes:
    return _U32.pack(MSG_RESEND_REQ) + pack_long_vector(msg_ids)


def pack_bad_msg_notification(bad_msg_id: int, bad_msg_seqno: int, error_code: int) -> bytes:
    return _ID_LONG_INT_INT.pack(BAD_MSG_NOTIFICATION, bad_msg_id, bad_msg_seqno, error_code)


def pack_bad_server_salt(bad_msg_id: int, bad_msg_seqno: int, new_server_salt: int) -> bytes:
    return _ID_LONG_INT_INT_LONG.pack(BAD_SERVER_SALT, bad_msg_id, bad_msg_seqno, 48, new_server_salt)


def pack_new_session_created(first_msg_id: int, unique_id: int, server_salt: int) -> bytes:
    return _ID_3LONG.pack(NEW_SESSION_CREATED, first_msg_id, unique_id, server_salt)


def pack_pong(msg_id: int, ping_id: int) -> bytes:
    return _ID_2LONG.pack(PONG, msg_id, ping_id)


def pack_ping(ping_id: int) -> bytes:
    return _ID_LONG.pack(PING, ping_id)


def pack_msgs_state_info(req_msg_id: int, info: bytes) -> bytes:
    return _ID_LONG.pack(MSGS_STATE_INFO, req_msg_id) + pack_bytes(info)


def pack_future_salts(req_msg_id: int, now: int, salts: Sequence[tuple[int, int, int]]) -> bytes:
    """``future_salts`` with bare ``vector<future_salt>`` of ``(valid_since, valid_until, salt)``."""
    parts = [_ID_LONG.pack(FUTURE_SALTS, req_msg_id), struct.pack("<iI", now, len(salts))]
    parts.extend(_SALT.pack(*salt) for salt in salts)
    return b"".join(parts)


def pack_rpc_answer_unknown() -> bytes:
    return _U32.pack(RPC_ANSWER_UNKNOWN)


def pack_rpc_answer_dropped_running() -> bytes:
    return _U32.pack(RPC_ANSWER_DROPPED_RUNNING)


# --- fixed-layout decoders --------------------------------------------------


def _unpack(layout: struct.Struct, body: bytes, name: str) -> tuple[int, ...]:
    """Unpack a fixed-layout boxed constructor; a short body is a :class:`TruncatedError`."""
    if len(body) < layout.size:
        raise TruncatedError(f"{name} needs {layout.size} bytes, got {len(body)}", offset=len(body))
    return tuple(int(v) for v in layout.unpack_from(body, 0))[1:]


def read_bad_msg_notification(body: bytes) -> tuple[int, int, int]:
    """``(bad_msg_id, bad_msg_seqno, error_code)``."""
    bad_msg_id, seqno, code = _unpack(_ID_LONG_INT_INT, body, "bad_msg_notification")
    return bad_msg_id, seqno, code


def read_bad_server_salt(body: bytes) -> tuple[int, int, int, int]:
    """``(bad_msg_id, bad_msg_seqno, error_code, new_server_salt)``."""
    bad_msg_id, seqno, code, salt = _unpack(_ID_LONG_INT_INT_LONG, body, "bad_server_salt")
    return bad_msg_id, seqno, code, salt


def read_new_session_created(body: bytes) -> tuple[int, int, int]:
    """``(first_msg_id, unique_id, server_salt)``."""
    first, unique, salt = _unpack(_ID_3LONG, body, "new_session_created")
    return first, unique, salt


def read_pong(body: bytes) -> tuple[int, int]:
    """``(msg_id, ping_id)``."""
    msg_id, ping_id = _unpack(_ID_2LONG, body, "pong")
    return msg_id, ping_id


def read_long_arg(body: bytes, name: str) -> int:
    """The single ``long`` argument of ``ping``, ``rpc_drop_answer``, ``destroy_session``..."""
    return _unpack(_ID_LONG, body, name)[0]


def read_ping_delay_disconnect(body: bytes) -> tuple[int, int]:
    """``(ping_id, disconnect_delay)``."""
    ping_id, delay = _unpack(_ID_LONG_INT, body, "ping_delay_disconnect")
    return ping_id, delay


def read_msg_detailed_info(body: bytes) -> tuple[int, int, int, int]:
    """``(msg_id, answer_msg_id, bytes, status)``."""
    msg_id, answer, size, status = _unpack(_ID_2LONG_INT_INT, body, "msg_detailed_info")
    return msg_id, answer, size, status


def read_msg_new_detailed_info(body: bytes) -> tuple[int, int, int]:
    """``(answer_msg_id, bytes, status)``."""
    answer, size, status = _unpack(_ID_LONG_INT_INT, body, "msg_new_detailed_info")
    return answer, size, status


def read_get_future_salts(body: bytes) -> int:
    """``num`` of a ``get_future_salts`` request."""
    return _unpack(_U32_U32, body, "get_future_salts")[0]


def read_future_salts(body: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """``(req_msg_id, now, [(valid_since, valid_until, salt), ...])``."""
    req_msg_id, now, count = _unpack(_FUTURE_SALTS_HEAD, body, "future_salts")
    head = _FUTURE_SALTS_HEAD.size
    if count > _MAX_VECTOR or head + count * _SALT.size > len(body):
        raise LengthError(f"future_salts claims {count} salts in {len(body)} bytes", offset=head - 4)
    salts = []
    for index in range(count):
        since, until, salt = _SALT.unpack_from(body, head + index * _SALT.size)
        salts.append((int(since), int(until), int(salt)))
    return req_msg_id, now, salts


def read_msgs_state_info(body: bytes) -> tuple[int, bytes]:
    """``(req_msg_id, info)``; ``info`` holds one status byte per queried msg_id."""
    req_msg_id = _unpack(_ID_LONG, body, "msgs_state_info")[0]
    info, _ = read_tl_bytes(body, 12)
    return req_msg_id, info


def read_id_vector(body: bytes) -> list[int]:
    """The ``Vector<long>`` of ``msgs_ack``, ``msgs_state_req``, ``msg_resend_req``..."""
    return read_long_vector(body, 4)[0]
