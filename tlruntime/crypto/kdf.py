"""The SHA-1 derivations of the auth key exchange (https://core.telegram.org/mtproto/auth_key).

Everything here is a pure function of values both sides already hold, so the
client and the loopback server share it.
"""

from __future__ import annotations

import hashlib

from ..errors import HandshakeError
from ._buffers import Buffer, nbytes, xor_bytes

__all__ = ["handshake_aes_key_iv", "auth_key_aux_hash", "new_nonce_hash", "initial_server_salt"]


def _check_size(name: str, value: Buffer, size: int) -> None:
    if nbytes(value) != size:
        raise HandshakeError(f"{name} must be {size} bytes, got {nbytes(value)}")


def _sha1(*parts: Buffer) -> bytes:
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part)
    return digest.digest()


def handshake_aes_key_iv(new_nonce: Buffer, server_nonce: Buffer) -> tuple[bytes, bytes]:
    """``(tmp_aes_key, tmp_aes_iv)`` that protect server_DH_inner_data / client_DH_inner_data.

    ``new_nonce`` is the 32-byte int256 and ``server_nonce`` the 16-byte int128,
    both in their TL (little-endian) wire form.
    """
    _check_size("new_nonce", new_nonce, 32)
    _check_size("server_nonce", server_nonce, 16)
    new_server = _sha1(new_nonce, server_nonce)
    server_new = _sha1(server_nonce, new_nonce)
    new_new = _sha1(new_nonce, new_nonce)
    key = new_server + server_new[:12]
    iv = server_new[12:20] + new_new + bytes(new_nonce[:4])
    return key, iv


def auth_key_aux_hash(auth_key: Buffer) -> bytes:
    """The 64 higher-order bits of SHA1(auth_key): the ``retry_id`` of a DH retry."""
    return hashlib.sha1(auth_key).digest()[:8]


def new_nonce_hash(new_nonce: Buffer, number: int, auth_key: Buffer) -> bytes:
    """``new_nonce_hash1/2/3`` of dh_gen_ok / dh_gen_retry / dh_gen_fail (16 bytes).

    The 128 lower-order bits of SHA1(new_nonce + byte(number) + auth_key_aux_hash).
    """
    _check_size("new_nonce", new_nonce, 32)
    if number not in (1, 2, 3):
        raise HandshakeError(f"new_nonce_hash number must be 1, 2 or 3, got {number!r}")
    return _sha1(new_nonce, bytes((number,)), auth_key_aux_hash(auth_key))[4:20]


def initial_server_salt(new_nonce: Buffer, server_nonce: Buffer) -> int:
    """The first server salt: new_nonce[:8] XOR server_nonce[:8], read as a signed little-endian long."""
    _check_size("new_nonce", new_nonce, 32)
    _check_size("server_nonce", server_nonce, 16)
    return int.from_bytes(xor_bytes(new_nonce[:8], server_nonce[:8]), "little", signed=True)
