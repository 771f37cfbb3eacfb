"""Byte-level helpers shared by the client and the server side of the handshake.

Conventions (corefork.telegram.org/mtproto/auth_key): nonces are TL
``int128``/``int256`` (little-endian, signed Python ints in the generated
classes) but hashed as raw bytes, so each side keeps them as bytes and converts
at the TL boundary; big numbers (pq, p, q, dh_prime, g_a, g_b) travel as
big-endian ``bytes``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from hashlib import sha1
from typing import Any, TypeVar, overload

from ..errors import HandshakeError, TLError
from ..tlobject import deserialize, read_entry, read_object

RandomBytes = Callable[[int], bytes]

T = TypeVar("T")


def le_int(data: bytes) -> int:
    """A TL int128/int256/long value (signed little-endian) from its raw bytes."""
    return int.from_bytes(data, "little", signed=True)


def le_bytes(value: int, size: int) -> bytes:
    """Raw bytes of a TL int128/int256/long value."""
    return value.to_bytes(size, "little", signed=True)


def be_int(data: bytes) -> int:
    """A big number sent as big-endian ``bytes`` (pq, p, q, dh_prime, g_a, g_b)."""
    return int.from_bytes(data, "big")


def be_bytes(value: int, size: int | None = None) -> bytes:
    """Big-endian bytes of ``value``: minimal length unless ``size`` is given."""
    if size is None:
        size = max(1, (value.bit_length() + 7) // 8)
    return value.to_bytes(size, "big")


def draw(random_bytes: RandomBytes, size: int) -> bytes:
    """``size`` bytes from the injected source, refusing a short answer."""
    data = random_bytes(size)
    if len(data) != size:
        raise ValueError(f"random source returned {len(data)} bytes, {size} were asked for")
    return bytes(data)


def wrap_with_sha1(data: bytes, random_bytes: RandomBytes) -> bytes:
    """``SHA1(data) + data + 0..15 random bytes``, a multiple of 16 long (AES-IGE input)."""
    hashed = sha1(data).digest() + data
    return hashed + draw(random_bytes, -len(hashed) % 16)


def unwrap_sha1(plaintext: bytes, *, max_padding: int, what: str) -> bytes:
    """The data ``d`` such that ``plaintext == SHA1(d) + d + padding``.

    The padding length is unknown, so each candidate length (TL objects are a
    multiple of 4 bytes long) is hashed until one matches; at most
    ``max_padding`` bytes may be dropped.  Nothing is parsed before the hash
    proves the data authentic.
    """
    if len(plaintext) < 20 + 4:
        raise HandshakeError(f"{what}: {len(plaintext)} decrypted bytes cannot hold SHA1 + data")
    digest = plaintext[:20]
    body = plaintext[20:]
    for padding in range(0, min(max_padding, len(body) - 4) + 1):
        candidate = body[: len(body) - padding]
        if len(candidate) % 4 == 0 and hmac.compare_digest(sha1(candidate).digest(), digest):
            return candidate
    raise HandshakeError(f"{what}: SHA1 in the decrypted data does not match its contents")


@overload
def parse_tl(data: bytes, expected: type[T], what: str) -> T: ...
@overload
def parse_tl(data: bytes, expected: tuple[type[Any], ...], what: str) -> Any: ...


def parse_tl(data: bytes, expected: type[Any] | tuple[type[Any], ...], what: str) -> Any:
    """Deserialize exactly one boxed TL object and check its class; any failure is a HandshakeError.

    With a tuple of classes the result is typed ``Any``: the caller annotates the union.
    """
    try:
        obj = deserialize(data)
    except TLError as exc:
        raise HandshakeError(f"{what}: cannot read the TL object: {exc}") from exc
    return _expect(obj, expected, what)


def parse_leading_tl(
    data: bytes, expected: type[Any] | tuple[type[Any], ...], what: str
) -> tuple[Any, int]:
    """Read the boxed TL object at the start of ``data`` (random padding may follow).

    Returns the object and the number of bytes it took.
    """
    try:
        obj, end = read_entry(data, 0, read_object)
    except TLError as exc:
        raise HandshakeError(f"{what}: cannot read the TL object: {exc}") from exc
    return _expect(obj, expected, what), end


def _expect(obj: object, expected: type[Any] | tuple[type[Any], ...], what: str) -> Any:
    if not isinstance(obj, expected):
        names = (
            ", ".join(cls.__name__ for cls in expected)
            if isinstance(expected, tuple)
            else expected.__name__
        )
        raise HandshakeError(f"{what}: expected {names}, got {type(obj).__name__}")
    return obj


def check_equal(received: int, known: int, field: str, what: str) -> None:
    """A nonce echoed by the peer must equal the value this run already knows."""
    if received != known:
        raise HandshakeError(f"{what}: {field} does not match the value of this exchange")
