"""TL serialization primitives shared by the generated layer and the protocol core.

Readers are plain functions ``read_x(data, offset) -> (value, end)`` over a
``bytes`` buffer; writers are ``pack_x(value) -> bytes``.  The generated
classes inline the common cases (fixed-size fields through precomputed
``struct.Struct`` objects, short strings) and call these helpers for the rest.

Truncation contract: a reader either raises :class:`TruncatedError` itself or
returns an ``end`` past ``len(data)`` (a short slice read silently); every
public entry point (``from_bytes``, ``deserialize``, ``read_result``) checks
``end <= len(data)`` once, which keeps the per-field hot path free of checks.
"""

from __future__ import annotations

import struct
# ``typing`` (and the ``re``/``enum``/``functools`` it pulls in) costs more than the rest of
# ``import tlruntime.tl``: it is imported for type checkers only (mypy treats TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, TypeVar

from .errors import (
    StringEncodeError,
    ValueEncodeError,
    LengthError,
    LengthPastEndError,
    TrailingBytesError,
    TruncatedError,
    UnknownConstructorError,
)

__all__ = [
    "BOOL_TRUE_ID",
    "BOOL_FALSE_ID",
    "VECTOR_ID",
    "GZIP_PACKED_ID",
    "MAX_VECTOR_COUNT",
    "MAX_BYTES_LENGTH",
    "SHORT_FORM",
    "packer",
    "unpacker",
    "pack_bytes",
    "pack_string",
    "encode_surrogates",
    "describe_unencodable",
    "pack_int",
    "pack_long",
    "pack_double",
    "pack_int128",
    "pack_int256",
    "pack_bool",
    "read_int",
    "read_long",
    "read_double",
    "read_int128",
    "read_int256",
    "read_bytes",
    "read_string",
    "read_long_bytes",
    "read_bool",
    "read_bool_item",
    "read_long_string",
    "read_vector_header",
    "read_bare_vector_header",
    "read_vector_int",
    "read_vector_long",
    "read_vector_double",
    "read_vector_bytes",
    "read_vector_string",
    "read_vector_bool",
    "read_vector_int128",
    "read_vector_int256",
    "read_vector_with",
    "pack_vector_int",
    "pack_vector_long",
    "pack_vector_double",
    "pack_vector_bytes",
    "pack_vector_string",
    "pack_vector_bool",
    "pack_vector_int128",
    "pack_vector_int256",
    "check_end",
    "check_exact",
]

if TYPE_CHECKING:
    T = TypeVar("T")
    Reader = Callable[[bytes, int], "tuple[T, int]"]

from .protocol import BOOL_FALSE_ID, BOOL_TRUE_ID, GZIP_PACKED_ID, VECTOR_ID  # noqa: E402 - the one home of the ids

# A vector can never hold more elements than there are 4-byte words left, but a
# hostile count should fail before ``range(n)`` even starts: cap it absolutely too.
MAX_VECTOR_COUNT = 1 << 24
# The longest ``bytes``/``string`` the 3-byte length of the long form can say.
MAX_BYTES_LENGTH = 0xFFFFFF

_INT = struct.Struct("<i")
_UINT = struct.Struct("<I")
_LONG = struct.Struct("<q")
_DOUBLE = struct.Struct("<d")
_II = struct.Struct("<II")
_U24 = struct.Struct("<I")

_BOOL_TRUE = _UINT.pack(BOOL_TRUE_ID)
_BOOL_FALSE = _UINT.pack(BOOL_FALSE_ID)
_VECTOR = _UINT.pack(VECTOR_ID)

_PAD = (b"", b"\x00\x00\x00", b"\x00\x00", b"\x00")
# Short form (length < 254) in one C call and one allocation: ``_SHORT_FORM[n](n, data)``
# writes the length byte, the data and the zero padding (~40 ns less than two concatenations).
_SHORT_FORM: tuple[Callable[[int, bytes], bytes], ...] = tuple(
    struct.Struct(f"<B{n}s{-(n + 1) % 4}x").pack for n in range(254)
)
# The generated ``_bytes`` inlines a string's short form with it: ``SHORT_FORM[n](n, data)``.
SHORT_FORM = _SHORT_FORM


# One Struct per format for the whole generated layer: a class module binds the methods it
# uses (``_u0 = unpacker("<qi")``) and creates no struct object of its own, which keeps
# ~4,700 Struct objects and their bound methods out of a fully loaded layer.
_PACKERS: dict[str, Callable[..., bytes]] = {}
_UNPACKERS: dict[str, Callable[..., tuple[Any, ...]]] = {}


def packer(fmt: str) -> Callable[..., bytes]:
    """The shared ``struct.Struct(fmt).pack``."""
    method = _PACKERS.get(fmt)
    if method is None:
        method = _PACKERS[fmt] = struct.Struct(fmt).pack
    return method


def unpacker(fmt: str) -> Callable[..., tuple[Any, ...]]:
    """The shared ``struct.Struct(fmt).unpack_from``."""
    method = _UNPACKERS.get(fmt)
    if method is None:
        method = _UNPACKERS[fmt] = struct.Struct(fmt).unpack_from
    return method


# --- writing ------------------------------------------------------------------


def pack_bytes(data: bytes) -> bytes:
    """TL ``bytes``/``string``: 1-byte length (< 254) or 0xfe + 3-byte length, padded to 4."""
    n = len(data)
    if n < 254:
        return _SHORT_FORM[n](n, data)
    if n > MAX_BYTES_LENGTH:
        raise ValueEncodeError(f"bytes value of {n} bytes exceeds the TL limit of {MAX_BYTES_LENGTH}")
    return b"\xfe" + n.to_bytes(3, "little") + data + _PAD[n & 3]


def pack_string(value: str) -> bytes:
    """TL ``string``: UTF-8 (``surrogateescape`` so arbitrary read bytes write back exactly)."""
    try:
        data = value.encode()  # no-argument form: the fast path of str.encode
    except UnicodeEncodeError:  # lone surrogates, e.g. from a read of invalid UTF-8
        data = encode_surrogates(value)
    n = len(data)
    if n < 254:
        return _SHORT_FORM[n](n, data)
    return pack_bytes(data)


def encode_surrogates(value: str) -> bytes:
    """UTF-8 of a str holding lone surrogates: U+DC80..U+DCFF are the bytes a read kept.

    Any other lone surrogate (``"\\ud800"``) has no UTF-8 form: StringEncodeError.
    """
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as exc:
        raise StringEncodeError(describe_unencodable(value, exc)) from None


def describe_unencodable(value: str, exc: UnicodeEncodeError) -> str:
    """Why ``value`` has no UTF-8 form, naming the first offending code point and its index."""
    bad = value[exc.start : exc.end]
    points = " ".join(f"U+{ord(ch):04X}" for ch in bad[:4])
    return f"string cannot be encoded as UTF-8: lone surrogate {points} at index {exc.start}"


def pack_int(value: int) -> bytes:
    """Signed 32-bit little-endian; EncodeError when out of range."""
    try:
        return _INT.pack(value)
    except struct.error as exc:
        raise ValueEncodeError(f"int value {value!r} out of the signed 32-bit range") from exc


def pack_long(value: int) -> bytes:
    """Signed 64-bit little-endian; EncodeError when out of range."""
    try:
        return _LONG.pack(value)
    except struct.error as exc:
        raise ValueEncodeError(f"long value {value!r} out of the signed 64-bit range") from exc


def pack_double(value: float) -> bytes:
    try:
        return _DOUBLE.pack(value)
    except struct.error as exc:
        raise ValueEncodeError(f"double value {value!r} is not a float") from exc


def _pack_wide(value: int, size: int, name: str) -> bytes:
    try:
        return value.to_bytes(size, "little", signed=True)
    except (OverflowError, AttributeError, TypeError) as exc:
        raise ValueEncodeError(f"{name} value {value!r} out of the signed {size * 8}-bit range") from exc


def pack_int128(value: int) -> bytes:
    return _pack_wide(value, 16, "int128")


def pack_int256(value: int) -> bytes:
    return _pack_wide(value, 32, "int256")


def pack_bool(value: bool) -> bytes:
    return _BOOL_TRUE if value else _BOOL_FALSE


def _pack_vector_fixed(code: str, values: list[int] | list[float]) -> bytes:
    n = len(values)
    return _II.pack(VECTOR_ID, n) + struct.pack(f"<{n}{code}", *values)


def pack_vector_int(values: list[int]) -> bytes:
    return _pack_vector_fixed("i", values)


def pack_vector_long(values: list[int]) -> bytes:
    return _pack_vector_fixed("q", values)


def pack_vector_double(values: list[float]) -> bytes:
    return _pack_vector_fixed("d", values)


def pack_vector_bytes(values: list[bytes]) -> bytes:
    return _II.pack(VECTOR_ID, len(values)) + b"".join([pack_bytes(v) for v in values])


def pack_vector_string(values: list[str]) -> bytes:
    return _II.pack(VECTOR_ID, len(values)) + b"".join([pack_string(v) for v in values])


def pack_vector_bool(values: list[bool]) -> bytes:
    return _II.pack(VECTOR_ID, len(values)) + b"".join(
        [_BOOL_TRUE if v else _BOOL_FALSE for v in values]
    )


def pack_vector_int128(values: list[int]) -> bytes:
    return _II.pack(VECTOR_ID, len(values)) + b"".join([pack_int128(v) for v in values])


def pack_vector_int256(values: list[int]) -> bytes:
    return _II.pack(VECTOR_ID, len(values)) + b"".join([pack_int256(v) for v in values])


# --- reading ------------------------------------------------------------------


def read_int(data: bytes, offset: int) -> tuple[int, int]:
    return _INT.unpack_from(data, offset)[0], offset + 4


def read_long(data: bytes, offset: int) -> tuple[int, int]:
    return _LONG.unpack_from(data, offset)[0], offset + 8


def read_double(data: bytes, offset: int) -> tuple[float, int]:
    return _DOUBLE.unpack_from(data, offset)[0], offset + 8


def read_int128(data: bytes, offset: int) -> tuple[int, int]:
    end = offset + 16
    if end > len(data):
        raise TruncatedError("int128 runs past the end of the input", offset=offset)
    return int.from_bytes(data[offset:end], "little", signed=True), end


def read_int256(data: bytes, offset: int) -> tuple[int, int]:
    end = offset + 32
    if end > len(data):
        raise TruncatedError("int256 runs past the end of the input", offset=offset)
    return int.from_bytes(data[offset:end], "little", signed=True), end


def read_long_bytes(data: bytes, offset: int) -> tuple[bytes, int]:
    """The 0xfe long form of ``bytes`` (the generated code inlines the short form)."""
    start = offset + 4
    if start > len(data):
        raise TruncatedError("bytes length prefix runs past the end of the input", offset=offset)
    n = _U24.unpack_from(data, offset)[0] >> 8
    end = start + n
    if end > len(data):
        raise LengthPastEndError(
            f"bytes length {n} runs past the end of the input ({len(data)} bytes)", offset=offset
        )
    return data[start:end], offset + ((n + 7) & -4)


def read_bytes(data: bytes, offset: int) -> tuple[bytes, int]:
    """TL ``bytes`` at ``offset``: the value and the offset just past its padding."""
    n = data[offset]
    if n < 254:
        end = offset + 1 + n
        if end > len(data):
            raise LengthPastEndError(
                f"bytes length {n} runs past the end of the input ({len(data)} bytes)", offset=offset
            )
        return data[offset + 1 : end], offset + ((n + 4) & -4)
    return read_long_bytes(data, offset)


def read_string(data: bytes, offset: int) -> tuple[str, int]:
    raw, end = read_bytes(data, offset)
    return raw.decode("utf-8", "surrogateescape"), end


def read_long_string(data: bytes, offset: int) -> tuple[str, int]:
    """The 0xfe long form of ``string`` (the generated code inlines the short form)."""
    raw, end = read_long_bytes(data, offset)
    return raw.decode("utf-8", "surrogateescape"), end


def read_bool(data: bytes, offset: int) -> bool:
    """TL ``Bool`` (boxed ``boolTrue``/``boolFalse``); the caller advances by 4."""
    cid = _UINT.unpack_from(data, offset)[0]
    if cid == BOOL_TRUE_ID:
        return True
    if cid == BOOL_FALSE_ID:
        return False
    raise UnknownConstructorError(cid, offset=offset, expected="Bool")


def _check_count(n: int, data: bytes, offset: int, min_size: int) -> None:
    if n < 0 or n > MAX_VECTOR_COUNT:
        raise LengthError(f"vector count {n} is above the limit of {MAX_VECTOR_COUNT}", offset=offset)
    if offset + n * min_size > len(data):
        raise LengthPastEndError(
            f"vector of {n} elements cannot fit in the {max(len(data) - offset, 0)} bytes left",
            offset=offset,
        )


def read_vector_header(data: bytes, offset: int, min_size: int = 4) -> tuple[int, int]:
    """Boxed vector header (0x1cb5c415 + count): the count and the offset of the first element."""
    cid, n = _II.unpack_from(data, offset)
    if cid != VECTOR_ID:
        raise UnknownConstructorError(cid, offset=offset, expected="Vector")
    _check_count(n, data, offset + 8, min_size)
    return n, offset + 8


def read_bare_vector_header(data: bytes, offset: int, min_size: int = 4) -> tuple[int, int]:
    """Bare ``vector<t>`` header (count only)."""
    n = _UINT.unpack_from(data, offset)[0]
    _check_count(n, data, offset + 4, min_size)
    return n, offset + 4


def _read_vector_fixed(data: bytes, offset: int, code: str, size: int) -> tuple[list[T], int]:
    n, start = read_vector_header(data, offset, size)
    return list(struct.unpack_from(f"<{n}{code}", data, start)), start + n * size


def read_vector_int(data: bytes, offset: int) -> tuple[list[int], int]:
    return _read_vector_fixed(data, offset, "i", 4)


def read_vector_long(data: bytes, offset: int) -> tuple[list[int], int]:
    return _read_vector_fixed(data, offset, "q", 8)


def read_vector_double(data: bytes, offset: int) -> tuple[list[float], int]:
    return _read_vector_fixed(data, offset, "d", 8)


def read_vector_with(
    data: bytes, offset: int, read: Callable[[bytes, int], tuple[T, int]], boxed: bool = True
) -> tuple[list[T], int]:
    """A vector whose elements ``read`` reads one by one (``boxed=False`` for ``vector<t>``)."""
    if boxed:
        n, o = read_vector_header(data, offset)
    else:
        n, o = read_bare_vector_header(data, offset)
    out: list[T] = []
    append = out.append
    for _ in range(n):
        item, o = read(data, o)
        append(item)
    return out, o


def read_vector_bytes(data: bytes, offset: int) -> tuple[list[bytes], int]:
    return read_vector_with(data, offset, read_bytes)


def read_vector_string(data: bytes, offset: int) -> tuple[list[str], int]:
    return read_vector_with(data, offset, read_string)


def read_bool_item(data: bytes, offset: int) -> tuple[bool, int]:
    """``read_bool`` in the ``(value, end)`` reader shape."""
    return read_bool(data, offset), offset + 4


def read_vector_bool(data: bytes, offset: int) -> tuple[list[bool], int]:
    return read_vector_with(data, offset, read_bool_item)


def read_vector_int128(data: bytes, offset: int) -> tuple[list[int], int]:
    return read_vector_with(data, offset, read_int128)


def read_vector_int256(data: bytes, offset: int) -> tuple[list[int], int]:
    return read_vector_with(data, offset, read_int256)


def check_end(data: bytes, end: int) -> int:
    """Raise TruncatedError when a read that skipped per-field checks ran past the buffer."""
    if end > len(data):
        raise TruncatedError("input ended before the value did", offset=len(data))
    return end


def check_exact(data: bytes, end: int) -> None:
    """An exact read must consume the whole buffer: TruncatedError or TrailingBytesError."""
    if end != len(data):
        if end > len(data):
            raise TruncatedError("input ended before the value did", offset=len(data))
        raise TrailingBytesError(f"{len(data) - end} bytes left after the value", offset=end)
