"""Perfect forward secrecy: the ``encrypted_message`` of ``auth.bindTempAuthKey``, both sides, pure.

/api/pfs and the method's page: the client builds
``bind_auth_key_inner nonce temp_auth_key_id perm_auth_key_id temp_session_id expires_at``
(40 bytes) and encrypts it with the *permanent* key in the MTProto v1 way:

    plaintext = random:int128 + msg_id:long + seqno:int (0) + msg_len:int (40) + inner
    msg_key   = SHA1(plaintext)[4:20]                     (before padding)
    plaintext += random padding to a multiple of 16
    encrypted_message = perm_auth_key_id + msg_key + AES-256-IGE(plaintext, v1 key/iv)

``msg_id`` is the msg_id of the ``auth.bindTempAuthKey`` request itself, which is
sent over the *temporary* key in the session ``temp_session_id``.

The server side (:func:`open_bind_message`) runs every check the page lists and
raises :class:`BindMessageError` (a :class:`~tlruntime.errors.SecurityError`;
the server answers it with 400 ``ENCRYPTED_MESSAGE_INVALID``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from dataclasses import dataclass
from typing import Final

from ..crypto.ige import aes_ige_decrypt, aes_ige_encrypt
from ..errors import SecurityError
from ..transports.base import RandomBytes

__all__ = [
    "BIND_AUTH_KEY_INNER_ID",
    "BindAuthKeyInner",
    "BindMessageError",
    "auth_key_id",
    "bind_message",
    "open_bind_message",
    "v1_aes_key_iv",
]

BIND_AUTH_KEY_INNER_ID: Final = 0x75A3F765
_INNER: Final = struct.Struct("<IqqqqI")  # constructor, nonce, temp key id, perm key id, temp session id, expires_at
_HEADER: Final = struct.Struct("<16sqii")  # random, msg_id, seqno, msg_len
_MASK64: Final = (1 << 64) - 1
_AUTH_KEY_SIZE: Final = 256


class BindMessageError(SecurityError):
    """A binding message that fails a check of /api/pfs; ``.reason`` names which."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"auth.bindTempAuthKey: {reason}")


def _signed64(value: int) -> int:
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def auth_key_id(auth_key: bytes) -> int:
    """The 64 lower-order bits of SHA1(auth_key), as a signed long."""
    return int.from_bytes(hashlib.sha1(auth_key).digest()[-8:], "little", signed=True)


def v1_aes_key_iv(auth_key: bytes, msg_key: bytes, *, from_client: bool = True) -> tuple[bytes, bytes]:
    """MTProto v1's AES key and IV (SHA1-based), x = 0 for client to server, 8 the other way."""
    x = 0 if from_client else 8
    sha1_a = hashlib.sha1(msg_key + auth_key[x : x + 32]).digest()
    sha1_b = hashlib.sha1(auth_key[32 + x : 48 + x] + msg_key + auth_key[48 + x : 64 + x]).digest()
    sha1_c = hashlib.sha1(auth_key[64 + x : 96 + x] + msg_key).digest()
    sha1_d = hashlib.sha1(msg_key + auth_key[96 + x : 128 + x]).digest()
    key = sha1_a[0:8] + sha1_b[8:20] + sha1_c[4:16]
    iv = sha1_a[8:20] + sha1_b[0:8] + sha1_c[16:20] + sha1_d[0:8]
    return key, iv


@dataclass(frozen=True, slots=True)
class BindAuthKeyInner:
    """The binding message's contents (ids as signed longs, as TL carries them)."""

    nonce: int
    temp_auth_key_id: int
    perm_auth_key_id: int
    temp_session_id: int
    expires_at: int

    def to_bytes(self) -> bytes:
        if not 0 <= self.expires_at <= 0xFFFF_FFFF:
            raise BindMessageError(f"expires_at {self.expires_at} is not a unix time")
        return _INNER.pack(
            BIND_AUTH_KEY_INNER_ID,
            _signed64(self.nonce),
            _signed64(self.temp_auth_key_id),
            _signed64(self.perm_auth_key_id),
            _signed64(self.temp_session_id),
            self.expires_at,
        )


def _check_key(auth_key: bytes) -> None:
    if len(auth_key) != _AUTH_KEY_SIZE:
        raise BindMessageError(f"an auth key is {_AUTH_KEY_SIZE} bytes, got {len(auth_key)}")


def bind_message(
    perm_auth_key: bytes, inner: BindAuthKeyInner, *, msg_id: int, random_bytes: RandomBytes = os.urandom
) -> bytes:
    """Client side: the ``encrypted_message`` for ``auth.bindTempAuthKey`` sent with ``msg_id``."""
    _check_key(perm_auth_key)
    if _signed64(inner.perm_auth_key_id) != auth_key_id(perm_auth_key):
        raise BindMessageError("inner.perm_auth_key_id is not the id of the permanent key that encrypts it")
    body = inner.to_bytes()
    plaintext = _HEADER.pack(random_bytes(16), _signed64(msg_id), 0, len(body)) + body
    msg_key = hashlib.sha1(plaintext).digest()[4:20]
    padding = -len(plaintext) % 16
    plaintext += random_bytes(padding) if padding else b""
    key, iv = v1_aes_key_iv(perm_auth_key, msg_key)
    return struct.pack("<q", auth_key_id(perm_auth_key)) + msg_key + aes_ige_encrypt(plaintext, key, iv)


def open_bind_message(
    perm_auth_key: bytes,
    encrypted_message: bytes,
    *,
    msg_id: int,
    perm_auth_key_id: int,
    nonce: int,
    expires_at: int,
    temp_auth_key_id: int,
    temp_session_id: int,
) -> BindAuthKeyInner:
    """Server side: decrypt and check a binding message against the request that carried it.

    ``msg_id``, ``temp_auth_key_id`` and ``temp_session_id`` are those of the
    ``auth.bindTempAuthKey`` message as received (over the temporary key);
    ``perm_auth_key_id``, ``nonce`` and ``expires_at`` are the request's fields.
    """
    _check_key(perm_auth_key)
    if len(encrypted_message) < 24 + 80 or (len(encrypted_message) - 24) % 16:
        raise BindMessageError(f"encrypted_message of {len(encrypted_message)} bytes cannot hold a binding message")
    (outer_key_id,) = struct.unpack_from("<q", encrypted_message)
    if outer_key_id != auth_key_id(perm_auth_key) or _signed64(perm_auth_key_id) != outer_key_id:
        raise BindMessageError("perm_auth_key_id does not match the key the message is encrypted with")
    msg_key = encrypted_message[8:24]
    key, iv = v1_aes_key_iv(perm_auth_key, msg_key)
    plaintext = aes_ige_decrypt(encrypted_message[24:], key, iv)
    _, inner_msg_id, seqno, msg_len = _HEADER.unpack_from(plaintext)
    padding = len(plaintext) - _HEADER.size - msg_len
    if msg_len != _INNER.size or not 0 <= padding <= 15:
        raise BindMessageError(
            f"msg_len {msg_len} is not a 40-byte bind_auth_key_inner followed by at most 15 bytes of padding"
        )
    if not hmac.compare_digest(hashlib.sha1(plaintext[: _HEADER.size + msg_len]).digest()[4:20], msg_key):
        raise BindMessageError("msg_key does not match the decrypted message (wrong key or tampered)")
    if inner_msg_id != _signed64(msg_id):
        raise BindMessageError("the inner msg_id is not the msg_id of the auth.bindTempAuthKey request")
    if seqno != 0:
        raise BindMessageError(f"the inner seqno is {seqno}, not 0")
    constructor, *fields = _INNER.unpack_from(plaintext, _HEADER.size)
    if constructor != BIND_AUTH_KEY_INNER_ID:
        raise BindMessageError(f"inner constructor 0x{constructor:08x} is not bind_auth_key_inner")
    inner = BindAuthKeyInner(*fields)
    checks = (
        (inner.nonce == _signed64(nonce), "nonce differs from the request's"),
        (inner.perm_auth_key_id == outer_key_id, "inner perm_auth_key_id differs from the encrypting key's"),
        (inner.temp_auth_key_id == _signed64(temp_auth_key_id), "temp_auth_key_id is not the key the request came on"),
        (inner.temp_session_id == _signed64(temp_session_id), "temp_session_id is not the request's session"),
        (inner.expires_at == expires_at, "expires_at differs from the request's"),
    )
    for passed, reason in checks:
        if not passed:
            raise BindMessageError(reason)
    return inner
