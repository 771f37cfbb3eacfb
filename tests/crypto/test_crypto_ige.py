"""AES-256-IGE wrappers: agreement with kurigram's pure-Python IGE and typed errors."""

from __future__ import annotations

import random

import pytest

from tlruntime.crypto.ige import aes_ige_decrypt, aes_ige_encrypt
from tlruntime.errors import DecodeError, EncodeError


@pytest.mark.parametrize("blocks", [0, 1, 2, 7, 33])
def test_matches_kurigram_pure_python_ige(blocks: int) -> None:
    # kurigram falls back to pyaes + its own IGE chaining when TgCrypto is absent:
    # an implementation that shares no code with cryptg.
    from pyrogram.crypto import aes

    rng = random.Random(blocks)
    data, key, iv = rng.randbytes(16 * blocks), rng.randbytes(32), rng.randbytes(32)
    encrypted = aes_ige_encrypt(data, key, iv)
    assert encrypted == aes.ige256_encrypt(data, key, iv)
    assert aes_ige_decrypt(encrypted, key, iv) == data
    assert aes.ige256_decrypt(encrypted, key, iv) == data


def test_matches_telethon_aes() -> None:
    from telethon.crypto.aes import AES

    rng = random.Random(5)
    data, key, iv = rng.randbytes(160), rng.randbytes(32), rng.randbytes(32)
    assert aes_ige_encrypt(data, key, iv) == AES.encrypt_ige(data, key, iv)


def test_accepts_bytearray_and_memoryview() -> None:
    key, iv = bytes(range(32)), bytes(range(32, 64))
    data = bytes(range(64))
    expected = aes_ige_encrypt(data, key, iv)
    assert aes_ige_encrypt(bytearray(data), memoryview(key), bytearray(iv)) == expected
    assert aes_ige_decrypt(memoryview(expected), bytearray(key), memoryview(iv)) == data


@pytest.mark.parametrize("size", [1, 15, 17, 31])
def test_unaligned_lengths_are_typed_errors(size: int) -> None:
    key = iv = bytes(32)
    with pytest.raises(EncodeError, match="multiple of 16"):
        aes_ige_encrypt(bytes(size), key, iv)
    with pytest.raises(DecodeError, match="multiple of 16") as info:
        aes_ige_decrypt(bytes(size), key, iv)
    assert info.value.offset == size - size % 16


@pytest.mark.parametrize("bad", [0, 16, 31, 33])
def test_wrong_key_or_iv_size(bad: int) -> None:
    with pytest.raises(EncodeError, match="key must be 32"):
        aes_ige_encrypt(bytes(16), bytes(bad), bytes(32))
    with pytest.raises(EncodeError, match="iv must be 32"):
        aes_ige_decrypt(bytes(16), bytes(32), bytes(bad))
