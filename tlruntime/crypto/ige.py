"""AES-256 in IGE mode, as MTProto uses it, over cryptg's native implementation.

cryptg silently zero-pads input whose length is not a multiple of 16 and
accepts only ``bytes``; these wrappers validate first (a wrong length is a
protocol error, never something to paper over) and then hand the whole buffer
to cryptg in one call, so no Python code runs per block.
"""

from __future__ import annotations

import cryptg

from ..errors import DecodeError, EncodeError
from ._buffers import Buffer, as_bytes, nbytes

__all__ = ["BLOCK_SIZE", "KEY_SIZE", "IV_SIZE", "aes_ige_encrypt", "aes_ige_decrypt"]

BLOCK_SIZE = 16
KEY_SIZE = 32
#: IGE needs two previous blocks, so its IV is two AES blocks long.
IV_SIZE = 32


def _check_key_iv(key: Buffer, iv: Buffer) -> None:
    if nbytes(key) != KEY_SIZE:
        raise EncodeError(f"AES-256-IGE key must be {KEY_SIZE} bytes, got {nbytes(key)}")
    if nbytes(iv) != IV_SIZE:
        raise EncodeError(f"AES-256-IGE iv must be {IV_SIZE} bytes, got {nbytes(iv)}")


def aes_ige_encrypt(data: Buffer, key: Buffer, iv: Buffer) -> bytes:
    """Encrypt ``data`` (a whole number of 16-byte blocks) with AES-256-IGE.

    Raises :class:`EncodeError` for a length that is not a multiple of 16 or a
    key / iv that is not 32 bytes.
    """
    _check_key_iv(key, iv)
    size = nbytes(data)
    if size % BLOCK_SIZE:
        raise EncodeError(
            f"AES-256-IGE plaintext must be a multiple of {BLOCK_SIZE} bytes, got {size}"
        )
    return cryptg.encrypt_ige(as_bytes(data), as_bytes(key), as_bytes(iv))


def aes_ige_decrypt(data: Buffer, key: Buffer, iv: Buffer) -> bytes:
    """Decrypt AES-256-IGE ``data``.

    A ciphertext whose length is not a multiple of 16 raises
    :class:`DecodeError` whose offset is where the incomplete block starts; a
    key / iv that is not 32 bytes raises :class:`EncodeError`.
    """
    _check_key_iv(key, iv)
    size = nbytes(data)
    if size % BLOCK_SIZE:
        raise DecodeError(
            f"AES-256-IGE ciphertext must be a multiple of {BLOCK_SIZE} bytes, got {size}",
            offset=size - size % BLOCK_SIZE,
        )
    return cryptg.decrypt_ige(as_bytes(data), as_bytes(key), as_bytes(iv))
